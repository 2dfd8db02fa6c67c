"""Error codes of the notifications API."""

from django.utils.translation import gettext_lazy as _

from backend.errors import NotFound


class DeviceNotFound(NotFound):
    code = "device_not_found"
    default_message = _("No device of this account has this token.")
