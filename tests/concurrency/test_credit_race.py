"""A member's bookings raced through a live server: 20 bookings of an hour each (on 20 dates, so that no stock row
is shared and the membership's row is what they meet on) against 4 hours of credit spend exactly 4 hours; the
control without the membership's lock shows the race overspends."""

from functools import partial

import pytest
import requests

from bookings import stays
from memberships import services
from memberships.models import CreditEntry, Membership
from tests.bookings.factories import HourlyRoomFactory, at
from tests.concurrency.conftest import pause_after, race
from tests.concurrency.test_booking_race import headers
from tests.factories import VisitorFactory
from tests.memberships.factories import PlanFactory

transactional = pytest.mark.django_db(transaction=True)
RACERS = 20


def member_and_room():
    room = HourlyRoomFactory(count=1)
    plan = PlanFactory(facility=room.facility)
    visitor = VisitorFactory()
    membership = services.membership_create(visitor=visitor, plan=plan)
    return visitor, room, membership


def post_all(live_server, visitor, room) -> list[requests.Response]:
    url = f"{live_server.url}/api/v1/bookings/"
    auth = headers(visitor)
    bodies = [
        {"unit": room.id, "starts_at": at(10 + n, "10:00"), "ends_at": at(10 + n, "11:00"), "adults": 1}
        for n in range(RACERS)
    ]
    return race([partial(requests.post, url, headers=auth, json=body, timeout=120) for body in bodies])


def used(membership) -> int:
    return sum(CreditEntry.objects.filter(membership=membership, kind="use").values_list("minutes", flat=True))


@pytest.mark.postgres
@transactional
def test_twenty_bookings_against_four_hours_spend_four_hours(live_server, monkeypatch):
    visitor, room, membership = member_and_room()
    pause_after(monkeypatch, stays, "stay_resolve", RACERS)  # every racer has arrived before any books

    responses = post_all(live_server, visitor, room)

    assert sorted(r.status_code for r in responses) == [201] * RACERS
    assert sorted(r.json()["total_yen"] for r in responses) == [0] * 4 + [880] * (RACERS - 4)
    assert used(membership) == 240
    balances = CreditEntry.objects.filter(membership=membership).order_by("id").values_list("balance_after", flat=True)
    assert list(balances)[-1] == 0


@pytest.mark.postgres
@transactional
def test_control_without_the_membership_lock_the_race_overspends(live_server, monkeypatch):
    visitor, room, membership = member_and_room()
    monkeypatch.setattr(
        services, "_lock", lambda membership_id: Membership.objects.select_related("plan").get(pk=membership_id)
    )
    pause_after(monkeypatch, services, "_lock", RACERS)

    responses = post_all(live_server, visitor, room)

    assert sorted(r.status_code for r in responses) == [201] * RACERS
    # Every racer read 4 hours left and took one of them from it.
    assert used(membership) == RACERS * 60
    assert sum(r.json()["total_yen"] for r in responses) == 0
