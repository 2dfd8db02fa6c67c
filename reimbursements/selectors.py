"""Reads of claims and programmes. Every figure of a claim comes from the estimate engine (`estimates.compute`)."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from backend.ids import parse_id

from . import estimates, hooks
from .errors import ClaimNotFound, LineNotFound
from .estimates.presentation import apply_figures
from .estimates.rules import Home, requirements_of
from .models import Claim, ClaimEvent

# --- claims ----------------------------------------------------------------------------------------------------


def committed_yen(claim: Claim) -> int:
    """Rule 37: what the claim commits of its programme's budget and its household's maximum."""
    return claim.committed_yen


def claims_with_current_figures(claims):
    """The claims with the figures the engine gives them now, without writing: a draft's and an application's
    those of the group pass (rule 32), a granted claim's those of its report once it has a receipt (rule 14); a
    frozen claim's are refigured from what it froze, and so are the ones stored."""
    claims = list(claims)
    shown = [c for c in claims if c.status in (Claim.Status.DRAFT, Claim.Status.APPLIED, Claim.Status.GRANTED)]
    if shown:
        figures = estimates.compute(claims=shown).claims
        for claim in shown:
            if claim.id in figures:
                apply_figures(claim, figures[claim.id])
    return claims


def claim_requirements(*, claim: Claim, home: Home) -> list[dict]:
    """Rule 20's list for one claim's booking under its programme, asking the hooks directly."""
    programme, booking = claim.programme, claim.booking
    assert booking is not None  # a stay's claim
    consulted = surveyed = False
    if programme.requires_consultation:
        start = timezone.localdate(claim.applied_at) if claim.applied_at else timezone.localdate(booking.created_at)
        consulted = bool(
            hooks.consultation_attended(
                visitor_id=claim.visitor_id,
                municipality_id=programme.municipality_id,
                start=start,
                end=booking.check_out,
            )
        )
    if programme.requires_survey:
        surveyed = bool(hooks.survey_answered(booking_id=booking.id))
    return requirements_of(home, programme=programme, consulted=consulted, surveyed=surveyed)


def _claims_base() -> QuerySet[Claim]:
    return Claim.objects.select_related("programme", "booking", "visitor").prefetch_related("lines", "days")


def claim_list(*, user, status: str | None = None) -> QuerySet[Claim]:
    if user.is_municipal_staff:
        claims = (
            _claims_base().filter(programme__municipality_id=user.municipality_id).exclude(status=Claim.Status.DRAFT)
        )
    else:
        claims = _claims_base().filter(visitor=user)
    if status:
        claims = claims.filter(status=status)
    return claims


def claim_line_get(*, claim: Claim, line_id):
    line_pk = parse_id(line_id)
    line = claim.lines.filter(id=line_pk).first() if line_pk is not None else None
    if line is None:
        raise LineNotFound()
    return line


def claim_get(*, user, claim_id: int) -> Claim:
    claim_pk = parse_id(claim_id)
    claim = claim_list(user=user).filter(id=claim_pk).first() if claim_pk is not None else None
    if claim is None:
        raise ClaimNotFound()
    return claim


def claim_events(*, claim: Claim) -> QuerySet[ClaimEvent]:
    """The claim's audit trail, oldest first."""
    return claim.events.all()


def claim_to_change(*, user, claim_id: int) -> Claim:
    """The claim a status change names, if the user may see it; without its lines and days, which the change
    reads again under its lock."""
    claim_pk = parse_id(claim_id)
    claim = claim_list(user=user).prefetch_related(None).filter(id=claim_pk).first() if claim_pk is not None else None
    if claim is None:
        raise ClaimNotFound()
    return claim


def visitor_claims_unpaid(*, user: User) -> dict[str, list[int]]:
    """The visitor's claims under way and not yet paid (applied, granted, submitted, approved): they block the
    account's deletion (accounts.hooks.deletion_blockers). Drafts do not."""
    unpaid = [Claim.Status.APPLIED, Claim.Status.GRANTED, Claim.Status.SUBMITTED, Claim.Status.APPROVED]
    return {"claims": list(Claim.objects.filter(visitor=user, status__in=unpaid).values_list("id", flat=True))}
