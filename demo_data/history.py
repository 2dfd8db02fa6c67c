"""Saku's demo history: a dozen households' past trial stays in fiscal 2025 and 2026, their claims (submitted,
approved, paid, with their frozen days), their after-stay surveys and the moves of four of the ten paid
households, so that the towns' figures (GET /api/v1/kpis/) show real numbers.

The bookings API refuses dates in the past, so these stays are written with the models directly: they are a
record of what happened, not bookings made now. They take no stock (their dates are long gone) and are written
only once (a household's stay is found again by its unit and check-in date). A claim's figures and frozen days
are the group pass's (reimbursements.estimates), as the workflow's services compute them; the workflow itself
is not replayed, because it stamps today's time and writes the audit trail, while these claims carry their
historical submission, approval and payment times and no audit trail (claim events cannot be deleted, and the
history is not a record of anyone's actions here). Every date is fixed, and every stay and move is before
2026-11, so the history is the same on every run."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts.models import User
from bookings.models import Booking, BookingLine
from facilities.models import Municipality, Unit
from outcomes.models import Move, Survey
from reimbursements import demo as programmes
from reimbursements import estimates
from reimbursements.estimates.presentation import apply_figures
from reimbursements.models import CategoryRule, Claim, ClaimDay, Programme

JAPAN = ZoneInfo("Asia/Tokyo")
SAKU = "202177"
PREVIOUS_PROGRAMME = "saku-trial-stay-2025"
CURRENT_PROGRAMME = "saku-trial-stay-2026"
MAX_DAYS = 6

# (facility, unit) of Saku's trial homes.
IWAMURADA = ("お試し住宅 岩村田", "一戸建て（3LDK）")
NOZAWA = ("お試し住宅 野沢", "一戸建て（4DK）")
USUDA = ("お試し住宅 臼田", "平屋（3DK）")
MOCHIZUKI = ("お試し住宅 望月", "古民家（5K）")
HOSHINOMACHI_1LDK = ("ホシノマチ団地", "1LDK")
HOSHINOMACHI_3DK = ("ホシノマチ団地", "3DK")

P, S = Survey.Purpose, Survey.Intention
C = Claim.Status

# email, name, home prefecture, home municipality, its code; stays: (unit, check-in, nights, adults, children,
# claim status, survey (purpose, satisfaction, intention, comment, language) or None); move: (date, confirmed).
HOUSEHOLDS = [
    (
        "household01@demo.otameshi.jp",
        "山田 太郎",
        "東京都",
        "新宿区",
        "131041",
        [
            (
                IWAMURADA,
                date(2025, 5, 10),
                3,
                2,
                0,
                C.PAID,
                (P.CONSIDERING_MOVE, 5, S.WITHIN_A_YEAR, "子育て環境が良く、移住を決めました。", "ja"),
            )
        ],
        (date(2025, 12, 20), True),
    ),
    (
        "household02@demo.otameshi.jp",
        "鈴木 一郎",
        "神奈川県",
        "横浜市",
        "141003",
        [
            (
                NOZAWA,
                date(2025, 7, 19),
                4,
                2,
                1,
                C.PAID,
                (P.REMOTE_WORK_TRIAL, 4, S.LATER, "回線は安定していました。冬も試してみたいです。", "ja"),
            )
        ],
        None,
    ),
    (
        "household03@demo.otameshi.jp",
        "Emma Tanaka",
        "埼玉県",
        "さいたま市",
        "111007",
        [
            (
                USUDA,
                date(2025, 8, 9),
                2,
                1,
                0,
                C.PAID,
                (P.SIGHTSEEING, 3, S.NO, "Lovely stars, but too far from a station for me.", "en"),
            )
        ],
        None,
    ),
    (
        "household04@demo.otameshi.jp",
        "伊藤 健太",
        "大阪府",
        "大阪市",
        "271004",
        [
            (
                HOSHINOMACHI_1LDK,
                date(2025, 9, 6),
                7,
                2,
                0,
                C.PAID,
                (P.CONSIDERING_MOVE, 5, S.WITHIN_A_YEAR, "市役所の移住相談が丁寧でした。", "ja"),
            )
        ],
        (date(2026, 4, 1), True),
    ),
    (
        "household05@demo.otameshi.jp",
        "渡辺 由美",
        "神奈川県",
        "川崎市",
        "141305",
        [(MOCHIZUKI, date(2025, 10, 11), 3, 2, 0, C.PAID, (P.CONSIDERING_MOVE, 4, S.UNDECIDED, "", "ja"))],
        (date(2026, 10, 1), False),
    ),  # reported by the household, waiting for the town's staff
    (
        "household06@demo.otameshi.jp",
        "中村 大輔",
        "愛知県",
        "名古屋市",
        "231002",
        [
            (IWAMURADA, date(2025, 11, 1), 2, 1, 0, C.PAID, (P.REMOTE_WORK_TRIAL, 4, S.LATER, "", "ja")),
            (
                IWAMURADA,
                date(2026, 5, 2),
                3,
                1,
                0,
                C.PAID,
                (P.CONSIDERING_MOVE, 5, S.WITHIN_A_YEAR, "二度目で住む場所の見当がつきました。", "ja"),
            ),
        ],
        (date(2026, 9, 15), True),
    ),
    (
        "household07@demo.otameshi.jp",
        "小林 直子",
        "千葉県",
        "千葉市",
        "121002",
        [(NOZAWA, date(2026, 2, 14), 3, 2, 0, C.PAID, (P.VISITING_FAMILY, 4, S.NO, "", "ja"))],
        None,
    ),
    (
        "household08@demo.otameshi.jp",
        "加藤 翔",
        "東京都",
        "練馬区",
        "131202",
        [
            (
                HOSHINOMACHI_3DK,
                date(2026, 5, 16),
                7,
                2,
                2,
                C.PAID,
                (P.CONSIDERING_MOVE, 5, S.WITHIN_A_YEAR, "子どもたちが学校見学を気に入りました。", "ja"),
            )
        ],
        (date(2026, 10, 24), True),
    ),
    (
        "household09@demo.otameshi.jp",
        "吉田 彩",
        "東京都",
        "杉並区",
        "131156",
        [(USUDA, date(2026, 6, 20), 3, 2, 0, C.PAID, (P.REMOTE_WORK_TRIAL, 3, S.UNDECIDED, "", "ja"))],
        None,
    ),
    (
        "household10@demo.otameshi.jp",
        "山本 誠",
        "東京都",
        "品川区",
        "131091",
        [(MOCHIZUKI, date(2026, 7, 25), 4, 2, 0, C.PAID, None)],
        None,
    ),
    (
        "household11@demo.otameshi.jp",
        "佐々木 陽子",
        "東京都",
        "八王子市",
        "132012",
        [(IWAMURADA, date(2026, 8, 22), 3, 1, 0, C.APPROVED, (P.SIGHTSEEING, 4, S.UNDECIDED, "", "ja"))],
        None,
    ),
    (
        "household12@demo.otameshi.jp",
        "Liam Matsumoto",
        "神奈川県",
        "藤沢市",
        "142042",
        [
            (
                NOZAWA,
                date(2026, 10, 10),
                2,
                2,
                0,
                C.SUBMITTED,
                (P.CONSIDERING_MOVE, 4, S.LATER, "Great coworking nearby; we'll come back in spring.", "en"),
            )
        ],
        None,
    ),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=JAPAN)


def _previous_programme(saku: Municipality) -> Programme:
    """Saku's fiscal-2025 subsidy, retired: it covers no new bookings, its claims stay."""
    programme, _ = Programme.objects.update_or_create(
        code=PREVIOUS_PROGRAMME,
        defaults={
            "name_ja": "佐久市移住検討者滞在費補助金（令和7年度）",
            "name_en": "Saku trial-stay subsidy (fiscal 2025)",
            "municipality": saku,
            "valid_from": date(2025, 4, 1),
            "valid_until": date(2026, 3, 31),
            "fiscal_year_start_month": 4,
            "max_days_per_group": MAX_DAYS,
            "budget_yen": 2_000_000,
            "is_active": False,
        },
    )
    for category, name_ja, name_en, cap, basis in programmes.SAKU_CATEGORIES:
        CategoryRule.objects.update_or_create(
            programme=programme,
            category=category,
            defaults={"name_ja": name_ja, "name_en": name_en, "cap_yen": cap, "basis": basis},
        )
    return programme


