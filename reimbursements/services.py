"""Writes for reimbursements: the claim workflow from draft to paid, under locks where limits are at stake."""

import logging
from datetime import date, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.ids import parse_id
from bookings.errors import BookingNotFound
from bookings.models import Booking
from notifications.models import Kind
from notifications.services import notify

from . import estimates, selectors
from .emails import claim_cancelled_staff_email, claim_status_email
from .errors import (
    ApplicationDeadlinePassed,
    ApplicationNotRequired,
    ApplicationRequired,
    BookingCancelled,
    BudgetExceeded,
    BudgetExhausted,
    ClaimBookingCancelled,
    ClaimedUnderOtherProgramme,
    ClaimExists,
    ClaimLimitReached,
    DayLimitReached,
    InvalidLine,
    InvalidStatus,
    LineNotFound,
    MonthAlreadyClaimed,
    NightLimitReached,
    NotCertified,
    NotEligible,
    NotMonthlyProgramme,
    OutsidePeriod,
    OutsideProgrammeArea,
    OutsideValidityWindow,
    ProgrammeNotFound,
    RequirementsUnmet,
    StayNotCompleted,
    StayNotFinished,
)
from .estimates import rules
from .estimates.loader import cache_related, facts_of
from .estimates.presentation import apply_figures
from .models import CategoryRule, Certification, Claim, ClaimDay, ClaimEvent, ExpenseLine, Programme
from .receipts import receipt_validate

S = Claim.Status
logger = logging.getLogger(__name__)


def today() -> date:
    """Japan's date, for the application deadline and the end of the stay (the tests set it)."""
    return timezone.localdate()


def _stay(claim: Claim) -> Booking:
    """The booking of a stay's claim (a monthly claim has none)."""
    assert claim.booking is not None
    return claim.booking


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
    notify(user_id=claim.visitor_id, kind=CLAIM_PUSHES.get(to), object_id=claim_id, email=lambda: _notify(claim_id))


# The claim statuses that also send a push (the others email only).
CLAIM_PUSHES: dict[str, Kind] = {
    S.GRANTED: Kind.APPLICATION_GRANTED,
    S.REFUSED: Kind.APPLICATION_REFUSED,
    S.APPROVED: Kind.CLAIM_APPROVED,
    S.REJECTED: Kind.CLAIM_REJECTED,
    S.PAID: Kind.CLAIM_PAID,
}


def _locked(claim: Claim, *allowed: str) -> Claim:
    """Re-reads the claim under a row lock and checks its status allows the change."""
    # of=self: locking the joined programme row too would serialise every claim of the programme.
    # The visitor comes with it: the group's lock, taken first where it matters, already holds that row.
    locked = (
        Claim.objects.select_for_update(of=("self",)).select_related("programme", "booking", "visitor").get(id=claim.id)
    )
    if locked.status not in allowed:
        raise InvalidStatus(status=locked.get_status_display())
    return locked


def _write_figures(claim: Claim, result) -> None:
    """Copies the pass's figures onto the claim and its lines, and writes the lines whose figures changed (in one
    statement); the claim itself is saved by the caller."""
    before = {line.id: (line.reimbursable_yen, line.reason) for line in claim.lines.all()}
    lines = apply_figures(claim, result)
    changed = [line for line in lines if before[line.id] != (line.reimbursable_yen, line.reason)]
    if changed:
        ExpenseLine.objects.bulk_update(changed, ["reimbursable_yen", "reason"])


def _figures(claim: Claim, *, report: bool = False):
    """The claim's figures as the engine gives them now, from the household's whole state (`report`: those of the
    report of a granted claim being submitted, receipts or not)."""
    return estimates.compute(claims=[claim], reports=[claim.id] if report else ()).claims[claim.id]


def _recompute_and_save(claim: Claim) -> None:
    """Stores the claim's figures as the engine gives them now (a draft's are recomputed whenever read anyway)."""
    _write_figures(claim, _figures(claim))
    claim.save()


# Refusals that a draft may still carry: they are checked when the claim is submitted.
REFUSED_AT_SUBMISSION = {rules.BUDGET_EXHAUSTED, rules.CLAIM_LIMIT_REACHED}


