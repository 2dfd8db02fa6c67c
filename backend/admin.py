"""What every app's admin shares."""


class ReadOnlyMixin:
    """View permission only: the pages render, and any POST to them is refused with 403. For records that change
    only through the services (bookings, payments, claims and their audit trails)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
