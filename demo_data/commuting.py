"""Demo of a monthly programme: Saku's shinkansen commuting subsidy (新幹線通勤補助金) and a certified commuter,
`commuter@demo.otameshi.jp`, who moved three months ago, with two months claimed (one paid, one waiting for the
town's review) and the following months still open. Their figures are the engine's. Safe to run again."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from facilities.models import Municipality
from outcomes.models import Move
from reimbursements import estimates
from reimbursements.estimates.presentation import apply_figures
from reimbursements.estimates.rules import add_months, certification_period, month_of
from reimbursements.models import Certification, Claim, ExpenseLine, Programme

CODE = "saku-shinkansen-commute"
EMAIL = "commuter@demo.otameshi.jp"
# The smallest PNG the receipt check accepts (its signature), standing in for a scanned ticket.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _programme(saku: Municipality) -> Programme:
    programme, _ = Programme.objects.update_or_create(
        code=CODE,
        defaults={
            "name_ja": "佐久市新幹線通勤補助金",
            "name_en": "Saku shinkansen commuting subsidy",
            "municipality": saku,
            "kind": Programme.Kind.MONTHLY,
            # The move dates counted: from 2024-04-01.
            "valid_from": date(2024, 4, 1),
            "valid_until": date(2030, 3, 31),
            "fiscal_year_start_month": 4,
            "age_limit_at_move": 50,
            "workplace_prefectures": ["埼玉県", "千葉県", "東京都", "神奈川県"],
            "certification_window_months": 3,
            "period_months": 24,
            "first_month_offset": 1,
            "share_percent": 50,
            "monthly_cap_yen": 20000,
            "lifetime_cap_yen": 480000,
            "rounding_unit_yen": 1,
            "counted_categories": ["shinkansen_ticket"],
            "deducted_categories": ["commuting_allowance"],
            "excluded_categories": ["commuter_pass"],
            "budget_yen": 12_000_000,
            "is_active": True,
        },
    )
    return programme


def _receipt(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _month(commuter: User, programme: Programme, certification, month: date, tickets, allowance, status, staff):
    """A month claimed, with its receipts; its figures are the engine's (reimbursements.estimates), as a submission
    computes them, and only its times and statuses are history (as demo_data.history does for stays)."""
    claim = Claim.objects.create(visitor=commuter, programme=programme, month=month, certification=certification)
    lines = [
        ExpenseLine(
            claim=claim,
            category="shinkansen_ticket",
            date=month + timedelta(days=2 + 7 * index),
            amount_yen=amount,
            receipt=_receipt(f"ticket-{month:%Y%m}-{index + 1}.png"),
        )
        for index, amount in enumerate(tickets)
    ]
    lines.append(
        ExpenseLine(
            claim=claim,
            category="commuting_allowance",
            date=month + timedelta(days=24),
            amount_yen=allowance,
            receipt=_receipt(f"allowance-{month:%Y%m}.png"),
        )
    )
    for line in lines:
        line.save()
    claim = Claim.objects.get(id=claim.id)
    result = estimates.compute(claims=[claim]).claims[claim.id]
    ExpenseLine.objects.bulk_update(apply_figures(claim, result), ["reimbursable_yen", "reason"])
    submitted = timezone.now() - timedelta(days=3 if status == Claim.Status.SUBMITTED else 40)
    claim.status, claim.submitted_at = status, submitted
    if status == Claim.Status.PAID:
        claim.approved_by, claim.approved_at = staff, submitted + timedelta(days=10)
        claim.approved_amount_yen = claim.total_reimbursable_yen
        claim.paid_at = submitted + timedelta(days=20)
    claim.claimant_name, claim.claimant_email = commuter.full_name, commuter.email
    claim.claimant_home_prefecture = commuter.home_prefecture
    claim.claimant_home_municipality = commuter.home_municipality
    claim.claimant_home_municipality_code = commuter.home_municipality_code
    claim.save()


@transaction.atomic
def seed(*, staff: User, password: str) -> None:
    saku = Municipality.objects.get(code="202177")
    programme = _programme(saku)
    commuter, created = User.objects.update_or_create(
        email=EMAIL,
        defaults={
            "full_name": "中村 翔",
            "role": User.Role.VISITOR,
            "home_prefecture": "長野県",
            "home_municipality": "佐久市",
            "home_municipality_code": "202177",
        },
    )
    if created:
        commuter.set_password(password)
        commuter.save(update_fields=["password"])
    if Certification.objects.filter(visitor=commuter, programme=programme).exists():
        return
    moved_on = add_months(month_of(timezone.localdate()), -3)
    Move.objects.get_or_create(
        visitor=commuter,
        municipality=saku,
        moved_on=moved_on,
        defaults={"reported_by": staff, "confirmed_by": staff, "confirmed_at": timezone.now()},
    )
    certified_on = moved_on + timedelta(days=20)
    first, last = certification_period(programme, certified_on)
    certification = Certification.objects.create(
        visitor=commuter,
        programme=programme,
        status=Certification.Status.APPROVED,
        move_date=moved_on,
        birth_date=date(1988, 7, 14),
        workplace_prefecture="東京都",
        applied_on=moved_on + timedelta(days=10),
        certified_on=certified_on,
        first_month=first,
        last_month=last,
        decided_by=staff,
        decided_at=timezone.now(),
    )
    # Two months claimed: the first paid (¥58,000 of tickets less a ¥20,000 allowance: ¥19,000), the second
    # waiting for review (¥90,000 less ¥30,000: half is ¥30,000, the cap pays ¥20,000).
    _month(commuter, programme, certification, first, [29000, 29000], 20000, Claim.Status.PAID, staff)
    _month(
        commuter,
        programme,
        certification,
        add_months(first, 1),
        [30000, 30000, 30000],
        30000,
        Claim.Status.SUBMITTED,
        staff,
    )
