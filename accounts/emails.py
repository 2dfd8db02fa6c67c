"""The bilingual email sent to an address's owner when someone signs up with it again: sign-up answers the same
for a new and a taken address, so only the owner learns that the address has an account."""

from django.conf import settings
from django.core.mail import send_mail

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
