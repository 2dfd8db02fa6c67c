"""Fixtures and helpers of the concurrency suite.

`race` sends the racers at once, each from its own thread; `pause_before` and `pause_after` hold them at one
point of the code under test (in the live server's request threads) until all of them have reached it, which is
what makes a race certain rather than likely.

Every barrier here is a `RaceBarrier`: it knows which racer reached it (each racer's requests carry the header
`X-Racer` with its place in the race, and the live server reads it), so that when one breaks, `race` fails with
the racers that did not arrive and what each of them got, instead of a bare timeout.

The live server listens with a backlog for every racer. Django's has 10 (`request_queue_size`): with 24 racers
connecting at once while the server's accept loop is held up (24 threads sharing two busy cores), the connections
past the backlog were dropped and retried by the kernel after 1, 3, 7, 15, 31 s; the other racers waited for the
late one at a barrier in the server, and their clients timed out reading (the flake of the booking controls)."""

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections
from django.test.testcases import LiveServerThread

from tests.bookings.feed_server import feed_server  # noqa: F401  (the local calendar site)

# How long a racer waits for the others at a barrier: long enough for 24 requests on a loaded 2-core machine.
BARRIER_SECONDS = 90
# A racer's HTTP timeout: longer than a barrier's, so that a broken barrier is what a test reports.
REQUEST_SECONDS = BARRIER_SECONDS + 30
# Connections the live server's listening socket holds before the kernel drops new ones.
BACKLOG = 256


class RaceServer(ThreadedWSGIServer):
    request_queue_size = BACKLOG


LiveServerThread.server_class = RaceServer

_client = threading.local()  # the racer a client thread runs (its index in the race)
_server = threading.local()  # the racer whose request a live-server thread handles
_barriers: list["RaceBarrier"] = []


def current_racer() -> str:
    """The racer this thread works for: read from `X-Racer` in a live-server thread, from `race` in a client's."""
    racer = getattr(_server, "racer", None)
    if racer is None:
        racer = getattr(_client, "racer", None)
    return "?" if racer is None else str(racer)


class RaceBarrier(threading.Barrier):
    """A barrier that records who reached it, so that a broken one can say who did not."""

    def __init__(self, parties: int, *, name: str = "", timeout: float = BARRIER_SECONDS):
        super().__init__(parties, timeout=timeout)
        self.name = name or f"a barrier of {parties}"
        self.arrived: list[str] = []
        self._arrivals = threading.Lock()
        _barriers.append(self)

    def wait(self, timeout=None):
        with self._arrivals:
            self.arrived.append(current_racer())
        return super().wait(timeout)


@pytest.fixture(autouse=True)
def racers_named(monkeypatch):
    """Each racer's requests carry its place in the race, and the live server's thread takes it up."""
    _barriers.clear()
    send = requests.Session.request

    def request(self, method, url, **kwargs):
        racer = getattr(_client, "racer", None)
        if racer is not None:
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-Racer": str(racer)}
        return send(self, method, url, **kwargs)

    handle = WSGIHandler.__call__

    def call(self, environ, start_response):
        _server.racer = environ.get("HTTP_X_RACER")
        try:
            return handle(self, environ, start_response)
        finally:
            _server.racer = None

    monkeypatch.setattr(requests.Session, "request", request)
    monkeypatch.setattr(WSGIHandler, "__call__", call)
    yield
    _barriers.clear()


def _got(outcome: Any) -> str:
    if isinstance(outcome, requests.Response):
        return f"HTTP {outcome.status_code} {outcome.text[:300]!r}"
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}: {str(outcome)[:300]}"
    return repr(outcome)[:300]


def broken_barriers_report(outcomes: Sequence[Any]) -> str:
    """For each broken barrier: who reached it, who did not, and what every racer that did not got."""
    lines = []
    for barrier in _barriers:
        if not barrier.broken:
            continue
        arrived = sorted(set(barrier.arrived))
        missing = [str(index) for index in range(len(outcomes)) if str(index) not in arrived]
        lines.append(
            f"{barrier.name} broke ({barrier.parties} parties): racers {', '.join(arrived) or 'none'} arrived, "
            f"racers {', '.join(missing) or 'none'} did not"
        )
        lines.extend(f"  racer {index} got {_got(outcomes[int(index)])}" for index in missing)
    return "\n".join(lines)


def race(calls: Sequence[Callable[[], Any]], *, return_exceptions: bool = False) -> list[Any]:
    """Runs every call from a thread of its own, released together by a barrier, and returns what each returned,
    in the order given. A call's exception takes its place in the list with `return_exceptions`; otherwise the
    first one is raised once every thread has finished. When any barrier of the test broke, the race fails
    naming the racers that did not reach it and what they got.

    Each thread closes the database connections it opened before it ends: a racer that touches the database
    (minting a JWT writes an OutstandingToken row) would otherwise leave its session idle on the server until the
    thread's objects are collected, and a suite of twenty-racer tests runs out of PostgreSQL's connections."""
    barrier = RaceBarrier(len(calls), name="the start of the race")
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        _client.racer = index
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # handed back to the test, below
            errors[index] = error
        finally:
            _client.racer = None
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = [error if error is not None else result for result, error in zip(results, errors, strict=True)]
    report = broken_barriers_report(outcomes)
    if report:
        raise AssertionError(report)
    if return_exceptions:
        return outcomes
    for error in errors:
        if error is not None:
            raise error
    return results


def _barrier(parties_or_barrier: int | threading.Barrier, name: str) -> threading.Barrier:
    if isinstance(parties_or_barrier, threading.Barrier):
        return parties_or_barrier
    return RaceBarrier(parties_or_barrier, name=name)


def pause_before(monkeypatch, target: Any, name: str, parties: int | threading.Barrier) -> threading.Barrier:
    """Every racer reaches `target.name` before any of them goes into it. `parties` is the number of racers, or a
    barrier shared with another pause; the barrier is returned for that."""
    barrier = _barrier(parties, f"the pause before {getattr(target, '__name__', target)}.{name}")
    original = getattr(target, name)

    def paused(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, paused)
    return barrier


def pause_after(monkeypatch, target: Any, name: str, parties: int | threading.Barrier) -> threading.Barrier:
    """Every racer has come back from `target.name` (read what it reads) before any of them goes on."""
    barrier = _barrier(parties, f"the pause after {getattr(target, '__name__', target)}.{name}")
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
