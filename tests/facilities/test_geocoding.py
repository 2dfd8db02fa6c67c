"""The geocoding module, with Nominatim faked at geopy's HTTP adapter."""
import pytest
from django.core.cache import cache
from geopy.adapters import BaseSyncAdapter
from geopy.geocoders import options

from facilities import geocoding


class FakeAdapter(BaseSyncAdapter):
    calls: list = []
    payload: list = []

    def get_json(self, url, *, timeout, headers):
        FakeAdapter.calls.append((url, headers))
        return FakeAdapter.payload

    def get_text(self, url, *, timeout, headers):
        raise NotImplementedError


@pytest.fixture
def nominatim(monkeypatch, settings):
    settings.GEOCODER_MIN_INTERVAL_SECONDS = 0
    monkeypatch.setattr(options, "default_adapter_factory", FakeAdapter)
    geocoding._geocode.cache_clear()
    cache.clear()
    FakeAdapter.calls = []
    yield FakeAdapter
    geocoding._geocode.cache_clear()


def test_geocode_sends_own_user_agent_and_caches_result(nominatim, settings):
    nominatim.payload = [{"lat": "36.27796", "lon": "138.46424", "display_name": "佐久平駅"}]
    assert geocoding.geocode("長野県佐久市佐久平駅北") == (36.27796, 138.46424)
    assert geocoding.geocode("長野県佐久市佐久平駅北") == (36.27796, 138.46424)
    assert len(nominatim.calls) == 1
    assert nominatim.calls[0][1]["User-Agent"] == settings.GEOCODER_USER_AGENT


def test_geocode_unknown_address_is_none_and_cached(nominatim):
    nominatim.payload = []
    assert geocoding.geocode("存在しない住所") is None
    assert geocoding.geocode("存在しない住所") is None
    assert len(nominatim.calls) == 1
