"""The suite's race helper: its racers start together and leave no database session behind."""

import threading
import time
from functools import partial

import pytest
from django.db import connection
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from tests.concurrency.conftest import RaceBarrier, race
from tests.concurrency.test_booking_race import RACERS as BOOKING_RACERS
from tests.factories import VisitorFactory

RACERS = 8


def other_sessions(*, at_most: int | None = None) -> int:
    """Sessions of the test database other than this one. With `at_most`, waits (up to 10 s) for the count to come
    down to it: a closed session's server process leaves pg_stat_activity a moment after the client has gone."""
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            count = cursor.fetchone()[0]
        if at_most is None or count <= at_most:
            return count
        time.sleep(0.1)
    return count


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racers_that_touch_the_database_close_their_sessions():
    """Minting a token writes its OutstandingToken row: each racer opens a session of its own, and closes it."""
    users = [VisitorFactory() for _ in range(RACERS)]
    before = other_sessions()

    tokens = race([partial(RefreshToken.for_user, user) for user in users])

    assert len({str(token) for token in tokens}) == RACERS
    assert OutstandingToken.objects.filter(user__in=users).count() == RACERS
    assert other_sessions(at_most=before) == before


def test_racers_start_together_and_errors_come_back_in_place():
    arrived = threading.Barrier(3, timeout=10)

    def wait_for_the_others():
        return arrived.wait()  # only returns once all three are running at once

    def fail():
        arrived.wait()
        raise ValueError("refused")

    results = race([wait_for_the_others, wait_for_the_others, fail], return_exceptions=True)

    assert sorted(results[:2]) in ([0, 1], [0, 2], [1, 2])
    assert isinstance(results[2], ValueError)
    with pytest.raises(ValueError, match="refused"):
        race([wait_for_the_others, wait_for_the_others, fail])


def test_a_broken_barrier_names_the_racer_that_did_not_arrive_and_what_it_got():
    barrier = RaceBarrier(3, name="the pause before booking", timeout=1)

    def arrive():
        barrier.wait()
        return "booked"

    def go_elsewhere():
        return "HTTP 500 from another path"

    with pytest.raises(AssertionError) as failed:
        race([arrive, go_elsewhere, arrive])

    report = str(failed.value)
    assert "the pause before booking broke (3 parties): racers 0, 2 arrived, racers 1 did not" in report
    assert "racer 1 got 'HTTP 500 from another path'" in report


def test_the_live_server_takes_every_racer_connecting_at_once(live_server):
    """Django's live server listens with a backlog of 10; connections past it were dropped and retried seconds
    later by the kernel, long after the other racers had reached the server's barrier."""
    assert live_server.thread.httpd.request_queue_size >= BOOKING_RACERS
