"""Surveys and moves raced through a live server on PostgreSQL: two answers to one survey, two confirmations of
one move, sent at once, give one success and one 409, never a 500 or a second row."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from outcomes import selectors
from outcomes.models import Move, Survey
from tests import factories
from tests.outcomes.helpers import stay

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TODAY = date(2026, 11, 1)


def _post(live_server, user, path, body=None):
    token = RefreshToken.for_user(user).access_token
    response = requests.post(
        f"{live_server.url}{path}", json=body or {}, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


def test_two_answers_to_one_survey_at_once(live_server, monkeypatch):
    visitor = factories.VisitorFactory()
    unit = factories.UnitFactory(facility=factories.FacilityFactory(municipality=factories.saku()))
    booking = stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 20), nights=2)
    # Both requests pass the stay's checks before either saves: only the unique booking can tell them apart.
    barrier = threading.Barrier(2, timeout=10)

    def today_then_wait():
        barrier.wait()
        return TODAY

    monkeypatch.setattr("bookings.selectors.today", today_then_wait)
    bodies = [
        {"purpose": "sightseeing", "satisfaction": 3, "intention": "no"},
        {"purpose": "considering_move", "satisfaction": 5, "intention": "within_a_year"},
    ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(
            pool.map(lambda body: _post(live_server, visitor, f"/api/v1/bookings/{booking.id}/survey/", body), bodies),
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
    barrier = threading.Barrier(2, timeout=10)
    original = selectors.move_get_for_staff
    calls = threading.local()

    def read_then_wait(**kwargs):
        found = original(**kwargs)
        if not getattr(calls, "waited", False):
            calls.waited = True
            barrier.wait()
        return found

    monkeypatch.setattr(selectors, "move_get_for_staff", read_then_wait)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(
            pool.map(lambda user: _post(live_server, user, f"/api/v1/moves/{move.id}/confirm/"), staff),
            key=lambda result: result[0],
        )
    (confirmed, body), (refused, error) = results
    assert (confirmed, refused) == (200, 409)
    assert error["error"]["code"] == "move_already_confirmed"
    move.refresh_from_db()
    assert move.confirmed_by_id == body["confirmed_by"]
    assert move.confirmed_at <= timezone.now()
