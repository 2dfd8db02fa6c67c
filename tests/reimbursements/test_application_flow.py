"""Programmes that require an application before the stay (交付申請 → 交付決定 → 実績報告 → 額の確定), through the API:
apply with planned lines, grant or refuse, report after check-out within the grant; every refusal in ja and en."""

from datetime import date

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from facilities.models import Municipality
from reimbursements import demo, hooks, services
from reimbursements.models import Claim, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking, saku_programme
from tests.reimbursements.helpers import add_line, claim_read, estimate, open_claim, submit

pytestmark = pytest.mark.django_db

CHECK_IN, CHECK_OUT = date(2026, 12, 1), date(2026, 12, 4)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def clock(monkeypatch):
    """Japan's date as the claim services see it; a month before the stay unless a test moves it."""
    state = {"today": date(2026, 11, 1)}
    monkeypatch.setattr(services, "today", lambda: state["today"])

    def move(day):
        state["today"] = day

    return move


@pytest.fixture
def programme(saku):
    programme = saku_programme()
    Programme.objects.filter(id=programme.id).update(requires_application=True, application_deadline_days=7)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def booking(programme, visitor):
    return make_booking(visitor=visitor, check_in=CHECK_IN, check_out=CHECK_OUT, adults=2)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def call(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return call


def planned_line(client, claim_id, *, category="taxi", day="2026-12-02", amount_yen=2000):
    return client.post(
        f"/api/v1/claims/{claim_id}/lines/",
        {"category": category, "date": day, "amount_yen": amount_yen, "persons": 1},
        format="multipart",
    )


def post(client, claim_id, action, body=None):
    return client.post(f"/api/v1/claims/{claim_id}/{action}/", body or {}, format="json")


@pytest.fixture
def applied(visitor_client, booking, clock):
    claim = open_claim(visitor_client, booking)
    assert planned_line(visitor_client, claim["id"]).status_code == 201
    response = post(visitor_client, claim["id"], "apply")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def granted(applied, staff_client, committed):
    response = committed(post, staff_client, applied["id"], "grant")
    assert response.status_code == 200, response.content
    return response.json()


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code
    return body


# --- the workflow ---------------------------------------------------------------------------------------------------


def test_planned_line_needs_no_receipt_and_counts_in_the_application(visitor_client, booking, clock):
    claim = open_claim(visitor_client, booking)
    response = planned_line(visitor_client, claim["id"])
    assert response.status_code == 201, response.content
    assert response.json()["planned"] is True
    current = claim_read(visitor_client, claim["id"])
    line = current["lines"][0]
    assert line["planned"] is True and line["receipt_name"] == ""
    assert line["reimbursable_yen"] > 0
    assert current["total_reimbursable_yen"] == 24000 + line["reimbursable_yen"]


def test_apply_grant_report_approve(applied, staff_client, staff_user, visitor_client, committed, clock):
    assert applied["status"] == "applied" and applied["applied_at"] and applied["eligible_dates"] == []
    planned_paid = applied["lines"][0]["reimbursable_yen"]
    granted = committed(post, staff_client, applied["id"], "grant").json()
    assert granted["status"] == "granted"
    assert granted["granted_amount_yen"] == 24000 + planned_paid == granted["total_reimbursable_yen"]
    assert granted["granted_by"] == staff_user.id and granted["granted_at"]
    assert granted["eligible_dates"] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]

    clock(CHECK_OUT)
    response = add_line(visitor_client, granted["id"], category="taxi", date="2026-12-02", amount_yen=1000)
    assert response.status_code == 201, response.content
    report = submit(visitor_client, granted["id"])
    assert report.status_code == 200, report.content
    report = report.json()
    assert report["status"] == "submitted"
    planned, receipted = sorted(report["lines"], key=lambda line: not line["planned"])
    assert planned["reimbursable_yen"] == 0 and planned["reason"] == "planned"
    assert report["total_reimbursable_yen"] == 24000 + receipted["reimbursable_yen"] <= granted["granted_amount_yen"]
    assert "grant_limit" not in report["reasons"]
    # The report answers with the claim as it is now stored, the granted days included.
    assert report == claim_read(visitor_client, granted["id"])
    assert report["eligible_dates"] == granted["eligible_dates"]

    approved = post(staff_client, granted["id"], "approve").json()
    assert approved["status"] == "approved" and approved["approved_amount_yen"] == report["total_reimbursable_yen"]
    events = visitor_client.get(f"/api/v1/claims/{granted['id']}/events/").json()["results"]
    assert [e["to_status"] for e in events] == ["draft", "applied", "granted", "submitted", "approved"]