def _programme_for_claim(*, booking: Booking, code: str | None) -> Programme:
    """Rule 17 and 40: the named programme, which must cover the booking by its check-in; without a name, the
    programme of the booking's `reimbursement`."""
    if not code:
        shown = estimates.compute(bookings=[booking]).bookings[booking.id]
        if not shown["reimbursements"]:
            reasons = shown["reimbursement"]["reasons"]
            raise NotEligible(reasons=", ".join(reasons), extra={"reasons": reasons})
        code = shown["reimbursement"]["programme"]
    programme = Programme.objects.select_related("municipality").filter(code=code[:60]).first()
    if programme is None:
        raise ProgrammeNotFound(fields={"programme": [str(ProgrammeNotFound.default_message)]})
    if not programme.is_active or programme.municipality_id != booking.unit.facility.municipality_id:
        raise OutsideProgrammeArea(fields={"programme": [str(OutsideProgrammeArea.default_message)]})
    if not rules.in_window(programme, booking.check_in):
        raise OutsideValidityWindow(fields={"programme": [str(OutsideValidityWindow.default_message)]})
    return programme


@transaction.atomic
def claim_create(*, visitor, booking_id: int, programme: str | None = None) -> Claim:
    booking = Booking.objects.select_related("unit__facility").filter(id=booking_id, visitor=visitor).first()
    if booking is None:
        raise BookingNotFound(fields={"booking": [str(BookingNotFound.default_message)]})
    if not booking.is_active:
        raise BookingCancelled(fields={"booking": [str(BookingCancelled.default_message)]})
    live = Claim.objects.filter(booking=booking, status__in=Claim.LIVE_STATUSES).select_related("programme").first()
    if live is not None:
        if programme and live.programme.code != programme:
            raise ClaimedUnderOtherProgramme(fields={"programme": [str(ClaimedUnderOtherProgramme.default_message)]})
        raise ClaimExists(fields={"booking": [str(ClaimExists.default_message)]})
    chosen = _programme_for_claim(booking=booking, code=programme)
    shown = estimates.compute(bookings=[booking]).bookings[booking.id]["reimbursements"]
    estimate = next((e for e in shown if e["programme"] == chosen.code), None)
    if estimate is None:
        raise OutsideProgrammeArea(fields={"programme": [str(OutsideProgrammeArea.default_message)]})
    refusals = [r for r in estimate["reasons"] if r in rules.REFUSING_REASONS and r not in REFUSED_AT_SUBMISSION]
    if refusals:
        raise NotEligible(reasons=", ".join(refusals), extra={"reasons": refusals})
    try:
        with transaction.atomic():
            claim = Claim.objects.create(booking=booking, visitor=visitor, programme=chosen)
    except IntegrityError:
        # The partial unique index caught a second claim created at the same moment.
        raise ClaimExists(fields={"booking": [str(ClaimExists.default_message)]}) from None
    ClaimEvent.objects.create(claim=claim, from_status="", to_status=S.DRAFT, actor=visitor)
    _recompute_and_save(claim)
    return claim


@transaction.atomic
def monthly_claim_create(*, visitor, programme: str, month: date) -> Claim:
    """A month of a monthly programme (rules 46-47): under the person's approved certification, within its period,
    once (a withdrawn, rejected or cancelled claim frees its month)."""
    chosen = Programme.objects.filter(code=programme[:60]).first()
    if chosen is None:
        raise ProgrammeNotFound(fields={"programme": [str(ProgrammeNotFound.default_message)]})
    if not chosen.is_monthly:
        raise NotMonthlyProgramme(fields={"programme": [str(NotMonthlyProgramme.default_message)]})
    certification = Certification.objects.filter(
        visitor=visitor, programme=chosen, status=Certification.Status.APPROVED
    ).first()
    if certification is None:
        raise NotCertified(fields={"programme": [str(NotCertified.default_message)]})
    month = rules.month_of(month)
    assert certification.first_month is not None and certification.last_month is not None
    if not certification.first_month <= month <= certification.last_month:
        error = OutsidePeriod(
            first=certification.first_month.strftime("%Y-%m"),
            last=certification.last_month.strftime("%Y-%m"),
            month=month.strftime("%Y-%m"),
        )
        error.fields = {"month": [error.render_message()]}
        raise error
    taken = Claim.objects.filter(visitor=visitor, programme=chosen, month=month, status__in=Claim.LIVE_STATUSES)
    if taken.exists():
        raise MonthAlreadyClaimed(fields={"month": [str(MonthAlreadyClaimed.default_message)]})
    try:
        with transaction.atomic():
            claim = Claim.objects.create(visitor=visitor, programme=chosen, month=month, certification=certification)
    except IntegrityError:
        # The partial unique index caught the same month claimed at the same moment.
        raise MonthAlreadyClaimed(fields={"month": [str(MonthAlreadyClaimed.default_message)]}) from None
    ClaimEvent.objects.create(claim=claim, from_status="", to_status=S.DRAFT, actor=visitor)
    _recompute_and_save(claim)
    return claim


