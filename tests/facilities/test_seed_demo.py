"""`manage.py seed_demo`: the demo catalogue, programme and accounts, loaded twice without duplicates."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from bookings.models import Booking, CalendarFeed
from consultations.models import ConsultationSlot
from facilities.models import Area, Certification, Facility, Landmark, Photo, Unit
from memberships.models import CreditEntry, Membership, Plan
from reimbursements.models import Programme

pytestmark = pytest.mark.django_db(transaction=True)
MODELS = [
    User,
    Facility,
    Unit,
    Area,
    Landmark,
    Photo,
    Certification,
    Programme,
    Booking,
    CalendarFeed,
    ConsultationSlot,
    Plan,
    Membership,
    CreditEntry,
]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_running_it_twice_duplicates_nothing():
    first_output = seed()
    counts = {model: model.objects.count() for model in MODELS}
    second_output = seed()

    assert {model: model.objects.count() for model in MODELS} == counts
    for email in (
        "visitor@demo.otameshi.jp",
        "operator@demo.otameshi.jp",
        "staff@demo.otameshi.jp",
        "admin@demo.otameshi.jp",
    ):
        assert email in first_output and email in second_output


def test_demo_accounts_log_in_with_their_roles(api_client):
    seed()
    for email, role in [
        ("visitor@demo.otameshi.jp", "visitor"),
        ("operator@demo.otameshi.jp", "operator"),
        ("staff@demo.otameshi.jp", "municipal_staff"),
    ]:
        token = api_client.post("/api/v1/auth/token/", {"email": email, "password": "otameshi-demo"}, format="json")
        assert token.status_code == 200
        me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
        assert me.json()["role"] == role
    assert User.objects.get(email="staff@demo.otameshi.jp").municipality.code == "202177"


def test_demo_catalogue_matches_the_public_material(api_client):
    seed()
    saku_areas = set(Area.objects.filter(municipality__code="202177").values_list("name_ja", flat=True))
    assert saku_areas == {"佐久平・岩村田・東", "中込・野沢", "臼田", "望月・浅科"}

    trial_homes = Facility.objects.filter(municipality__code="202177", kind=Facility.Kind.TRIAL_HOUSING)
    assert set(trial_homes.values_list("area__slug", flat=True)) == {
        "sakudaira-iwamurada-higashi",
        "nakagomi-nozawa",
        "usuda",
        "mochizuki-asashina",
    }
    hoshinomachi = Facility.objects.get(name_ja="ホシノマチ団地")
    assert hoshinomachi.area.name_ja == "臼田"
    assert set(hoshinomachi.units.values_list("name_ja", "min_nights")) == {("1LDK", 7), ("3DK", 7)}
    assert "入居者は無料" in hoshinomachi.opening_hours_ja and hoshinomachi.external_monitors

    station = Landmark.objects.get(code="sakudaira-station")
    assert (station.latitude, station.longitude) == (36.27796, 138.46424)

    hotels = api_client.get("/api/v1/facilities/?municipality=322016&kind=telework_hotel&certified=true").json()
    assert hotels["count"] == 3
    mihokan = next(result for result in hotels["results"] if result["name"] == "美保館")
    assert (mihokan["latitude"], mihokan["longitude"]) == (35.5625, 133.3079)

    near_sakudaira = api_client.get("/api/v1/facilities/?near_station=sakudaira-station&radius_km=2").json()
    assert near_sakudaira["results"][0]["name"] == "ワークテラス佐久"
    assert Facility.objects.filter(municipality__code="202088", kind=Facility.Kind.COWORKING).exists()
    assert Facility.objects.filter(municipality__code="203246").count() == 2
    assert Programme.objects.filter(municipality__code="202177", max_days_per_group=6).exists()


def test_saku_publishes_consultation_slots_visitors_can_book(api_client):
    seed()
    token = api_client.post(
        "/api/v1/auth/token/", {"email": "visitor@demo.otameshi.jp", "password": "otameshi-demo"}, format="json"
    ).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    slots = api_client.get("/api/v1/consultation-slots/", {"municipality": "202177"}).json()["results"]

    assert {slot["mode"] for slot in slots} == {"in_person", "online"}
    assert all(slot["meeting_url"] is None for slot in slots)
    assert api_client.post("/api/v1/consultations/", {"slot": slots[0]["id"]}, format="json").status_code == 201


def test_the_coworking_space_has_rooms_by_the_hour_plans_and_the_visitor_as_a_member(api_client):
    seed()
    space = Facility.objects.get(name_ja="ワークテラス佐久")
    rooms = api_client.get(f"/api/v1/facilities/{space.id}/").json()["units"]
    hourly = [unit for unit in rooms if unit["booking_mode"] == "hourly"]
    assert len(hourly) == 2 and all(unit["unit_type"] == "meeting_room" for unit in hourly)
    assert sum(unit["count"] for unit in rooms if unit["unit_type"] == "desk") == 20
    day = api_client.get(f"/api/v1/units/{hourly[0]['id']}/slots/", {"date": "2099-01-01"})
    assert day.status_code == 200 and day.json()["opens_at"].endswith("09:00:00+09:00")

    plans = api_client.get(f"/api/v1/facilities/{space.id}/plans/").json()["results"]
    monthly = next(plan for plan in plans if plan["credit_hours"] == 4)
    assert monthly["monthly_price_yen"] == 11000 and monthly["credit_unit_types"] == ["meeting_room"]
    residents = next(plan for plan in plans if plan["resident_housing"] is not None)
    assert residents["resident_housing"] == Facility.objects.get(name_ja="ホシノマチ団地").id

    token = api_client.post(
        "/api/v1/auth/token/", {"email": "visitor@demo.otameshi.jp", "password": "otameshi-demo"}, format="json"
    ).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    memberships = api_client.get("/api/v1/memberships/").json()["results"]
    assert [(m["plan"]["id"], m["status"], m["credit_minutes"]) for m in memberships] == [
        (monthly["id"], "active", 240)
    ]
