"""Writes for reimbursements: the claim workflow from draft to paid, under locks where limits are at stake."""
import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking

from . import calculation, selectors
from .emails import claim_status_email
from .errors import (BookingCancelled, BookingNotFound, ClaimBookingCancelled, BudgetExceeded, ClaimExists, ClaimLimitReached,
                     DayLimitReached, InvalidLine, InvalidStatus, LineNotFound, NotEligible)
from .models import CategoryRule, Claim, ClaimDay, ClaimEvent, ExpenseLine, Programme
from .receipts import receipt_validate

S = Claim.Status
logger = logging.getLogger(__name__)


def _notify(claim_id: int) -> None:
    """Emails the visitor; a mail server that fails is logged, never turned into an error for a change that is
    already committed."""
    try:
        claim_status_email(claim_id=claim_id)
    except Exception:
        logger.exception("Could not email the visitor of claim %s about its new status.", claim_id)


def _transition(*, claim: Claim, to: str, actor, note: str = "") -> None:
    """Records the change in the audit trail and tells the visitor once the transaction has committed."""
    ClaimEvent.objects.create(claim=claim, from_status=claim.status, to_status=to, actor=actor, note=note)
    claim.status = to
    claim_id = claim.id
    transaction.on_commit(lambda: _notify(claim_id))


def _locked(claim: Claim, *allowed: str) -> Claim:
    """Re-reads the claim under a row lock and checks its status allows the change."""
    # of=self: locking the joined programme row too would serialise every claim of the programme.
    locked = Claim.objects.select_for_update(of=("self",)).select_related("programme", "booking").get(id=claim.id)
    if locked.status not in allowed:
        raise InvalidStatus(status=locked.get_status_display())
    return locked


def _recompute(*, claim: Claim, eligible_dates, household_left: int | None) -> None:
    """Lodging from the booking's eligible nights plus every line's share; the total only follows the rules."""
    booking = claim.booking
    terms = selectors.terms_of(claim.programme)
    party = calculation.Party(booking.adults, booking.children, booking.infants)
    nights = [(line.date, line.price_yen) for line in booking.lines.all()] if booking.kind == Booking.Kind.STAY else []
    lodging = calculation.lodging(terms=terms, party=party, nights=nights, eligible_dates=eligible_dates)
    lines = list(claim.lines.all())
    results = calculation.expense_lines(
        terms=terms, party=party, eligible_dates=eligible_dates,
        lines=[calculation.Line(key=line.id, category=line.category, date=line.date, amount_yen=line.amount_yen,
                                persons=line.persons, disallowed=bool(line.disallowed_reason)) for line in lines],
    )
    for line in lines:
        result = results[line.id]
        line.reimbursable_yen, line.reason = result.reimbursable_yen, result.reason
    ExpenseLine.objects.bulk_update(lines, ["reimbursable_yen", "reason"])
    claim.lodging_reimbursable_yen = lodging
    claim.total_reimbursable_yen = calculation.total(
        terms=terms, amounts=[lodging, *(r.reimbursable_yen for r in results.values())], household_left=household_left
    )


def _recompute_and_save(claim: Claim) -> None:
    _recompute(claim=claim, eligible_dates=selectors.claim_eligible_dates(claim=claim),
               household_left=selectors.claim_household_left(claim=claim))
    claim.save()


def _eligible_estimate(booking: Booking) -> dict:
    """The booking's estimate, refused with the spec's reason codes when it is not eligible."""
    estimate = selectors.estimate_for_booking(booking=booking)
    if not estimate["eligible"]:
        raise NotEligible(reasons=", ".join(estimate["reasons"]), extra={"reasons": estimate["reasons"]})
    return estimate


@transaction.atomic
def claim_create(*, visitor, booking_id: int) -> Claim:
    booking = Booking.objects.select_related("unit__facility").filter(id=booking_id, visitor=visitor).first()
    if booking is None:
        raise BookingNotFound(fields={"booking": [str(BookingNotFound.default_message)]})
    if not booking.is_active:
        raise BookingCancelled(fields={"booking": [str(BookingCancelled.default_message)]})
    estimate = _eligible_estimate(booking)
    programme = Programme.objects.get(code=estimate["programme"])
    if Claim.objects.filter(booking=booking, status__in=Claim.LIVE_STATUSES).exists():
        raise ClaimExists(fields={"booking": [str(ClaimExists.default_message)]})
    try:
        with transaction.atomic():
            claim = Claim.objects.create(booking=booking, visitor=visitor, programme=programme)
    except IntegrityError:
        # The partial unique index caught a second claim created at the same moment.
        raise ClaimExists(fields={"booking": [str(ClaimExists.default_message)]}) from None
    ClaimEvent.objects.create(claim=claim, from_status="", to_status=S.DRAFT, actor=visitor)
    _recompute_and_save(claim)
    return claim


