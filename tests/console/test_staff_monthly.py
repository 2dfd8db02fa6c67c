"""The console's page of monthly programmes: staff approve or refuse certifications and see a month's queue."""

from datetime import date

import pytest
from django.utils import timezone

from reimbursements import certification_services, services
from reimbursements.models import Certification
from tests import factories
from tests.console.conftest import logged_in
from tests.reimbursements.monthly import certified_person, drafted_month, monthly_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def commuting(saku):
    return monthly_programme()


def pending_certification(programme, staff, monkeypatch):
    from outcomes.models import Move

    person = factories.VisitorFactory()
    Move.objects.create(
        visitor=person,
        municipality=programme.municipality,
        moved_on=date(2026, 4, 1),
        reported_by=staff,
        confirmed_by=staff,
        confirmed_at=timezone.now(),
    )
    monkeypatch.setattr(services, "today", lambda: date(2026, 4, 10))
    return certification_services.certification_apply(
        visitor=person,
        programme=programme.code,
        move_date=date(2026, 4, 1),
        birth_date=date(1990, 1, 1),
        workplace_prefecture="東京都",
    )


def test_staff_approve_and_refuse_certifications(commuting, staff_user, monkeypatch):
    first = pending_certification(commuting, staff_user, monkeypatch)
    second = pending_certification(commuting, staff_user, monkeypatch)
    client = logged_in(staff_user, "en")
    page = client.get("/console/staff/monthly/").content.decode()
    assert f"#{first.id}" in page and f"#{second.id}" in page
    client.post(f"/console/staff/certifications/{first.id}/approve/")
    client.post(f"/console/staff/certifications/{second.id}/refuse/", {"refuse-reason": "勤務先証明なし"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.first_month) == (Certification.Status.APPROVED, date(2026, 5, 1))
    assert (second.status, second.decision_reason) == (Certification.Status.REFUSED, "勤務先証明なし")


def test_the_month_queue(commuting, staff_user):
    person = certified_person(commuting, staff_user)
    claim = drafted_month(person, commuting, date(2026, 6, 1), tickets=(58000,), allowance=20000)
    services.claim_submit(claim=claim, actor=person)
    page = logged_in(staff_user, "en").get("/console/staff/monthly/?month=2026-06").content.decode()
    assert f"#{claim.id}" in page and "¥19,000" in page
    detail = logged_in(staff_user, "en").get(f"/console/staff/claims/{claim.id}/")
    assert detail.status_code == 200 and "2026-06" in detail.content.decode()
