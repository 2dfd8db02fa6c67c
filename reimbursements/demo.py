"""Demo programmes: Saku's fiscal-2026 trial-stay subsidy (claims after the stay) and a Takanabe-style one (apply
before the visit, meet the town's staff, answer a survey, then report)."""

from datetime import date

from facilities.models import Municipality

from .models import CategoryRule, Programme

SAKU_CATEGORIES = [
    # category, Japanese, English, cap (None = actual cost), basis
    ("lodging", "宿泊費", "Lodging", 4000, CategoryRule.Basis.PERSON_NIGHT),
    ("rental_car", "レンタカー代", "Rental car", 3000, CategoryRule.Basis.DAY),
    ("shinkansen", "新幹線料金", "Shinkansen fare", 10000, CategoryRule.Basis.PERSON_DAY),
    ("highway_bus", "高速バス料金", "Highway bus fare", 5000, CategoryRule.Basis.PERSON_DAY),
    ("expressway_toll", "高速道路料金", "Expressway tolls", None, CategoryRule.Basis.DAY),
    ("taxi", "タクシー代", "Taxi", None, CategoryRule.Basis.DAY),
    ("temporary_childcare", "一時保育料", "Temporary childcare", None, CategoryRule.Basis.DAY),
]


def seed() -> None:
    """Create or update the demo programmes; running it twice changes nothing."""
    saku, _ = Municipality.objects.get_or_create(
        code="202177",
        defaults={"prefecture_ja": "長野県", "prefecture_en": "Nagano", "name_ja": "佐久市", "name_en": "Saku"},
    )
    programme, _ = Programme.objects.update_or_create(
        code="saku-trial-stay-2026",
        defaults={
            "name_ja": "佐久市移住検討者滞在費補助金（令和8年度）",
            "name_en": "Saku trial-stay subsidy (fiscal 2026)",
            "municipality": saku,
            "valid_from": date(2026, 4, 1),
            "valid_until": date(2027, 3, 31),
            "fiscal_year_start_month": 4,
            "max_days_per_group": 6,
            "is_active": True,
        },
    )
    for category, name_ja, name_en, cap, basis in SAKU_CATEGORIES:
        CategoryRule.objects.update_or_create(
            programme=programme,
            category=category,
            defaults={"name_ja": name_ja, "name_en": name_en, "cap_yen": cap, "basis": basis},
        )


TAKANABE_CODE = "454028"  # 宮崎県高鍋町; its check digit is verified by accounts.prefectures


def seed_takanabe() -> None:
    """Half the nightly rate up to ¥3,000 per person per night, 7 nights a fiscal year, for people living outside
    Miyazaki, rounded down to ¥100; apply at least 7 days before check-in, a consultation and the survey required."""
    takanabe, _ = Municipality.objects.get_or_create(
        code=TAKANABE_CODE,
        defaults={"prefecture_ja": "宮崎県", "prefecture_en": "Miyazaki", "name_ja": "高鍋町", "name_en": "Takanabe"},
    )
    programme, _ = Programme.objects.update_or_create(
        code="takanabe-trial-stay-2026",
        defaults={
            "name_ja": "高鍋町お試し滞在補助金（令和8年度）",
            "name_en": "Takanabe trial-stay subsidy (fiscal 2026)",
            "municipality": takanabe,
            "valid_from": date(2026, 4, 1),
            "valid_until": date(2027, 3, 31),
            "fiscal_year_start_month": 4,
            "max_nights_per_group": 7,
            "max_days_per_group": None,
            "residence_rule": Programme.ResidenceRule.OUTSIDE_PREFECTURE,
            "rounding_unit_yen": 100,
            "requires_application": True,
            "application_deadline_days": 7,
            "requires_consultation": True,
            "requires_survey": True,
            "is_active": True,
        },
    )
    CategoryRule.objects.update_or_create(
        programme=programme,
        category="lodging",
        defaults={
            "name_ja": "宿泊費",
            "name_en": "Lodging",
            "cap_yen": 3000,
            "basis": CategoryRule.Basis.PERSON_NIGHT,
            "cost_share_percent": 50,
        },
    )
