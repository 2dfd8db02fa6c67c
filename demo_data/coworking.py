"""The demo's coworking space, as Saku's runs one: ワークテラス佐久 with 20 drop-in desks, two meeting rooms booked by
the hour, a monthly plan with four hours of room credit, a residents' plan for the guests of ホシノマチ団地 (the town's
housing for newcomers), and the demo visitor holding the monthly plan. Safe to run again."""

from django.db import transaction

from facilities.models import Facility, Unit
from memberships import selectors as membership_selectors
from memberships.models import Plan
from memberships.services import membership_create, plan_create, plan_update

SPACE = "ワークテラス佐久"
HOUSING = "ホシノマチ団地"
OPEN_9_TO_21 = {weekday: ["09:00", "21:00"] for weekday in Unit.WEEKDAYS}

# (name_ja, name_en, capacity, price an hour, the most one booking costs in a day)
MEETING_ROOMS = [
    ("会議室A（8名）", "Meeting room A (8 people)", 8, 1650, 9900),
    ("会議室B（4名）", "Meeting room B (4 people)", 4, 1100, 6600),
]

MONTHLY = {
    "name_ja": "月額会員（会議室4時間付き）",
    "name_en": "Monthly membership (4 meeting-room hours)",
    "monthly_price_yen": 11000,
    "access_unit_types": [Unit.Type.DESK],
    "credit_unit_types": [Unit.Type.MEETING_ROOM],
    "credit_hours": 4,
    "over_credit_price_per_hour_yen": 880,
    "carry_over_months": 0,
    "notice_days": 14,
}

RESIDENTS = {
    "name_ja": "ホシノマチ団地 入居者プラン",
    "name_en": "Hoshinomachi Danchi residents",
    "monthly_price_yen": 0,
    "access_unit_types": [Unit.Type.DESK],
    "credit_unit_types": [],
    "credit_hours": 0,
    "notice_days": 0,
}


def _plan(facility: Facility, fields: dict) -> Plan:
    plan = Plan.objects.filter(facility=facility, name_ja=fields["name_ja"]).first()
    if plan is None:
        return plan_create(facility=facility, **fields)
    return plan_update(plan=plan, **fields)


@transaction.atomic
def seed_space() -> tuple[Plan, Plan]:
    """The meeting rooms by the hour and the two plans; returns (the monthly plan, the residents' plan)."""
    space = Facility.objects.get(name_ja=SPACE, municipality__code="202177")
    housing = Facility.objects.get(name_ja=HOUSING, municipality__code="202177")
    for name_ja, name_en, capacity, price, day_cap in MEETING_ROOMS:
        Unit.objects.update_or_create(
            facility=space,
            name_ja=name_ja,
            defaults={
                "unit_type": Unit.Type.MEETING_ROOM,
                "name_en": name_en,
                "capacity": capacity,
                "count": 1,
                "price_yen": price,
                "booking_mode": Unit.BookingMode.HOURLY,
                "opening_hours": OPEN_9_TO_21,
                "slot_minutes": 30,
                "min_minutes": 30,
                "max_minutes": 240,
                "day_cap_yen": day_cap,
                "free_cancellation_hours": 24,
            },
        )
    monthly = _plan(space, MONTHLY)
    residents = _plan(space, {**RESIDENTS, "resident_housing": housing.pk})
    return monthly, residents


def seed(*, visitor) -> None:
    """The space and its plans, then the visitor's membership of the monthly plan (joined today, once)."""
    monthly, _residents = seed_space()
    today = membership_selectors.today()
    if membership_selectors.live_membership_of_plan(visitor=visitor, plan=monthly, on=today) is None:
        membership_create(visitor=visitor, plan=monthly)
