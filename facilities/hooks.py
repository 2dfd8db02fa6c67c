"""Where bookings plugs into the catalogue, so that facilities never imports it: which units are open and not
sold out on some dates (search), and whether units have bookings (deleting keeps history), registered from
bookings' AppConfig.ready(); a facility's plans, from memberships'."""

from backend.hooks import Hook

# (units, first_day, last_day) -> the units queryset narrowed to those open and not sold out on every date.
units_open_and_free = Hook("units_open_and_free")
# (units) -> bool: whether any of them has a pending or confirmed booking.
units_have_active_bookings = Hook("units_have_active_bookings")
# (units) -> bool: whether any of them was ever booked.
units_have_bookings = Hook("units_have_bookings")
# (facility) -> [dict]: the facility's plans open to join, as GET /facilities/{id}/plans/ shows them (memberships).
facility_plans = Hook("facility_plans", default=lambda **kwargs: [])
# (units, check_in, check_out, adults, children, infants, visitor) -> {unit id: {"total_yen",
# "total_reimbursable_yen"}}: a dated search's prices, for the units a quote would accept (the others absent);
# the estimate is the visitor's (None: anyone else, then null).
units_priced = Hook("units_priced", default=lambda **kwargs: {}, raises=False)
