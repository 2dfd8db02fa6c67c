"""Writes of certifications (認定) under monthly programmes: a person applies after the move, the town's staff
approve or refuse (rules 41-44)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import DomainError

from . import hooks, services
from .errors import (
    AgeLimit,
    CertificationDeadlinePassed,
    CertificationExists,
    CertificationInvalidStatus,
    MoveNotConfirmed,
    MoveOutsideWindow,
    NotCombinable,
    NotMonthlyProgramme,
    ProgrammeNotFound,
    WorkplaceNotCovered,
)
from .estimates.rules import age_on, certification_deadline, certification_period
from .models import Certification, Programme

C = Certification.Status


def _monthly_programme(code: str) -> Programme:
    programme = Programme.objects.select_related("municipality").filter(code=code[:60], is_active=True).first()
    if programme is None:
        raise ProgrammeNotFound(fields={"programme": [str(ProgrammeNotFound.default_message)]})
    if not programme.is_monthly:
        raise NotMonthlyProgramme(fields={"programme": [str(NotMonthlyProgramme.default_message)]})
    return programme


def _check_eligibility(
    *, visitor, programme: Programme, move_date: date, birth_date: date, workplace_prefecture: str
) -> None:
    """Rule 42's refusals, in this order: the move (confirmed by the town, in the window), the deadline, the age,
    the workplace, the programmes it cannot be combined with."""
    error: DomainError
    if not hooks.move_confirmed(visitor_id=visitor.id, municipality_id=programme.municipality_id, moved_on=move_date):
        error = MoveNotConfirmed(date=move_date.isoformat())
        error.fields = {"move_date": [error.render_message()]}
        raise error
    if not programme.valid_from <= move_date <= programme.valid_until:
        error = MoveOutsideWindow(
            first=programme.valid_from.isoformat(), last=programme.valid_until.isoformat(), date=move_date.isoformat()
        )
        error.fields = {"move_date": [error.render_message()]}
        raise error
    deadline = certification_deadline(programme, move_date)
    if deadline is not None and services.today() > deadline:
        error = CertificationDeadlinePassed(months=programme.certification_window_months, deadline=deadline.isoformat())
        error.fields = {"move_date": [error.render_message()]}
        raise error
    age = age_on(birth_date, move_date)
    if programme.age_limit_at_move is not None and age >= programme.age_limit_at_move:
        error = AgeLimit(limit=programme.age_limit_at_move, age=age)
        error.fields = {"birth_date": [error.render_message()]}
        raise error
    covered = programme.workplace_prefectures or []
    if covered and workplace_prefecture not in covered:
        error = WorkplaceNotCovered(prefectures="、".join(covered), prefecture=workplace_prefecture)
        error.fields = {"workplace_prefecture": [error.render_message()]}
        raise error
    others = programme.not_combinable_with.all()
    held = (
        Certification.objects.filter(visitor=visitor, programme__in=others, status__in=Certification.LIVE_STATUSES)
        .select_related("programme")
        .first()
    )
    if held is not None:
        error = NotCombinable(programme=held.programme.code)
        error.fields = {"programme": [error.render_message()]}
        raise error


@transaction.atomic
def certification_apply(
    *, visitor, programme: str, move_date: date, birth_date: date, workplace_prefecture: str
) -> Certification:
    chosen = _monthly_programme(programme)
    if Certification.objects.filter(visitor=visitor, programme=chosen, status__in=Certification.LIVE_STATUSES).exists():
        raise CertificationExists(fields={"programme": [str(CertificationExists.default_message)]})
    _check_eligibility(
        visitor=visitor,
        programme=chosen,
        move_date=move_date,
        birth_date=birth_date,
        workplace_prefecture=workplace_prefecture,
    )
    try:
        with transaction.atomic():
            return Certification.objects.create(
                visitor=visitor,
                programme=chosen,
                move_date=move_date,
                birth_date=birth_date,
                workplace_prefecture=workplace_prefecture,
                applied_on=services.today(),
            )
    except IntegrityError:
        # The partial unique index caught a second application made at the same moment.
        raise CertificationExists(fields={"programme": [str(CertificationExists.default_message)]}) from None


def _locked(certification: Certification, *allowed: str) -> Certification:
    locked = Certification.objects.select_for_update(of=("self",)).select_related("programme").get(id=certification.id)
    if locked.status not in allowed:
        raise CertificationInvalidStatus(status=locked.get_status_display())
    return locked


@transaction.atomic
def certification_approve(*, certification: Certification, actor, reason: str = "") -> Certification:
    """認定: the months paid run from the month after today's (rule 44)."""
    certification = _locked(certification, C.PENDING)
    certified_on = services.today()
    certification.first_month, certification.last_month = certification_period(certification.programme, certified_on)
    certification.certified_on = certified_on
    certification.status = C.APPROVED
    certification.decided_by, certification.decided_at, certification.decision_reason = actor, timezone.now(), reason
    certification.save()
    return certification


@transaction.atomic
def certification_refuse(*, certification: Certification, actor, reason: str) -> Certification:
    """Staff refuse an application, or withdraw an approval: the months not claimed yet can no longer be."""
    certification = _locked(certification, C.PENDING, C.APPROVED)
    certification.status = C.REFUSED
    certification.decided_by, certification.decided_at, certification.decision_reason = actor, timezone.now(), reason
    certification.save()
    return certification
