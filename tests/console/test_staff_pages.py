"""The staff's console through the Django test client: the queue, the claim page with its receipts served only to
the town's staff, and the decisions through the reimbursements services (same refusals, same audit trail)."""

import re
from datetime import date

import pytest
from django.test import Client

from console import navigation
from reimbursements.models import Claim, ExpenseLine
from tests import factories
from tests.conftest import client_for
from tests.console.conftest import logged_in
from tests.console.scenario import submitted_claim
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import PDF, add_line, open_claim, receipt, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(programme, visitor):
    return submitted_claim(visitor)


def test_the_queue_lists_the_towns_waiting_claims_oldest_first(programme, staff_user):
    first = submitted_claim(factories.VisitorFactory())
    second = submitted_claim(factories.VisitorFactory())
    matsue_staff = factories.StaffFactory(municipality=factories.matsue())
    html = logged_in(staff_user, "en").get("/console/staff/claims/").content.decode()
    assert html.index(f"/console/staff/claims/{first['id']}/") < html.index(f"/console/staff/claims/{second['id']}/")
    assert (
        f"/console/staff/claims/{first['id']}/"
        not in logged_in(matsue_staff).get("/console/staff/claims/").content.decode()
    )
    approved = logged_in(staff_user, "en").get("/console/staff/claims/?status=approved").content.decode()
    assert f"/console/staff/claims/{first['id']}/" not in approved and "No claims." in approved
    assert logged_in(staff_user).get("/console/staff/claims/?status=bogus").status_code == 400
    assert logged_in(staff_user).get(f"/console/staff/claims/?programme={programme.code}").status_code == 200


@pytest.mark.parametrize("claims", [1, 30])
def test_the_queue_costs_a_fixed_number_of_queries(programme, staff_user, claims, django_assert_max_num_queries):
    for _ in range(claims):
        submitted_claim(factories.VisitorFactory(), lines=1)
    client = logged_in(staff_user)
    with django_assert_max_num_queries(10):
        page = client.get("/console/staff/claims/")
    assert len(re.findall(r'<a href="/console/staff/claims/\d+/">', page.content.decode())) == claims


def test_the_claim_page_shows_the_claimant_the_booking_and_each_receipt_inline(claim, staff_user, visitor, programme):
    programme.budget_yen = 1_000_000
    programme.save()
    html = logged_in(staff_user, "en").get(f"/console/staff/claims/{claim['id']}/").content.decode()
    assert visitor.full_name in html and "131121" in html
    for line in ExpenseLine.objects.filter(claim_id=claim["id"]):
        assert f'<img src="/console/staff/claims/{claim["id"]}/lines/{line.id}/receipt/"' in html
    assert "/media/" not in html
    # The submitted claim commits its total (rule 27); nothing is approved yet.
    total = claim["total_reimbursable_yen"]
    assert total > 0 and f'<meter min="0" max="1000000" value="{total}"' in html
    assert (
        f"¥{total:,} committed by grants, submissions and approvals (¥0 of it approved or paid), "
        f"¥{1_000_000 - total:,} left of ¥1,000,000." in html
    )


