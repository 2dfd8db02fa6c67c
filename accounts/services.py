"""Writes on accounts: visitor sign-up and the signed-in user's profile."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import EmailTaken, InvalidProfile
from .models import User
from .prefectures import prefecture_code


def _email_taken() -> EmailTaken:
    return EmailTaken(fields={"email": [str(EmailTaken.default_message)]})


def _check_home(*, prefecture: str, municipality_code: str) -> None:
    """A municipality code starts with its prefecture's two-digit code (Saku 202177: Nagano, 20)."""
    if prefecture and municipality_code and municipality_code[:2] != prefecture_code(prefecture):
        message = _("This municipality code is not in %(prefecture)s (its codes start with %(code)s).") % {
            "prefecture": prefecture, "code": prefecture_code(prefecture)}
        raise InvalidProfile(message, fields={"home_municipality_code": [message]})


@transaction.atomic
def visitor_register(*, email: str, password: str, full_name: str = "", home_prefecture: str = "",
                     home_municipality: str = "", home_municipality_code: str = "") -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken()
    _check_home(prefecture=home_prefecture, municipality_code=home_municipality_code)
    user = User(email=email, full_name=full_name, role=User.Role.VISITOR, home_prefecture=home_prefecture,
                home_municipality=home_municipality, home_municipality_code=home_municipality_code)
    user.set_password(password)
    try:
        # Two sign-ups with one address can both pass the check above; the unique index decides.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        if User.objects.filter(email__iexact=email).exists():
            raise _email_taken() from exc
        raise
    return user


@transaction.atomic
def user_update_profile(*, user: User, **fields) -> User:
    allowed = {"full_name", "phone", "home_prefecture", "home_municipality", "home_municipality_code"}
    changed = [name for name in fields if name in allowed]
    _check_home(prefecture=fields.get("home_prefecture", user.home_prefecture),
                municipality_code=fields.get("home_municipality_code", user.home_municipality_code))
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)
    return user
