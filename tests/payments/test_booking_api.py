"""Card payment seen through the booking endpoints: the client secret, outages, cancellations and refunds."""

import pytest

from tests.bookings.factories import LodgingUnitFactory, iso
from tests.bookings.helpers import BOOKINGS, book, error, taken
from tests.conftest import client_for
from tests.factories import VisitorFactory
from tests.payments.helpers import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def house(organisation):
    """One house at 9,000 yen a night; free cancellation until 7 days before, then 30 % kept."""
    return LodgingUnitFactory(
        facility__operator=organisation, price_yen=9000, free_cancellation_days=7, cancellation_fee_percent=30
    )


def stay(unit, start: int, end: int) -> dict:
    return {"unit": unit.id, "check_in": iso(start), "check_out": iso(end), "adults": 2}


def paid_booking(client, api_client, fake_stripe, unit, start, end) -> dict:
    response = book(client, stay(unit, start, end))
    assert response.status_code == 201, response.content
    booking = response.json()
    intent = next(i for i in fake_stripe.intents.values() if i["metadata"]["booking_id"] == str(booking["id"]))
    assert deliver(api_client, "payment_intent.succeeded", fake_stripe.pay(intent["id"])).status_code == 200
    return {**booking, "intent_id": intent["id"]}


def cancel(client, booking, reason=None):
    return client.post(
        f"{BOOKINGS}{booking['id']}/cancel/", {} if reason is None else {"reason": reason}, format="json"
    )


def test_booking_with_stripe_returns_the_client_secret_to_its_visitor_only(
    house, visitor_client, operator_client, fake_stripe
):
    response = book(visitor_client, stay(house, 30, 32))

    assert response.status_code == 201, response.content
    body = response.json()
    intent = next(iter(fake_stripe.intents.values()))
    assert body["status"] == "pending" and body["hold_expires_at"]
    assert body["payment"]["provider"] == "stripe" and body["payment"]["status"] == "pending"
    assert body["payment"]["client_secret"] == intent["client_secret"]
    assert (intent["amount"], intent["currency"], intent["metadata"]) == (18000, "jpy", {"booking_id": str(body["id"])})
    assert taken(house) == 2
    as_operator = operator_client.get(f"{BOOKINGS}{body['id']}/").json()
    assert as_operator["payment"]["client_secret"] is None
    assert client_for(VisitorFactory()).get(f"{BOOKINGS}{body['id']}/").status_code == 404


def test_the_answer_to_a_card_booking_is_the_booking_as_read_back(house, visitor_client, fake_stripe):
    """Built from what the booking's transaction and Stripe's answer wrote, not read back."""
    made = book(visitor_client, stay(house, 30, 32)).json()

    assert made["payment"]["client_secret"] and made["payment"]["refunds"] == []
    assert made == visitor_client.get(f"{BOOKINGS}{made['id']}/").json()


@pytest.mark.parametrize("outage", ["connection_error", "server_error"])
def test_stripe_outage_answers_503_and_a_retry_with_the_same_key_books_again(
    house, visitor_client, fake_stripe, outage
):
    if outage == "connection_error":
        fake_stripe.down = True
    else:
        fake_stripe.server_errors = 100
    headers = {"HTTP_IDEMPOTENCY_KEY": "phone-7f3a"}

    refused = book(visitor_client, stay(house, 30, 32), **headers)

    assert refused.status_code == 503
    assert int(refused["Retry-After"]) > 0
    assert error(refused)["code"] == "payment_unavailable"
    assert (
        error(refused)["message"]
        == "現在カード決済をご利用いただけないため、予約は確保されませんでした。数分後にもう一度お試しください。"
    )
    assert taken(house) == 0

    fake_stripe.down, fake_stripe.server_errors = False, 0
    retried = book(visitor_client, stay(house, 30, 32), **headers)
    replayed = book(visitor_client, stay(house, 30, 32), **headers)

    assert retried.status_code == 201, retried.content
    body = retried.json()
    assert body["status"] == "pending"
    assert body["payment"]["client_secret"] == next(iter(fake_stripe.intents.values()))["client_secret"]
    assert replayed.status_code == 201 and replayed.json()["id"] == body["id"]
    assert taken(house) == 2


def test_outage_message_in_english(house, visitor_client, fake_stripe):
    fake_stripe.down = True

    refused = book(visitor_client, stay(house, 30, 32), HTTP_ACCEPT_LANGUAGE="en")

    assert refused.json() == {
        "error": {
            "code": "payment_unavailable",
            "fields": {},
            "message": (
                "Card payment is not available right now, so the booking was not kept. Please try again in a few minutes."
            ),
        }
    }


def test_visitor_cancelling_late_is_refunded_what_the_policy_leaves(house, visitor_client, api_client, fake_stripe):
    booking = paid_booking(visitor_client, api_client, fake_stripe, house, 3, 5)  # 18,000 yen, 3 days ahead

    response = cancel(visitor_client, booking)

    assert response.status_code == 200
    body = response.json()
    # Inside the 7 free days the unit keeps 30 %: 5,400 of 18,000, so 12,600 goes back.
    assert (body["status"], body["cancellation_fee_yen"]) == ("cancelled", 5400)
    assert body["payment"]["refunded_yen"] == 12600
    assert [(r["amount_yen"], r["status"]) for r in body["payment"]["refunds"]] == [(12600, "succeeded")]
    assert [r["amount"] for r in fake_stripe.refunds_of(booking["intent_id"])] == [12600]


def test_visitor_cancelling_in_the_free_period_is_refunded_in_full(house, visitor_client, api_client, fake_stripe):
    booking = paid_booking(visitor_client, api_client, fake_stripe, house, 10, 12)

    body = cancel(visitor_client, booking).json()

    assert (body["cancellation_fee_yen"], body["payment"]["refunded_yen"]) == (0, 18000)


def test_operator_cancelling_refunds_in_full_even_inside_the_fee_window(
    house, visitor_client, operator_client, api_client, fake_stripe
):
    booking = paid_booking(visitor_client, api_client, fake_stripe, house, 2, 4)

    response = cancel(operator_client, booking, "水道管の故障のため")

    assert response.status_code == 200
    assert response.json()["payment"]["refunded_yen"] == 18000
    seen_by_visitor = visitor_client.get(f"{BOOKINGS}{booking['id']}/").json()
    assert seen_by_visitor["payment"]["refunds"][0]["amount_yen"] == 18000
    assert [r["amount"] for r in fake_stripe.refunds_of(booking["intent_id"])] == [18000]


def test_a_card_payment_is_refunded_the_nights_given_up_less_the_fee(house, visitor_client, api_client, fake_stripe):
    booking = paid_booking(visitor_client, api_client, fake_stripe, house, 3, 6)  # 27,000 yen, 3 days ahead

    response = visitor_client.post(f"{BOOKINGS}{booking['id']}/shorten/", {"check_out": iso(4)}, format="json")
    body = response.json()

    # Two nights (18,000 yen) given up inside the fee window: 30 % (5,400) kept, 12,600 back; the stay is 9,000.
    assert response.status_code == 200, response.content
    assert (body["total_yen"], body["cancellation_fee_yen"], body["payment"]["refunded_yen"]) == (9000, 5400, 12600)
    assert [r["amount"] for r in fake_stripe.refunds_of(booking["intent_id"])] == [12600]
