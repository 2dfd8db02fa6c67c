"""The client's address, read the way DRF's throttles read it: X-Forwarded-For counts only as far back as the
NUM_PROXIES proxies in front of the app, so with none the connection's own address is the client's. What the
header names there must be an IP address; anything else (`not-an-ip`, `999.1.1.1`) is not trusted, and the
connection's own address stands instead."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not addresses:
        return remote
    named = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(named))
    except ValueError:
        return remote
