"""The survey email: the day after check-out, once per booking, Japanese first (manage.py surveys_due, Celery)."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from bookings.models import Booking
from outcomes.tasks import surveys_due
from tests.conftest import client_for
from tests.factories import FacilityFactory, UnitFactory, VisitorFactory
from tests.outcomes.helpers import answer, stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(saku):
    return UnitFactory(facility=FacilityFactory(municipality=saku, name_ja="ホシノマチ団地", name_en="Hoshinomachi"))


def run() -> str:
    out = StringIO()
    call_command("surveys_due", stdout=out)
    return out.getvalue()


def test_the_day_after_check_out_the_visitor_gets_one_email(unit, today, django_capture_on_commit_callbacks):
    visitor = VisitorFactory(email="hanako@example.jp")
    ended_yesterday = stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 28), nights=3)  # out 10-31
    stay(
        visitor=visitor, unit=unit, check_in=date(2026, 10, 29), nights=3, status=Booking.Status.CONFIRMED
    )  # checks out today: tomorrow's run

    # The email goes once the invitation is committed (outside a test, at once: the job runs in autocommit).
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 survey emails sent" in run()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["hanako@example.jp"]
    assert email.subject.startswith("ご滞在のアンケートのお願い")
    assert email.body.startswith("ホシノマチ団地でのご滞在（2026-10-28〜2026-10-31）")
    assert f"/api/v1/bookings/{ended_yesterday.id}/survey/" in email.body
    assert "How was your stay at Hoshinomachi" in email.body

    assert "0 survey emails sent" in run()
    assert surveys_due() == 0
    assert len(mail.outbox) == 1


def test_no_email_for_answered_cancelled_or_long_past_stays(unit, today):
    visitor = VisitorFactory()
    answered = stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 20), nights=2)
    assert answer(client_for(visitor), answered).status_code == 201
    stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 24), nights=2, status=Booking.Status.CANCELLED)
    stay(visitor=visitor, unit=unit, check_in=date(2026, 9, 1), nights=2)  # ended two months ago

    assert surveys_due() == 0
    assert mail.outbox == []
