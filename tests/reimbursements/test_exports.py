"""The claims CSV staff download: the claimant as declared at submission, approved and paid claims, Japan's time."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from reimbursements.models import Claim
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import add_line, open_claim, submit

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/claims/export.csv"
DECLARED = {
    "claimant_name": "佐久 花子",
    "claimant_email": "hanako@example.jp",
    "claimant_home_prefecture": "東京都",
    "claimant_home_municipality": "世田谷区",
    "claimant_home_municipality_code": "131121",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def submitted_claim(programme, visitor, visitor_client):
    """A submitted claim of ¥26,000 (2 persons, 3 nights at ¥9,000, a taxi of ¥2,000) with the claimant's
    declaration written as submission records it."""
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4), adults=2)
    claim = open_claim(visitor_client, booking)
    add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=2000)
    assert submit(visitor_client, claim["id"]).status_code == 200
    Claim.objects.filter(id=claim["id"]).update(**DECLARED)
    return claim["id"]


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def approve(staff_client, claim_id):
    assert staff_client.post(f"/api/v1/claims/{claim_id}/approve/").status_code == 200


def test_an_approved_claim_shows_the_claimant_as_declared(staff_client, submitted_claim, visitor):
    approve(staff_client, submitted_claim)
    # A profile changed after submission does not reach the export.
    visitor.full_name, visitor.email, visitor.home_municipality = "別人", "other@example.jp", "佐久市"
    visitor.save()
    response = staff_client.get(EXPORT)
    assert response["Content-Disposition"] == 'attachment; filename="claims-approved-paid.csv"'
    [row] = rows(response)
    assert {key: row[key] for key in DECLARED} == DECLARED
    assert (row["claim_id"], row["programme"], row["status"]) == (
        str(submitted_claim),
        "saku-trial-stay-2026",
        "approved",
    )
    assert (row["check_in"], row["check_out"]) == ("2026-12-01", "2026-12-04")
    assert (row["total_reimbursable_yen"], row["approved_amount_yen"], row["paid_at"]) == ("26000", "26000", "")


def test_paid_claims_stay_in_the_export(staff_client, submitted_claim):
    approve(staff_client, submitted_claim)
    assert staff_client.post(f"/api/v1/claims/{submitted_claim}/mark-paid/").status_code == 200
    [row] = rows(staff_client.get(EXPORT))
    assert row["status"] == "paid" and row["paid_at"].endswith("+09:00")
    assert rows(staff_client.get(EXPORT + "?status=paid"))[0]["claim_id"] == str(submitted_claim)
    assert rows(staff_client.get(EXPORT + "?status=approved")) == []


def test_submitted_rejected_and_draft_claims_are_not_exported(
    programme, visitor, visitor_client, staff_client, submitted_claim
):
    rejected = make_booking(visitor=visitor, check_in=date(2027, 1, 10), check_out=date(2027, 1, 11))
    rejected_claim = open_claim(visitor_client, rejected)
    assert submit(visitor_client, rejected_claim["id"]).status_code == 200
    assert (
        staff_client.post(
            f"/api/v1/claims/{rejected_claim['id']}/reject/", {"reason": "重複"}, format="json"
        ).status_code
        == 200
    )
    drafter = factories.VisitorFactory()
    draft = make_booking(visitor=drafter, check_in=date(2027, 2, 1), check_out=date(2027, 2, 2))
    open_claim(client_for(drafter), draft)
    assert rows(staff_client.get(EXPORT)) == []  # the submitted one is still under review
    approve(staff_client, submitted_claim)
    assert [row["claim_id"] for row in rows(staff_client.get(EXPORT))] == [str(submitted_claim)]


def test_times_are_in_japan(staff_client, submitted_claim):
    approve(staff_client, submitted_claim)
    # 15:30 UTC is half past midnight the next day in Japan.
    Claim.objects.filter(id=submitted_claim).update(
        submitted_at=datetime(2026, 12, 5, 15, 30, tzinfo=UTC),
        approved_at=datetime(2026, 12, 10, 1, 2, 3, 456789, tzinfo=UTC),
    )
    [row] = rows(staff_client.get(EXPORT))
    assert row["submitted_at"] == "2026-12-06T00:30:00+09:00"
    assert row["approved_at"] == "2026-12-10T10:02:03+09:00"
    detail = staff_client.get(f"/api/v1/claims/{submitted_claim}/").json()
    assert detail["approved_at"].startswith("2026-12-10T10:02:03") and detail["approved_at"].endswith("+09:00")


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example/","請求書")', "+81 90", "-1+2", "@SUM(A1)", "\tcmd", "\r=1"]
)
def test_export_neutralises_spreadsheet_formulas(staff_client, submitted_claim, name):
    Claim.objects.filter(id=submitted_claim).update(claimant_name=name, claimant_home_municipality=name)
    approve(staff_client, submitted_claim)
    [row] = rows(staff_client.get(EXPORT))
    assert row["claimant_name"] == row["claimant_home_municipality"] == "'" + name
    assert row["approved_amount_yen"] == "26000"


def test_only_the_staff_members_town(staff_client, submitted_claim, visitor):
    approve(staff_client, submitted_claim)
    other_staff = client_for(factories.StaffFactory(municipality=factories.MunicipalityFactory()))
    assert rows(other_staff.get(EXPORT)) == []
    assert len(rows(staff_client.get(EXPORT))) == 1


@pytest.mark.parametrize("language, message", [("ja", "有効な選択肢ではありません"), ("en", "is not a valid choice")])
def test_an_unknown_status_is_refused(staff_user, language, message):
    response = client_for(staff_user, language).get(EXPORT + "?status=submitted")
    assert response.status_code == 400
    assert message in response.json()["error"]["fields"]["status"][0]


def test_one_fiscal_year_exports_the_claims_whose_stay_begins_in_it(staff_client, programme, visitor, visitor_client):
    """Saku's year starts in April: a stay from 2027-03-30 is fiscal 2026, one from 2027-04-01 is fiscal 2027."""
    type(programme).objects.filter(pk=programme.pk).update(valid_until=date(2028, 3, 31))
    claims = {}
    for check_in in (date(2026, 12, 1), date(2027, 3, 30), date(2027, 4, 1)):
        booking = make_booking(visitor=visitor, check_in=check_in, check_out=date.fromordinal(check_in.toordinal() + 2))
        claim = open_claim(visitor_client, booking)
        assert submit(visitor_client, claim["id"]).status_code == 200
        approve(staff_client, claim["id"])
        claims[check_in] = str(claim["id"])

    fiscal_2026 = staff_client.get(EXPORT + "?fiscal_year=2026")
    assert fiscal_2026["Content-Disposition"] == 'attachment; filename="claims-approved-paid-fy2026.csv"'
    assert [row["claim_id"] for row in rows(fiscal_2026)] == [claims[date(2026, 12, 1)], claims[date(2027, 3, 30)]]
    assert [row["claim_id"] for row in rows(staff_client.get(EXPORT + "?fiscal_year=2027&status=approved"))] == [
        claims[date(2027, 4, 1)]
    ]
    assert rows(staff_client.get(EXPORT + "?fiscal_year=2025")) == []
    assert len(rows(staff_client.get(EXPORT))) == 3


@pytest.mark.parametrize("value", ["abc", "1999", "20260", "2026.5"])
def test_a_fiscal_year_that_is_not_a_year_is_refused_on_its_field(staff_user, value):
    response = client_for(staff_user, "ja").get(EXPORT, {"fiscal_year": value})
    assert response.status_code == 400
    [message] = response.json()["error"]["fields"]["fiscal_year"]
    assert any("\u3040" <= character <= "\u30ff" or "\u4e00" <= character <= "\u9fff" for character in message)
