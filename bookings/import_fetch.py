"""Fetching the calendar URL an operator typed: a server-side request, kept off the server's own networks.

Only https (plain http to 127.0.0.1 only with CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP, for tests and local
development). Every name is resolved and every address it gives must be public, before the first request and
again for each redirect (at most MAX_REDIRECTS, followed here, not by the client); the connection itself goes
through requests-hardened, which pins the address it checked, so a name cannot resolve differently between
the check and the connection. Connect and read timeouts, an overall deadline that covers the whole body (it is
read as soon as each piece arrives, each wait on the socket no longer than the time left, so a server dripping
a byte a second ends at the deadline, with or without a Content-Length), the body cut at MAX_BYTES after
decoding (a gzip bomb stops there), no cookies, no credentials, no proxies or .netrc from the environment.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from requests_hardened import Config, HTTPSession

MAX_URL_LENGTH = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
# The whole fetch, however slowly a server drips its body.
DEADLINE_SECONDS = 25
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Otameshi-Calendar-Import/1.0"
LOOPBACK_HOST = "127.0.0.1"


class FetchFailed(Exception):
    """The feed could not be had; `status` is what the import records (http_error, too_large, timeout)."""

    status = "http_error"


class ForbiddenURL(FetchFailed):
    """The URL may not be fetched: scheme, form, or an address on a forbidden network."""


class TooLarge(FetchFailed):
    status = "too_large"


class TimedOut(FetchFailed):
    status = "timeout"


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "CALENDAR_IMPORT_ALLOW_LOOPBACK_HTTP", False))


def check_url_form(url: str) -> str | None:
    """Why the URL's form is refused (a sentence for the operator), or None. No network."""
    if len(url) > MAX_URL_LENGTH:
        return "too_long"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "malformed"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "scheme"
    if parts.username is not None or parts.password is not None:
        return "credentials"
    if parts.scheme == "http" and not (_loopback_allowed() and parts.hostname == LOOPBACK_HOST):
        return "scheme"
    if port == 0:
        return "malformed"
    return None


NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, 6to4 (2002::/16), Teredo (2001::/32, its server and
    client) and NAT64's well-known prefix (64:ff9b::/96), each of which reaches that IPv4 address."""
    found = [ip.ipv4_mapped] if ip.ipv4_mapped is not None else []
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if ip in NAT64_LOCAL:
            return True  # a site's own translator: where it leads cannot be told from here
        embedded = _embedded(ip)
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(_forbidden(str(inner)) for inner in embedded):
            return True
    if ip.is_loopback:
        return not _loopback_allowed()
    return (
        ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )


def check_address(url: str) -> str | None:
    """Resolves the URL's host; "forbidden" when any address it gives is on a forbidden network,
    "unresolved" when it gives none, else None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return "unresolved"
    addresses = {str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)}
    if not addresses:
        return "unresolved"
    if any(_forbidden(address) for address in addresses):
        return "forbidden"
    return None


def _session() -> HTTPSession:
    session = HTTPSession(
        Config(
            ip_filter_enable=True,
            ip_filter_allow_loopback_ips=_loopback_allowed(),
            never_redirect=True,
            default_timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            user_agent_override=USER_AGENT,
        )
    )
    # Nothing from the server's environment (proxies, .netrc credentials) goes with a user's URL.
    session.trust_env = False
    return session


def _wait_at_most(response, seconds: float) -> None:
    """The next wait on the response's socket ends after `seconds` at most."""
    sock = getattr(response.raw.connection, "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.01))


def _read(response, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise TooLarge(f"the feed is {int(declared):,} bytes; at most {MAX_BYTES:,} are read")
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimedOut(f"the feed took more than {DEADLINE_SECONDS} seconds")
        _wait_at_most(response, min(READ_TIMEOUT, left))
        # read1 gives what one read of the socket brings (decoded, at most CHUNK_BYTES), not a full chunk.
        chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BYTES:
            raise TooLarge(f"the feed is larger than {MAX_BYTES:,} bytes")
        chunks.append(chunk)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GETs the feed conditionally; raises FetchFailed (or a subclass) when it cannot be had."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _hop in range(MAX_REDIRECTS + 1):
        problem = check_url_form(url) or check_address(url)
        if problem:
            raise ForbiddenURL(f"the URL is refused ({problem})")
        try:
            # A new session for each hop: no cookie set by one server goes to the next.
            with (
                _session() as session,
                session.get(url, headers=headers, stream=True, allow_redirects=False) as response,
            ):
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status_code == 304:
                    return Fetched(not_modified=True)
                if response.status_code != 200:
                    raise FetchFailed(f"HTTP {response.status_code}")
                body = _read(response, deadline)
                return Fetched(
                    not_modified=False,
                    body=body,
                    etag=response.headers.get("ETag", "")[:500],
                    last_modified=response.headers.get("Last-Modified", "")[:100],
                )
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise TimedOut("the calendar site did not answer in time") from exc
        except urllib3.exceptions.HTTPError as exc:
            # The body broken off (or ended by the deadline's socket timeout) while it was read.
            if time.monotonic() > deadline or "timed out" in str(exc).lower():
                raise TimedOut("the calendar site did not answer in time") from exc
            raise FetchFailed(type(exc).__name__) from exc
        except requests.RequestException as exc:
            # A read timeout in the middle of the body comes wrapped in a ConnectionError.
            if "timed out" in str(exc).lower():
                raise TimedOut("the calendar site did not answer in time") from exc
            raise FetchFailed(type(exc).__name__) from exc
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")
