"""Sessions end when an account's credentials change, whatever the path (the admin, the API's password change,
a reset, a deactivation, a deletion).

Access tokens carry a digest of the password hash (simplejwt's CHECK_REVOKE_TOKEN), which the JWT
authentication compares with the stored one: a new password refuses every access token issued before it, and an
inactive account is refused anyway. Refresh tokens are blacklisted here, once the save is known to change the
password or deactivate the account, so that none can mint a new access token."""

from django.db.models.signals import post_save, pre_save
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .models import User


def user_sessions_end(*, user: User) -> int:
    """Blacklists every refresh token of the user not yet blacklisted; the number blacklisted."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).values_list("id", flat=True)
    blacklisted = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=token_id) for token_id in outstanding], ignore_conflicts=True
    )
    return len(blacklisted)


def _note_credential_change(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    instance._credentials_changed = False  # type: ignore[attr-defined]
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # the login's last_login, a profile edit: one query saved on every sign-in
    stored = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    instance._credentials_changed = stored["password"] != instance.password or (  # type: ignore[attr-defined]
        stored["is_active"] and not instance.is_active
    )


def _end_sessions_after_change(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if not raw and getattr(instance, "_credentials_changed", False):
        instance._credentials_changed = False  # type: ignore[attr-defined]
        user_sessions_end(user=instance)


def connect() -> None:
    pre_save.connect(_note_credential_change, sender=User, dispatch_uid="accounts.sessions.note")
    post_save.connect(_end_sessions_after_change, sender=User, dispatch_uid="accounts.sessions.end")
