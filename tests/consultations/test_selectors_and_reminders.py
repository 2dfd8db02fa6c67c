"""What the subsidy rules ask (did the visitor meet the town's staff between two dates) and the day-before
reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from consultations.models import Consultation
from consultations.selectors import consultation_attended, consultations_attended_dates
from consultations.tasks import remind
from tests.factories import VisitorFactory, matsue, saku

from .factories import ConsultationFactory, at

pytestmark = pytest.mark.django_db

ATTENDED = Consultation.Status.ATTENDED


def day(offset):
    return timezone.localdate() + dt.timedelta(days=offset)


def test_an_attended_consultation_in_the_window_counts():
    visitor = VisitorFactory()
    ConsultationFactory(visitor=visitor, slot__starts_at=at(-5, 9), status=ATTENDED)

    def attended(start, end, municipality=None):
        return consultation_attended(
            visitor_id=visitor.id, municipality_id=(municipality or saku()).id, start=start, end=end
        )

    assert attended(day(-5), day(-5))
    assert attended(day(-10), day(-5))
    assert attended(day(-5), day(0))
    assert not attended(day(-4), day(0))
    assert not attended(day(-10), day(-6))
    assert not attended(day(-10), day(0), matsue())


def test_the_date_is_taken_in_japan_time():
    """00:30 in Tokyo is the previous day in UTC: it still counts for the Tokyo date."""
    visitor = VisitorFactory()
    ConsultationFactory(visitor=visitor, slot__starts_at=at(-3, 0, 30), status=ATTENDED)

    assert consultation_attended(visitor_id=visitor.id, municipality_id=saku().id, start=day(-3), end=day(-3))
    assert not consultation_attended(visitor_id=visitor.id, municipality_id=saku().id, start=day(-4), end=day(-4))


@pytest.mark.parametrize("status", ["booked", "missed", "cancelled"])
def test_only_attended_ones_count(status):
    visitor = VisitorFactory()
    ConsultationFactory(visitor=visitor, slot__starts_at=at(-2), status=status)

    assert not consultation_attended(visitor_id=visitor.id, municipality_id=saku().id, start=day(-3), end=day(0))


def test_the_bulk_variant_answers_the_same_in_one_query(django_assert_num_queries):
    first, second, third = VisitorFactory(), VisitorFactory(), VisitorFactory()
    ConsultationFactory(visitor=first, slot__starts_at=at(-5, 0, 30), status=ATTENDED)
    ConsultationFactory(visitor=first, slot__starts_at=at(-1), status=ATTENDED)
    ConsultationFactory(visitor=second, slot__starts_at=at(-2), status=Consultation.Status.MISSED)
    ConsultationFactory(visitor=third, slot__starts_at=at(-2), slot__municipality=matsue(), status=ATTENDED)

    town = saku()
    with django_assert_num_queries(1):
        dates = consultations_attended_dates(visitor_ids=[first.id, second.id, third.id], municipality_ids=[town.id])

    assert dates == {(first.id, town.id): {day(-5), day(-1)}}


def test_the_reminder_goes_the_day_before_once(django_capture_on_commit_callbacks):
    tomorrow = ConsultationFactory(slot__starts_at=at(1, 8, 30), language="en")
    ConsultationFactory(slot__starts_at=at(2))
    ConsultationFactory(slot__starts_at=at(1, 9), status=Consultation.Status.CANCELLED)

    # The email goes once the reminder is committed (outside a test, at once: the job runs in autocommit).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("consultations_remind")
    again = remind()

    assert again == 0
    assert [m.to for m in mail.outbox] == [[tomorrow.visitor.email]]
    assert mail.outbox[0].subject == "Tomorrow: your consultation with Saku"
    assert "08:30" in mail.outbox[0].body


def test_the_reminder_is_in_japanese_by_default(django_capture_on_commit_callbacks):
    ConsultationFactory(slot__starts_at=at(1, 14))

    with django_capture_on_commit_callbacks(execute=True):
        assert remind() == 1
    assert mail.outbox[0].subject == "明日は佐久市との移住相談です"
