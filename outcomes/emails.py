"""The email asking a visitor, the day after check-out, to answer the short survey about their stay."""

from django.conf import settings
from django.core.mail import send_mail

from bookings.models import Booking


def survey_due_email(*, booking_id: int) -> None:
    """Japanese first (the default), English below, like the claim emails: accounts have no language of their own."""
    booking = Booking.objects.select_related("visitor", "unit__facility").get(id=booking_id)
    facility = booking.unit.facility
    url = f"{settings.SITE_URL}/api/v1/bookings/{booking.id}/survey/"
    subject = f"ご滞在のアンケートのお願い / How was your stay? (#{booking.id})"
    body = (
        f"{facility.name_ja}でのご滞在（{booking.check_in}〜{booking.check_out}）はいかがでしたか。\n"
        "1分で終わる短いアンケートにお答えください。アプリの予約画面から回答できます。\n"
        f"{url}\n"
        "\n"
        f"How was your stay at {facility.name_en or facility.name_ja} ({booking.check_in} to {booking.check_out})?\n"
        "Please answer a one-minute survey from the booking's page in the app.\n"
        f"{url}\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [booking.visitor.email])