def _household(email, name, prefecture, municipality, code, password: str) -> User:
    user, created = User.objects.update_or_create(
        email=email,
        defaults={
            "full_name": name,
            "role": User.Role.VISITOR,
            "home_prefecture": prefecture,
            "home_municipality": municipality,
            "home_municipality_code": code,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _stay(household: User, unit: Unit, check_in: date, nights: int, adults: int, children: int) -> Booking:
    check_out = check_in + timedelta(days=nights)
    booking = Booking.objects.filter(visitor=household, unit=unit, check_in=check_in).first()
    if booking is None:
        booking = Booking.objects.create(
            visitor=household,
            unit=unit,
            kind=Booking.Kind.STAY,
            check_in=check_in,
            check_out=check_out,
            adults=adults,
            children=children,
            status=Booking.Status.COMPLETED,
            total_yen=unit.price_yen * nights,
        )
        BookingLine.objects.bulk_create(
            [
                BookingLine(booking=booking, date=check_in + timedelta(days=i), price_yen=unit.price_yen)
                for i in range(nights)
            ]
        )
    return booking


def _claim(booking: Booking, programme: Programme, status: str, staff: User) -> None:
    if Claim.objects.filter(booking=booking).exists():
        return
    household = booking.visitor
    claim = Claim.objects.create(booking=booking, visitor=household, programme=programme)
    # The figures and the frozen days are the ones the claim workflow computes, by the group pass every estimate
    # and submission use (reimbursements.estimates); only its times and statuses are history.
    result = estimates.compute(claims=[claim]).claims[claim.id]
    apply_figures(claim, result, lines=[])
    nights = dict(result.night_lodging)
    ClaimDay.objects.bulk_create(
        [
            ClaimDay(
                claim=claim,
                visitor=household,
                programme=programme,
                date=day,
                night=day in nights,
                lodging_yen=nights.get(day, 0),
            )
            for day in result.eligible_dates
        ]
    )
    approved = _at(booking.check_out + timedelta(days=17)) if status in (C.APPROVED, C.PAID) else None
    claim.status = status
    claim.submitted_at = _at(booking.check_out + timedelta(days=3))
    claim.approved_at, claim.approved_by = approved, staff if approved else None
    claim.approved_amount_yen = claim.total_reimbursable_yen if approved else None
    claim.paid_at = _at(booking.check_out + timedelta(days=31), 15) if status == C.PAID else None
    claim.claimant_name, claim.claimant_email = household.full_name, household.email
    claim.claimant_home_prefecture = household.home_prefecture
    claim.claimant_home_municipality = household.home_municipality
    claim.claimant_home_municipality_code = household.home_municipality_code
    claim.save()


@transaction.atomic
def seed(*, staff: User, password: str) -> None:
    """Create the history once; running it again changes nothing."""
    saku = Municipality.objects.get(code=SAKU)
    current = Programme.objects.get(code=CURRENT_PROGRAMME)
    by_fiscal_year = {2025: _previous_programme(saku), 2026: current}
    for email, name, prefecture, municipality, code, stays, move in HOUSEHOLDS:
        household = _household(email, name, prefecture, municipality, code, password)
        for (facility, unit_name), check_in, nights, adults, children, status, survey in stays:
            unit = Unit.objects.select_related("facility").get(facility__name_ja=facility, name_ja=unit_name)
            booking = _stay(household, unit, check_in, nights, adults, children)
            programme = by_fiscal_year[current.fiscal_year_of(check_in)]
            _claim(booking, programme, status, staff)
            if survey:
                purpose, satisfaction, intention, comment, language = survey
                Survey.objects.get_or_create(
                    booking=booking,
                    defaults={
                        "visitor": household,
                        "purpose": purpose,
                        "satisfaction": satisfaction,
                        "intention": intention,
                        "comment": comment,
                        "language": language,
                    },
                )
        if move:
            moved_on, confirmed = move
            Move.objects.get_or_create(
                visitor=household,
                municipality=saku,
                moved_on=moved_on,
                defaults={
                    "reported_by": household,
                    "confirmed_by": staff if confirmed else None,
                    "confirmed_at": _at(moved_on + timedelta(days=14)) if confirmed else None,
                },
            )
