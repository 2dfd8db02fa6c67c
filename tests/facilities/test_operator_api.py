"""The operators' catalogue API: their own facilities, units, certificates and photos, and nobody else's."""

import datetime as dt

import pytest
from django.core.cache import cache
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError
from geopy.geocoders import options

from bookings.models import Booking
from facilities import geocoding
from facilities.models import Certification, Facility, Photo, Unit
from tests.bookings.factories import iso
from tests.bookings.helpers import QUOTES, book
from tests.conftest import client_for
from tests.factories import (
    AreaFactory,
    CertificationFactory,
    FacilityFactory,
    MunicipalityFactory,
    OperatorFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/operator/"


def facility_body(**overrides) -> dict:
    body = {
        "kind": "trial_housing",
        "municipality": "202177",
        "name_ja": "お試し住宅 中込",
        "name_en": "Nakagomi Trial Home",
        "address_ja": "長野県佐久市中込1-1",
        "latitude": 36.2345,
        "longitude": 138.4800,
        "wifi_mbps": 300,
        "parking": True,
        "check_in_time": "15:00",
        "check_out_time": "10:00",
    }
    return {**body, **overrides}


def unit_body(**overrides) -> dict:
    body = {
        "unit_type": "house",
        "name_ja": "一棟貸し",
        "name_en": "Whole house",
        "capacity": 4,
        "count": 1,
        "price_yen": 8000,
        "min_nights": 2,
        "max_nights": 30,
    }
    return {**body, **overrides}


def fields(response) -> dict:
    return response.json()["error"]["fields"]


def test_crud_round_trip(operator_client, organisation, saku, api_client):
    nakagomi = AreaFactory(municipality=saku, slug="nakagomi-nozawa")

    created = operator_client.post(f"{BASE}facilities/", facility_body(area="nakagomi-nozawa"), format="json")
    assert created.status_code == 201, created.json()
    facility_id = created.json()["id"]
    assert created.json()["area"] == "nakagomi-nozawa" and created.json()["check_in_time"] == "15:00"
    assert Facility.objects.get(pk=facility_id).operator == organisation
    assert Facility.objects.get(pk=facility_id).area == nakagomi

    patched = operator_client.patch(
        f"{BASE}facilities/{facility_id}/", {"name_en": "Nakagomi House", "private_booths": True}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["name_en"] == "Nakagomi House"
    assert patched.json()["private_booths"] is True and patched.json()["name_ja"] == "お試し住宅 中込"

    unit = operator_client.post(f"{BASE}facilities/{facility_id}/units/", unit_body(), format="json")
    assert unit.status_code == 201, unit.json()
    unit_id = unit.json()["id"]
    renamed = operator_client.patch(
        f"{BASE}units/{unit_id}/", {"price_yen": 7500, "check_in_time": "16:00"}, format="json"
    )
    assert renamed.status_code == 200 and renamed.json()["price_yen"] == 7500
    assert renamed.json()["check_in_time"] == "16:00"

    today = dt.date.today()
    certificate = operator_client.post(
        f"{BASE}facilities/{facility_id}/certifications/",
        {
            "scheme": "safe_telework",
            "level": "premium",
            "certificate_number": "ST-1",
            "certified_on": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=364)).isoformat(),
        },
        format="json",
    )
    assert certificate.status_code == 201, certificate.json()
    assert certificate.json()["rank"] == 2 and certificate.json()["is_valid_today"] is True

    photo = operator_client.post(
        f"{BASE}facilities/{facility_id}/photos/",
        {"url": "https://example.jp/nakagomi.jpg", "caption_ja": "外観"},
        format="json",
    )
    assert photo.status_code == 201

    # What the public sees follows the operator's edits.
    public = api_client.get(f"/api/v1/facilities/{facility_id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert public["name"] == "Nakagomi House"
    assert [u["price_yen"] for u in public["units"]] == [7500]
    assert public["certifications"][0]["level"] == "premium"
    assert public["photos"][0]["url"] == "https://example.jp/nakagomi.jpg"

    listed = operator_client.get(f"{BASE}facilities/").json()
    assert [f["id"] for f in listed["results"]] == [facility_id]
    assert [u["id"] for u in listed["results"][0]["units"]] == [unit_id]

    # Each create points at what it made; each list is a page.
    for response in (created, unit, certificate, photo):
        assert operator_client.get(response["Location"]).json()["id"] == response.json()["id"]
    assert created["Location"] == f"http://testserver{BASE}facilities/{facility_id}/"
    for kind, made in (("units", unit), ("certifications", certificate), ("photos", photo)):
        page = operator_client.get(f"{BASE}facilities/{facility_id}/{kind}/").json()
        assert (page["count"], [row["id"] for row in page["results"]]) == (1, [made.json()["id"]])

    for path in (
        f"photos/{photo.json()['id']}/",
        f"certifications/{certificate.json()['id']}/",
        f"units/{unit_id}/",
        f"facilities/{facility_id}/",
    ):
        assert operator_client.delete(f"{BASE}{path}").status_code == 204
        assert operator_client.get(f"{BASE}{path}").status_code == 404
    assert not Facility.objects.filter(pk=facility_id).exists()


def test_another_organisations_rows_are_not_found(operator_client):
    facility = FacilityFactory()  # another organisation's
    unit = UnitFactory(facility=facility)
    certificate = CertificationFactory(facility=facility)
    photo = Photo.objects.create(facility=facility, url="https://example.jp/a.jpg")
    before = (facility.name_ja, unit.price_yen)

    for path, change in (
        (f"facilities/{facility.id}/", {"name_ja": "乗っ取り"}),
        (f"units/{unit.id}/", {"price_yen": 1}),
        (f"certifications/{certificate.id}/", {"certificate_number": "X"}),
        (f"photos/{photo.id}/", {"position": 3}),
    ):
        assert operator_client.get(f"{BASE}{path}").status_code == 404
        response = operator_client.patch(f"{BASE}{path}", change, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"].endswith("not_found")
        assert operator_client.delete(f"{BASE}{path}").status_code == 404
    assert operator_client.post(f"{BASE}facilities/{facility.id}/units/", unit_body(), format="json").status_code == 404
    assert operator_client.get(f"{BASE}facilities/").json()["count"] == 0
    facility.refresh_from_db()
    unit.refresh_from_db()
    assert (facility.name_ja, unit.price_yen) == before
    assert Certification.objects.filter(pk=certificate.pk).exists() and Photo.objects.filter(pk=photo.pk).exists()


@pytest.mark.parametrize("path", ["abc", "0", "99999999999999999999", "１２", "-1"])
def test_malformed_ids_are_json_404s(operator_client, path):
    for prefix in ("facilities", "units", "certifications", "photos"):
        response = operator_client.get(f"{BASE}{prefix}/{path}/")
        assert response.status_code == 404
        assert "error" in response.json()


def test_visitors_and_staff_get_403_and_anonymous_401(visitor_client, staff_client, api_client, organisation):
    facility = FacilityFactory(operator=organisation)
    for client in (visitor_client, staff_client):
        assert client.get(f"{BASE}facilities/").status_code == 403
        assert client.post(f"{BASE}facilities/", facility_body(), format="json").status_code == 403
        assert client.patch(f"{BASE}facilities/{facility.id}/", {"name_ja": "x"}, format="json").status_code == 403
        assert client.post(f"{BASE}geocode/", {"address": "佐久市"}, format="json").status_code == 403
    assert api_client.get(f"{BASE}facilities/").status_code == 401
    assert Facility.objects.count() == 1


@pytest.mark.parametrize(
    "override, field",
    [
        ({"latitude": 90.5}, "latitude"),
        ({"latitude": -91}, "latitude"),
        ({"longitude": 181}, "longitude"),
        ({"longitude": "NaN"}, "longitude"),
        ({"kind": "spa"}, "kind"),
        ({"municipality": "12345"}, "municipality"),
        ({"municipality": "999999"}, "municipality"),
        ({"area": "atlantis"}, "area"),
        ({"check_in_time": "25:00"}, "check_in_time"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_bad_facility_input_is_a_400_naming_the_field_and_saves_nothing(operator_client, saku, override, field):
    response = operator_client.post(f"{BASE}facilities/", facility_body(**override), format="json")

    assert response.status_code == 400
    assert field in fields(response)
    assert Facility.objects.count() == 0


def test_area_of_another_municipality_is_refused(operator_client, organisation, saku):
    other_town = MunicipalityFactory()
    AreaFactory(municipality=other_town, slug="elsewhere")
    facility = FacilityFactory(operator=organisation)

    created = operator_client.post(f"{BASE}facilities/", facility_body(area="elsewhere"), format="json")
    patched = operator_client.patch(f"{BASE}facilities/{facility.id}/", {"area": "elsewhere"}, format="json")

    assert created.status_code == 400 and "area" in fields(created)
    assert patched.status_code == 400 and "area" in fields(patched)
    assert Facility.objects.count() == 1
    facility.refresh_from_db()
    assert facility.area is None


def test_moving_to_another_town_needs_an_area_of_that_town(operator_client, organisation, saku):
    usuda = AreaFactory(municipality=saku, slug="usuda")
    facility = FacilityFactory(operator=organisation, area=usuda)
    other_town = MunicipalityFactory()

    response = operator_client.patch(
        f"{BASE}facilities/{facility.id}/", {"municipality": other_town.code}, format="json"
    )
    moved = operator_client.patch(
        f"{BASE}facilities/{facility.id}/", {"municipality": other_town.code, "area": None}, format="json"
    )

    assert response.status_code == 400 and "area" in fields(response)
    assert moved.status_code == 200 and moved.json()["municipality"] == other_town.code
    assert moved.json()["area"] is None


@pytest.mark.parametrize(
    "override, field",
    [
        ({"price_yen": -1}, "price_yen"),
        ({"price_yen": 10_000_001}, "price_yen"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 101}, "capacity"),
        ({"count": 0}, "count"),
        ({"count": 501}, "count"),
        ({"min_nights": 0}, "min_nights"),
        ({"min_nights": 7, "max_nights": 3}, "max_nights"),
        ({"max_nights": 367}, "max_nights"),
        ({"booking_window_days": 731}, "booking_window_days"),
        ({"cancellation_fee_percent": 101}, "cancellation_fee_percent"),
        ({"unit_type": "desk"}, "unit_type"),
        ({"unit_type": "castle"}, "unit_type"),
    ],
)
def test_bad_unit_input_is_a_400_naming_the_field_and_saves_nothing(operator_client, organisation, override, field):
    facility = FacilityFactory(operator=organisation)

    response = operator_client.post(f"{BASE}facilities/{facility.id}/units/", unit_body(**override), format="json")

    assert response.status_code == 400
    assert field in fields(response)
    assert Unit.objects.count() == 0


def test_patching_max_below_the_stored_min_is_refused(operator_client, organisation):
    unit = UnitFactory(facility__operator=organisation, min_nights=7, max_nights=30)

    response = operator_client.patch(f"{BASE}units/{unit.id}/", {"max_nights": 3}, format="json")

    assert response.status_code == 400 and "max_nights" in fields(response)
    unit.refresh_from_db()
    assert unit.max_nights == 30


def test_a_rule_edited_through_the_api_is_enforced_by_quotes(operator_client, visitor_client, organisation):
    unit = UnitFactory(facility__operator=organisation, min_nights=1)
    stay = {"unit": unit.id, "check_in": iso(20), "check_out": iso(23), "adults": 1}
    assert visitor_client.post(QUOTES, stay, format="json").status_code == 200

    edited = operator_client.patch(f"{BASE}units/{unit.id}/", {"min_nights": 7}, format="json")
    quote = visitor_client.post(QUOTES, stay, format="json")

    assert edited.status_code == 200 and edited.json()["min_nights"] == 7
    assert quote.status_code == 400
    assert quote.json()["error"]["code"] == "too_few_nights"
    assert "check_out" in fields(quote)


def test_a_price_edited_through_the_api_prices_the_next_quote(operator_client, visitor_client, organisation):
    unit = UnitFactory(facility__operator=organisation, price_yen=9000)

    operator_client.patch(f"{BASE}units/{unit.id}/", {"price_yen": 6000}, format="json")
    quote = visitor_client.post(
        QUOTES, {"unit": unit.id, "check_in": iso(20), "check_out": iso(22), "adults": 1}, format="json"
    )

    assert quote.json()["total_yen"] == 12000


@pytest.mark.parametrize(
    "body, field",
    [
        ({"scheme": "safe_telework", "level": "star2"}, "level"),
        ({"scheme": "shared_office_security", "level": "premium"}, "level"),
        ({"valid_until_days": 366}, "valid_until"),
        ({"valid_until_days": -1}, "valid_until"),
        ({"scheme": "iso27001"}, "scheme"),
    ],
)
def test_bad_certificate_is_a_400_naming_the_field(operator_client, organisation, body, field):
    facility = FacilityFactory(operator=organisation)
    certified_on = dt.date(2026, 4, 1)
    days = body.pop("valid_until_days", 364)
    payload = {
        "scheme": "safe_telework",
        "level": "business",
        "certified_on": certified_on.isoformat(),
        "valid_until": (certified_on + dt.timedelta(days=days)).isoformat(),
        **body,
    }

    response = operator_client.post(f"{BASE}facilities/{facility.id}/certifications/", payload, format="json")

    assert response.status_code == 400
    assert field in fields(response)
    assert Certification.objects.count() == 0


def test_a_certificate_edit_that_breaks_the_scheme_is_refused(operator_client, organisation):
    certificate = CertificationFactory(facility__operator=organisation, level="business")

    response = operator_client.patch(f"{BASE}certifications/{certificate.id}/", {"level": "star1"}, format="json")

    assert response.status_code == 400 and "level" in fields(response)
    certificate.refresh_from_db()
    assert certificate.level == "business"


def test_a_unit_with_booking_history_is_deactivated_not_deleted(operator_client, visitor_client, organisation):
    unit = UnitFactory(facility__operator=organisation)
    booked = book(visitor_client, {"unit": unit.id, "check_in": iso(20), "check_out": iso(22), "adults": 1})
    assert booked.status_code == 201, booked.json()

    refused = operator_client.delete(f"{BASE}units/{unit.id}/")
    refused_facility = operator_client.delete(f"{BASE}facilities/{unit.facility_id}/")
    assert refused.status_code == 409 and refused_facility.status_code == 409
    assert refused.json()["error"]["code"] == "has_active_bookings"

    Booking.objects.filter(unit=unit).update(status=Booking.Status.CANCELLED)
    assert operator_client.delete(f"{BASE}units/{unit.id}/").status_code == 204
    unit.refresh_from_db()
    assert unit.is_active is False
    assert Booking.objects.filter(unit=unit).count() == 1

    assert operator_client.delete(f"{BASE}facilities/{unit.facility_id}/").status_code == 204
    facility = Facility.objects.get(pk=unit.facility_id)
    assert facility.is_published is False
    assert Booking.objects.filter(unit=unit).count() == 1


def test_the_kind_cannot_change_under_units_of_another_type(operator_client, organisation):
    unit = UnitFactory(facility__operator=organisation)  # a house of trial housing

    response = operator_client.patch(f"{BASE}facilities/{unit.facility_id}/", {"kind": "coworking"}, format="json")

    assert response.status_code == 400 and "kind" in fields(response)
    assert Facility.objects.get(pk=unit.facility_id).kind == "trial_housing"


def test_messages_are_japanese_by_default_and_english_on_request(operator_client, organisation):
    facility = FacilityFactory(operator=organisation)
    url = f"{BASE}facilities/{facility.id}/units/"

    japanese = operator_client.post(url, unit_body(unit_type="desk"), format="json")
    english = operator_client.post(url, unit_body(unit_type="desk"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert english.json()["error"]["fields"]["unit_type"][0].startswith("A trial housing offers units of type")
    assert japanese.json()["error"]["fields"]["unit_type"][0] != english.json()["error"]["fields"]["unit_type"][0]


# --- geocoding -------------------------------------------------------------------------------------------------


class FakeNominatim(BaseSyncAdapter):
    payload: list | Exception = []

    def get_json(self, url, *, timeout, headers):
        if isinstance(FakeNominatim.payload, Exception):
            raise FakeNominatim.payload
        return FakeNominatim.payload

    def get_text(self, url, *, timeout, headers):
        raise NotImplementedError


@pytest.fixture
def nominatim(monkeypatch, settings):
    settings.GEOCODER_MIN_INTERVAL_SECONDS = 0
    monkeypatch.setattr(options, "default_adapter_factory", FakeNominatim)
    geocoding._geocode.cache_clear()
    cache.clear()
    yield FakeNominatim
    geocoding._geocode.cache_clear()


def test_geocode_an_address(operator_client, nominatim):
    nominatim.payload = [{"lat": "36.27796", "lon": "138.46424", "display_name": "佐久平駅, 佐久市, 長野県"}]

    response = operator_client.post(f"{BASE}geocode/", {"address": "長野県佐久市佐久平駅北"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"latitude": 36.27796, "longitude": 138.46424, "display_name": "佐久平駅, 佐久市, 長野県"}


def test_geocode_unknown_address_is_a_422_naming_the_address(operator_client, nominatim):
    nominatim.payload = []

    response = operator_client.post(f"{BASE}geocode/", {"address": "存在しない住所"}, format="json")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "address_not_found"
    assert "address" in fields(response)


def test_geocoder_down_is_a_503_with_retry_after(operator_client, nominatim):
    nominatim.payload = GeocoderServiceError("down")

    response = operator_client.post(f"{BASE}geocode/", {"address": "長野県佐久市"}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == "60"


def test_geocode_without_address_is_a_400(operator_client, nominatim):
    response = operator_client.post(f"{BASE}geocode/", {}, format="json")

    assert response.status_code == 400 and "address" in fields(response)


def test_another_operator_sees_only_their_own(organisation):
    mine = FacilityFactory(operator=organisation)
    FacilityFactory()
    client = client_for(OperatorFactory(organisation=organisation))

    assert [f["id"] for f in client.get(f"{BASE}facilities/").json()["results"]] == [mine.id]
