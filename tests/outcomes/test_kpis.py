"""The figures a town reports, asserted to the yen and the household on a known two-year history."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from outcomes.models import Move
from reimbursements.models import Claim
from tests.conftest import client_for
from tests.factories import FacilityFactory, StaffFactory, UnitFactory, VisitorFactory, matsue
from tests.outcomes.helpers import answer, claim, stay
from tests.reimbursements.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
S = Claim.Status


@pytest.fixture
def programme(saku):
    return ProgrammeFactory(
        code="saku-2025-2026",
        municipality=saku,
        valid_from=date(2025, 4, 1),
        valid_until=date(2027, 3, 31),
        budget_yen=1_000_000,
    )


def moved(visitor, town, on, *, confirmed=True):
    return Move.objects.create(
        visitor=visitor,
        municipality=town,
        moved_on=on,
        reported_by=visitor,
        confirmed_by=visitor if confirmed else None,
        confirmed_at=timezone.now() if confirmed else None,
    )


@pytest.fixture
def history(saku, programme, today):
    """Households A to H. Fiscal 2025: A, B, C paid, D approved. Fiscal 2026: A and G paid, E submitted,
    F draft, H rejected. A moved after its first stay, B before its, C only reported it, G moved elsewhere too."""
    unit = UnitFactory(facility=FacilityFactory(municipality=saku))
    a, b, c, d, e, f, g, h = (VisitorFactory() for _ in range(8))
    a1 = stay(visitor=a, unit=unit, check_in=date(2025, 6, 10), nights=3)
    claim(booking=a1, programme=programme, status=S.PAID, approved_yen=24_000)
    bb = stay(visitor=b, unit=unit, check_in=date(2025, 9, 1), nights=2)
    claim(booking=bb, programme=programme, status=S.PAID, approved_yen=12_000)
    cc = stay(visitor=c, unit=unit, check_in=date(2025, 10, 5), nights=1)
    claim(booking=cc, programme=programme, status=S.PAID, approved_yen=8_000)
    dd = stay(visitor=d, unit=unit, check_in=date(2025, 11, 1), nights=2)
    claim(booking=dd, programme=programme, status=S.APPROVED, approved_yen=10_000)
    ee = stay(visitor=e, unit=unit, check_in=date(2026, 5, 1), nights=1)
    claim(booking=ee, programme=programme, status=S.SUBMITTED, total_yen=5_000)
    ff = stay(visitor=f, unit=unit, check_in=date(2026, 6, 1), nights=2)
    claim(booking=ff, programme=programme, status=S.DRAFT)
    gg = stay(visitor=g, unit=unit, check_in=date(2026, 7, 1), nights=4)
    claim(booking=gg, programme=programme, status=S.PAID, approved_yen=30_000)
    a2 = stay(visitor=a, unit=unit, check_in=date(2026, 8, 1), nights=1)
    claim(booking=a2, programme=programme, status=S.PAID, approved_yen=6_000)
    hh = stay(visitor=h, unit=unit, check_in=date(2026, 9, 1), nights=2)
    claim(booking=hh, programme=programme, status=S.REJECTED, total_yen=9_000)

    moved(a, saku, date(2026, 1, 15))  # 219 days after 2025-06-10
    moved(b, saku, date(2025, 8, 1))  # before B's first stay: a move, not a conversion
    moved(c, saku, date(2026, 2, 1), confirmed=False)
    moved(g, matsue(), date(2026, 8, 1))  # another town's move counts nowhere here
    moved(g, saku, date(2026, 9, 30))  # 91 days after 2026-07-01

    for booking, intention in ((a1, "within_a_year"), (bb, "no"), (gg, "later"), (ee, "undecided")):
        assert answer(client_for(booking.visitor), booking, intention=intention).status_code == 201
    elsewhere = stay(
        visitor=h,
        unit=UnitFactory(facility=FacilityFactory(municipality=matsue())),
        check_in=date(2026, 6, 1),
        nights=1,
    )
    answer(client_for(h), elsewhere, intention="within_a_year")
    return unit


FY2025 = {
    "fiscal_year": 2025,
    "households_paid": 3,
    "households_approved": 1,
    "stays": 4,
    "days": 12,
    "nights": 8,
    "yen_approved": 54_000,
    "yen_paid": 44_000,
    "yen_granted": 0,
    "survey_answers": {"within_a_year": 1, "later": 0, "undecided": 0, "no": 1, "total": 2},
    "households_moved": 1,
    "conversion_rate": 0.3333,
    "median_days_to_move": 219.0,
    "certified_people": 0,
    "active_months": 0,
}
FY2026 = {
    "fiscal_year": 2026,
    "households_paid": 2,
    "households_approved": 0,
    "stays": 4,
    "days": 9,
    "nights": 6,
    "yen_approved": 36_000,
    "yen_paid": 36_000,
    "yen_granted": 0,
    "survey_answers": {"within_a_year": 0, "later": 1, "undecided": 1, "no": 0, "total": 2},
    "households_moved": 2,
    "conversion_rate": 1.0000,
    "median_days_to_move": 155.0,
    "certified_people": 0,
    "active_months": 0,
}


def test_the_figures_of_a_known_history(programme, history, staff_client):
    response = staff_client.get("/api/v1/kpis/", {"programme": programme.code})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "programme": "saku-2025-2026",
        "budget_yen": 1_000_000,
        "budget_committed_yen": 95_000,
        "budget_left_yen": 905_000,
        "fiscal_years": [FY2025, FY2026],
    }


def test_one_fiscal_year(programme, history, staff_client):
    response = staff_client.get("/api/v1/kpis/", {"programme": programme.code, "fiscal_year": 2026})

    assert response.json()["fiscal_years"] == [FY2026]


def test_no_paid_household_gives_null_rate_and_median(programme, staff_client, today):
    body = staff_client.get("/api/v1/kpis/", {"programme": programme.code}).json()

    assert body["budget_committed_yen"] == 0
    assert [year["households_paid"] for year in body["fiscal_years"]] == [0, 0]
    assert [year["conversion_rate"] for year in body["fiscal_years"]] == [None, None]
    assert [year["median_days_to_move"] for year in body["fiscal_years"]] == [None, None]


def test_a_second_programme_of_the_town_counts_the_same_move(saku, programme, history, staff_client):
    other = ProgrammeFactory(
        code="saku-telework", municipality=saku, valid_from=date(2026, 4, 1), valid_until=date(2027, 3, 31)
    )
    g_stay = Claim.objects.get(programme=programme, approved_amount_yen=30_000).booking
    second = stay(visitor=g_stay.visitor, unit=history, check_in=date(2026, 10, 1), nights=1)
    claim(booking=second, programme=other, status=S.PAID, approved_yen=4_000)

    year = staff_client.get("/api/v1/kpis/", {"programme": other.code}).json()["fiscal_years"][0]

    # G's first paid stay in Saku was 2026-07-01 (under the other programme): the move of 2026-09-30 counts.
    assert (
        year["households_paid"],
        year["households_moved"],
        year["conversion_rate"],
        year["median_days_to_move"],
    ) == (1, 1, 1.0, 91.0)


def test_the_figures_cost_the_same_queries_whatever_the_history(
    saku, programme, history, staff_client, django_assert_num_queries
):
    # The user's authentication, the programme, then the five reads of programme_kpis.
    with django_assert_num_queries(7):
        small = staff_client.get("/api/v1/kpis/", {"programme": programme.code})
    for _ in range(5):
        household = VisitorFactory()
        booking = stay(visitor=household, unit=history, check_in=date(2026, 10, 1), nights=2)
        claim(booking=booking, programme=programme, status=S.PAID, approved_yen=7_000)
        moved(household, saku, date(2026, 10, 20))
        answer(client_for(household), booking, intention="within_a_year")
    with django_assert_num_queries(7):
        large = staff_client.get("/api/v1/kpis/", {"programme": programme.code})
    assert large.json()["fiscal_years"][1]["households_paid"] == small.json()["fiscal_years"][1]["households_paid"] + 5


def test_csv_has_a_bom_one_row_per_year_and_quotes_formula_like_cells(saku, history, today):
    formula = ProgrammeFactory(
        code="-saku", municipality=saku, valid_from=date(2025, 4, 1), valid_until=date(2027, 3, 31)
    )
    staff = client_for(StaffFactory(municipality=saku))

    response = staff.get("/api/v1/kpis.csv", {"programme": "saku-2025-2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [row["fiscal_year"] for row in rows] == ["2025", "2026"]
    assert (
        rows[0]["households_paid"],
        rows[0]["yen_paid"],
        rows[0]["survey_no"],
        rows[0]["conversion_rate"],
        rows[0]["yen_granted"],
        rows[0]["budget_left_yen"],
    ) == ("3", "44000", "1", "0.3333", "0", "905000")
    assert rows[1]["median_days_to_move"] == "155.0"

    quoted = staff.get("/api/v1/kpis.csv", {"programme": formula.code}).content.decode("utf-8")
    assert list(csv.DictReader(io.StringIO(quoted[1:])))[0]["programme"] == "'-saku"


def test_who_may_read_the_figures(saku, programme, visitor_client, operator_client, today):
    other_town = client_for(StaffFactory(municipality=matsue()))

    assert visitor_client.get("/api/v1/kpis/", {"programme": programme.code}).status_code == 403
    assert operator_client.get("/api/v1/kpis.csv", {"programme": programme.code}).status_code == 403
    assert other_town.get("/api/v1/kpis/", {"programme": programme.code}).status_code == 404
    assert other_town.get("/api/v1/kpis.csv", {"programme": programme.code}).status_code == 404


@pytest.mark.parametrize(
    "params, field",
    [({}, "programme"), ({"fiscal_year": "2030"}, "fiscal_year"), ({"fiscal_year": "next"}, "fiscal_year")],
)
def test_bad_filters_are_400_naming_the_field(programme, staff_client, params, field):
    response = staff_client.get(
        "/api/v1/kpis/", {"programme": programme.code, **params} if params.get("fiscal_year") else params
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
