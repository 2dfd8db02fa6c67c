"""The claims CSV staff download to pay claims: UTF-8 with a BOM for Excel, formula-like cells neutralised.

The claimant's name, email and home are those declared when the claim was submitted (the claim's snapshot), and
times are in Japan's time zone, as the API shows them."""

import csv
from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Q

from .models import Claim, Programme
from .selectors import claim_list

JAPAN = ZoneInfo("Asia/Tokyo")
EXPORTED_STATUSES = (Claim.Status.APPROVED, Claim.Status.PAID)
EXPORT_COLUMNS = [
    "claim_id",
    "programme",
    "status",
    "claimant_name",
    "claimant_email",
    "claimant_home_prefecture",
    "claimant_home_municipality",
    "claimant_home_municipality_code",
    "visitor_id",
    "booking_id",
    "check_in",
    "check_out",
    "total_reimbursable_yen",
    "approved_amount_yen",
    "submitted_at",
    "approved_at",
    "paid_at",
    "month",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value) -> str:
    """A cell as text; one that a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def japan_time(moment) -> str:
    return moment.astimezone(JAPAN).isoformat(timespec="seconds") if moment else ""


def _row(claim: Claim) -> list:
    return [
        claim.id,
        claim.programme.code,
        claim.status,
        claim.claimant_name,
        claim.claimant_email,
        claim.claimant_home_prefecture,
        claim.claimant_home_municipality,
        claim.claimant_home_municipality_code,
        claim.visitor_id,
        claim.booking_id,
        claim.booking.check_in if claim.booking else "",
        claim.booking.check_out if claim.booking else "",
        claim.total_reimbursable_yen,
        claim.approved_amount_yen,
        japan_time(claim.submitted_at),
        japan_time(claim.approved_at),
        japan_time(claim.paid_at),
        claim.month.strftime("%Y-%m") if claim.month else "",
    ]


def file_name(*, status: str | None = None, fiscal_year: int | None = None) -> str:
    year = f"-fy{fiscal_year}" if fiscal_year is not None else ""
    return f"claims-{status or 'approved-paid'}{year}.csv"


def _in_fiscal_year(*, user, fiscal_year: int) -> Q:
    """Claims whose stay begins, or whose month falls, in `fiscal_year` of their own programme (a stay claim's year
    is its check-in's, a monthly claim's its month's, as the KPIs count them): one range for each month the town's
    programmes start their year on, so that the export reads it from an index whatever the history's length."""
    months = Programme.objects.filter(municipality_id=user.municipality_id).values_list(
        "fiscal_year_start_month", flat=True
    )
    wanted = Q(pk__in=[])
    for month in sorted(set(months)):
        first, after = date(fiscal_year, month, 1), date(fiscal_year + 1, month, 1)
        in_year = Q(booking__check_in__gte=first, booking__check_in__lt=after) | Q(month__gte=first, month__lt=after)
        wanted |= Q(programme__fiscal_year_start_month=month) & in_year
    return wanted


def claim_rows(*, user, status: str | None = None, fiscal_year: int | None = None) -> Iterator[list[str]]:
    """The header, then the staff member's town's approved and paid claims (stays and months; or those of one of
    the two statuses),
    of every year or of one fiscal year, oldest first, one row each with its cells escaped; read from the
    database in chunks, so that a year of any size streams in constant memory."""
    statuses = [status] if status else list(EXPORTED_STATUSES)
    claims = claim_list(user=user).filter(status__in=statuses)
    if fiscal_year is not None:
        claims = claims.filter(_in_fiscal_year(user=user, fiscal_year=fiscal_year))
    claims = claims.prefetch_related(None).select_related("programme", "booking").order_by("id")
    yield EXPORT_COLUMNS
    for claim in claims.iterator(chunk_size=500):
        yield [csv_cell(value) for value in _row(claim)]


class _Line:
    """What csv.writer writes to: each row comes back as its line of text instead of being kept."""

    def write(self, text: str) -> str:
        return text


def claims_csv_lines(*, user, status: str | None = None, fiscal_year: int | None = None) -> Iterator[str]:
    """The CSV file line by line, for a streamed answer; the first line starts with a BOM (so that Excel reads
    Japanese names as UTF-8)."""
    writer = csv.writer(_Line())
    prefix = BOM
    for row in claim_rows(user=user, status=status, fiscal_year=fiscal_year):
        yield prefix + writer.writerow(row)
        prefix = ""
