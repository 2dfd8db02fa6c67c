"""The KPI page of the staff console: the API's figures per fiscal year as a table, the months and the conversion
drawn as inline SVG (no script, no style attribute), the API's CSV through the console's session."""

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from outcomes.models import Move
from reimbursements.models import Claim
from tests import factories
from tests.conftest import client_for
from tests.console.conftest import logged_in
from tests.outcomes.helpers import claim, stay
from tests.reimbursements.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
S = Claim.Status
URL = "/console/staff/kpis/"


@pytest.fixture
def programme(saku, monkeypatch):
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 11, 1))  # fiscal 2026
    return ProgrammeFactory(
        code="saku-2025-2026",
        municipality=saku,
        valid_from=date(2025, 4, 1),
        valid_until=date(2027, 3, 31),
        budget_yen=1_000_000,
    )


@pytest.fixture
def history(saku, programme):
    """Fiscal 2025: A paid in June (¥24,000) and moved to Saku after; B paid in September (¥12,000).
    Fiscal 2026: C approved in May (¥10,000), D submitted in May, E draft in July."""
    unit = factories.UnitFactory(facility=factories.FacilityFactory(municipality=saku))
    a, b, c, d, e = (factories.VisitorFactory() for _ in range(5))
    for visitor, check_in, nights, status, yen in (
        (a, date(2025, 6, 10), 3, S.PAID, {"approved_yen": 24_000}),
        (b, date(2025, 9, 1), 2, S.PAID, {"approved_yen": 12_000}),
        (c, date(2026, 5, 1), 2, S.APPROVED, {"approved_yen": 10_000}),
        (d, date(2026, 5, 20), 1, S.SUBMITTED, {"total_yen": 5_000}),
        (e, date(2026, 7, 1), 2, S.DRAFT, {}),
    ):
        booking = stay(visitor=visitor, unit=unit, check_in=check_in, nights=nights)
        claim(booking=booking, programme=programme, status=status, **yen)
    Move.objects.create(
        visitor=a,
        municipality=saku,
        moved_on=date(2026, 1, 15),
        reported_by=a,
        confirmed_by=a,
        confirmed_at=timezone.now(),
    )
    return programme


def table_row(html: str, label: str) -> list[str]:
    row = re.search(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', html)
    assert row is not None, label
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def svg(html: str, chart_id: str) -> str:
    found = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S)
    assert found is not None, chart_id
    return found.group(0)


def bar_heights(chart: str) -> list[float]:
    return [float(height) for height in re.findall(r'<rect [^>]*height="([0-9.]+)"', chart)]


def test_the_table_shows_the_apis_figures_per_fiscal_year(history, staff_user):
    html = logged_in(staff_user, "en").get(URL).content.decode()
    api = client_for(staff_user).get(f"/api/v1/kpis/?programme={history.code}").json()
    years = api["fiscal_years"]
    assert re.findall(r'<th scope="col"(?: class="chosen")?>(\d{4})</th>', html) == ["2025", "2026"]
    assert table_row(html, "Households paid") == [str(year["households_paid"]) for year in years] == ["2", "0"]
    assert table_row(html, "Stays (bookings with a claim)") == ["2", "3"]
    assert table_row(html, "Approved") == ["¥36,000", "¥10,000"]
    assert table_row(html, "Conversion rate") == ["50.0%", "—"]
    assert table_row(html, "Median days to move") == [f"{years[0]['median_days_to_move']:.1f}", "—"]
    assert f"¥{api['budget_committed_yen']:,}" in html


def test_the_monthly_chart_draws_the_chosen_fiscal_years_months(history, staff_user):
    html = logged_in(staff_user, "en").get(f"{URL}?programme={history.code}&fiscal_year=2025").content.decode()
    chart = svg(html, "monthly-chart")
    assert chart.count("<rect ") == 24  # twelve months, stays and yen
    assert '<title id="monthly-chart-title">Stays and approved yen by check-in month, fiscal 2025</title>' in chart
    assert "<title>06: ¥24,000</title>" in chart and "<title>09: 1</title>" in chart
    heights = bar_heights(chart)
    stays, yen = heights[:12], heights[12:]
    # April first: June (index 2) and September (index 5) only, June's yen the tallest bar.
    assert [index for index, height in enumerate(stays) if height] == [2, 5] and stays[2] == stays[5]
    assert [index for index, height in enumerate(yen) if height] == [2, 5] and yen[2] == 2 * yen[5]
    months = re.findall(r"<tr><th scope=\"row\">(\d{4}-\d{2})</th><td>(\d+)</td><td>(.*?)</td></tr>", html)
    assert months[0] == ("2025-04", "0", "¥0") and months[2] == ("2025-06", "1", "¥24,000")
    # The months add up to the year in the table.
    assert sum(int(stays) for _, stays, _ in months) == 2