def test_report_is_cut_to_the_granted_amount(granted, visitor_client, staff_client, clock):
    clock(CHECK_OUT)
    add_line(visitor_client, granted["id"], category="taxi", date="2026-12-02", amount_yen=50000)
    report = submit(visitor_client, granted["id"]).json()
    assert report["total_reimbursable_yen"] == granted["granted_amount_yen"]
    assert "grant_limit" in report["reasons"]
    approved = post(staff_client, granted["id"], "approve").json()
    assert approved["approved_amount_yen"] == granted["granted_amount_yen"]


def test_granting_freezes_the_days_and_refusing_gives_them_back(
    granted, visitor, visitor_client, staff_client, committed, booking
):
    later = make_booking(visitor=visitor, check_in=date(2026, 12, 10), check_out=date(2026, 12, 13))
    earlier = make_booking(visitor=visitor, check_in=date(2026, 11, 20), check_out=date(2026, 11, 22))
    # Saku pays 6 days: the grant holds 4 of them, so the November stay, earlier, cannot take them back.
    assert estimate(visitor_client, earlier)["eligible_days"] == 2
    assert estimate(visitor_client, later)["eligible_days"] == 0
    response = committed(post, staff_client, granted["id"], "refuse", {"reason": "予算の都合"})
    assert response.status_code == 200 and response.json()["status"] == "refused"
    assert response.json()["rejection_reason"] == "予算の都合" and response.json()["eligible_dates"] == []
    # The days go back to the group in date order: November first, then the refused stay's first three.
    assert estimate(visitor_client, earlier)["eligible_days"] == 3
    assert estimate(visitor_client, booking)["eligible_days"] == 3
    events = visitor_client.get(f"/api/v1/claims/{granted['id']}/events/").json()["results"]
    assert events[-1]["to_status"] == "refused" and events[-1]["note"] == "予算の都合"


def test_withdrawing_a_grant_gives_its_budget_back(granted, programme, visitor_client, staff_client):
    spent = granted["granted_amount_yen"]
    Programme.objects.filter(id=programme.id).update(budget_yen=spent)
    other = factories.VisitorFactory()
    other_booking = make_booking(visitor=other, check_in=date(2026, 12, 20), check_out=date(2026, 12, 21))
    other_client = client_for(other)
    assert "budget_exhausted" in estimate(other_client, other_booking)["reasons"]
    assert post(visitor_client, granted["id"], "withdraw").json()["status"] == "withdrawn"
    assert estimate(other_client, other_booking)["eligible"] is True


def test_grant_and_refusal_are_emailed(applied, staff_client, committed):
    mail.outbox.clear()
    committed(post, staff_client, applied["id"], "grant")
    assert len(mail.outbox) == 1 and "交付決定" in mail.outbox[0].subject and "granted" in mail.outbox[0].subject
    granted = Claim.objects.get(id=applied["id"]).granted_amount_yen
    assert f"交付決定額: {granted:,}円" in mail.outbox[0].body and f"Granted: ¥{granted:,}" in mail.outbox[0].body
    committed(post, staff_client, applied["id"], "refuse", {"reason": "書類不備"})
    assert len(mail.outbox) == 2 and "不交付" in mail.outbox[1].subject and "書類不備" in mail.outbox[1].body