def test_receipts_go_only_to_the_towns_staff(claim, staff_user, visitor):
    line = ExpenseLine.objects.filter(claim_id=claim["id"]).first()
    url = f"/console/staff/claims/{claim['id']}/lines/{line.id}/receipt/"
    response = logged_in(staff_user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert logged_in(factories.StaffFactory(municipality=factories.matsue())).get(url).status_code == 404
    assert logged_in(visitor).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert logged_in(staff_user).get(f"/console/staff/claims/{claim['id']}/lines/999999/receipt/").status_code == 404


def test_disallow_needs_a_reason_then_lowers_the_total_as_the_api_shows(claim, staff_user, visitor):
    line = ExpenseLine.objects.filter(claim_id=claim["id"]).first()
    client = logged_in(staff_user, "en")
    url = f"/console/staff/claims/{claim['id']}/lines/{line.id}/disallow/"
    refused = client.post(url, {f"line-{line.id}-reason": ""})
    assert refused.status_code == 400 and "Reason: This field is required." in refused.content.decode()
    before = client_for(visitor).get(f"/api/v1/claims/{claim['id']}/").json()["total_reimbursable_yen"]
    assert client.post(url, {f"line-{line.id}-reason": "領収書の日付が違います"}).status_code == 302
    after = client_for(visitor).get(f"/api/v1/claims/{claim['id']}/").json()
    assert after["total_reimbursable_yen"] < before
    disallowed = next(item for item in after["lines"] if item["id"] == line.id)
    assert disallowed["disallowed_reason"] == "領収書の日付が違います"


def test_approve_then_mark_paid_and_the_api_shows_the_trail(claim, staff_user, visitor):
    client = logged_in(staff_user, "en")
    assert client.post(f"/console/staff/claims/{claim['id']}/approve/").status_code == 302
    assert client.post(f"/console/staff/claims/{claim['id']}/mark-paid/").status_code == 302
    api = client_for(visitor).get(f"/api/v1/claims/{claim['id']}/").json()
    assert api["status"] == "paid" and api["approved_amount_yen"] == claim["total_reimbursable_yen"]
    events = client_for(staff_user).get(f"/api/v1/claims/{claim['id']}/events/").json()["results"]
    assert [e["to_status"] for e in events][-2:] == ["approved", "paid"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_second_approval_shows_the_api_refusal(claim, staff_user, language):
    client = logged_in(staff_user, language)
    client.post(f"/console/staff/claims/{claim['id']}/approve/")
    again = client.post(f"/console/staff/claims/{claim['id']}/approve/")
    api = client_for(staff_user, language).post(f"/api/v1/claims/{claim['id']}/approve/")
    assert api.status_code == 409 and again.status_code == 400
    assert api.json()["error"]["message"] in again.content.decode()


def test_reject_needs_a_reason(claim, staff_user):
    client = logged_in(staff_user, "en")
    assert client.post(f"/console/staff/claims/{claim['id']}/reject/", {"reject-reason": ""}).status_code == 400
    assert Claim.objects.get(id=claim["id"]).status == Claim.Status.SUBMITTED
    assert (
        client.post(f"/console/staff/claims/{claim['id']}/reject/", {"reject-reason": "対象外の施設です"}).status_code
        == 302
    )
    claim_row = Claim.objects.get(id=claim["id"])
    assert (claim_row.status, claim_row.rejection_reason) == (Claim.Status.REJECTED, "対象外の施設です")


def test_another_towns_claim_is_not_found(claim):
    matsue_staff = factories.StaffFactory(municipality=factories.matsue())
    client = logged_in(matsue_staff)
    assert client.get(f"/console/staff/claims/{claim['id']}/").status_code == 404
    assert client.post(f"/console/staff/claims/{claim['id']}/approve/").status_code == 404
    assert Claim.objects.get(id=claim["id"]).status == Claim.Status.SUBMITTED


def test_the_navigation_lists_the_staff_pages(staff_user):
    html = logged_in(staff_user, "en").get("/console/staff/claims/").content.decode()
    nav = re.search(r'<nav class="nav".*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a href="([^"]+)"', nav) == [
        "/console/staff/claims/",
        "/console/staff/applications/",
        "/console/staff/monthly/",
        "/console/staff/consultations/",
        "/console/staff/kpis/",
    ]
    assert 'href="/console/staff/claims/" aria-current="page"' in nav


def test_an_entry_whose_url_is_not_installed_is_left_out(staff_user, monkeypatch):
    monkeypatch.setattr(
        navigation,
        "ENTRIES",
        [*navigation.ENTRIES, navigation.Entry("console:nowhere", "Nowhere", ("municipal_staff",))],
    )
    html = logged_in(staff_user, "en").get("/console/staff/claims/").content.decode()
    assert "Nowhere" not in html and "KPIs" in html


def test_a_pdf_receipt_is_shown_in_a_viewer_served_inline(programme, visitor, staff_user):
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    client = client_for(visitor)
    claim = open_claim(client, booking)
    assert (
        add_line(
            client, claim["id"], category="taxi", date="2026-12-02", amount_yen=1500, file=receipt("taxi.pdf", PDF)
        ).status_code
        == 201
    )
    assert submit(client, claim["id"]).status_code == 200
    line = ExpenseLine.objects.get(claim_id=claim["id"])
    url = f"/console/staff/claims/{claim['id']}/lines/{line.id}/receipt/"
    html = logged_in(staff_user).get(f"/console/staff/claims/{claim['id']}/").content.decode()
    assert f'<iframe src="{url}"' in html
    response = logged_in(staff_user).get(url)
    assert response["Content-Type"] == "application/pdf" and "attachment" not in response.get("Content-Disposition", "")


def test_the_queue_is_shown_a_page_at_a_time_keeping_its_filter(programme, staff_user, monkeypatch):
    monkeypatch.setattr("console.views.QUEUE_PAGE_SIZE", 2)
    claims = [submitted_claim(factories.VisitorFactory()) for _ in range(3)]
    links = [f"/console/staff/claims/{claim['id']}/" for claim in claims]
    console = logged_in(staff_user, "en")

    first = console.get("/console/staff/claims/", {"programme": programme.code}).content.decode()
    assert links[0] in first and links[1] in first and links[2] not in first
    assert "1–2 of 3" in first
    assert f'href="?programme={programme.code}&amp;page=2"' in first and 'rel="prev"' not in first

    second = console.get("/console/staff/claims/", {"programme": programme.code, "page": 2}).content.decode()
    assert links[2] in second and links[0] not in second and "3–3 of 3" in second
    assert f'href="?programme={programme.code}&amp;page=1"' in second and 'rel="next"' not in second
    # A page beyond the last, or not a number, shows the last or the first rather than failing.
    assert links[2] in console.get("/console/staff/claims/", {"page": 9}).content.decode()
    assert links[0] in console.get("/console/staff/claims/", {"page": "x"}).content.decode()
    japanese = logged_in(staff_user, "ja").get("/console/staff/claims/").content.decode()
    assert "3件中 1–2件" in japanese and "次へ" in japanese
