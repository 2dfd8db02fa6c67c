"""The periodic tasks Celery beat runs in production: each schedule names a registered task that does its work."""

import datetime as dt

import pytest
from django.utils import timezone

from backend.celery import app
from bookings.models import Booking
from bookings.tasks import complete_stays
from tests.factories import UnitFactory, VisitorFactory

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert scheduled == {
        "payments.expire_holds",
        "bookings.complete_stays",
        "bookings.sync_calendar_imports",
        "accounts.flush_expired_tokens",
        "consultations.remind",
        "outcomes.surveys_due",
    }
    assert scheduled <= set(app.tasks)


def test_complete_stays_marks_finished_stays_completed(saku):
    today = timezone.localdate()
    unit = UnitFactory()
    visitor = VisitorFactory()
    finished = Booking.objects.create(
        visitor=visitor,
        unit=unit,
        kind="stay",
        check_in=today - dt.timedelta(days=3),
        check_out=today,
        total_yen=18000,
        status=Booking.Status.CONFIRMED,
    )
    ongoing = Booking.objects.create(
        visitor=visitor,
        unit=unit,
        kind="stay",
        check_in=today - dt.timedelta(days=1),
        check_out=today + dt.timedelta(days=1),
        total_yen=18000,
        status=Booking.Status.CONFIRMED,
    )

    assert complete_stays() == 1

    finished.refresh_from_db()
    ongoing.refresh_from_db()
    assert (finished.status, ongoing.status) == (Booking.Status.COMPLETED, Booking.Status.CONFIRMED)


def test_flush_expired_tokens_drops_expired_refresh_tokens_and_their_blacklist_entries():
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.tasks import flush_expired_tokens

    visitor = VisitorFactory()
    expired, current = RefreshToken.for_user(visitor), RefreshToken.for_user(visitor)
    expired.blacklist()
    current.blacklist()
    OutstandingToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    flush_expired_tokens()

    assert set(OutstandingToken.objects.values_list("jti", flat=True)) == {current["jti"]}
    assert BlacklistedToken.objects.count() == 1