def test_staff_see_applications_and_visitors_cannot_grant(applied, staff_client, visitor_client):
    listed = staff_client.get("/api/v1/claims/?status=applied").json()["results"]
    assert [c["id"] for c in listed] == [applied["id"]]
    assert post(visitor_client, applied["id"], "grant").status_code == 403
    assert post(staff_client, applied["id"], "apply").status_code == 403


def test_refusing_needs_a_reason(applied, staff_client):
    body = error(post(staff_client, applied["id"], "refuse"), 400, "invalid")
    assert "reason" in body["fields"]


def test_a_granted_claim_stays_within_its_grant_in_the_database(granted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(id=granted["id"]).update(total_reimbursable_yen=granted["granted_amount_yen"] + 1)


def test_cancelling_the_booking_voids_the_grant(granted, visitor_client, booking, monkeypatch):
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 11, 1))
    response = visitor_client.post(f"/api/v1/bookings/{booking.id}/cancel/", {}, format="json")
    assert response.status_code == 200, response.content
    claim = visitor_client.get(f"/api/v1/claims/{granted['id']}/").json()
    assert claim["status"] == "cancelled" and claim["reasons"] == ["stay_cancelled"]
    assert claim["eligible_dates"] == []


# --- refusals, in Japanese and English --------------------------------------------------------------------------------

LANGUAGES = [("ja", "申請"), ("en", "appl")]


@pytest.mark.parametrize("language,word", LANGUAGES)
def test_applying_after_the_deadline(visitor, booking, clock, language, word):
    client = client_for(visitor, language)
    claim = open_claim(client, booking)
    clock(date(2026, 11, 25))  # 6 days before check-in; the deadline was 2026-11-24
    body = error(post(client, claim["id"], "apply"), 409, "application_deadline_passed")
    assert "2026-11-24" in body["message"] and "7" in body["message"] and word in body["message"].lower()
    assert Claim.objects.get(id=claim["id"]).status == "draft"


def test_applying_on_the_deadline_day(visitor_client, booking, clock):
    claim = open_claim(visitor_client, booking)
    clock(date(2026, 11, 24))
    assert post(visitor_client, claim["id"], "apply").json()["status"] == "applied"


@pytest.mark.parametrize("language,word", [("ja", "交付"), ("en", "apply first")])
def test_submitting_without_a_grant(visitor, booking, clock, language, word):
    client = client_for(visitor, language)
    claim = open_claim(client, booking)
    clock(CHECK_OUT)
    body = error(submit(client, claim["id"]), 409, "application_required")
    assert word in body["message"]
    post(client, claim["id"], "apply")  # too late, but the draft is still refused for want of a grant
    assert Claim.objects.get(id=claim["id"]).status == "draft"


@pytest.mark.parametrize("language,word", [("ja", "チェックアウト"), ("en", "check-out")])
def test_reporting_before_check_out(granted, visitor, clock, language, word):
    client = client_for(visitor, language)
    clock(date(2026, 12, 3))
    body = error(submit(client, granted["id"]), 409, "stay_not_finished")
    assert word in body["message"] and "2026-12-04" in body["message"]
    assert Claim.objects.get(id=granted["id"]).status == "granted"


@pytest.mark.parametrize("language,word", [("ja", "交付申請"), ("en", "no applications")])
def test_applying_where_no_application_is_taken(visitor, saku, clock, language, word):
    saku_programme()
    booking = make_booking(visitor=visitor, check_in=CHECK_IN, check_out=CHECK_OUT)
    client = client_for(visitor, language)
    claim = open_claim(client, booking)
    body = error(post(client, claim["id"], "apply"), 409, "application_not_required")
    assert word in body["message"]


@pytest.mark.parametrize("language,word", [("ja", "領収書"), ("en", "receipt")])
def test_a_line_without_receipt_where_none_is_planned(visitor, saku, clock, language, word):
    saku_programme()
    booking = make_booking(visitor=visitor, check_in=CHECK_IN, check_out=CHECK_OUT)
    client = client_for(visitor, language)
    claim = open_claim(client, booking)
    body = error(planned_line(client, claim["id"]), 400, "invalid_line")
    assert word in body["fields"]["receipt"][0]
    assert client.get(f"/api/v1/claims/{claim['id']}/").json()["lines"] == []