def _check_monthly_line(claim: Claim, *, category: str, day: date) -> None:
    """Rule 45: a monthly claim takes the programme's categories, dated in its month, and one deducted line (the
    employer's allowance for the month)."""
    programme = claim.programme
    known = [*programme.counted_categories, *programme.deducted_categories, *programme.excluded_categories]
    message: str | Promise
    if category not in known:
        message = _("The programme does not take the category “%(category)s”; it takes: %(choices)s.") % {
            "category": category,
            "choices": ", ".join(known),
        }
        raise InvalidLine(message, fields={"category": [message]})
    if rules.month_of(day) != claim.month:
        message = _("The expense date %(date)s is outside the claimed month (%(month)s).") % {
            "date": day.isoformat(),
            "month": claim.month.strftime("%Y-%m") if claim.month else "",
        }
        raise InvalidLine(message, fields={"date": [message]})
    if category in programme.deducted_categories and claim.lines.filter(category=category).exists():
        message = _("The month already has its “%(category)s” line; delete it to enter another figure.") % {
            "category": category
        }
        raise InvalidLine(message, fields={"category": [message]})


def _line_persons(*, persons: int | None, adults: int | None, children: int | None, infants: int | None) -> int:
    """A line says `persons`, or its age bands (then `persons`, if given too, must be their sum)."""
    bands = [adults, children, infants]
    if all(band is None for band in bands):
        return persons or 1
    stated = sum(band or 0 for band in bands)
    if stated < 1:
        message: str | Promise = _("A receipt covers at least one person.")
        raise InvalidLine(message, fields={"adults": [message]})
    if persons is not None and persons != stated:
        message = _("The persons (%(persons)s) are not the sum of adults, children and infants (%(stated)s).") % {
            "persons": persons,
            "stated": stated,
        }
        raise InvalidLine(message, fields={"persons": [message]})
    return stated


@transaction.atomic
def expense_line_add(
    *,
    claim: Claim,
    category: str,
    date: date,
    amount_yen: int,
    persons: int | None = None,
    receipt=None,
    adults: int | None = None,
    children: int | None = None,
    infants: int | None = None,
) -> ExpenseLine:
    """A draft takes lines with receipts; under a programme requiring an application, also planned lines without
    one (before applying), and a granted claim takes the receipts of its report."""
    claim = _locked(claim, S.DRAFT, S.GRANTED)
    if claim.is_monthly:
        _check_monthly_line(claim, category=category, day=date)
        if receipt is None:
            missing = _("Attach the receipt.")
            raise InvalidLine(missing, fields={"receipt": [missing]})
        receipt_validate(receipt)
        line = ExpenseLine.objects.create(
            claim=claim, category=category, date=date, amount_yen=amount_yen, receipt=receipt
        )
        _recompute_and_save(claim)
        line.refresh_from_db()
        return line
    booking = claim.booking
    assert booking is not None
    if category == CategoryRule.LODGING:
        # Lodging is paid from the booking's own nights (claim.lodging_reimbursable_yen), never from a receipt.
        message: str | Promise = _("Lodging needs no receipt line: the programme pays it from the booking itself.")
        raise InvalidLine(message, fields={"category": [message]})
    planned = receipt is None
    if planned and not (claim.status == S.DRAFT and claim.programme.requires_application):
        message = (
            _("Attach the receipt.")
            if claim.status == S.DRAFT or not claim.programme.requires_application
            else _("The report needs the receipt of every expense.")
        )
        raise InvalidLine(message, fields={"receipt": [message]})
    if not claim.programme.categories.filter(category=category).exists():
        message = _("The programme does not reimburse the category “%(category)s” on receipts.") % {
            "category": category
        }
        raise InvalidLine(message, fields={"category": [message]})
    dates = facts_of(booking).dates
    if date not in dates:
        message = _("The expense date %(date)s is outside the stay (%(first)s to %(last)s).") % {
            "date": date.isoformat(),
            "first": dates[0].isoformat(),
            "last": dates[-1].isoformat(),
        }
        raise InvalidLine(message, fields={"date": [message]})
    # Persons above the party are accepted and counted up to the group's persons that date (`persons_capped`).
    persons = _line_persons(persons=persons, adults=adults, children=children, infants=infants)
    if not planned:
        receipt_validate(receipt)
    line = ExpenseLine.objects.create(
        claim=claim,
        category=category,
        date=date,
        amount_yen=amount_yen,
        persons=persons,
        adults=adults,
        children=children,
        infants=infants,
        receipt=receipt or "",
        planned=planned,
    )
    # A draft's figures, or those of a granted claim's report as it is made (rule 14), recomputed with the line.
    _recompute_and_save(claim)
    line.refresh_from_db()
    return line


