"""DRF permissions by role."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsVisitor(BasePermission):
    message = _("Only visitor accounts can do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_visitor)


class IsOperator(BasePermission):
    message = _("Only facility operators can do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_operator)


class IsMunicipalStaff(BasePermission):
    message = _("Only municipal staff can do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_municipal_staff)


class IsVisitorOrStaff(BasePermission):
    """Visitors read their own records, municipal staff their town's: the views' selectors narrow which."""

    message = _("Only visitors and municipal staff can do this.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_visitor or user.is_municipal_staff))


class IsVisitorOrOperator(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_visitor or user.is_operator))


class IsBookingReader(BasePermission):
    """Visitors, operators and municipal staff each see their own share of the bookings."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
