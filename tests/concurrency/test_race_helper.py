"""The suite's race helper: its racers start together and leave no database session behind."""

import threading
from functools import partial

import pytest
from django.db import connection
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from tests.concurrency.conftest import race
from tests.factories import VisitorFactory

RACERS = 8


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racers_that_touch_the_database_close_their_sessions():
    """Minting a token writes its OutstandingToken row: each racer opens a session of its own, and closes it."""
    users = [VisitorFactory() for _ in range(RACERS)]
    before = other_sessions()

    tokens = race([partial(RefreshToken.for_user, user) for user in users])

    assert len({str(token) for token in tokens}) == RACERS
    assert OutstandingToken.objects.filter(user__in=users).count() == RACERS
    assert other_sessions() == before


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
