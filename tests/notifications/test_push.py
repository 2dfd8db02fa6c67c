"""Pushes go out from the worker after commit, to FCM's HTTP v1 API (a local stand-in here), in each device's
language with the data payload {type, id}; UNREGISTERED deactivates the device; the switches are obeyed."""

import logging

import pytest

from notifications import tasks
from notifications.models import Device, Kind, Sent
from notifications.services import notify
from tests.conftest import client_for
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def device(user, token: str, language: str = "ja", platform: str = "ios") -> Device:
    return Device.objects.create(user=user, token=token, language=language, platform=platform)


def test_a_push_reaches_each_device_in_its_language_with_type_and_id(fcm, visitor, django_capture_on_commit_callbacks):
    device(visitor, "phone-ja", "ja")
    device(visitor, "tablet-en", "en", "android")
    device(VisitorFactory(), "someone-else")

    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=visitor.id, kind=Kind.APPLICATION_GRANTED, object_id=42)

    by_token = {message["token"]: message for message in fcm.messages}
    assert set(by_token) == {"phone-ja", "tablet-en"}
    assert by_token["tablet-en"]["notification"] == {
        "title": "Application granted",
        "body": "Your application #42 has been granted.",
    }
    assert by_token["phone-ja"]["notification"]["title"] == "申請が交付決定されました"
    assert all(message["data"] == {"type": "application_granted", "id": "42"} for message in fcm.messages)
    assert fcm.authorizations == ["Bearer stand-in", "Bearer stand-in"]


def test_nothing_is_sent_before_the_transaction_commits(fcm, visitor, django_capture_on_commit_callbacks):
    device(visitor, "phone")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(user_id=visitor.id, kind=Kind.CLAIM_PAID, object_id=7)

    assert fcm.messages == [] and len(callbacks) == 1


def test_an_unregistered_token_deactivates_its_device(fcm, visitor, django_capture_on_commit_callbacks):
    device(visitor, "unregistered-old-phone")
    device(visitor, "new-phone")

    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=visitor.id, kind=Kind.CLAIM_PAID, object_id=7)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=visitor.id, kind=Kind.CLAIM_PAID, object_id=8)

    assert dict(Device.objects.values_list("token", "active")) == {"unregistered-old-phone": False, "new-phone": True}
    assert [message["data"]["id"] for message in fcm.messages] == ["7", "8"]


def test_the_switches_choose_push_and_email(fcm, visitor, django_capture_on_commit_callbacks):
    device(visitor, "phone")
    client_patch = {"survey_due": {"push": False}, "claim_paid": {"email": False}}
    client_for(visitor).patch("/api/v1/me/notifications/", client_patch, format="json")
    emails = []

    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=visitor.id, kind=Kind.SURVEY_DUE, object_id=1, email=lambda: emails.append("survey"))
        notify(user_id=visitor.id, kind=Kind.CLAIM_PAID, object_id=2, email=lambda: emails.append("paid"))

    assert emails == ["survey"]
    assert [message["data"]["type"] for message in fcm.messages] == ["claim_paid"]


def test_once_sends_a_notification_a_single_time(fcm, visitor, django_capture_on_commit_callbacks):
    device(visitor, "phone")

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify(user_id=visitor.id, kind=Kind.HOLD_EXPIRING, object_id=5, once=True)

    assert len(fcm.messages) == 1 and Sent.objects.count() == 1


def test_without_fcm_settings_pushes_are_logged(visitor, caplog, django_capture_on_commit_callbacks):
    device(visitor, "phone-token-123456")

    with (
        caplog.at_level(logging.INFO, logger="notifications.push"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(user_id=visitor.id, kind=Kind.BOOKING_CONFIRMED, object_id=3)

    assert "push (FCM not configured)" in caplog.text and "booking_confirmed" in caplog.text


def test_the_push_is_queued_on_the_worker_not_sent_in_the_request(
    visitor, monkeypatch, django_capture_on_commit_callbacks
):
    """Outside tests the task goes to the broker: the request only enqueues it, with ids, not the message."""
    queued = []
    monkeypatch.setattr(tasks.push_send, "delay", lambda **kwargs: queued.append(kwargs))
    device(visitor, "phone")

    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=visitor.id, kind=Kind.BOOKING_CANCELLED, object_id=9)

    assert queued == [{"device_id": Device.objects.get().id, "kind": "booking_cancelled", "object_id": 9}]