@pytest.mark.parametrize("language,word", [("ja", "領収書"), ("en", "receipt")])
def test_the_report_needs_receipts(granted, visitor, clock, language, word):
    client = client_for(visitor, language)
    body = error(planned_line(client, granted["id"]), 400, "invalid_line")
    assert word in body["fields"]["receipt"][0]


@pytest.mark.parametrize("language,word", [("ja", "面談"), ("en", "staff")])
def test_reporting_without_the_consultation(granted, programme, visitor, clock, language, word):
    Programme.objects.filter(id=programme.id).update(requires_consultation=True)
    client = client_for(visitor, language)
    clock(CHECK_OUT)
    body = error(submit(client, granted["id"]), 409, "requirements_unmet")
    assert list(body["fields"]) == ["consultation"] and word in body["fields"]["consultation"][0]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_granting_twice_or_a_draft(applied, staff_user, language, committed):
    client = client_for(staff_user, language)
    assert committed(post, client, applied["id"], "grant").status_code == 200
    error(post(client, applied["id"], "grant"), 409, "invalid_status")


# --- requirements: consultation and survey ----------------------------------------------------------------------------


@pytest.fixture
def registered():
    """Lets a test register its own functions on the hooks (the bulk ones ask the single ones, as by default)
    and puts back whatever the apps registered."""
    saved = {
        hook: hook._function
        for hook in (
            hooks.consultation_attended,
            hooks.survey_answered,
            hooks.consultations_attended_bulk,
            hooks.surveys_answered_bulk,
        )
    }
    for hook in saved:
        hook._function = None
    yield
    for hook, function in saved.items():
        hook._function = function


def test_requirements_listed_and_met_through_the_hooks(
    programme, visitor_client, visitor, booking, registered, clock, django_assert_max_num_queries
):
    Programme.objects.filter(id=programme.id).update(requires_consultation=True, requires_survey=True)
    codes = {r["code"]: r["met"] for r in estimate(visitor_client, booking)["requirements"]}
    assert codes == {"home_municipality": True, "consultation": False, "survey": False}

    asked = []

    def attended(*, visitor_id, municipality_id, start, end):
        asked.append((visitor_id, municipality_id, start, end))
        return municipality_id == programme.municipality_id

    hooks.consultation_attended.register(attended)
    hooks.survey_answered.register(lambda *, booking_id: booking_id == booking.id)
    codes = {r["code"]: r["met"] for r in estimate(visitor_client, booking)["requirements"]}
    assert codes == {"home_municipality": True, "consultation": True, "survey": True}
    assert asked == [(visitor.id, programme.municipality_id, timezone.localdate(booking.created_at), CHECK_OUT)]

    # After applying, a consultation counts from the application.
    claim = open_claim(visitor_client, booking)
    post(visitor_client, claim["id"], "apply")
    asked.clear()
    estimate(visitor_client, booking)
    applied_on = timezone.localdate(Claim.objects.get(id=claim["id"]).applied_at)
    assert asked == [(visitor.id, programme.municipality_id, applied_on, CHECK_OUT)]


def test_a_list_asks_the_bulk_hooks_once(programme, visitor_client, visitor, registered):
    Programme.objects.filter(id=programme.id).update(requires_consultation=True, requires_survey=True)
    for day in (1, 10, 20):
        make_booking(visitor=visitor, check_in=date(2026, 12, day), check_out=date(2026, 12, day + 2))
    calls = []
    hooks.consultations_attended_bulk.register(
        lambda *, queries: calls.append(len(queries)) or {query: True for query in queries}
    )
    hooks.surveys_answered_bulk.register(
        lambda *, booking_ids: calls.append(len(booking_ids)) or {booking_id: False for booking_id in booking_ids}
    )
    results = visitor_client.get("/api/v1/bookings/").json()["results"]
    assert calls == [3, 3]
    for result in results:
        codes = {r["code"]: r["met"] for r in result["reimbursement"]["requirements"]}
        assert codes == {"home_municipality": True, "consultation": True, "survey": False}


