"""Visitors book, cancel and see their consultations; staff see their town's and mark attendance."""

import pytest
from django.core import mail

from consultations.models import Consultation, ConsultationSlot
from tests.conftest import client_for
from tests.factories import StaffFactory, VisitorFactory, matsue

from .factories import ConsultationFactory, OnlineSlotFactory, SlotFactory, at

pytestmark = pytest.mark.django_db

URL = "/api/v1/consultations/"


def book(client, slot):
    return client.post(URL, {"slot": slot.id}, format="json")


def test_a_visitor_books_a_place_and_sees_the_meeting_url(visitor_client, visitor, django_capture_on_commit_callbacks):
    slot = OnlineSlotFactory(capacity=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = book(visitor_client, slot)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "booked"
    assert data["slot"]["id"] == slot.id
    assert data["slot"]["meeting_url"] == "https://meet.example.jp/saku-123"
    assert data["slot"]["booked"] == 1
    assert data["language"] == "ja"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [visitor.email]
    assert "予約" in mail.outbox[0].subject
    assert "https://meet.example.jp/saku-123" in mail.outbox[0].body


def test_the_email_follows_the_language_of_the_booking(visitor, django_capture_on_commit_callbacks):
    slot = SlotFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = book(client_for(visitor, "en"), slot)

    assert response.json()["language"] == "en"
    assert mail.outbox[0].subject.startswith("Your consultation with Saku is booked")


def test_a_full_slot_is_409_slot_full(visitor_client):
    slot = SlotFactory(capacity=1)
    ConsultationFactory(slot=slot)

    response = book(visitor_client, slot)

    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_full"
    assert ConsultationSlot.objects.get(id=slot.id).booked == 1


def test_a_past_slot_is_409_slot_in_past(visitor_client):
    response = book(visitor_client, SlotFactory(starts_at=at(-1)))

    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_in_past"


def test_booking_the_same_slot_twice_is_409(visitor_client):
    slot = SlotFactory(capacity=3)
    assert book(visitor_client, slot).status_code == 201

    again = book(visitor_client, slot)

    assert again.status_code == 409 and again.json()["error"]["code"] == "consultation_already_booked"
    assert ConsultationSlot.objects.get(id=slot.id).booked == 1


@pytest.mark.parametrize("payload", [{}, {"slot": "x"}, {"slot": 0}, {"slot": 999999}, {"slot": True}])
def test_a_missing_or_unknown_slot_is_400_on_slot(visitor_client, payload):
    response = visitor_client.post(URL, payload, format="json")

    assert response.status_code == 400 and "slot" in response.json()["error"]["fields"]
    assert Consultation.objects.count() == 0


def test_operators_get_403_and_staff_cannot_book(operator_client, staff_client):
    slot = SlotFactory()
    assert book(operator_client, slot).status_code == 403
    assert operator_client.get(URL).status_code == 403
    assert book(staff_client, slot).status_code == 403


def test_visitors_see_only_their_own(visitor, visitor_client):
    mine = ConsultationFactory(visitor=visitor)
    theirs = ConsultationFactory()

    assert [c["id"] for c in visitor_client.get(URL).json()["results"]] == [mine.id]
    assert visitor_client.get(f"{URL}{mine.id}/").status_code == 200
    assert visitor_client.get(f"{URL}{mine.id}/").json()["visitor"] is None
    assert visitor_client.get(f"{URL}{theirs.id}/").status_code == 404
    assert visitor_client.post(f"{URL}{theirs.id}/cancel/").status_code == 404
    assert visitor_client.get(f"{URL}nope/").status_code == 404


def test_staff_see_their_towns_with_the_visitor_and_others_get_404(staff_client):
    ours = ConsultationFactory()
    theirs = ConsultationFactory(slot__municipality=matsue())

    listed = staff_client.get(URL).json()["results"]

    assert [c["id"] for c in listed] == [ours.id]
    assert listed[0]["visitor"]["email"] == ours.visitor.email
    assert staff_client.get(f"{URL}{theirs.id}/").status_code == 404
    assert staff_client.post(f"{URL}{theirs.id}/cancel/", {"reason": "x"}, format="json").status_code == 404


def test_a_visitor_cancels_and_the_place_goes_back(visitor, visitor_client, django_capture_on_commit_callbacks):
    slot = SlotFactory(capacity=1)
    consultation_id = book(visitor_client, slot).json()["id"]
    other = client_for(VisitorFactory())
    assert book(other, slot).json()["error"]["code"] == "slot_full"

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = visitor_client.post(f"{URL}{consultation_id}/cancel/")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert mail.outbox[-1].to == [visitor.email]
    assert book(other, slot).status_code == 201
    again = visitor_client.post(f"{URL}{consultation_id}/cancel/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "consultation_not_cancellable"


def test_a_visitor_may_book_again_after_cancelling(visitor_client):
    slot = SlotFactory(capacity=2)
    first = book(visitor_client, slot).json()["id"]
    visitor_client.post(f"{URL}{first}/cancel/")

    assert book(visitor_client, slot).status_code == 201
    assert ConsultationSlot.objects.get(id=slot.id).booked == 1


def test_a_visitor_cannot_cancel_once_it_started(visitor):
    consultation = ConsultationFactory(visitor=visitor, slot__starts_at=at(-1))

    response = client_for(visitor).post(f"{URL}{consultation.id}/cancel/")

    assert response.status_code == 409 and response.json()["error"]["code"] == "consultation_not_cancellable"


def test_staff_cancel_with_a_reason_sent_to_the_visitor(staff_client, django_capture_on_commit_callbacks):
    consultation = ConsultationFactory()

    without = staff_client.post(f"{URL}{consultation.id}/cancel/", {}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        with_reason = staff_client.post(
            f"{URL}{consultation.id}/cancel/", {"reason": "担当者の急病のため"}, format="json"
        )

    assert without.status_code == 400 and "reason" in without.json()["error"]["fields"]
    assert with_reason.status_code == 200 and with_reason.json()["cancel_reason"] == "担当者の急病のため"
    assert "担当者の急病のため" in mail.outbox[-1].body
    assert ConsultationSlot.objects.get(id=consultation.slot_id).booked == 0


def test_staff_mark_attended_or_missed_once_it_started(staff_client):
    past = ConsultationFactory(slot__starts_at=at(-1))
    future = ConsultationFactory()

    attended = staff_client.post(f"{URL}{past.id}/attended/")
    corrected = staff_client.post(f"{URL}{past.id}/missed/")
    too_early = staff_client.post(f"{URL}{future.id}/attended/")

    assert attended.status_code == 200 and attended.json()["status"] == "attended"
    assert corrected.status_code == 200 and corrected.json()["status"] == "missed"
    assert too_early.status_code == 409 and too_early.json()["error"]["code"] == "consultation_not_started"


def test_only_the_towns_staff_mark(visitor, saku):
    consultation = ConsultationFactory(visitor=visitor, slot__starts_at=at(-1))
    other_staff = client_for(StaffFactory(municipality=matsue()))

    assert client_for(visitor).post(f"{URL}{consultation.id}/attended/").status_code == 403
    assert other_staff.post(f"{URL}{consultation.id}/attended/").status_code == 404
    assert Consultation.objects.get(id=consultation.id).status == "booked"


def test_a_cancelled_consultation_cannot_be_marked(staff_client):
    consultation = ConsultationFactory(slot__starts_at=at(-1), status=Consultation.Status.CANCELLED)

    response = staff_client.post(f"{URL}{consultation.id}/attended/")

    assert response.status_code == 409 and response.json()["error"]["code"] == "consultation_not_markable"
