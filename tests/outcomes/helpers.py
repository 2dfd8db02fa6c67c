"""Past stays and their claims written as the apps store them: the API cannot book dates in the past."""

from datetime import date, timedelta

from django.utils import timezone

from bookings.models import Booking
from reimbursements.models import Claim, ClaimDay
from tests.reimbursements.factories import make_booking


def stay(*, visitor, unit, check_in: date, nights: int, status=Booking.Status.COMPLETED) -> Booking:
    return make_booking(
        visitor=visitor, unit=unit, check_in=check_in, check_out=check_in + timedelta(days=nights), status=status
    )


def claim(*, booking: Booking, programme, status: str, total_yen: int = 0, approved_yen: int | None = None) -> Claim:
    """A claim in `status`; frozen ones freeze every day of the stay, check-out day included."""
    now = timezone.now()
    frozen = status in Claim.FROZEN_STATUSES
    made = Claim.objects.create(
        booking=booking,
        visitor=booking.visitor,
        programme=programme,
        status=status,
        total_reimbursable_yen=max(total_yen, approved_yen or 0),
        approved_amount_yen=approved_yen,
        submitted_at=now if frozen else None,
        approved_at=now if approved_yen is not None else None,
        paid_at=now if status == Claim.Status.PAID else None,
    )
    if frozen:
        days = (booking.check_out - booking.check_in).days + 1
        ClaimDay.objects.bulk_create(
            [
                ClaimDay(
                    claim=made, visitor=booking.visitor, programme=programme, date=booking.check_in + timedelta(days=i)
                )
                for i in range(days)
            ]
        )
    return made


def answer(client, booking, *, intention="undecided", purpose="considering_move", satisfaction=4, **extra):
    return client.post(
        f"/api/v1/bookings/{booking.id}/survey/",
        {"purpose": purpose, "satisfaction": satisfaction, "intention": intention, **extra},
        format="json",
    )