def test_reporting_with_the_requirements_met(granted, programme, visitor_client, registered, clock):
    Programme.objects.filter(id=programme.id).update(requires_consultation=True, requires_survey=True)
    hooks.consultation_attended.register(lambda **kwargs: True)
    hooks.survey_answered.register(lambda **kwargs: True)
    clock(CHECK_OUT)
    assert submit(visitor_client, granted["id"]).json()["status"] == "submitted"


def test_programmes_without_these_settings_list_only_the_home(visitor_client, visitor, saku):
    saku_programme()
    booking = make_booking(visitor=visitor, check_in=CHECK_IN, check_out=CHECK_OUT)
    assert [r["code"] for r in estimate(visitor_client, booking)["requirements"]] == ["home_municipality"]


# --- the programme's settings -----------------------------------------------------------------------------------------


def test_programme_api_shows_and_checks_the_settings(programme, staff_client):
    detail = staff_client.get(f"/api/v1/programmes/{programme.code}/").json()
    assert detail["requires_application"] is True and detail["application_deadline_days"] == 7
    assert detail["requires_consultation"] is False and detail["requires_survey"] is False
    url = f"/api/v1/programmes/{programme.code}/"
    body = error(staff_client.patch(url, {"application_deadline_days": 366}, format="json"), 400, "invalid")
    assert list(body["fields"]) == ["application_deadline_days"]
    body = error(staff_client.patch(url, {"requires_application": False}, format="json"), 400, "invalid")
    assert list(body["fields"]) == ["application_deadline_days"]
    changed = staff_client.patch(
        url, {"requires_application": False, "application_deadline_days": None, "requires_survey": True}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["requires_application"] is False and changed.json()["requires_survey"] is True
    programme.refresh_from_db()
    assert programme.application_deadline_days is None


@pytest.mark.parametrize("language,word", [("ja", "交付申請"), ("en", "requires_application")])
def test_a_deadline_without_an_application_is_refused(saku, language, word):
    programme = saku_programme()
    client = client_for(factories.StaffFactory(municipality=saku), language)
    response = client.patch(f"/api/v1/programmes/{programme.code}/", {"application_deadline_days": 3}, format="json")
    body = error(response, 400, "invalid")
    assert word in body["fields"]["application_deadline_days"][0]


# --- the demo ---------------------------------------------------------------------------------------------------------


def test_takanabe_demo_programme(visitor_client, visitor):
    demo.seed_takanabe()
    demo.seed_takanabe()  # idempotent
    programme = Programme.objects.get(code="takanabe-trial-stay-2026")
    assert Programme.objects.filter(municipality__code=demo.TAKANABE_CODE).count() == 1
    takanabe = Municipality.objects.get(code=demo.TAKANABE_CODE)
    booking = make_booking(
        visitor=visitor, municipality=takanabe, check_in=CHECK_IN, check_out=CHECK_OUT, price=9999, adults=2
    )
    shown = estimate(visitor_client, booking)
    # Half of ¥9,999 a night (within ¥3,000 a person), three nights, rounded down to ¥100.
    assert shown["programme"] == programme.code and shown["total_reimbursable_yen"] == 14900
    assert {r["code"]: r["met"] for r in shown["requirements"]} == {
        "home_municipality": True,
        "consultation": False,
        "survey": False,
    }
    detail = visitor_client.get(f"/api/v1/programmes/{programme.code}/").json()
    assert (
        detail["requires_application"],
        detail["application_deadline_days"],
        detail["requires_consultation"],
        detail["requires_survey"],
        detail["max_nights_per_group"],
    ) == (True, 7, True, True, 7)
