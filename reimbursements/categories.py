"""The expense categories a programme may list, with their Japanese and English names and the bases that fit.

Lodging is paid per night from the booking itself; every other category is paid per day from dated receipts, so
a programme's rule for it takes a per-day basis."""

from dataclasses import dataclass

NIGHT_BASES = ("person_night", "night")
DAY_BASES = ("person_day", "day")
# The categories of monthly programmes (rule 45) take no CategoryRule: the programme's own fields say how each
# counts (the cost, taken off it, or excluded).
MONTH_BASES: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    slug: str
    name_ja: str
    name_en: str
    bases: tuple[str, ...] = DAY_BASES


CATALOGUE = {
    c.slug: c
    for c in [
        Category("lodging", "宿泊費", "Lodging", NIGHT_BASES),
        Category("rental_car", "レンタカー代", "Rental car"),
        Category("shinkansen", "新幹線料金", "Shinkansen fare"),
        Category("highway_bus", "高速バス料金", "Highway bus fare"),
        Category("expressway_toll", "高速道路料金", "Expressway tolls"),
        Category("taxi", "タクシー代", "Taxi"),
        Category("temporary_childcare", "一時保育料", "Temporary childcare"),
        Category("airfare", "航空運賃", "Airfare"),
        Category("train", "鉄道運賃", "Train fare"),
        Category("local_bus", "路線バス運賃", "Local bus fare"),
        Category("ferry", "フェリー運賃", "Ferry fare"),
        Category("parking", "駐車場代", "Parking"),
        Category("car_share", "カーシェア利用料", "Car sharing"),
        Category("coworking", "コワーキング利用料", "Coworking space"),
        Category("shinkansen_ticket", "新幹線乗車券", "Shinkansen ticket", MONTH_BASES),
        Category("commuting_allowance", "通勤手当", "Employer's commuting allowance", MONTH_BASES),
        Category("commuter_pass", "定期券", "Commuter pass", MONTH_BASES),
    ]
}


def category_get(slug: str) -> Category | None:
    return CATALOGUE.get(slug)
