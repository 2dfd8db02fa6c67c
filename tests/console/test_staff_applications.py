"""Applications before the stay in the staff console: the queue, the application page, grant and refuse through
the reimbursements services (the API's refusals, the API's audit trail), another town's not found."""

import re

import pytest
from django.test import Client

from reimbursements.models import Claim, ExpenseLine
from tests import factories
from tests.conftest import client_for
from tests.console.conftest import logged_in
from tests.console.scenario import applied_claim, submitted_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(applications, visitor):
    return applied_claim(visitor)


def queue_links(html: str) -> list[str]:
    return re.findall(r'<a href="/console/staff/claims/(\d+)/">', html)


def test_the_queue_lists_the_towns_applications_oldest_first(applications, staff_user):
    first = applied_claim(factories.VisitorFactory())
    second = applied_claim(factories.VisitorFactory())
    html = logged_in(staff_user, "en").get("/console/staff/applications/").content.decode()
    assert queue_links(html) == [str(first["id"]), str(second["id"])]
    # What a grant would commit now, as the API shows the application.
    assert f"¥{first['total_reimbursable_yen']:,}" in html
    assert 'href="/console/staff/applications/" aria-current="page"' in html
    matsue_staff = factories.StaffFactory(municipality=factories.matsue())
    assert queue_links(logged_in(matsue_staff).get("/console/staff/applications/").content.decode()) == []


def test_the_queue_filters_by_programme(applications, staff_user, application):
    client = logged_in(staff_user, "en")
    assert queue_links(client.get(f"/console/staff/applications/?programme={applications.code}").content.decode()) == [
        str(application["id"])
    ]
    unknown = client.get("/console/staff/applications/?programme=nowhere")
    assert unknown.status_code == 400 and "Select a valid choice." in unknown.content.decode()


def test_the_claim_queues_status_filter_covers_applications(applications, staff_user, application):
    client = logged_in(staff_user, "en")
    applied = client.get("/console/staff/claims/?status=applied").content.decode()
    assert queue_links(applied) == [str(application["id"])]
    assert queue_links(client.get("/console/staff/claims/").content.decode()) == []


def test_only_applied_claims_wait_in_the_queue(programme, staff_user, visitor):
    submitted_claim(visitor)
    html = logged_in(staff_user, "en").get("/console/staff/applications/").content.decode()
    assert queue_links(html) == [] and "No applications waiting." in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_queue_costs_a_fixed_number_of_queries(applications, staff_user, count, django_assert_max_num_queries):
    for _ in range(count):
        applied_claim(factories.VisitorFactory())
    client = logged_in(staff_user)
    with django_assert_max_num_queries(12):
        page = client.get("/console/staff/applications/")
    assert len(queue_links(page.content.decode())) == count


def test_the_application_page_shows_the_applicant_the_planned_line_and_the_decision(application, staff_user, visitor):
    html = logged_in(staff_user, "en").get(f"/console/staff/claims/{application['id']}/").content.decode()
    assert "Applicant (profile now)" in html and visitor.full_name in html and "131121" in html
    assert "Planned before the stay: no receipt yet." in html and "/receipt/" not in html
    assert f"Grant ¥{application['total_reimbursable_yen']:,}" in html
    assert 'action="/console/staff/claims/{}/refuse/"'.format(application["id"]) in html
    assert 'href="/console/staff/applications/"' in html


def test_grant_goes_through_the_service_and_the_api_shows_it(application, staff_user, visitor):
    client = logged_in(staff_user, "en")
    response = client.post(f"/console/staff/claims/{application['id']}/grant/")
    assert response.status_code == 302 and response["Location"] == f"/console/staff/claims/{application['id']}/"
    page = client.get(response["Location"]).content.decode()
    assert f"The application is granted: ¥{application['total_reimbursable_yen']:,}." in page
    assert 'id="refuse"' in page and "Take back the grant" in page and 'id="grant"' not in page
    api = client_for(visitor).get(f"/api/v1/claims/{application['id']}/").json()
    assert api["status"] == "granted" and api["granted_by"] == staff_user.id
    assert api["granted_amount_yen"] == application["total_reimbursable_yen"]
    events = client_for(staff_user).get(f"/api/v1/claims/{application['id']}/events/").json()["results"]
    assert [(e["from_status"], e["to_status"]) for e in events][-1] == ("applied", "granted")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_second_grant_shows_the_api_refusal(application, staff_user, language):
    client = logged_in(staff_user, language)
    assert client.post(f"/console/staff/claims/{application['id']}/grant/").status_code == 302
    again = client.post(f"/console/staff/claims/{application['id']}/grant/")
    api = client_for(staff_user, language).post(f"/api/v1/claims/{application['id']}/grant/")
    assert api.status_code == 409 and again.status_code == 400
    assert api.json()["error"]["message"] in again.content.decode()


