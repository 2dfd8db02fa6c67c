"""The short bilingual emails of a claim: the visitor's at each change of its status, and the town's staff's when
a claim is void because its stay was cancelled."""

from django.conf import settings
from django.contrib.auth import get_user_model
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


def claim_cancelled_staff_email(*, claim_id: int) -> None:
    """The town's staff learn that a claim they granted, were reviewing or approved will not be paid."""
    claim = Claim.objects.select_related("programme").get(id=claim_id)
    User = get_user_model()
    staff = list(
        User.objects.filter(
            role=User.Role.MUNICIPAL_STAFF, municipality_id=claim.programme.municipality_id, is_active=True
        ).values_list("email", flat=True)
    )
    if not staff:
        return
    subject = f"申請 #{claim.id}: 宿泊取消により無効 / Claim #{claim.id}: void, its stay was cancelled"
    body = (
        f"申請 #{claim.id} の予約がキャンセルされたため、申請は無効になりました。日数と予算は戻されました。\n\n"
        f"The booking of claim #{claim.id} was cancelled, so the claim is void; its days and budget went back.\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, staff)
