"""Reads that may go to a PostgreSQL read replica, and the database router that sends them there.

A replica lags its primary by a moment, so only reads that can show data a second old go to it: the public
catalogue (search, a facility's detail, towns and stations), a unit's public availability calendar, the calendar
feeds other sites poll, and the towns' figures and exports. Nothing a request then writes on depends on them.
Everything else (bookings, claims, anything that locks, checks or writes) reads the primary, and so does a read
inside a transaction, whatever the view.

With `DATABASE_REPLICA_URL` set, settings add the alias `replica`; without it there is nothing to route to and
every read stays on `default`.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_enabled() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", True)


def replica_reads(view_method: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view's GET as one whose reads may come from the replica (see the module's docstring)."""

    @wraps(view_method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _replica_reads.set(True)
        try:
            return view_method(*args, **kwargs)
        finally:
            _replica_reads.reset(token)

    return wrapper


class ReplicaRouter:
    """Sends the reads of views marked with `replica_reads` to the replica, outside transactions; everything
    else, every write and every migration to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _replica_reads.get() and replica_enabled() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same data: the replica is a copy of the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
