"""Hooks through which the apps above accounts take part in an account's deletion (filled from their ready())."""

from backend.hooks import Receivers

# callable(user=) -> {"bookings": [ids]} or {"claims": [ids]}: what must end before the account may be deleted
# (a future booking, a claim not yet paid). Each app answers for its own rows.
deletion_blockers = Receivers("accounts.deletion_blockers")
# callable(user=): the account's personal data is being erased; each app erases what it keeps of it (devices).
# Called inside the deletion's transaction.
account_erased = Receivers("accounts.account_erased")
# callable(user_id=, device_token=): the app logged out on the device with this push token.
logged_out = Receivers("accounts.logged_out")