@transaction.atomic
def expense_line_add(*, claim: Claim, category: str, date: date, amount_yen: int, persons: int, receipt) -> ExpenseLine:
    claim = _locked(claim, S.DRAFT)
    booking = claim.booking
    if category == CategoryRule.LODGING:
        # Lodging is paid from the booking's own nights (claim.lodging_reimbursable_yen), never from a receipt.
        message = _("Lodging needs no receipt line: the programme pays it from the booking itself.")
        raise InvalidLine(message, fields={"category": [message]})
    if not claim.programme.categories.filter(category=category).exists():
        message = _("The programme does not reimburse the category “%(category)s” on receipts.") % {
            "category": category}
        raise InvalidLine(message, fields={"category": [message]})
    dates = selectors.facts_of(booking).dates
    if date not in dates:
        message = _("The expense date %(date)s is outside the stay (%(first)s to %(last)s).") % {
            "date": date.isoformat(), "first": dates[0].isoformat(), "last": dates[-1].isoformat()}
        raise InvalidLine(message, fields={"date": [message]})
    if persons > booking.persons:
        message = _("The receipt cannot cover %(persons)s persons: the party has %(party)s.") % {
            "persons": persons, "party": booking.persons}
        raise InvalidLine(message, fields={"persons": [message]})
    receipt_validate(receipt)
    line = ExpenseLine.objects.create(claim=claim, category=category, date=date, amount_yen=amount_yen,
                                      persons=persons, receipt=receipt)
    _recompute_and_save(claim)
    line.refresh_from_db()
    return line


@transaction.atomic
def expense_line_delete(*, claim: Claim, line_id: int) -> None:
    claim = _locked(claim, S.DRAFT)
    line = claim.lines.filter(id=selectors.parse_id(line_id, LineNotFound)).first()
    if line is None:
        raise LineNotFound()
    line.receipt.delete(save=False)
    line.delete()
    _recompute_and_save(claim)


def _lock_group(visitor_id: int) -> None:
    """Serialises everything that spends a group's days or yearly limits (spec rule 8)."""
    get_user_model().objects.select_for_update().filter(id=visitor_id).values_list("id", flat=True).get()


@transaction.atomic
def claim_submit(*, claim: Claim, actor) -> Claim:
    _lock_group(claim.visitor_id)
    claim = _locked(claim, S.DRAFT)
    if not claim.booking.is_active:
        raise BookingCancelled()
    # What made the booking eligible when the draft was opened may have changed since (e.g. the visitor's home).
    reasons = set(selectors.estimate_for_booking(booking=claim.booking)["reasons"]) - {selectors.DAY_LIMIT_REACHED}
    if reasons:
        raise NotEligible(reasons=", ".join(sorted(reasons)), extra={"reasons": sorted(reasons)})
    programme = claim.programme
    if programme.max_claims_per_fy is not None:
        year = programme.fiscal_year_of(claim.booking.check_in)
        made = sum(1 for c in Claim.objects.filter(visitor_id=claim.visitor_id, programme=programme,
                                                   status__in=Claim.FROZEN_STATUSES).select_related("booking")
                   if programme.fiscal_year_of(c.booking.check_in) == year)
        if made >= programme.max_claims_per_fy:
            raise ClaimLimitReached(limit=programme.max_claims_per_fy)
    dates = selectors.claim_eligible_dates(claim=claim)
    if not dates:
        raise DayLimitReached()
    try:
        with transaction.atomic():
            ClaimDay.objects.bulk_create(
                [ClaimDay(claim=claim, visitor_id=claim.visitor_id, programme=programme, date=d) for d in dates]
            )
    except IntegrityError:
        # Only reachable if the group lock were bypassed: the unique date constraint is the last line of defence.
        raise DayLimitReached() from None
    _recompute(claim=claim, eligible_dates=dates, household_left=selectors.claim_household_left(claim=claim))
    claim.submitted_at = timezone.now()
    _transition(claim=claim, to=S.SUBMITTED, actor=actor)
    claim.save()
    return claim


