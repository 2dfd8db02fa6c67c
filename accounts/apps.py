from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import sessions  # noqa: PLC0415  (models are loaded only once the registry is ready)

        sessions.connect()