def test_refuse_needs_a_reason_then_gives_the_days_back(application, staff_user, visitor):
    client = logged_in(staff_user, "en")
    url = f"/console/staff/claims/{application['id']}/refuse/"
    refused = client.post(url, {"refuse-reason": ""})
    assert refused.status_code == 400 and "Reason: This field is required." in refused.content.decode()
    assert Claim.objects.get(id=application["id"]).status == Claim.Status.APPLIED
    assert client.post(url, {"refuse-reason": "予算の対象外です"}).status_code == 302
    api = client_for(visitor).get(f"/api/v1/claims/{application['id']}/").json()
    assert api["status"] == "refused"
    page = client.get(f"/console/staff/claims/{application['id']}/").content.decode()
    assert "Refusal reason" in page and "予算の対象外です" in page and "No decision is open on this claim." in page


def test_a_grant_can_be_taken_back(application, staff_user):
    client = logged_in(staff_user, "en")
    client.post(f"/console/staff/claims/{application['id']}/grant/")
    assert (
        client.post(f"/console/staff/claims/{application['id']}/refuse/", {"refuse-reason": "滞在が中止"}).status_code
        == 302
    )
    assert Claim.objects.get(id=application["id"]).status == Claim.Status.REFUSED


def test_refusing_a_submitted_claim_shows_the_api_refusal(programme, staff_user, visitor):
    claim = submitted_claim(visitor)
    again = logged_in(staff_user, "en").post(f"/console/staff/claims/{claim['id']}/refuse/", {"refuse-reason": "x"})
    api = client_for(staff_user, "en").post(f"/api/v1/claims/{claim['id']}/refuse/", {"reason": "x"}, format="json")
    assert api.status_code == 409 and again.status_code == 400
    assert api.json()["error"]["message"] in again.content.decode()
    assert Claim.objects.get(id=claim["id"]).status == Claim.Status.SUBMITTED


def test_another_towns_application_is_not_found(application):
    client = logged_in(factories.StaffFactory(municipality=factories.matsue()))
    assert client.get(f"/console/staff/claims/{application['id']}/").status_code == 404
    assert client.post(f"/console/staff/claims/{application['id']}/grant/").status_code == 404
    assert client.post(f"/console/staff/claims/{application['id']}/refuse/", {"refuse-reason": "x"}).status_code == 404
    assert Claim.objects.get(id=application["id"]).status == Claim.Status.APPLIED


def test_only_the_towns_staff_decide(application, visitor, operator_user):
    for path in ("/console/staff/applications/", f"/console/staff/claims/{application['id']}/grant/"):
        method = "get" if path.endswith("applications/") else "post"
        assert getattr(logged_in(visitor), method)(path).status_code == 403
        assert getattr(logged_in(operator_user), method)(path).status_code == 403
        anonymous = getattr(Client(), method)(path)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/console/login/")
    assert Claim.objects.get(id=application["id"]).status == Claim.Status.APPLIED


def test_grant_needs_the_csrf_token(application, staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.post(f"/console/staff/claims/{application['id']}/grant/").status_code == 403
    assert Claim.objects.get(id=application["id"]).status == Claim.Status.APPLIED


def test_a_planned_line_has_no_receipt_to_serve(application, staff_user):
    line = ExpenseLine.objects.get(claim_id=application["id"])
    assert (
        logged_in(staff_user).get(f"/console/staff/claims/{application['id']}/lines/{line.id}/receipt/").status_code
        == 404
    )


def test_the_queue_and_the_decision_in_japanese(application, staff_user):
    html = logged_in(staff_user).get(f"/console/staff/claims/{application['id']}/").content.decode()
    assert "交付決定する" in html and "不交付とする" in html and "申請者（現在のプロフィール）" in html
    queue = logged_in(staff_user).get("/console/staff/applications/").content.decode()
    assert "交付申請日時" in queue and "交付決定する場合の金額" in queue


def test_the_queue_shows_what_grants_have_committed_of_the_budget(applications, staff_user):
    """A grant commits its amount against the budget before the stay: the queue's budget shows it, and what is
    left for the next grant."""
    applications.budget_yen = 100_000
    applications.save()
    granted = applied_claim(factories.VisitorFactory())
    waiting = applied_claim(factories.VisitorFactory())
    client = logged_in(staff_user, "en")
    assert client.post(f"/console/staff/claims/{granted['id']}/grant/").status_code == 302

    html = client.get("/console/staff/applications/").content.decode()

    amount = granted["total_reimbursable_yen"]
    assert amount > 0 and f'<meter min="0" max="100000" value="{amount}"' in html
    assert (
        f"¥{amount:,} committed by grants, submissions and approvals (¥0 of it approved or paid), "
        f"¥{100_000 - amount:,} left of ¥100,000." in html
    )
    assert queue_links(html) == [str(waiting["id"])]
    japanese = logged_in(staff_user, "ja").get("/console/staff/applications/").content.decode()
    assert f"交付決定・実績報告・承認で¥{amount:,}計上済み" in japanese


def test_a_town_without_a_programme_taking_applications_says_so(programme, staff_user):
    html = logged_in(staff_user, "en").get("/console/staff/applications/").content.decode()
    assert "No programme of your town takes applications." in html and "<meter" not in html