@transaction.atomic
def expense_line_delete(*, claim: Claim, line_id: int) -> None:
    claim = _locked(claim, S.DRAFT, S.GRANTED)
    lines = claim.lines.all() if claim.status == S.DRAFT else claim.lines.filter(planned=False)
    line_pk = parse_id(line_id)
    line = lines.filter(id=line_pk).first() if line_pk is not None else None
    if line is None:
        raise LineNotFound()
    if line.receipt:
        line.receipt.delete(save=False)
    line.delete()
    _recompute_and_save(claim)


def _lock_group(visitor_id: int) -> None:
    """Serialises everything that spends a group's days, nights or yearly limits (spec rule 8)."""
    get_user_model().objects.select_for_update().filter(id=visitor_id).values_list("id", flat=True).get()


def _lock_programme(programme_id: int) -> Programme:
    """Serialises what spends one programme's budget: submissions (rule 27) and approvals."""
    return Programme.objects.select_for_update().get(id=programme_id)


SUBMISSION_REFUSALS = {
    rules.BUDGET_EXHAUSTED: BudgetExhausted,
    rules.CLAIM_LIMIT_REACHED: ClaimLimitReached,
    rules.DAY_LIMIT_REACHED: DayLimitReached,
    rules.NIGHT_LIMIT_REACHED: NightLimitReached,
    rules.CLAIMED_UNDER_OTHER_PROGRAMME: ClaimedUnderOtherProgramme,
}


def _refuse_submission(claim: Claim, reasons: list[str]) -> None:
    refusing = [r for r in reasons if r in rules.REFUSING_REASONS]
    if not refusing:
        return
    for reason in refusing:
        if reason in SUBMISSION_REFUSALS:
            error = SUBMISSION_REFUSALS[reason]
            if error is ClaimLimitReached:
                raise ClaimLimitReached(limit=claim.programme.max_claims_per_fy)
            if error is BudgetExhausted:
                raise BudgetExhausted(
                    extra={"remaining_yen": 0},
                    fields={"budget": [str(_("¥%(remaining)s of the budget is left.") % {"remaining": "0"})]},
                )
            raise error()
    raise NotEligible(reasons=", ".join(refusing), extra={"reasons": refusing})


REQUIREMENT_MESSAGES = {
    rules.HOME_MUNICIPALITY: _("Declare your home municipality in your profile first."),
    rules.CONSULTATION: _("Meet the town's migration staff during your stay first."),
    rules.SURVEY: _("Answer the survey about your stay first."),
}


def _check_requirements(claim: Claim, visitor) -> None:
    home = rules.Home(visitor.home_municipality_code)
    unmet = [item["code"] for item in selectors.claim_requirements(claim=claim, home=home) if not item["met"]]
    if unmet:
        raise RequirementsUnmet(
            codes=", ".join(unmet), fields={code: [str(REQUIREMENT_MESSAGES[code])] for code in unmet}
        )