def test_without_a_fiscal_year_the_months_are_this_fiscal_years(history, staff_user):
    html = logged_in(staff_user, "en").get(URL).content.decode()
    assert "Fiscal 2026 by month" in html and '<th scope="col" class="chosen">2026</th>' in html
    heights = bar_heights(svg(html, "monthly-chart"))
    assert [index for index, height in enumerate(heights[:12]) if height] == [1, 3]  # May (2), July (the draft)


def test_the_conversion_chart_has_a_bar_per_fiscal_year_with_its_percentage(history, staff_user):
    html = logged_in(staff_user, "en").get(URL).content.decode()
    chart = svg(html, "conversion-chart")
    assert chart.count("<rect ") == 2
    assert "<title>2025: 50.0%</title>" in chart and "<title>2026: —</title>" in chart
    heights = bar_heights(chart)
    assert heights[0] > 0 and heights[1] == 0


def test_the_page_has_no_script_and_no_style_attribute(history, staff_user):
    response = logged_in(staff_user, "en").get(URL)
    html = response.content.decode()
    assert " style=" not in html and "<style" not in html
    assert "<script>" not in html and "script-src 'self'" in response["Content-Security-Policy"]


def test_the_csv_link_downloads_the_apis_csv_with_the_consoles_session(history, staff_user):
    html = logged_in(staff_user, "en").get(URL).content.decode()
    link = re.search(r'<a href="([^"]+)" id="kpi-csv"', html).group(1)
    assert link == f"/api/v1/kpis.csv?programme={history.code}"
    download = logged_in(staff_user).get(link)
    api = client_for(staff_user).get(link)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download.content == api.content and b"saku-2025-2026,2025,2" in download.content


def test_a_fiscal_year_outside_the_programme_is_refused(history, staff_user):
    response = logged_in(staff_user, "en").get(f"{URL}?programme={history.code}&fiscal_year=2031")
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()


def test_another_towns_programme_is_not_found(history, staff_user):
    other = ProgrammeFactory(code="matsue-trial", municipality=factories.matsue())
    assert logged_in(staff_user).get(f"{URL}?programme={other.code}").status_code == 404
    assert (
        logged_in(factories.StaffFactory(municipality=factories.matsue()))
        .get(f"{URL}?programme={history.code}")
        .status_code
        == 404
    )


def test_only_staff_see_the_figures(history, visitor, operator_user):
    assert logged_in(visitor).get(URL).status_code == 403
    assert logged_in(operator_user).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/console/login/")


def test_a_town_without_programmes(staff_user):
    html = logged_in(staff_user, "en").get(URL).content.decode()
    assert "Your town has no programme." in html and "<svg" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_page_costs_a_fixed_number_of_queries(saku, programme, staff_user, count, django_assert_max_num_queries):
    unit = factories.UnitFactory(facility=factories.FacilityFactory(municipality=saku))
    for index in range(count):
        visitor = factories.VisitorFactory()
        booking = stay(visitor=visitor, unit=unit, check_in=date(2026, 4 + index % 9, 1 + index % 20), nights=1)
        claim(booking=booking, programme=programme, status=S.PAID, approved_yen=1000 + index)
    client = logged_in(staff_user)
    with django_assert_max_num_queries(9):
        page = client.get(URL)
    assert page.status_code == 200
    assert (
        sum(int(n) for n in re.findall(r'<tr><th scope="row">\d{4}-\d{2}</th><td>(\d+)</td>', page.content.decode()))
        == count
    )


def test_the_page_in_japanese(history, staff_user):
    html = logged_in(staff_user).get(URL).content.decode()
    assert "年度別の移住率" in html and "<title>2025: 50.0%</title>" in html and "補助を支払った世帯数" in html
