"""Surveys and moves raced through a live server on PostgreSQL: two answers to one survey, two confirmations of
one move, sent at once, give one success and one 409, never a 500 or a second row."""

import threading
from datetime import date

import pytest
import requests
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from bookings import selectors as bookings_selectors
from outcomes import selectors
from outcomes.models import Move, Survey
from tests import factories
from tests.concurrency.conftest import REQUEST_SECONDS, RaceBarrier, pause_before, race
from tests.outcomes.helpers import stay

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TODAY = date(2026, 11, 1)


def _post(live_server, user, path, body=None):
    """A call for `race`: the POST's status and JSON body."""

    def call():
        token = RefreshToken.for_user(user).access_token
        response = requests.post(
            f"{live_server.url}{path}",
            json=body or {},
            timeout=REQUEST_SECONDS,
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code, response.json()

    return call


def test_two_answers_to_one_survey_at_once(live_server, monkeypatch):
    visitor = factories.VisitorFactory()
    unit = factories.UnitFactory(facility=factories.FacilityFactory(municipality=factories.saku()))
    booking = stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 20), nights=2)
    # Both requests pass the stay's checks before either saves: only the unique booking can tell them apart.
    monkeypatch.setattr(bookings_selectors, "today", lambda: TODAY)
    pause_before(monkeypatch, bookings_selectors, "today", 2)
    bodies = [
        {"purpose": "sightseeing", "satisfaction": 3, "intention": "no"},
        {"purpose": "considering_move", "satisfaction": 5, "intention": "within_a_year"},
    ]

    results = sorted(
        race([_post(live_server, visitor, f"/api/v1/bookings/{booking.id}/survey/", body) for body in bodies]),
        key=lambda result: result[0],
    )
    (created, answer), (refused, error) = results
    assert (created, refused) == (201, 409)
    assert error["error"]["code"] == "survey_already_answered"
    assert list(Survey.objects.values_list("intention", flat=True)) == [answer["intention"]]


def test_two_staff_confirm_one_move_at_once(live_server, monkeypatch):
    saku = factories.saku()
    staff = [factories.StaffFactory(municipality=saku), factories.StaffFactory(municipality=saku)]
    visitor = factories.VisitorFactory()
    move = Move.objects.create(visitor=visitor, municipality=saku, moved_on=date(2026, 10, 1), reported_by=visitor)
    # Both read the move as unconfirmed before either confirms: the row lock decides.
    barrier = RaceBarrier(2, name="the move read")
    original = selectors.move_get_for_staff
    calls = threading.local()

    def read_then_wait(**kwargs):
        found = original(**kwargs)
        if not getattr(calls, "waited", False):
            calls.waited = True
            barrier.wait()
        return found

    monkeypatch.setattr(selectors, "move_get_for_staff", read_then_wait)

    results = sorted(
        race([_post(live_server, user, f"/api/v1/moves/{move.id}/confirm/") for user in staff]),
        key=lambda result: result[0],
    )
    (confirmed, body), (refused, error) = results
    assert (confirmed, refused) == (200, 409)
    assert error["error"]["code"] == "move_already_confirmed"
    move.refresh_from_db()
    assert move.confirmed_by_id == body["confirmed_by"]
    assert move.confirmed_at <= timezone.now()
