"""Fixtures and helpers of the concurrency suite.

`race` sends the racers at once, each from its own thread; `pause_before` and `pause_after` hold them at one
point of the code under test (in the live server's request threads) until all of them have reached it, which is
what makes a race certain rather than likely."""

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections

from tests.bookings.feed_server import feed_server  # noqa: F401  (the local calendar site)

# How long a racer waits for the others at a barrier: long enough for 24 requests on a loaded 2-core machine.
BARRIER_SECONDS = 90


def race(calls: Sequence[Callable[[], Any]], *, return_exceptions: bool = False) -> list[Any]:
    """Runs every call from a thread of its own, released together by a barrier, and returns what each returned,
    in the order given. A call's exception takes its place in the list with `return_exceptions`; otherwise the
    first one is raised once every thread has finished.

    Each thread closes the database connections it opened before it ends: a racer that touches the database
    (minting a JWT writes an OutstandingToken row) would otherwise leave its session idle on the server until the
    thread's objects are collected, and a suite of twenty-racer tests runs out of PostgreSQL's connections."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_SECONDS)
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # handed back to the test, below
            errors[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if return_exceptions:
        return [error if error is not None else result for result, error in zip(results, errors, strict=True)]
    for error in errors:
        if error is not None:
            raise error
    return results


def _barrier(parties_or_barrier: int | threading.Barrier) -> threading.Barrier:
    if isinstance(parties_or_barrier, threading.Barrier):
        return parties_or_barrier
    return threading.Barrier(parties_or_barrier, timeout=BARRIER_SECONDS)


def pause_before(monkeypatch, target: Any, name: str, parties: int | threading.Barrier) -> threading.Barrier:
    """Every racer reaches `target.name` before any of them goes into it. `parties` is the number of racers, or a
    barrier shared with another pause; the barrier is returned for that."""
    barrier = _barrier(parties)
    original = getattr(target, name)

    def paused(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, paused)
    return barrier


def pause_after(monkeypatch, target: Any, name: str, parties: int | threading.Barrier) -> threading.Barrier:
    """Every racer has come back from `target.name` (read what it reads) before any of them goes on."""
    barrier = _barrier(parties)
    original = getattr(target, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(target, name, paused)
    return barrier


class WarningsCounted(logging.Handler):
    """Counts the warnings a logger writes that start with `prefix`."""

    def __init__(self, prefix: str):
        super().__init__(level=logging.WARNING)
        self.prefix = prefix
        self.count = 0

    def emit(self, record):
        if record.getMessage().startswith(self.prefix):
            self.count += 1


@contextmanager
def warnings_counted(logger_name: str, prefix: str) -> Iterator[WarningsCounted]:
    """For the block, counts the warnings of `logger_name` starting with `prefix` (the services log each write a
    database CHECK refused after it had passed the locked check: with a working lock there are none)."""
    logger = logging.getLogger(logger_name)
    handler, level = WarningsCounted(prefix), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def constraint_dropped(model, name: str, *, clean_up: Callable[[], object]) -> Iterator[None]:
    """The model's constraint `name` removed from the test database for the block; `clean_up` then removes the rows
    that would keep it from coming back, and it is restored."""
    check = next(c for c in model._meta.constraints if c.name == name)
    with connection.schema_editor() as editor:
        editor.remove_constraint(model, check)
    try:
        yield
    finally:
        clean_up()
        with connection.schema_editor() as editor:
            editor.add_constraint(model, check)
