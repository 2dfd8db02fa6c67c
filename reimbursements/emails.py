"""The short bilingual email a visitor receives at each change of their claim's status."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from .models import Claim


def claim_status_email(*, claim_id: int) -> None:
    claim = Claim.objects.select_related("visitor", "programme").get(id=claim_id)
    parts = {}
    for language in ("ja", "en"):
        with translation.override(language):
            parts[language] = (str(Claim.Status(claim.status).label), claim.programme.localized("name"))
    subject = f"申請 #{claim.id}: {parts['ja'][0]} / Claim #{claim.id}: {parts['en'][0]}"
    body = (
        f"{parts['ja'][1]}の申請 #{claim.id} の状態が「{parts['ja'][0]}」になりました。\n"
        f"合計: {claim.total_reimbursable_yen:,}円\n"
        + (f"交付決定額: {claim.granted_amount_yen:,}円\n" if claim.granted_amount_yen is not None else "")
        + (f"理由: {claim.rejection_reason}\n" if claim.rejection_reason else "")
        + "\n"
        f"Your claim #{claim.id} under {parts['en'][1]} is now {parts['en'][0]}.\n"
        f"Total: ¥{claim.total_reimbursable_yen:,}\n"
        + (f"Granted: ¥{claim.granted_amount_yen:,}\n" if claim.granted_amount_yen is not None else "")
        + (f"Reason: {claim.rejection_reason}\n" if claim.rejection_reason else "")
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [claim.visitor.email])
