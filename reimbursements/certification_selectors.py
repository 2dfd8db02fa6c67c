"""Reads of certifications: a person's own, a town's staff their town's; a certification's months as the visitor
sees them (rule 51), each with the figures the engine gives its claim."""

from django.db.models import QuerySet

from backend.ids import parse_id

from .errors import CertificationNotFound
from .estimates.rules import add_months
from .models import Certification, Claim
from .selectors import claims_with_current_figures


def certification_list(*, user, status: str | None = None) -> QuerySet[Certification]:
    certifications = Certification.objects.select_related("programme", "visitor")
    if user.is_municipal_staff:
        certifications = certifications.filter(programme__municipality_id=user.municipality_id)
    else:
        certifications = certifications.filter(visitor=user)
    if status:
        certifications = certifications.filter(status=status)
    return certifications


def certification_get(*, user, certification_id) -> Certification:
    pk = parse_id(certification_id)
    certification = certification_list(user=user).filter(id=pk).first() if pk is not None else None
    if certification is None:
        raise CertificationNotFound()
    return certification


def certification_months(*, certification: Certification) -> dict:
    """The certification's months in order, each with its live claim (or its last one) and what it pays, the
    months still without a live claim, and the person's paid and committed totals under it: the sums of each
    month's own figure (rule 49)."""
    if certification.first_month is None or certification.last_month is None:
        return {"months": [], "months_left": 0, "paid_yen": 0, "committed_yen": 0}
    claims = claims_with_current_figures(
        Claim.objects.filter(certification=certification).prefetch_related("lines").order_by("month", "id")
    )
    by_month: dict = {}
    for claim in claims:
        current = by_month.get(claim.month)
        # A live claim wins over a withdrawn or rejected one of the same month; among equals, the latest.
        if current is None or claim.status in Claim.LIVE_STATUSES or current.status not in Claim.LIVE_STATUSES:
            by_month[claim.month] = claim
    months, month = [], certification.first_month
    while month <= certification.last_month:
        claim = by_month.get(month)
        row = {"month": month, "claim": None, "status": None, "reimbursable_yen": 0, "paid_yen": 0}
        if claim is not None:
            row.update(claim=claim.id, status=claim.status)
            if claim.status in Claim.LIVE_STATUSES:
                row["reimbursable_yen"] = claim.total_reimbursable_yen
            if claim.status == Claim.Status.PAID:
                row["paid_yen"] = claim.approved_amount_yen or 0
        months.append(row)
        month = add_months(month, 1)
    frozen = [c for c in claims if c.status in Claim.FROZEN_STATUSES]
    return {
        "months": months,
        "months_left": sum(1 for m in months if m["status"] not in Claim.LIVE_STATUSES),
        "paid_yen": sum(m["paid_yen"] for m in months),
        "committed_yen": sum(c.committed_yen for c in frozen),
    }
