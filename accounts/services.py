"""Writes on accounts: visitor sign-up, the signed-in user's profile, the password (change and reset) and the
account's deletion."""

from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from . import hooks
from .emails import password_reset_email, sign_up_with_existing_email
from .errors import ActiveBookings, InvalidPassword, InvalidProfile, InvalidRefreshToken, InvalidResetToken
from .models import User
from .prefectures import prefecture_code


def _check_home(*, prefecture: str, municipality_code: str) -> None:
    """A municipality code starts with its prefecture's two-digit code (Saku 202177: Nagano, 20)."""
    if prefecture and municipality_code and municipality_code[:2] != prefecture_code(prefecture):
        message = _("This municipality code is not in %(prefecture)s (its codes start with %(code)s).") % {
            "prefecture": prefecture,
            "code": prefecture_code(prefecture),
        }
        raise InvalidProfile(message, fields={"home_municipality_code": [message]})


def visitor_register(
    *,
    email: str,
    password: str,
    full_name: str = "",
    home_prefecture: str = "",
    home_municipality: str = "",
    home_municipality_code: str = "",
) -> User | None:
    """The new visitor, or None when the address already has an account: its owner is then emailed, and the
    caller answers exactly as for a new account, so that sign-up does not tell who has one."""
    email = User.objects.normalize_email(email).lower()
    _check_home(prefecture=home_prefecture, municipality_code=home_municipality_code)
    user = User(
        email=email,
        full_name=full_name,
        role=User.Role.VISITOR,
        home_prefecture=home_prefecture,
        home_municipality=home_municipality,
        home_municipality_code=home_municipality_code,
    )
    # Hashed in both cases, so that a taken address does not answer faster.
    user.set_password(password)
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            try:
                # Two sign-ups with one address can both pass the check above; the unique index decides.
                with transaction.atomic():
                    user.save()
                return user
            except IntegrityError:
                existing = User.objects.filter(email__iexact=email).first()
                if existing is None:
                    raise
        transaction.on_commit(lambda: sign_up_with_existing_email(user_id=existing.id))
    return None


@transaction.atomic
def user_update_profile(*, user: User, **fields) -> User:
    allowed = {"full_name", "phone", "home_prefecture", "home_municipality", "home_municipality_code"}
    changed = [name for name in fields if name in allowed]
    _check_home(
        prefecture=fields.get("home_prefecture", user.home_prefecture),
        municipality_code=fields.get("home_municipality_code", user.home_municipality_code),
    )
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)
    return user


def refresh_token_revoke(*, token: str, device_token: str = "") -> None:
    """Logout: the refresh token goes on the blacklist, so it can no longer be refreshed (idempotent), and the
    device the app names stops receiving the account's pushes."""
    try:
        refresh = RefreshToken(token)  # type: ignore[arg-type]  # simplejwt annotates the encoded str as Token
        refresh.blacklist()
    except TokenError as exc:
        raise InvalidRefreshToken(fields={"refresh": [str(InvalidRefreshToken.default_message)]}) from exc
    user_id = refresh.payload.get("user_id")
    if device_token and user_id is not None:
        hooks.logged_out(user_id=int(user_id), device_token=device_token)


def _set_password(*, user: User, password: str, field: str) -> None:
    """Sets a password that passes the rules; the save ends every session of the account (accounts/sessions.py)."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidPassword(fields={field: list(exc.messages)}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def user_password_change(*, user: User, new_password: str) -> None:
    """The caller has proved the current password; every session, the caller's included, ends."""
    _set_password(user=user, password=new_password, field="new_password")


def password_reset_request(*, email: str) -> None:
    """Emails a one-time link to the account with this address, if there is an active one. The caller answers the
    same either way, so that the form does not tell who has an account."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email).lower(), is_active=True).first()
    if user is not None and user.has_usable_password():
        transaction.on_commit(lambda: password_reset_email(user_id=user.id))


def password_reset_user(*, uid: str) -> User | None:
    """The active account a reset link's uid names, or None."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(id=user_id, is_active=True).first()


@transaction.atomic
def password_reset_confirm(*, user: User | None, token: str, new_password: str) -> User:
    """Sets the new password if the token is good for the user. The token signs the password hash and the last
    login, so it works once, and for PASSWORD_RESET_TIMEOUT seconds."""
    if user is None or not default_token_generator.check_token(user, token):
        raise InvalidResetToken(fields={"token": [str(InvalidResetToken.default_message)]})
    _set_password(user=user, password=new_password, field="new_password")
    return user


def deleted_email(user_id: int) -> str:
    """What stands in for a deleted account's address: unique, undeliverable (.invalid), free of personal data."""
    return f"deleted-{user_id}@deleted.invalid"


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Erases the account's personal data and ends its sessions. The row stays, for what the law keeps and the
    household's history the programmes' limits count (bookings, claims with their snapshots, audit events, paid
    figures), under an address that frees the old one for a new sign-up. Refused while a booking is still to
    come or a claim is not yet paid."""
    user = User.objects.select_for_update().get(pk=user.pk)
    blocking: dict[str, list[int]] = {"bookings": [], "claims": []}
    for blockers in hooks.deletion_blockers.callables():
        for kind, ids in blockers(user=user).items():
            blocking.setdefault(kind, []).extend(ids)
    if any(blocking.values()):
        raise ActiveBookings(extra={kind: sorted(ids) for kind, ids in blocking.items()})
    user.email = deleted_email(user.pk)
    user.full_name = ""
    user.phone = ""
    user.home_prefecture = ""
    user.home_municipality = ""
    user.home_municipality_code = ""
    user.is_active = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()  # ends every session (accounts/sessions.py)
    hooks.account_erased(user=user)
