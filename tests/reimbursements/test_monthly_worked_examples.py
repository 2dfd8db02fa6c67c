"""The worked examples of the monthly programmes (docs/subsidies.md, rules 41-52), through the HTTP API and to the
yen: Saku's shinkansen commuting subsidy (新幹線通勤補助金) and its variants."""

import pytest

from tests import factories
from tests.conftest import client_for
from tests.reimbursements.monthly import (
    CERTIFICATIONS,
    act,
    apply,
    certify,
    claim_of,
    clock,  # noqa: F401  (fixture)
    create_programme,
    month_claim,
    open_month,
    record_move,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commuter(saku):
    return factories.VisitorFactory()


@pytest.fixture
def commuter_client(commuter):
    return client_for(commuter)


@pytest.fixture
def programme(staff_client, clock):
    return create_programme(staff_client)


def certified(staff_client, commuter, commuter_client, clock, *, on="2026-05-20") -> dict:
    record_move(staff_client, commuter, "2026-04-01")
    response = apply(commuter_client)
    assert response.status_code == 201, response.content
    clock.day = clock.day.fromisoformat(on)
    return certify(staff_client, response.json()["id"])


# --- certification -----------------------------------------------------------------------------------------------


def test_the_programme_is_created_by_staff_as_monthly(programme):
    assert programme["kind"] == "monthly"
    assert programme["workplace_prefectures"] == ["埼玉県", "千葉県", "東京都", "神奈川県"]
    assert programme["categories"] == []


@pytest.mark.parametrize(
    ("today", "status", "code"), [("2026-07-01", 201, None), ("2026-07-02", 409, "certification_deadline_passed")]
)
def test_certification_within_three_months_of_the_move(
    programme, staff_client, commuter, commuter_client, clock, today, status, code
):
    clock.day = clock.day.fromisoformat("2026-04-01")
    record_move(staff_client, commuter, "2026-04-01")
    clock.day = clock.day.fromisoformat(today)
    response = apply(commuter_client)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(("born", "status"), [("1976-05-01", 201), ("1976-03-31", 409)])
def test_the_age_limit_is_the_age_on_the_move_date(programme, staff_client, commuter, commuter_client, born, status):
    record_move(staff_client, commuter, "2026-04-01")
    response = apply(commuter_client, birth_date=born)
    assert response.status_code == status, response.content
    if status == 409:
        assert response.json()["error"]["code"] == "age_limit"
        assert "birth_date" in response.json()["error"]["fields"]


def test_a_workplace_outside_the_prefectures_is_refused(programme, staff_client, commuter, commuter_client):
    record_move(staff_client, commuter, "2026-04-01")
    response = apply(commuter_client, workplace="長野県")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "workplace_not_covered"


def test_a_move_the_town_has_not_confirmed_is_refused(programme, commuter_client):
    response = apply(commuter_client)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "move_not_confirmed"


def test_staff_refuse_a_certification_with_a_reason(programme, staff_client, commuter, commuter_client):
    record_move(staff_client, commuter, "2026-04-01")
    certification = apply(commuter_client).json()
    response = staff_client.post(
        f"{CERTIFICATIONS}{certification['id']}/refuse/", {"reason": "勤務先証明なし"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == ("refused", "勤務先証明なし")
    assert open_month(commuter_client, "2026-06").json()["error"]["code"] == "not_certified"


# --- the period ------------------------------------------------------------------------------------------------------


def test_the_months_run_from_the_month_after_certification(programme, staff_client, commuter, commuter_client, clock):
    certification = certified(staff_client, commuter, commuter_client, clock)
    assert (certification["certified_on"], certification["first_month"], certification["last_month"]) == (
        "2026-05-20",
        "2026-06",
        "2028-05",
    )
    assert len(certification["months"]) == 24 and certification["months_left"] == 24
    for month in ("2026-06", "2028-05"):
        assert open_month(commuter_client, month).status_code == 201
    for month in ("2026-05", "2028-06"):
        response = open_month(commuter_client, month)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "outside_period"


# --- the amounts -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tickets", "allowance", "paid"),
    [((58000,), 20000, 19000), ((60000, 30000), 30000, 20000), ((20000,), 20000, 0), ((15000,), 18000, 0)],
)
def test_half_the_tickets_less_the_allowance_at_most_the_cap(
    programme, staff_client, commuter, commuter_client, clock, tickets, allowance, paid
):
    certified(staff_client, commuter, commuter_client, clock)
    claim = month_claim(commuter_client, "2026-06", tickets=tickets, allowance=allowance)
    assert claim["total_reimbursable_yen"] == paid
    allowance_line = next(line for line in claim["lines"] if line["category"] == "commuting_allowance")
    assert (allowance_line["reimbursable_yen"], allowance_line["reason"]) == (0, "allowance_deducted")
    assert sum(line["reimbursable_yen"] for line in claim["lines"]) == paid


@pytest.mark.parametrize(("rounding", "paid"), [(1, 17500), (1000, 17000)])
def test_the_rounding_is_data(staff_client, commuter, commuter_client, clock, rounding, paid):
    create_programme(staff_client, rounding_unit_yen=rounding)
    certified(staff_client, commuter, commuter_client, clock)
    claim = month_claim(commuter_client, "2026-06", tickets=(45001,), allowance=10000)
    assert claim["total_reimbursable_yen"] == paid


def test_a_commuter_pass_is_accepted_and_pays_nothing(programme, staff_client, commuter, commuter_client, clock):
    certified(staff_client, commuter, commuter_client, clock)
    claim = month_claim(commuter_client, "2026-06", tickets=(10000,))
    from tests.reimbursements.monthly import add

    line = add(commuter_client, claim["id"], "commuter_pass", "2026-06-01", 60000)
    assert (line["reimbursable_yen"], line["reason"]) == (0, "commuter_pass_excluded")
    assert claim_of(commuter_client, claim["id"])["total_reimbursable_yen"] == 5000


# --- once a month ----------------------------------------------------------------------------------------------------


def test_a_month_is_claimed_once_and_a_withdrawal_frees_it(programme, staff_client, commuter, commuter_client, clock):
    certified(staff_client, commuter, commuter_client, clock)
    first = open_month(commuter_client, "2026-07").json()
    again = open_month(commuter_client, "2026-07")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "month_already_claimed"
    act(commuter_client, first["id"], "withdraw")
    assert open_month(commuter_client, "2026-07").status_code == 201


# --- the lifetime cap ------------------------------------------------------------------------------------------------


def pay_months(commuter_client, staff_client, months: int) -> None:
    from tests.reimbursements.monthly import add_months_iso

    for index in range(months):
        claim = month_claim(commuter_client, add_months_iso("2026-06", index), tickets=(60000,), allowance=10000)
        assert claim["total_reimbursable_yen"] == 20000
        act(commuter_client, claim["id"], "submit")
        act(staff_client, claim["id"], "approve")
        act(staff_client, claim["id"], "mark-paid")


@pytest.mark.parametrize(
    ("cap", "paid", "reasons"),
    [(480000, 20000, ["monthly_limit"]), (470000, 10000, ["monthly_limit", "lifetime_limit"])],
)
def test_the_lifetime_cap(staff_client, commuter, commuter_client, clock, cap, paid, reasons):
    create_programme(staff_client, lifetime_cap_yen=cap)
    certified(staff_client, commuter, commuter_client, clock)
    pay_months(commuter_client, staff_client, 23)
    last = month_claim(commuter_client, "2028-05", tickets=(60000,), allowance=10000)
    assert (last["total_reimbursable_yen"], last["reasons"]) == (paid, reasons)
    act(commuter_client, last["id"], "submit")
    act(staff_client, last["id"], "approve")
    certification = commuter_client.get(f"{CERTIFICATIONS}{last['certification']}/").json()
    assert certification["months_left"] == 0
    assert certification["paid_yen"] == 460000
    assert certification["committed_yen"] == 460000 + paid <= cap


# --- the budget ------------------------------------------------------------------------------------------------------


def test_the_budget_of_the_fiscal_year_cuts_then_refuses(staff_client, clock, saku):
    create_programme(staff_client, budget_yen=30000)
    people = []
    for _ in range(3):
        person = factories.VisitorFactory()
        client = client_for(person)
        clock.day = clock.day.fromisoformat("2026-04-01")
        certified(staff_client, person, client, clock)
        people.append(client)
    first = month_claim(people[0], "2026-06", tickets=(60000,), allowance=10000)
    act(people[0], first["id"], "submit")
    second = month_claim(people[1], "2026-06", tickets=(60000,), allowance=10000)
    assert (second["total_reimbursable_yen"], second["reasons"]) == (10000, ["monthly_limit", "budget_low"])
    act(people[1], second["id"], "submit")
    third = month_claim(people[2], "2026-06", tickets=(60000,), allowance=10000)
    assert (third["total_reimbursable_yen"], third["reasons"]) == (0, ["monthly_limit", "budget_exhausted"])
    response = people[2].post(f"/api/v1/claims/{third['id']}/submit/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "budget_exhausted"
    # The next fiscal year has its own budget.
    april = month_claim(people[2], "2027-04", tickets=(60000,), allowance=10000)
    assert (april["total_reimbursable_yen"], april["reasons"]) == (20000, ["monthly_limit"])


# --- the CSV of a fiscal year ------------------------------------------------------------------------------------------


def test_the_fiscal_year_csv_holds_the_months_of_that_year(programme, staff_client, commuter, commuter_client, clock):
    """A monthly claim's year is its month's: 2027-03 is fiscal 2026, 2027-04 fiscal 2027."""
    import csv
    import io

    certified(staff_client, commuter, commuter_client, clock)
    ids = {}
    for month in ("2026-06", "2027-03", "2027-04"):
        claim = month_claim(commuter_client, month, tickets=(30000,), allowance=10000)
        act(commuter_client, claim["id"], "submit")
        act(staff_client, claim["id"], "approve")
        ids[month] = str(claim["id"])

    def exported(year):
        response = staff_client.get("/api/v1/claims/export.csv", {"fiscal_year": year})
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return [(row["claim_id"], row["month"]) for row in csv.DictReader(io.StringIO(text, newline=""))]

    assert exported(2026) == [(ids["2026-06"], "2026-06"), (ids["2027-03"], "2027-03")]
    assert exported(2027) == [(ids["2027-04"], "2027-04")]