def _freeze(claim: Claim, result) -> None:
    """Fixes the days and nights the pass gave the claim (spec rule 3) and its figures."""
    _refuse_submission(claim, result.reasons)
    if not result.eligible_dates:
        raise DayLimitReached()
    nights = dict(result.night_lodging)
    days = ClaimDay.objects.bulk_create(
        [
            ClaimDay(
                claim=claim,
                visitor_id=claim.visitor_id,
                programme_id=claim.programme_id,
                date=d,
                night=d in nights,
                lodging_yen=nights.get(d, 0),
            )
            for d in sorted(result.eligible_dates)
        ]
    )
    # The claim answers with the days it froze, not read again.
    cache_related(claim, "days", days)
    # And the rules it was figured by: a later change of the programme never reaches it.
    claim.frozen_terms = rules.terms_as_json(result.terms or rules.terms_of(claim.programme))
    _write_figures(claim, result)


@transaction.atomic
def claim_submit(*, claim: Claim, actor) -> Claim:
    """Submits a claim after the stay; under a programme requiring an application this is the report of a granted
    claim, paid at most the granted amount."""
    # Lock order: group, programme, claim; approvals take programme then claim, so no cycle.
    _lock_group(claim.visitor_id)
    _lock_programme(claim.programme_id)
    claim = _locked(claim, S.DRAFT, S.APPLIED, S.GRANTED)
    if claim.is_monthly:
        return _monthly_submit(claim, actor)
    if claim.status != S.GRANTED and claim.programme.requires_application:
        raise ApplicationRequired()
    if claim.status == S.APPLIED:
        raise InvalidStatus(status=claim.get_status_display())
    if not _stay(claim).is_active:
        raise BookingCancelled()
    if claim.status == S.GRANTED and today() < _stay(claim).check_out:
        raise StayNotFinished(check_out=_stay(claim).check_out.isoformat())
    _check_requirements(claim, claim.visitor)
    if claim.status == S.GRANTED:
        # The grant froze the days and committed the budget; the receipts are paid within them.
        _write_figures(claim, _figures(claim, report=True))
    else:
        # Read under the locks: what the group and the programme have left now, by the same pass as every estimate.
        _freeze(claim, _figures(claim))
    _snapshot_claimant(claim)
    claim.submitted_at = timezone.now()
    _transition(claim=claim, to=S.SUBMITTED, actor=actor)
    claim.save()
    return claim


def _snapshot_claimant(claim: Claim) -> None:
    """The claimant as declared now (rule 20): later changes of the profile do not reach the claim."""
    visitor = claim.visitor
    claim.claimant_name, claim.claimant_email = visitor.full_name, visitor.email
    claim.claimant_home_prefecture = visitor.home_prefecture
    claim.claimant_home_municipality = visitor.home_municipality
    claim.claimant_home_municipality_code = visitor.home_municipality_code


def _monthly_submit(claim: Claim, actor) -> Claim:
    """A month's claim, under the group and programme locks its caller took: the certification still approved,
    the figures read now (the person's lifetime cap and the budget of the month's fiscal year, rule 50)."""
    if claim.status != S.DRAFT:
        raise InvalidStatus(status=claim.get_status_display())
    certification = Certification.objects.get(claims=claim)
    if certification.status != Certification.Status.APPROVED:
        raise NotCertified()
    result = _figures(claim)
    _refuse_submission(claim, result.reasons)
    _write_figures(claim, result)
    _snapshot_claimant(claim)
    claim.submitted_at = timezone.now()
    _transition(claim=claim, to=S.SUBMITTED, actor=actor)
    claim.save()
    return claim


def _release_days(claim: Claim) -> None:
    """A rejected or withdrawn claim freezes nothing (spec rule 3): its days go back to the group."""
    ClaimDay.objects.filter(claim=claim).delete()


@transaction.atomic
def claim_withdraw(*, claim: Claim, actor) -> Claim:
    claim = _locked(claim, S.DRAFT, S.APPLIED, S.GRANTED, S.SUBMITTED)
    _release_days(claim)
    _transition(claim=claim, to=S.WITHDRAWN, actor=actor)
    claim.save()
    return claim


