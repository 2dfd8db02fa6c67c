"""Writes on accounts."""
from django.db import transaction

from .errors import EmailTaken
from .models import User


@transaction.atomic
def visitor_register(*, email: str, password: str, full_name: str = "", home_prefecture: str = "",
                     home_municipality: str = "", home_municipality_code: str = "") -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(fields={"email": [str(EmailTaken.default_message)]})
    user = User(email=email, full_name=full_name, role=User.Role.VISITOR, home_prefecture=home_prefecture,
                home_municipality=home_municipality, home_municipality_code=home_municipality_code)
    user.set_password(password)
    user.save()
    return user


def user_update_profile(*, user: User, **fields) -> User:
    allowed = {"full_name", "phone", "home_prefecture", "home_municipality", "home_municipality_code"}
    changed = [name for name in fields if name in allowed]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)
    return user
