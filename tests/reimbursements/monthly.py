"""Helpers of the monthly programmes' tests: a Saku-like commuting subsidy created by staff through the API, a
clock the tests move, a confirmed move, a certification and months claimed, all through the HTTP API."""

from datetime import date

import pytest

from tests.reimbursements.helpers import receipt

PROGRAMMES = "/api/v1/programmes/"
CERTIFICATIONS = "/api/v1/certifications/"
CLAIMS = "/api/v1/claims/"

COMMUTING = {
    "code": "saku-shinkansen-commute",
    "name_ja": "佐久市新幹線通勤補助金",
    "name_en": "Saku shinkansen commuting subsidy",
    "kind": "monthly",
    "valid_from": "2024-04-01",
    "valid_until": "2030-03-31",
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
    "budget_yen": None,
}


class Clock:
    """Japan's date for the bookings (moves cannot be dated in the future) and the claims (deadlines)."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock(monkeypatch):
    today = Clock(date(2026, 4, 1))
    monkeypatch.setattr("bookings.selectors.today", today)
    monkeypatch.setattr("reimbursements.services.today", today)
    return today


def create_programme(staff_client, **changes) -> dict:
    response = staff_client.post(PROGRAMMES, {**COMMUTING, **changes}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def record_move(staff_client, visitor, moved_on: str) -> None:
    response = staff_client.post("/api/v1/moves/", {"visitor": visitor.email, "moved_on": moved_on}, format="json")
    assert response.status_code == 201, response.content


def apply(client, *, programme=COMMUTING["code"], move_date="2026-04-01", birth_date="1990-01-01", workplace="東京都"):
    return client.post(
        CERTIFICATIONS,
        {"programme": programme, "move_date": move_date, "birth_date": birth_date, "workplace_prefecture": workplace},
        format="json",
    )


def certify(staff_client, certification_id) -> dict:
    response = staff_client.post(f"{CERTIFICATIONS}{certification_id}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def open_month(client, month: str, programme=COMMUTING["code"]):
    return client.post(CLAIMS, {"programme": programme, "month": month}, format="json")


def add(client, claim_id, category: str, day: str, amount_yen: int):
    response = client.post(
        f"{CLAIMS}{claim_id}/lines/",
        {"category": category, "date": day, "amount_yen": amount_yen, "receipt": receipt()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def claim_of(client, claim_id) -> dict:
    response = client.get(f"{CLAIMS}{claim_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def month_claim(client, month: str, *, tickets=(), allowance=None, programme=COMMUTING["code"]) -> dict:
    """Opens the month's claim with its ticket lines and the employer's allowance; answers the claim."""
    response = open_month(client, month, programme)
    assert response.status_code == 201, response.content
    claim_id = response.json()["id"]
    for amount in tickets:
        add(client, claim_id, "shinkansen_ticket", f"{month}-05", amount)
    if allowance is not None:
        add(client, claim_id, "commuting_allowance", f"{month}-25", allowance)
    return claim_of(client, claim_id)


def act(client, claim_id, action: str, **body):
    response = client.post(f"{CLAIMS}{claim_id}/{action}/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def add_months_iso(month: str, months: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --- the same, through the services (set-ups of races and state machines) --------------------------------------------


def monthly_programme(**changes):
    from reimbursements.programme_services import programme_create
    from tests import factories

    fields = {key: value for key, value in {**COMMUTING, **changes}.items()}
    for name in ("valid_from", "valid_until"):
        fields[name] = date.fromisoformat(fields[name])
    return programme_create(municipality=factories.saku(), **fields)


def certified_person(programme, staff, *, certified_on=date(2026, 5, 20)):
    """A visitor whose move on 2026-04-01 the town confirmed, certified on `certified_on` (months from the next)."""
    from django.utils import timezone

    from outcomes.models import Move
    from reimbursements import certification_services, services
    from tests import factories

    person = factories.VisitorFactory()
    Move.objects.create(
        visitor=person,
        municipality=programme.municipality,
        moved_on=date(2026, 4, 1),
        reported_by=staff,
        confirmed_by=staff,
        confirmed_at=timezone.now(),
    )
    original = services.today
    services.today = lambda: date(2026, 4, 2)
    try:
        certification = certification_services.certification_apply(
            visitor=person,
            programme=programme.code,
            move_date=date(2026, 4, 1),
            birth_date=date(1990, 1, 1),
            workplace_prefecture="東京都",
        )
        services.today = lambda: certified_on
        certification_services.certification_approve(certification=certification, actor=staff)
    finally:
        services.today = original
    return person


def drafted_month(person, programme, month: date, *, tickets=(), allowance=None):
    from reimbursements import services

    claim = services.monthly_claim_create(visitor=person, programme=programme.code, month=month)
    for amount in tickets:
        services.expense_line_add(
            claim=claim, category="shinkansen_ticket", date=month.replace(day=5), amount_yen=amount, receipt=receipt()
        )
    if allowance is not None:
        services.expense_line_add(
            claim=claim,
            category="commuting_allowance",
            date=month.replace(day=25),
            amount_yen=allowance,
            receipt=receipt(),
        )
    return claim
