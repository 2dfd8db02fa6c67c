"""The geocoding module, with Nominatim faked at geopy's HTTP adapter and time faked by a clock that sleeping
advances: its own user agent, caching, and at most one request a second across processes."""

import pytest
from django.core.cache import cache
from geopy.adapters import BaseSyncAdapter
from geopy.geocoders import options

from facilities import geocoding


class FakeClock:
    def __init__(self, start: float):
        self.now = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeAdapter(BaseSyncAdapter):
    calls: list = []
    payload: list = []
    clock: FakeClock | None = None

    def get_json(self, url, *, timeout, headers):
        FakeAdapter.calls.append((url, headers, FakeAdapter.clock.now))
        return FakeAdapter.payload

    def get_text(self, url, *, timeout, headers):
        raise NotImplementedError


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock(start=1_800_000_000.25)
    monkeypatch.setattr(geocoding, "_now", fake.time)
    monkeypatch.setattr(geocoding, "_sleep", fake.sleep)
    return fake


@pytest.fixture
def nominatim(monkeypatch, settings, clock):
    settings.GEOCODER_MIN_INTERVAL_SECONDS = 1.0
    monkeypatch.setattr(options, "default_adapter_factory", FakeAdapter)
    geocoding._geocode.cache_clear()
    cache.clear()
    FakeAdapter.calls = []
    FakeAdapter.clock = clock
    FakeAdapter.payload = [{"lat": "36.27796", "lon": "138.46424", "display_name": "佐久平駅"}]
    yield FakeAdapter
    geocoding._geocode.cache_clear()


def request_times(adapter) -> list[float]:
    return [at for _, _, at in adapter.calls]


def test_geocode_sends_own_user_agent_and_caches_result(nominatim, settings):
    first = geocoding.geocode("長野県佐久市佐久平駅北")
    again = geocoding.geocode("長野県佐久市佐久平駅北")

    assert (first.latitude, first.longitude, first.display_name) == (36.27796, 138.46424, "佐久平駅")
    assert again == first
    assert len(nominatim.calls) == 1
    assert nominatim.calls[0][1]["User-Agent"] == settings.GEOCODER_USER_AGENT


def test_geocode_unknown_address_is_none_and_cached(nominatim):
    nominatim.payload = []

    assert geocoding.geocode("存在しない住所") is None
    assert geocoding.geocode("存在しない住所") is None
    assert len(nominatim.calls) == 1


def test_two_lookups_missing_the_cache_are_at_least_a_second_apart(nominatim):
    geocoding.geocode("長野県佐久市岩村田")
    geocoding.geocode("長野県佐久市臼田")
    geocoding.geocode("長野県北佐久郡立科町")

    times = request_times(nominatim)
    assert len(times) == 3
    assert times[1] - times[0] >= 1.0
    assert times[2] - times[1] >= 1.0


def test_a_cached_lookup_makes_no_request_and_does_not_wait(nominatim, clock):
    geocoding.geocode("長野県佐久市岩村田")
    slept, now = list(clock.slept), clock.now

    geocoding.geocode("長野県佐久市岩村田")
    geocoding.geocode("  長野県佐久市岩村田 ")

    assert len(nominatim.calls) == 1
    assert clock.slept == slept and clock.now == now


def test_the_limit_holds_across_processes_through_the_shared_cache(nominatim, clock):
    # Another worker process sent a request in this very slot (it claimed it in the shared cache) and its
    # own geocoder instance is not ours.
    slot = int(clock.now // 1.0)
    cache.add(f"geocode:slot:{slot}", 1, timeout=5)
    other_sent_at = (slot + 1) * 1.0
    geocoding._geocode.cache_clear()

    geocoding.geocode("長野県佐久市中込")

    [ours] = request_times(nominatim)
    assert ours - other_sent_at >= 1.0


def test_too_many_queued_lookups_report_the_service_unavailable(nominatim, clock):
    slot = int(clock.now // 1.0)
    for queued in range(slot, slot + geocoding.MAX_QUEUED_SLOTS):
        cache.add(f"geocode:slot:{queued}", 1, timeout=60)

    with pytest.raises(geocoding.GeocodingUnavailable):
        geocoding.geocode("長野県佐久市望月")
    assert nominatim.calls == []


def test_another_nominatim_can_be_configured(nominatim, settings):
    settings.GEOCODER_DOMAIN = "127.0.0.1:8088"
    settings.GEOCODER_SCHEME = "http"
    geocoding._geocode.cache_clear()

    geocoding.geocode("長野県佐久市")

    assert nominatim.calls[0][0].startswith("http://127.0.0.1:8088/search?")
