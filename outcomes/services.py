"""Writes of outcomes: answering a survey, reporting, recording and confirming moves, and the survey emails."""

import logging
from datetime import date, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.prefectures import municipality_code_is_valid
from bookings import selectors as booking_selectors
from bookings.models import Booking
from facilities.models import Municipality
from notifications.models import Kind
from notifications.services import notify

from . import emails
from .errors import (
    BookingCancelled,
    InvalidMove,
    MoveAlreadyConfirmed,
    MoveExists,
    StayNotFinished,
    SurveyAlreadyAnswered,
)
from .models import Move, Survey, SurveyInvitation

logger = logging.getLogger(__name__)

# A stay that ended longer ago than this gets no survey email (the job's first run must not write to every
# visitor since the platform began).
SURVEY_EMAIL_LOOKBACK_DAYS = 14
SURVEY_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def survey_answer(
    *, booking: Booking, purpose: str, satisfaction: int, intention: str, comment: str = "", language: str = "ja"
) -> Survey:
    """The visitor's one answer about a finished stay (check-out day reached)."""
    if booking.status == Booking.Status.CANCELLED:
        raise BookingCancelled()
    if booking.status not in SURVEY_STATUSES or booking_selectors.today() < booking.check_out:
        raise StayNotFinished()
    try:
        with transaction.atomic():
            return Survey.objects.create(
                booking=booking,
                visitor_id=booking.visitor_id,
                purpose=purpose,
                satisfaction=satisfaction,
                intention=intention,
                comment=comment,
                language=language,
            )
    except IntegrityError:
        # The booking's unique survey: a second answer, or two sent at once.
        raise SurveyAlreadyAnswered() from None


def _invalid(field: str, message: str) -> InvalidMove:
    return InvalidMove(message, fields={field: [message]})


def _town(code: str) -> Municipality:
    """The town a local government code names; towns not on Otameshi have no staff to confirm a move."""
    town = (
        Municipality.objects.filter(code=code).first() if len(code) == 6 and code.isascii() and code.isdigit() else None
    )
    if town is not None:
        return town
    if not municipality_code_is_valid(code):
        raise _invalid("municipality_code", _("%(code)s is not a valid local government code.") % {"code": code})
    raise _invalid("municipality_code", _("%(code)s is not a town on Otameshi.") % {"code": code})


def _check_date(moved_on: date) -> None:
    if moved_on > booking_selectors.today():
        raise _invalid("moved_on", _("A move cannot be dated in the future."))


def _create(**fields) -> Move:
    try:
        with transaction.atomic():
            return Move.objects.create(**fields)
    except IntegrityError:
        raise MoveExists() from None


def move_report(*, visitor: User, moved_on: date, municipality_code: str) -> Move:
    """A visitor reports their move; it counts once the town's staff confirm it."""
    _check_date(moved_on)
    town = _town(municipality_code)
    return _create(visitor=visitor, municipality=town, moved_on=moved_on, reported_by=visitor)


def _visitor_named(reference: str) -> User:
    reference = reference.strip()
    users = User.objects.filter(role=User.Role.VISITOR)
    if reference.isascii() and reference.isdigit() and len(reference) < 19:
        visitor = users.filter(id=int(reference)).first()
    else:
        visitor = users.filter(email__iexact=reference).first()
    if visitor is None:
        raise _invalid("visitor", _("No visitor has this id or email address."))
    return visitor


def move_record(*, staff: User, visitor: str, moved_on: date, municipality_code: str | None = None) -> Move:
    """Staff record a move to their own town for a visitor (by id or email), confirmed at once."""
    _check_date(moved_on)
    assert staff.municipality is not None  # staff always have one (constraint staff_has_municipality)
    if municipality_code and municipality_code != staff.municipality.code:
        _town(municipality_code)
        raise _invalid("municipality_code", _("Staff record moves to their own town only."))
    household = _visitor_named(visitor)
    return _create(
        visitor=household,
        municipality_id=staff.municipality_id,
        moved_on=moved_on,
        reported_by=staff,
        confirmed_by=staff,
        confirmed_at=timezone.now(),
    )


@transaction.atomic
def move_confirm(*, move: Move, staff: User) -> Move:
    move = Move.objects.select_for_update().get(id=move.id)
    if move.is_confirmed:
        raise MoveAlreadyConfirmed()
    move.confirmed_by = staff
    move.confirmed_at = timezone.now()
    move.save(update_fields=["confirmed_by", "confirmed_at"])
    return move


def surveys_due_send(*, on: date | None = None) -> int:
    """Emails each visitor whose stay ended yesterday or earlier (within SURVEY_EMAIL_LOOKBACK_DAYS) and who has
    not answered, once per booking. Returns how many emails went."""
    on = on or booking_selectors.today()
    due = (
        Booking.objects.filter(
            status__in=SURVEY_STATUSES,
            check_out__lt=on,
            check_out__gte=on - timedelta(days=SURVEY_EMAIL_LOOKBACK_DAYS),
            survey__isnull=True,
        )
        .exclude(id__in=SurveyInvitation.objects.values("booking_id"))
        .values_list("id", flat=True)
        .order_by("id")
    )
    sent = 0
    for booking_id in list(due):
        try:
            # The invitation row is the once-only guard: a second run, or one overlapping, skips the booking.
            with transaction.atomic():
                SurveyInvitation.objects.create(booking_id=booking_id)
        except IntegrityError:
            continue
        try:
            notify(
                user_id=Booking.objects.values_list("visitor_id", flat=True).get(id=booking_id),
                kind=Kind.SURVEY_DUE,
                object_id=booking_id,
                email=partial(emails.survey_due_email, booking_id=booking_id),
            )
            sent += 1
        except Exception:  # one bad address must not stop the others
            logger.exception("survey email for booking %s failed", booking_id)
    return sent
