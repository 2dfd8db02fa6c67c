"""The account's bilingual emails: to an address's owner when someone signs up with it again (sign-up answers the
same for a new and a taken address, so only the owner learns that the address has an account), and the password
reset link."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backend.app_links import app_link

from .models import User


def sign_up_with_existing_email(*, user_id: int) -> None:
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None:
        return
    subject = "お試し：アカウント登録について / Otameshi: about your sign-up"
    body = (
        "このメールアドレスで新しいアカウントの登録が試みられましたが、すでにアカウントがあります。\n"
        "ご本人であれば、登録済みのパスワードでログインしてください。"
        "お心当たりがなければ、このメールは無視して構いません。\n"
        "\n"
        "Someone tried to sign up with this email address, which already has an account.\n"
        "If it was you, log in with your existing password. If not, you can ignore this email.\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def password_reset_email(*, user_id: int) -> None:
    """The one-time link (an app link; PASSWORD_RESET_TIMEOUT) to set a new password."""
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None:
        return
    link = app_link(
        "password-reset",
        uid=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    subject = "お試し：パスワードの再設定 / Otameshi: reset your password"
    body = (
        f"パスワードを再設定するには、{minutes}分以内に次のリンクを開いてください（一度だけ使えます）。\n"
        f"{link}\n"
        "お心当たりがなければ、このメールは無視して構いません。パスワードは変わりません。\n"
        "\n"
        f"To set a new password, open this link within {minutes} minutes (it works once):\n"
        f"{link}\n"
        "If you did not ask for this, you can ignore this email: your password stays as it is.\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
