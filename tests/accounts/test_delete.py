"""Deleting one's account (DELETE /me/): personal data erased, sessions ended, what the law keeps kept; refused
while a booking is still to come or a claim not yet paid."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import User
from bookings.models import Booking
from reimbursements.models import Claim, ClaimEvent
from tests.accounts.test_sessions_end import PASSWORD, assert_session_ended, sign_in
from tests.bookings.factories import day
from tests.console.conftest import logged_in
from tests.console.scenario import operator_with_facility
from tests.factories import VisitorFactory
from tests.reimbursements.factories import ProgrammeFactory, make_booking

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


@pytest.fixture
def hanako() -> User:
    return VisitorFactory(
        email="hanako@example.jp",
        full_name="佐久 花子",
        phone="090-1234-5678",
        home_prefecture="東京都",
        home_municipality="世田谷区",
        home_municipality_code="131121",
    )


def bearer(tokens: dict) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def paid_claim(visitor: User) -> Claim:
    booking = make_booking(visitor=visitor, check_in=day(-20), check_out=day(-18), status=Booking.Status.COMPLETED)
    claim = Claim.objects.create(
        booking=booking,
        visitor=visitor,
        programme=ProgrammeFactory(),
        status=Claim.Status.PAID,
        total_reimbursable_yen=6000,
        approved_amount_yen=6000,
        paid_at=timezone.now() - dt.timedelta(days=3),
        claimant_name=visitor.full_name,
        claimant_email=visitor.email,
        claimant_home_municipality_code=visitor.home_municipality_code,
    )
    ClaimEvent.objects.create(claim=claim, from_status="approved", to_status="paid", actor=visitor)
    return claim


def test_deleting_the_account_erases_it_and_keeps_what_the_law_keeps(hanako):
    claim = paid_claim(hanako)
    cancelled = make_booking(visitor=hanako, check_in=day(30), check_out=day(32), status=Booking.Status.CANCELLED)
    phone, tablet = sign_in(hanako.email), sign_in(hanako.email)

    response = bearer(phone).delete(ME, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    hanako.refresh_from_db()
    assert (hanako.full_name, hanako.phone, hanako.home_prefecture, hanako.home_municipality) == ("", "", "", "")
    assert hanako.home_municipality_code == ""
    assert hanako.email == f"deleted-{hanako.pk}@deleted.invalid"
    assert not hanako.is_active and not hanako.has_usable_password() and hanako.deleted_at is not None
    assert_session_ended(phone)
    assert_session_ended(tablet)
    # Kept: the bookings, the claim with its snapshot and its paid figure, its audit events.
    claim.refresh_from_db()
    assert claim.visitor_id == hanako.pk and claim.status == "paid" and claim.approved_amount_yen == 6000
    assert claim.claimant_name == "佐久 花子" and claim.claimant_home_municipality_code == "131121"
    assert ClaimEvent.objects.filter(claim=claim, to_status="paid").exists()
    assert set(Booking.objects.filter(visitor=hanako).values_list("id", flat=True)) == {claim.booking_id, cancelled.id}


def test_the_address_of_a_deleted_account_may_sign_up_again(hanako):
    bearer(sign_in(hanako.email)).delete(ME, {"password": PASSWORD}, format="json")

    again = APIClient().post(
        "/api/v1/auth/register/", {"email": "hanako@example.jp", "password": "a-fresh-start-2027"}, format="json"
    )

    assert again.status_code == 202
    fresh = User.objects.get(email="hanako@example.jp")
    assert fresh.pk != hanako.pk and fresh.deleted_at is None
    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"email": "hanako@example.jp", "password": PASSWORD}, format="json")
        .status_code
        == 401
    )


@pytest.mark.parametrize("status", [Booking.Status.CONFIRMED, Booking.Status.PENDING])
def test_a_booking_still_to_come_refuses_the_deletion_naming_it(hanako, status):
    to_come = make_booking(visitor=hanako, check_in=day(10), check_out=day(12), status=status)
    under_way = make_booking(visitor=hanako, check_in=day(-1), check_out=day(1))
    make_booking(visitor=hanako, check_in=day(-5), check_out=day(0))  # leaves today: over
    tokens = sign_in(hanako.email)

    response = bearer(tokens).delete(ME, {"password": PASSWORD}, format="json")

    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "active_bookings"
    assert body["bookings"] == sorted([to_come.id, under_way.id]) and body["claims"] == []
    hanako.refresh_from_db()
    assert hanako.is_active and hanako.full_name == "佐久 花子" and hanako.deleted_at is None
    assert bearer(tokens).get(ME).status_code == 200


@pytest.mark.parametrize("status", ["applied", "granted", "submitted", "approved"])
def test_a_claim_not_yet_paid_refuses_the_deletion_naming_it(hanako, status):
    booking = make_booking(visitor=hanako, check_in=day(-20), check_out=day(-18), status=Booking.Status.COMPLETED)
    amounts = {"granted_amount_yen": 6000} if status == "granted" else {}
    amounts |= {"approved_amount_yen": 6000} if status == "approved" else {}
    claim = Claim.objects.create(
        booking=booking,
        visitor=hanako,
        programme=ProgrammeFactory(),
        status=status,
        total_reimbursable_yen=6000,
        **amounts,
    )

    response = bearer(sign_in(hanako.email)).delete(ME, {"password": PASSWORD}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["claims"] == [claim.id]
    hanako.refresh_from_db()
    assert hanako.deleted_at is None


@pytest.mark.parametrize(("body", "code"), [({"password": "not-the-password"}, "wrong_password"), ({}, "invalid")])
def test_a_wrong_or_missing_password_is_a_400_and_deletes_nothing(hanako, body, code):
    tokens = sign_in(hanako.email)

    response = bearer(tokens).delete(ME, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and list(response.json()["error"]["fields"]) == ["password"]
    hanako.refresh_from_db()
    assert hanako.deleted_at is None and hanako.email == "hanako@example.jp"
    assert bearer(tokens).get(ME).status_code == 200


def test_the_admin_shows_the_account_as_deleted(hanako, admin_client):
    bearer(sign_in(hanako.email)).delete(ME, {"password": PASSWORD}, format="json")

    page = admin_client.get("/admin/accounts/user/", {"deleted_at__isnull": "False"})

    assert page.status_code == 200
    content = page.content.decode()
    assert f"deleted-{hanako.pk}@deleted.invalid" in content and "hanako@example.jp" not in content
    hanako.refresh_from_db()
    with translation.override("en"):
        assert hanako.display_name == f"deleted account #{hanako.pk}"


def test_the_console_shows_a_deleted_guest_as_deleted(hanako, monkeypatch):
    """A guest leaving today may delete the account (the stay is over); the operator's day still lists it."""
    operator, _facility, unit = operator_with_facility()
    leaving = make_booking(visitor=hanako, unit=unit, check_in=day(-2), check_out=day(0))
    bearer(sign_in(hanako.email)).delete(ME, {"password": PASSWORD}, format="json")

    html = logged_in(operator, "en").get("/console/operator/").content.decode()

    departures = html.split("Departures on")[1]
    assert f"/console/operator/bookings/{leaving.id}/" in departures
    assert f"deleted account #{hanako.pk}" in departures and "佐久 花子" not in html
