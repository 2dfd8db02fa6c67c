"""A booking answer is written out by hand for speed: it must say exactly what the declared fields say."""

import json

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from bookings import selectors, services
from bookings.serializers import BookingSerializer
from reimbursements import estimates as reimbursement_estimates
from tests.bookings.factories import day
from tests.reimbursements.factories import saku_programme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_written_out_booking_equals_the_declared_fields(
    saku, house, desks, visitor, operator_user, monkeypatch, language
):
    saku_programme()
    services.booking_create(visitor=visitor, unit=house, check_in=day(10), check_out=day(13), adults=2, children=1)
    services.booking_create(visitor=visitor, unit=desks, dates=[day(11), day(12)], adults=1)
    cancelled = services.booking_create(visitor=visitor, unit=house, check_in=day(3), check_out=day(5), adults=1)
    services.booking_cancel(booking=cancelled, actor=visitor, reason="予定が変わりました")
    monkeypatch.setattr("payments.services.payment_open", lambda *, booking: None)
    services.booking_create(visitor=visitor, unit=house, check_in=day(20), check_out=day(21), adults=1)
    monkeypatch.undo()
    bookings = list(selectors.booking_list(user=visitor))
    estimates = reimbursement_estimates.compute(bookings=bookings).bookings

    for reader in (visitor, operator_user):
        request = APIRequestFactory().get("/api/v1/bookings/")
        request.user = reader
        serializer = BookingSerializer(context={"request": request, "estimates": estimates})
        with translation.override(language):
            written = [serializer.to_representation(booking) for booking in bookings]
            declared = [serializers.Serializer.to_representation(serializer, booking) for booking in bookings]

        assert len(written) == 4
        # Same keys in the same order, same values of the same JSON types.
        assert json.dumps(written, ensure_ascii=False) == json.dumps(declared, ensure_ascii=False)
        by_status = {row["status"]: row for row in written if row["kind"] == "stay"}
        assert by_status["cancelled"]["cancel_reason"] == "予定が変わりました"
        assert by_status["cancelled"]["cancelled_at"] is not None
        assert by_status["pending"]["hold_expires_at"] is not None
        assert by_status["confirmed"]["reimbursement"]["eligible"] is True
        assert (by_status["confirmed"]["calendar_url"] is None) == (reader == operator_user)
