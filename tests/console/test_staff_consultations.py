"""Consultation slots in the staff console: the town's slots with their bookings, publishing a slot through the
consultations service (its refusals on their fields, in the API's words), recording attendance."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation, ConsultationSlot
from tests import factories
from tests.conftest import client_for
from tests.console.conftest import logged_in
from tests.consultations.factories import ConsultationFactory, OnlineSlotFactory, SlotFactory, at

pytestmark = pytest.mark.django_db

URL = "/console/staff/consultations/"


def slot_body(**changes) -> dict:
    body = {
        "slot-starts_at": at(10, 14).strftime("%Y-%m-%dT%H:%M"),
        "slot-minutes": "45",
        "slot-mode": "in_person",
        "slot-place": "佐久市役所 2階",
        "slot-meeting_url": "",
        "slot-capacity": "2",
    }
    body.update({f"slot-{key}": value for key, value in changes.items()})
    return body


def api_body(**changes) -> dict:
    body = {"starts_at": at(10, 14).isoformat(), "minutes": 45, "mode": "in_person", "place": "佐久市役所 2階"}
    body.update(changes)
    return body


def test_the_page_lists_upcoming_slots_soonest_first_then_those_started(staff_user, saku):
    later = SlotFactory(starts_at=at(9))
    sooner = OnlineSlotFactory(starts_at=at(2))
    started = SlotFactory(starts_at=at(-1))
    booked = ConsultationFactory(slot=sooner, visitor=factories.VisitorFactory(full_name="山田 花子"))
    matsue_slot = SlotFactory(municipality=factories.matsue(), starts_at=at(3))
    html = logged_in(staff_user, "en").get(URL).content.decode()
    order = [int(found) for found in re.findall(r'<article class="slot" id="slot-(\d+)">', html)]
    assert order == [sooner.id, later.id, started.id]
    assert matsue_slot.id not in order
    assert "山田 花子" in html and booked.visitor.email in html and "1 of 1 booked" in html
    assert "https://meet.example.jp/saku-123" in html  # staff see the meeting URL
    assert 'href="/console/staff/consultations/" aria-current="page"' in html


def test_publishing_a_slot_goes_through_the_service(staff_user, saku):
    client = logged_in(staff_user, "en")
    response = client.post(f"{URL}slots/", slot_body())
    assert response.status_code == 302 and response["Location"] == URL
    slot = ConsultationSlot.objects.get()
    assert (slot.municipality_id, slot.minutes, slot.capacity, slot.created_by_id) == (saku.id, 45, 2, staff_user.id)
    assert timezone.localtime(slot.starts_at) == at(10, 14)  # typed as Japan time
    page = client.get(URL).content.decode()
    assert "The consultation slot is published." in page and "佐久市役所 2階" in page
    # The visitors' app sees it as bookable.
    listed = client_for(factories.VisitorFactory()).get("/api/v1/consultation-slots/?municipality=202177").json()
    assert [item["id"] for item in listed["results"]] == [slot.id]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"place": ""}, "place"),
        ({"mode": "online", "place": "", "meeting_url": ""}, "meeting_url"),
        ({"mode": "online", "place": "", "meeting_url": "http://meet.example.jp/x"}, "meeting_url"),
        ({"starts_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")}, "starts_at"),
    ],
)
def test_a_refused_slot_shows_the_services_message_on_its_field(staff_user, saku, changes, field, language):
    refused = logged_in(staff_user, language).post(f"{URL}slots/", slot_body(**changes))
    api_changes = {key: value for key, value in changes.items() if key != "starts_at"}
    if "starts_at" in changes:
        api_changes["starts_at"] = (timezone.now() - timedelta(hours=2)).isoformat()
    api = client_for(staff_user, language).post("/api/v1/consultation-slots/", api_body(**api_changes), format="json")
    assert api.status_code == 400 and refused.status_code == 400
    message = api.json()["error"]["fields"][field][0]
    html = refused.content.decode()
    errors = re.search(rf'<div class="errors" role="alert" id="id_slot-{field}-errors">(.*?)</div>', html, re.S)
    assert errors is not None and message in errors.group(1)
    assert not ConsultationSlot.objects.exists()


def test_a_malformed_slot_is_refused_by_the_form(staff_user, saku):
    refused = logged_in(staff_user, "en").post(f"{URL}slots/", slot_body(minutes="0", capacity=""))
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in html and "This field is required." in html
    assert not ConsultationSlot.objects.exists()


def test_staff_mark_a_consultation_attended_then_correct_it_and_the_api_shows_it(staff_user, saku):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(-1)))
    client = logged_in(staff_user, "en")
    response = client.post(f"{URL}{consultation.id}/attended/")
    assert response.status_code == 302 and response["Location"] == f"{URL}#slot-{consultation.slot_id}"
    api = client_for(staff_user).get(f"/api/v1/consultations/{consultation.id}/").json()
    assert api["status"] == "attended" and api["marked_at"]
    html = client.get(URL).content.decode()
    assert "is recorded as attended." in html
    row = re.search(rf'<tr id="consultation-{consultation.id}">(.*?)</tr>', html, re.S).group(1)
    assert "mark-missed" in row and "mark-attended" not in row
    assert client.post(f"{URL}{consultation.id}/missed/").status_code == 302
    assert Consultation.objects.get(id=consultation.id).status == Consultation.Status.MISSED


@pytest.mark.parametrize("language", ["ja", "en"])
def test_marking_before_the_start_shows_the_api_refusal(staff_user, saku, language):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(3)))
    refused = logged_in(staff_user, language).post(f"{URL}{consultation.id}/attended/")
    api = client_for(staff_user, language).post(f"/api/v1/consultations/{consultation.id}/attended/")
    assert api.status_code == 409 and refused.status_code == 400
    assert api.json()["error"]["message"] in refused.content.decode()
    assert Consultation.objects.get(id=consultation.id).status == Consultation.Status.BOOKED


def test_staff_cancel_a_booked_consultation_with_a_reason_and_the_place_goes_back(staff_user, saku):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(3), capacity=1))
    assert ConsultationSlot.objects.get(id=consultation.slot_id).booked == 1
    client = logged_in(staff_user, "en")
    row = re.search(rf'<tr id="consultation-{consultation.id}">(.*?)</tr>', client.get(URL).content.decode(), re.S)
    assert "Cancel the consultation" in row.group(1)
    response = client.post(f"{URL}{consultation.id}/cancel/", {"cancel-reason": "担当者の都合"})
    assert response.status_code == 302 and response["Location"] == f"{URL}#slot-{consultation.slot_id}"
    api = client_for(staff_user).get(f"/api/v1/consultations/{consultation.id}/").json()
    assert api["status"] == "cancelled"
    assert ConsultationSlot.objects.get(id=consultation.slot_id).booked == 0
    html = client.get(URL).content.decode()
    assert "is cancelled." in html and "担当者の都合" in html


@pytest.mark.parametrize("language", ["ja", "en"])
def test_cancelling_without_a_reason_shows_the_api_refusal(staff_user, saku, language):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(3)))
    refused = logged_in(staff_user, language).post(f"{URL}{consultation.id}/cancel/", {"cancel-reason": ""})
    api = client_for(staff_user, language).post(f"/api/v1/consultations/{consultation.id}/cancel/", {}, format="json")
    assert api.status_code == 400 and refused.status_code == 400
    assert api.json()["error"]["message"] in refused.content.decode()
    assert Consultation.objects.get(id=consultation.id).status == Consultation.Status.BOOKED


def test_another_towns_consultation_cannot_be_cancelled(saku):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(3)))
    client = logged_in(factories.StaffFactory(municipality=factories.matsue()))
    assert client.post(f"{URL}{consultation.id}/cancel/", {"cancel-reason": "x"}).status_code == 404
    assert Consultation.objects.get(id=consultation.id).status == Consultation.Status.BOOKED


def test_another_towns_consultation_is_not_found(saku):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(-1)))
    client = logged_in(factories.StaffFactory(municipality=factories.matsue()))
    assert client.post(f"{URL}{consultation.id}/attended/").status_code == 404
    assert client.post(f"{URL}x/attended/").status_code == 404
    assert Consultation.objects.get(id=consultation.id).status == Consultation.Status.BOOKED


def test_only_staff_see_and_change_slots(visitor, operator_user, saku):
    consultation = ConsultationFactory(slot=SlotFactory(starts_at=at(-1)))
    for user in (visitor, operator_user):
        assert logged_in(user).get(URL).status_code == 403
        assert logged_in(user).post(f"{URL}slots/", slot_body()).status_code == 403
        assert logged_in(user).post(f"{URL}{consultation.id}/attended/").status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/console/login/")
    assert ConsultationSlot.objects.count() == 1
    assert Consultation.objects.get(id=consultation.id).status == Consultation.Status.BOOKED
    assert "Consultations" not in logged_in(operator_user, "en").get("/console/operator/").content.decode()


def test_publishing_needs_the_csrf_token(staff_user, saku):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.post(f"{URL}slots/", slot_body()).status_code == 403
    assert not ConsultationSlot.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_the_page_costs_a_fixed_number_of_queries(staff_user, saku, count, django_assert_max_num_queries):
    for index in range(count):
        slot = SlotFactory(starts_at=at(index % 20 - 5), capacity=2)
        ConsultationFactory(slot=slot)
        ConsultationFactory(slot=slot, status=Consultation.Status.CANCELLED)
    client = logged_in(staff_user)
    with django_assert_max_num_queries(6):
        page = client.get(URL)
    assert len(re.findall(r'<article class="slot"', page.content.decode())) == count


def test_the_page_in_japanese(staff_user, saku):
    ConsultationFactory(slot=SlotFactory(starts_at=at(-1)))
    html = logged_in(staff_user).get(URL).content.decode()
    assert "相談枠を公開する" in html and "開始済みの相談枠" in html and "定員1名中1名予約" in html
