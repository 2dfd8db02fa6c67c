"""Address to coordinates for operators, via Nominatim within its usage policy; never used by search."""
import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

CACHE_SECONDS = 30 * 24 * 3600
# Cache misses too, so a repeated typo does not hit the public service again.
_NOT_FOUND = "not-found"


class GeocodingUnavailable(Exception):
    """The geocoding service could not be reached or refused the request."""


@functools.lru_cache(maxsize=1)
def _geocode():
    # One shared limiter per process: Nominatim allows at most one request a second.
    geocoder = Nominatim(user_agent=settings.GEOCODER_USER_AGENT, timeout=10)
    return RateLimiter(
        geocoder.geocode, min_delay_seconds=settings.GEOCODER_MIN_INTERVAL_SECONDS, max_retries=0, swallow_exceptions=False
    )


def geocode(address: str) -> tuple[float, float] | None:
    """Return (latitude, longitude) for a Japanese address, or None when nothing matches."""
    key = "geocode:" + hashlib.sha256(address.strip().encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _NOT_FOUND else tuple(cached)
    try:
        location = _geocode()(address.strip(), country_codes="jp")
    except GeopyError as exc:
        raise GeocodingUnavailable(str(exc)) from exc
    result = (location.latitude, location.longitude) if location else None
    cache.set(key, result or _NOT_FOUND, CACHE_SECONDS)
    return result