def _release_days(claim: Claim) -> None:
    """A rejected or withdrawn claim freezes nothing (spec rule 3): its days go back to the group."""
    ClaimDay.objects.filter(claim=claim).delete()


@transaction.atomic
def claim_withdraw(*, claim: Claim, actor) -> Claim:
    claim = _locked(claim, S.DRAFT, S.SUBMITTED)
    _release_days(claim)
    _transition(claim=claim, to=S.WITHDRAWN, actor=actor)
    claim.save()
    return claim


@transaction.atomic
def claims_withdraw_drafts_of_booking(*, booking_id: int, actor) -> list[Claim]:
    """For the bookings app to call when a booking is cancelled: its draft claim can never be submitted, so it is
    withdrawn (with its audit event). A submitted or approved claim keeps its frozen days (spec rule 3) until the
    visitor withdraws it or staff reject it; staff cannot approve it while its booking is cancelled."""
    withdrawn = []
    # The status is filtered under the lock: a claim submitted meanwhile is left alone, not an error.
    for claim in Claim.objects.select_for_update(of=("self",)).filter(booking_id=booking_id, status=S.DRAFT) \
            .order_by("id"):
        _transition(claim=claim, to=S.WITHDRAWN, actor=actor, note="booking cancelled")
        claim.save()
        withdrawn.append(claim)
    return withdrawn


@transaction.atomic
def expense_line_disallow(*, claim: Claim, line_id: int, actor, reason: str) -> Claim:
    claim = _locked(claim, S.SUBMITTED)
    line = claim.lines.filter(id=selectors.parse_id(line_id, LineNotFound)).first()
    if line is None:
        raise LineNotFound()
    line.disallowed_reason, line.disallowed_by = reason, actor
    line.save(update_fields=["disallowed_reason", "disallowed_by"])
    before = claim.total_reimbursable_yen
    _recompute(claim=claim, eligible_dates=sorted(claim.days.values_list("date", flat=True)),
               household_left=selectors.claim_household_left(claim=claim))
    # Disallowing can only lower the total, never raise it.
    claim.total_reimbursable_yen = min(before, claim.total_reimbursable_yen)
    claim.save()
    return claim


def _lock_programme(programme_id: int) -> Programme:
    """Serialises approvals of one programme so that two at once cannot both spend the last of the budget."""
    return Programme.objects.select_for_update().get(id=programme_id)


def _budget_spent(programme: Programme) -> int:
    return Claim.objects.filter(programme=programme, status__in=[S.APPROVED, S.PAID]).aggregate(
        total=Sum("approved_amount_yen"))["total"] or 0


@transaction.atomic
def claim_approve(*, claim: Claim, actor) -> Claim:
    # Lock order: programme, then claim, the same in every service.
    programme = _lock_programme(claim.programme_id)
    claim = _locked(claim, S.SUBMITTED)
    # The booking row is locked too, so a cancellation cannot slip in between this check and the approval.
    booking_status = Booking.objects.select_for_update().values_list("status", flat=True).get(id=claim.booking_id)
    if booking_status not in Booking.ACTIVE_STATUSES:
        raise ClaimBookingCancelled(fields={"booking": [str(ClaimBookingCancelled.default_message)]})
    amount = claim.total_reimbursable_yen
    if programme.budget_yen is not None:
        spent = _budget_spent(programme)
        remaining = max(0, programme.budget_yen - spent)
        if amount > remaining:
            raise BudgetExceeded(amount=f"{amount:,}", remaining=f"{remaining:,}", extra={"remaining_yen": remaining},
                                 fields={"budget": [str(_("¥%(remaining)s of the budget is left.")
                                                        % {"remaining": f"{remaining:,}"})]})
    claim.approved_by, claim.approved_at, claim.approved_amount_yen = actor, timezone.now(), amount
    _transition(claim=claim, to=S.APPROVED, actor=actor)
    claim.save()
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, actor, reason: str) -> Claim:
    claim = _locked(claim, S.SUBMITTED)
    _release_days(claim)
    claim.rejection_reason = reason
    _transition(claim=claim, to=S.REJECTED, actor=actor, note=reason)
    claim.save()
    return claim


@transaction.atomic
def claim_mark_paid(*, claim: Claim, actor) -> Claim:
    claim = _locked(claim, S.APPROVED)
    claim.paid_at = timezone.now()
    _transition(claim=claim, to=S.PAID, actor=actor)
    claim.save()
    return claim
