"""What the claims list offers a mobile app on top of the workflow: filters (status, programme, booking, stay
dates), offline sync (`updated_since`, and the claims that left the filters), each claim's booking summary in the
same reads, and short-lived signed links to receipts that an image component can load without a bearer token."""

import time
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import reverse

from facilities.models import Unit

from .errors import LineNotFound
from .models import Claim, ClaimEvent, ExpenseLine

RECEIPT_LINK_STEP = 5 * 60
_RECEIPT_SALT = "reimbursements.receipt-link"


def claims_narrowed(
    claims: QuerySet[Claim],
    *,
    programme: str | None = None,
    booking: int | None = None,
    month: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Claim]:
    """Claims under one programme (its code), of one booking, of one month (monthly programmes), whose stay touches
    [date_from, date_to]."""
    if programme:
        claims = claims.filter(programme__code=programme)
    if booking:
        claims = claims.filter(booking_id=booking)
    if month:
        claims = claims.filter(month=month)
    if date_from:
        claims = claims.filter(booking__check_out__gt=date_from)
    if date_to:
        claims = claims.filter(booking__check_in__lte=date_to)
    return claims


def claims_changed_since(claims: QuerySet[Claim], since: datetime) -> QuerySet[Claim]:
    """Claims changed after `since`: the claim itself (its figures, its status) or an event of its trail."""
    return claims.filter(
        Q(updated_at__gt=since) | Exists(ClaimEvent.objects.filter(claim_id=OuterRef("pk"), at__gt=since))
    )


def claims_removed_since(visible: QuerySet[Claim], kept: QuerySet[Claim], since: datetime) -> list[int]:
    """Ids of the visible claims that changed after `since` and are not in `kept` (the filtered list): a client
    holding the filtered list drops them."""
    changed = claims_changed_since(visible, since)
    return list(changed.exclude(pk__in=kept.values("pk")).order_by("pk").values_list("pk", flat=True))


def with_booking_summaries(claims: list[Claim]) -> list[Claim]:
    """The claims with their booking's unit and facility loaded, for the summary (one query for a page)."""
    prefetch_related_objects(claims, Prefetch("booking__unit", queryset=Unit.objects.select_related("facility")))
    return claims


def booking_summary(claim: Claim) -> dict:
    booking = claim.booking
    assert booking is not None  # a stay's claim: a monthly one has no summary
    unit, facility = booking.unit, booking.unit.facility
    return {
        "id": booking.id,
        "facility": {"id": facility.id, "name": facility.localized("name")},
        "unit": {"id": unit.id, "name": unit.localized("name")},
        "check_in": booking.check_in,
        "check_out": booking.check_out,
        "status": booking.status,
    }


def _expiry(now: float) -> int:
    """When a link made now stops working: the end of the next RECEIPT_LINK_STEP, so that a link (and the ETag of
    the claim showing it) stays the same for a while, and lives between one and two steps."""
    return (int(now) // RECEIPT_LINK_STEP + 2) * RECEIPT_LINK_STEP


def receipt_link(line: ExpenseLine) -> str | None:
    """An absolute URL of the line's receipt that works without credentials for 5 to 10 minutes (the signature
    names the claim, the line and the expiry)."""
    if not line.receipt:
        return None
    signature = signing.Signer(salt=_RECEIPT_SALT).sign(f"{line.claim_id}:{line.pk}:{_expiry(time.time())}")
    path = reverse("claim-line-receipt", kwargs={"claim_id": line.claim_id, "line_id": line.pk})
    return f"{settings.SITE_URL}{path}?signature={signature}"


def receipt_line_signed(*, claim_id, line_id, signature: str) -> ExpenseLine:
    """The line a receipt link names, if its signature is good and not expired; LineNotFound otherwise."""
    try:
        value = signing.Signer(salt=_RECEIPT_SALT).unsign(signature)
    except signing.BadSignature:
        raise LineNotFound() from None
    signed_claim, signed_line, expiry = value.split(":")
    if (signed_claim, signed_line) != (str(claim_id), str(line_id)) or int(expiry) <= time.time():
        raise LineNotFound()
    line = ExpenseLine.objects.select_related("claim").filter(pk=int(line_id), claim_id=int(claim_id)).first()
    if line is None or not line.receipt:
        raise LineNotFound()
    return line