@transaction.atomic
def claims_of_cancelled_booking(*, booking_id: int, actor) -> list[Claim]:
    """For the bookings app to call when a booking is cancelled: a claim pays only for a stay that happened. A draft
    or an application can never be submitted, so it is withdrawn; a granted, submitted or approved claim is void
    (`cancelled`, reason `stay_cancelled`). Either way its days, nights and budget go back, with an audit event,
    and the visitor (and, for a void claim, the town's staff) are emailed."""
    changed = []
    # The status is filtered under the lock: a claim changed meanwhile is seen as it is now.
    for claim in (
        Claim.objects.select_for_update(of=("self",))
        .filter(booking_id=booking_id, status__in=[S.DRAFT, S.APPLIED, S.GRANTED, S.SUBMITTED, S.APPROVED])
        .order_by("id")
    ):
        _release_days(claim)
        if claim.status in (S.DRAFT, S.APPLIED):
            _transition(claim=claim, to=S.WITHDRAWN, actor=actor, note="booking cancelled")
        else:
            claim.reasons = [rules.STAY_CANCELLED]
            _transition(claim=claim, to=S.CANCELLED, actor=actor, note=rules.STAY_CANCELLED)
            transaction.on_commit(partial(_notify_staff, claim.id))
        claim.save()
        changed.append(claim)
    return changed


@transaction.atomic
def claims_of_changed_booking(*, booking_id: int, actor) -> list[Claim]:
    """For the bookings app to call when a booking's dates change: a frozen claim gives up the days its stay no
    longer holds and is refigured from what it froze; an approved claim whose figure went down goes back to review
    (`submitted`, its approval cleared). Drafts need nothing: they are recomputed whenever read."""
    changed = []
    booking = Booking.objects.get(id=booking_id)
    held = set(facts_of(booking).dates) if booking.is_active else set()
    for claim in (
        Claim.objects.select_for_update(of=("self",))
        .filter(booking_id=booking_id, status__in=[S.GRANTED, S.SUBMITTED, S.APPROVED])
        .select_related("programme", "booking", "visitor")
        .order_by("id")
    ):
        ClaimDay.objects.filter(claim=claim).exclude(date__in=held).delete()
        # A shortened stay's new last day is its check-out: a day still, no longer a night, and no lodging.
        ClaimDay.objects.filter(claim=claim, night=True, date__gte=booking.check_out).update(night=False, lodging_yen=0)
        before = claim.total_reimbursable_yen
        _write_figures(claim, _figures(claim))
        if claim.status == S.APPROVED and claim.total_reimbursable_yen < before:
            claim.approved_by, claim.approved_at, claim.approved_amount_yen = None, None, None
            _transition(claim=claim, to=S.SUBMITTED, actor=actor, note="stay_changed")
        claim.save()
        changed.append(claim)
    return changed


def _notify_staff(claim_id: int) -> None:
    try:
        claim_cancelled_staff_email(claim_id=claim_id)
    except Exception:
        logger.exception("Could not email the staff about claim %s.", claim_id)


@transaction.atomic
def expense_line_disallow(*, claim: Claim, line_id: int, actor, reason: str) -> Claim:
    """The line pays nothing from now on; the claim is refigured from what it froze, the line taken out before the
    rounding and the cuts (never arithmetic on its total), so the total only goes down."""
    claim = _locked(claim, S.SUBMITTED)
    line_pk = parse_id(line_id)
    line = claim.lines.filter(id=line_pk).first() if line_pk is not None else None
    if line is None:
        raise LineNotFound()
    line.disallowed_reason, line.disallowed_by = reason, actor
    line.save(update_fields=["disallowed_reason", "disallowed_by"])
    _recompute_and_save(claim)
    return claim


def _budget_spent(programme: Programme, month: date | None = None) -> int:
    """What approved and paid claims spent of the budget; a monthly programme's budget is per fiscal year (rule
    50), so only the claims of `month`'s fiscal year count."""
    claims = Claim.objects.filter(programme=programme, status__in=[S.APPROVED, S.PAID])
    if month is not None:
        year = programme.fiscal_year_of(month)
        start = date(year, programme.fiscal_year_start_month, 1)
        claims = claims.filter(month__gte=start, month__lt=rules.add_months(start, 12))
    return claims.aggregate(total=Sum("approved_amount_yen"))["total"] or 0


