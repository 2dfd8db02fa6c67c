"""Where the apps above bookings plug in, so that bookings never imports them: payments fills the payment
provider, reimbursements the subsidy estimates and what a cancellation does to claims, memberships a member's
price and the credit it draws. Each app registers its callables from its AppConfig.ready(); bookings calls them
through the names below."""

from collections.abc import Callable
from dataclasses import dataclass

from backend.hooks import Hook, Receivers

# --- payments --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStarted:
    """How the payment provider takes a new booking's payment, asked inside the booking's transaction before
    the booking is written."""

    # Writes the payment, once the booking's row exists (same transaction).
    record: Callable[[], object]
    # Paid on site: the booking is written confirmed, with this note on the confirmation in its audit trail.
    confirm_note: str = ""
    # Run once the booking has committed (asking Stripe for the payment); may release the booking and raise.
    after_commit: Callable[[], object] | None = None


# (booking) -> PaymentStarted | None: inside the new booking's transaction, the booking not written yet (no id):
# how it is paid. None leaves the booking pending with no payment.
payment_start = Hook("payment_start")
# (booking, amount_yen, reason) -> None: after commit of a cancellation, with what is owed back.
payment_refund = Hook("payment_refund")
# (booking, is_visitor) -> dict | None: the payment as a booking response shows it.
payment_data = Hook("payment_data", default=lambda **kwargs: None)

# --- reimbursements --------------------------------------------------------------------------------------------

# (visitor, unit, kind, dates, nights, adults, children, infants) -> {"reimbursement": dict | None,
# "reimbursements": [dict]}: a quote's subsidy estimates, the first of the list shown alone.
estimate_for_quote = Hook("estimate_for_quote", default=lambda **kwargs: {"reimbursement": None, "reimbursements": []})
# (bookings) -> {booking id: {"reimbursement": ..., "reimbursements": [...]}}: the estimates of a page of bookings.
estimates_for_bookings = Hook("estimates_for_bookings", default=lambda **kwargs: {})

# (booking_id, actor) -> None: inside the cancellation's transaction, after the booking is cancelled.
booking_cancelled = Receivers("booking_cancelled")

# (booking_id, actor) -> None: inside the transaction of a change of the booking's dates, after it is written.
booking_changed = Receivers("booking_changed")

# (booking_id) -> None: inside the transaction that released a pending booking (payment failed, hold expired).
booking_released = Receivers("booking_released")

# --- memberships -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberCharge:
    """What a member pays for a stay instead of its list price, and how the credit it draws is written."""

    # (date, price) for each line of the stay, as the member pays them.
    lines: tuple
    # (booking_id) -> None: writes the credit drawn, once the booking's row exists (same transaction).
    record: Callable[[int], object]


# (visitor, stay, locked) -> MemberCharge | None: a visitor's plan pricing a stay (`stay`: a priced
# stays.BookingRequest). `locked`: inside the booking's transaction, after the stock rows; the membership is locked
# and its credit decided there. None: the list price.
member_charge = Hook("member_charge", default=lambda **kwargs: None)
