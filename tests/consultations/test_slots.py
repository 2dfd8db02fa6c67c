"""Staff publish, change and delete their town's consultation slots; visitors list open future ones."""

import pytest
from django.db import IntegrityError, transaction

from consultations.models import ConsultationSlot
from tests.conftest import client_for
from tests.factories import StaffFactory, matsue

from .factories import ConsultationFactory, OnlineSlotFactory, SlotFactory, at

pytestmark = pytest.mark.django_db

URL = "/api/v1/consultation-slots/"


def body(**overrides):
    data = {
        "starts_at": at(7, 10).isoformat(),
        "minutes": 60,
        "mode": "in_person",
        "place": "移住交流センター",
        "capacity": 2,
    }
    data.update(overrides)
    return data


def test_staff_publish_a_slot_of_their_town(staff_client, saku):
    response = staff_client.post(URL, body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["municipality_code"] == saku.code
    assert data["starts_at"] == at(7, 10).isoformat()
    assert data["starts_at"].endswith("+09:00")
    assert (data["minutes"], data["mode"], data["capacity"], data["booked"]) == (60, "in_person", 2, 0)
    assert data["ends_at"] == at(7, 11).isoformat()


def test_an_online_slot_shows_its_url_to_staff(staff_client):
    response = staff_client.post(
        URL, body(mode="online", place="", meeting_url="https://meet.example.jp/x"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["meeting_url"] == "https://meet.example.jp/x"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"starts_at": at(-1).isoformat()}, "starts_at"),
        ({"starts_at": at(731).isoformat()}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:00+09:00"}, "starts_at"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 481}, "minutes"),
        ({"capacity": 0}, "capacity"),
        ({"mode": "online", "meeting_url": ""}, "meeting_url"),
        ({"mode": "online", "meeting_url": "http://meet.example.jp/x"}, "meeting_url"),
        ({"mode": "online", "meeting_url": "not a url"}, "meeting_url"),
        ({"mode": "by_pigeon"}, "mode"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"place": ""}, "place"),
    ],
)
def test_bad_slots_are_400_naming_the_field_and_save_nothing(staff_client, overrides, field):
    response = staff_client.post(URL, body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert ConsultationSlot.objects.count() == 0


def test_the_message_follows_the_language(staff_user):
    ja = client_for(staff_user).post(URL, body(mode="online", meeting_url="http://x.example"), format="json")
    en = client_for(staff_user, "en").post(URL, body(mode="online", meeting_url="http://x.example"), format="json")

    assert ja.json()["error"]["fields"]["meeting_url"] == ["会議URLは https:// で始まる必要があります。"]
    assert en.json()["error"]["fields"]["meeting_url"] == ["The meeting URL must start with https://."]


def test_visitors_and_operators_cannot_publish(visitor_client, operator_client):
    assert visitor_client.post(URL, body(), format="json").status_code == 403
    assert operator_client.post(URL, body(), format="json").status_code == 403
    assert operator_client.get(URL).status_code == 403


def test_visitors_see_open_future_slots_without_meeting_urls(visitor_client, saku):
    open_slot = OnlineSlotFactory(starts_at=at(3))
    full = SlotFactory(starts_at=at(4))
    ConsultationFactory(slot=full)
    SlotFactory(starts_at=at(-2))
    other_town = SlotFactory(municipality=matsue(), starts_at=at(5))

    everywhere = visitor_client.get(URL).json()
    in_saku = visitor_client.get(URL, {"municipality": saku.code}).json()

    assert [s["id"] for s in everywhere["results"]] == [open_slot.id, other_town.id]
    assert [s["id"] for s in in_saku["results"]] == [open_slot.id]
    assert in_saku["results"][0]["meeting_url"] is None


def test_an_unknown_municipality_code_is_a_400(visitor_client):
    assert "municipality" in visitor_client.get(URL, {"municipality": "999999"}).json()["error"]["fields"]
    assert visitor_client.get(URL, {"municipality": "abc"}).status_code == 400


def test_staff_list_only_their_towns_slots(staff_client):
    mine = SlotFactory(starts_at=at(-3))
    SlotFactory(municipality=matsue())

    response = staff_client.get(URL)

    assert [s["id"] for s in response.json()["results"]] == [mine.id]


def test_another_towns_staff_get_404(saku):
    slot = SlotFactory()
    other = client_for(StaffFactory(municipality=matsue()))

    assert other.get(f"{URL}{slot.id}/").status_code == 404
    assert other.patch(f"{URL}{slot.id}/", {"minutes": 30}, format="json").status_code == 404
    assert other.delete(f"{URL}{slot.id}/").status_code == 404
    assert other.get(f"{URL}abc/").status_code == 404


def test_staff_change_a_slot_but_never_below_what_is_booked(staff_client):
    slot = SlotFactory(capacity=3)
    ConsultationFactory(slot=slot)
    ConsultationFactory(slot=slot)

    lower = staff_client.patch(f"{URL}{slot.id}/", {"capacity": 1}, format="json")
    longer = staff_client.patch(f"{URL}{slot.id}/", {"minutes": 90}, format="json")

    assert lower.status_code == 400 and "capacity" in lower.json()["error"]["fields"]
    assert longer.status_code == 200 and longer.json()["minutes"] == 90
    slot.refresh_from_db()
    assert (slot.capacity, slot.minutes) == (3, 90)


def test_a_slot_with_consultations_cannot_be_deleted(staff_client):
    booked = SlotFactory()
    ConsultationFactory(slot=booked)
    free = SlotFactory()

    refused = staff_client.delete(f"{URL}{booked.id}/")
    deleted = staff_client.delete(f"{URL}{free.id}/")

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "slot_has_consultations"
    assert deleted.status_code == 204
    assert list(ConsultationSlot.objects.values_list("id", flat=True)) == [booked.id]


def test_the_slot_constraints_hold_in_the_database(saku):
    slot = SlotFactory(capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationSlot.objects.filter(id=slot.id).update(booked=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationSlot.objects.filter(id=slot.id).update(minutes=481)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationSlot.objects.filter(id=slot.id).update(mode="online", meeting_url="")
