"""Address to coordinates for operators, via Nominatim within its usage policy; never used by search.

The policy asks for an own user agent, at most one request a second and caching. The one-a-second limit holds
across processes through the shared cache (set CACHE_URL in production): time is cut into slots of the
minimum interval, a request first claims a free slot with the cache's atomic `add()` and is sent when that
slot ends, so two requests, from any processes, are at least one interval apart.
"""

import functools
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

CACHE_SECONDS = 30 * 24 * 3600
# Cache misses too, so a repeated typo does not hit the public service again.
_NOT_FOUND = "not-found"
# How many slots ahead a request may queue before the service is reported unavailable.
MAX_QUEUED_SLOTS = 30

# The clock and the sleep, replaceable in tests; wall time, as it is shared between processes.
_now = time.time
_sleep = time.sleep


class GeocodingUnavailable(Exception):
    """The geocoding service could not be reached or refused the request, or too many requests are queued."""


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    display_name: str


@functools.lru_cache(maxsize=1)
def _geocode() -> Nominatim:
    # Built once per process; tests rebuild it to swap the HTTP adapter.
    # GEOCODER_DOMAIN (and GEOCODER_SCHEME) point at another Nominatim: one's own, or a stub for fuzz runs.
    domain = getattr(settings, "GEOCODER_DOMAIN", "") or "nominatim.openstreetmap.org"
    scheme = getattr(settings, "GEOCODER_SCHEME", "") or "https"
    return Nominatim(user_agent=settings.GEOCODER_USER_AGENT, timeout=10, domain=domain, scheme=scheme)


def _wait_for_slot() -> None:
    """Blocks until this process may send a request: claims the first free slot of the shared timetable and
    sleeps until that slot ends."""
    interval = settings.GEOCODER_MIN_INTERVAL_SECONDS
    if interval <= 0:
        return
    now = _now()
    current = math.floor(now / interval)
    for slot in range(current, current + MAX_QUEUED_SLOTS):
        send_at = (slot + 1) * interval
        if cache.add(f"geocode:slot:{slot}", 1, timeout=math.ceil(send_at - now) + 1):
            delay = send_at - _now()
            if delay > 0:
                _sleep(delay)
            return
    raise GeocodingUnavailable("too many geocoding requests queued")


def geocode(address: str) -> Place | None:
    """The place Nominatim finds for a Japanese address, or None when nothing matches."""
    address = address.strip()
    key = "geocode:v2:" + hashlib.sha256(address.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _NOT_FOUND else Place(*cached)
    _wait_for_slot()
    try:
        location = _geocode().geocode(address, country_codes="jp")
    except GeopyError as exc:
        raise GeocodingUnavailable(str(exc)) from exc
    result = Place(location.latitude, location.longitude, location.address) if location else None
    cache.set(key, [result.latitude, result.longitude, result.display_name] if result else _NOT_FOUND, CACHE_SECONDS)
    return result
