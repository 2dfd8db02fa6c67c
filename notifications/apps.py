from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts import hooks as account_hooks


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import services

        account_hooks.account_erased.register(services.devices_of_user_remove)
        account_hooks.logged_out.register(services.device_of_session_remove)