@transaction.atomic
def claim_approve(*, claim: Claim, actor) -> Claim:
    # Lock order: programme, then claim, the same in every service.
    programme = _lock_programme(claim.programme_id)
    claim = _locked(claim, S.SUBMITTED)
    if not claim.is_monthly:
        # The booking row is locked too, so a cancellation cannot slip in between this check and the approval.
        booking_status = Booking.objects.select_for_update().values_list("status", flat=True).get(id=_stay(claim).id)
        if booking_status not in Booking.ACTIVE_STATUSES:
            raise ClaimBookingCancelled(fields={"booking": [str(ClaimBookingCancelled.default_message)]})
    # Approved at the figure the engine gives it now (what it froze, less any line disallowed).
    _write_figures(claim, _figures(claim))
    amount = claim.total_reimbursable_yen
    if programme.budget_yen is not None:
        spent = _budget_spent(programme, claim.month)
        remaining = max(0, programme.budget_yen - spent)
        if amount > remaining:
            raise BudgetExceeded(
                amount=f"{amount:,}",
                remaining=f"{remaining:,}",
                extra={"remaining_yen": remaining},
                fields={"budget": [str(_("¥%(remaining)s of the budget is left.") % {"remaining": f"{remaining:,}"})]},
            )
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
    """Paid only for a stay that happened: its booking active and its check-out reached."""
    claim = _locked(claim, S.APPROVED)
    booking = claim.booking
    if booking is not None and (not booking.is_active or today() < booking.check_out):
        raise StayNotCompleted(check_out=booking.check_out.isoformat())
    claim.paid_at = timezone.now()
    _transition(claim=claim, to=S.PAID, actor=actor)
    claim.save()
    return claim


# --- application before the stay, and grant (交付申請 → 交付決定) --------------------------------------------------


def application_deadline(programme: Programme, check_in: date) -> date:
    """The last day to apply: check-in less the programme's deadline days (none: check-in day itself)."""
    return check_in - timedelta(days=programme.application_deadline_days or 0)


@transaction.atomic
def claim_apply(*, claim: Claim, actor) -> Claim:
    """The visitor applies before the stay with the planned lines; nothing is frozen until staff grant it."""
    claim = _locked(claim, S.DRAFT)
    programme = claim.programme
    if not programme.requires_application:
        raise ApplicationNotRequired()
    if not _stay(claim).is_active:
        raise BookingCancelled()
    deadline = application_deadline(programme, _stay(claim).check_in)
    if today() > deadline:
        raise ApplicationDeadlinePassed(days=programme.application_deadline_days or 0, deadline=deadline.isoformat())
    home = rules.Home(claim.visitor.home_municipality_code)
    if not home.code:
        raise RequirementsUnmet(
            codes=rules.HOME_MUNICIPALITY,
            fields={rules.HOME_MUNICIPALITY: [str(REQUIREMENT_MESSAGES[rules.HOME_MUNICIPALITY])]},
        )
    claim.applied_at = timezone.now()
    _recompute_and_save(claim)
    _transition(claim=claim, to=S.APPLIED, actor=actor)
    claim.save()
    return claim


@transaction.atomic
def claim_grant(*, claim: Claim, actor) -> Claim:
    """Staff grant an application: its days and nights are frozen and the amount (the estimate plus the planned
    lines within their caps, by the same pass as a submission) is committed against the budget."""
    # Lock order: group, programme, claim, as for a submission.
    _lock_group(claim.visitor_id)
    _lock_programme(claim.programme_id)
    claim = _locked(claim, S.APPLIED)
    if not _stay(claim).is_active:
        raise BookingCancelled(fields={"booking": [str(BookingCancelled.default_message)]})
    _freeze(claim, _figures(claim))
    claim.granted_amount_yen = claim.total_reimbursable_yen
    claim.granted_by, claim.granted_at = actor, timezone.now()
    _transition(claim=claim, to=S.GRANTED, actor=actor)
    claim.save()
    return claim


@transaction.atomic
def claim_refuse(*, claim: Claim, actor, reason: str) -> Claim:
    """Staff refuse an application, or take back a grant: its days and budget go back."""
    claim = _locked(claim, S.APPLIED, S.GRANTED)
    _release_days(claim)
    claim.rejection_reason = reason
    _transition(claim=claim, to=S.REFUSED, actor=actor, note=reason)
    claim.save()
    return claim
