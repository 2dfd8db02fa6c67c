"""Fixtures of the concurrency suite."""

from tests.bookings.feed_server import feed_server  # noqa: F401  (the local calendar site)
