"""The claim workflow through the API: who may do what, bad input refused, audit trail, emails, budget, export."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection

from bookings.models import Booking
from reimbursements.models import Claim, ClaimEvent, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking, saku_programme
from tests.reimbursements.helpers import PDF, PNG, add_line, open_claim, receipt, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def programme(saku):
    return saku_programme()


@pytest.fixture
def booking(programme, visitor):
    return make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4), adults=2)


@pytest.fixture
def claim(visitor_client, booking):
    return open_claim(visitor_client, booking)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Calls an API and then runs its after-commit callbacks (the emails), which the test's transaction holds back."""

    def call(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return call


@pytest.fixture
def submitted(visitor_client, claim, committed):
    add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=2000)
    response = committed(submit, visitor_client, claim["id"])
    assert response.status_code == 200
    return response.json()


def test_open_claim_is_a_draft_with_lodging(claim):
    assert claim["status"] == "draft"
    assert claim["programme"] == "saku-trial-stay-2026"
    assert claim["lodging_reimbursable_yen"] == 3 * 8000
    assert claim["total_reimbursable_yen"] == 24000


def test_second_claim_for_the_same_booking_conflicts(visitor_client, booking, claim):
    response = visitor_client.post("/api/v1/claims/", {"booking": booking.id}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_exists"


def test_claim_on_someone_elses_booking_is_not_found(programme, visitor_client):
    other = make_booking(visitor=factories.VisitorFactory(), check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    response = visitor_client.post("/api/v1/claims/", {"booking": other.id}, format="json")
    assert response.status_code == 404
    assert "booking" in response.json()["error"]["fields"]
    assert not Claim.objects.exists()


def test_claim_on_a_cancelled_booking_is_refused(programme, visitor, visitor_client):
    cancelled = make_booking(
        visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3), status=Booking.Status.CANCELLED
    )
    response = client_for(visitor, "en").post("/api/v1/claims/", {"booking": cancelled.id}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "booking_cancelled"
    assert "cancelled" in response.json()["error"]["message"]


def test_claim_outside_the_programme_area_is_unprocessable(programme, visitor, visitor_client):
    matsue = make_booking(
        visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3), municipality=factories.matsue()
    )
    response = visitor_client.post("/api/v1/claims/", {"booking": matsue.id}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["reasons"] == ["outside_programme_area"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "taxi", "date": "2026-12-05", "amount_yen": 1000}, "date"),
        ({"category": "helicopter", "date": "2026-12-02", "amount_yen": 1000}, "category"),
        ({"category": "lodging", "date": "2026-12-02", "amount_yen": 1000}, "category"),
        ({"category": "taxi", "date": "2026-12-02", "amount_yen": -5}, "amount_yen"),
        ({"category": "taxi", "date": "2026-12-02", "amount_yen": 0}, "amount_yen"),
        ({"category": "taxi", "date": "2026-12-02", "amount_yen": 10**12}, "amount_yen"),
        ({"category": "taxi", "date": "2026-12-02", "amount_yen": 1000, "persons": 0}, "persons"),
        ({"category": "taxi", "date": "not-a-date", "amount_yen": 1000}, "date"),
    ],
)
def test_bad_expense_lines_are_refused_naming_the_field(visitor_client, claim, data, field):
    response = add_line(visitor_client, claim["id"], **data)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()["lines"] == []


@pytest.mark.parametrize(
    "file",
    [
        receipt("empty.pdf", b""),
        receipt("script.pdf", b"#!/bin/sh\necho hi\n"),
        receipt("photo.pdf", PNG),
        receipt("invoice.png", PDF),
        receipt("note.txt", b"hello"),
    ],
)
def test_empty_or_disguised_receipts_are_refused(visitor_client, claim, file):
    response = add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=1000, file=file)
    assert response.status_code == 400
    assert response.json()["error"]["fields"].keys() == {"receipt"}
    assert visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()["lines"] == []


def test_oversized_receipt_is_refused(visitor_client, claim, settings):
    settings.RECEIPT_MAX_BYTES = 100
    response = add_line(
        visitor_client,
        claim["id"],
        category="taxi",
        date="2026-12-02",
        amount_yen=1000,
        file=receipt("big.pdf", PDF + b"0" * 200),
    )
    assert response.status_code == 400
    assert "receipt" in response.json()["error"]["fields"]


def test_a_new_line_is_answered_with_itself_and_its_location(visitor_client, claim):
    response = add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=2000)

    assert response.status_code == 201
    line = response.json()
    assert (line["category"], line["date"], line["amount_yen"]) == ("taxi", "2026-12-02", 2000)
    assert response["Location"] == f"http://testserver/api/v1/claims/{claim['id']}/lines/{line['id']}/"
    assert visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()["lines"] == [line]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", "宿泊費は予約そのものから補助されるため、領収書の明細は不要です。"),
        ("en", "Lodging needs no receipt line: the programme pays it from the booking itself."),
    ],
)
def test_a_lodging_line_is_refused_saying_lodging_needs_no_receipt(visitor, claim, language, expected):
    response = add_line(
        client_for(visitor, language), claim["id"], category="lodging", date="2026-12-02", amount_yen=8000
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"category": [expected]}


def test_a_json_body_for_a_line_is_the_415_the_schema_lists(visitor_client, claim, api_client):
    response = visitor_client.post(
        f"/api/v1/claims/{claim['id']}/lines/",
        {"category": "taxi", "date": "2026-12-02", "amount_yen": 1000},
        format="json",
    )

    assert response.status_code == 415
    operation = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"][
        "/api/v1/claims/{claim_id}/lines/"
    ]["post"]
    documented = operation["responses"]["415"]["content"]["application/json"]["schema"]
    assert documented["allOf"][0] == {"$ref": "#/components/schemas/Error"}
    assert (
        response.json()["error"]["code"] in documented["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]
    )
    assert visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()["lines"] == []


def test_pdf_and_jpeg_receipts_are_accepted(visitor_client, claim):
    assert (
        add_line(
            visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=1000, file=receipt("a.pdf", PDF)
        ).status_code
        == 201
    )
    assert (
        add_line(
            visitor_client,
            claim["id"],
            category="taxi",
            date="2026-12-03",
            amount_yen=1000,
            file=receipt("b.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ).status_code
        == 201
    )


def test_error_messages_are_translated(visitor, claim):
    ja = add_line(client_for(visitor), claim["id"], category="taxi", date="2026-12-09", amount_yen=1000).json()
    en = add_line(client_for(visitor, "en"), claim["id"], category="taxi", date="2026-12-09", amount_yen=1000).json()
    assert "outside the stay" in en["error"]["message"]
    assert ja["error"]["message"] != en["error"]["message"]


def test_draft_line_can_be_deleted(visitor_client, claim):
    line = add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=1000).json()
    response = visitor_client.delete(f"/api/v1/claims/{claim['id']}/lines/{line['id']}/")
    assert response.status_code == 200
    assert response.json()["lines"] == [] and response.json()["total_reimbursable_yen"] == 24000


def test_submission_freezes_dates_and_emails_the_visitor(submitted, visitor):
    assert submitted["status"] == "submitted"
    assert submitted["eligible_dates"] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert submitted["total_reimbursable_yen"] == 26000
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [visitor.email]
    assert "申請" in mail.outbox[0].subject and "submitted" in mail.outbox[0].subject


def test_submitted_claim_refuses_new_lines(visitor_client, submitted):
    response = add_line(visitor_client, submitted["id"], category="taxi", date="2026-12-02", amount_yen=1000)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_status"


def test_staff_review_disallow_approve_pay_with_audit_trail(
    visitor_client, staff_client, staff_user, submitted, visitor, committed
):
    line = submitted["lines"][0]
    body = staff_client.post(
        f"/api/v1/claims/{submitted['id']}/lines/{line['id']}/disallow/",
        {"reason": "領収書の日付が読めません"},
        format="json",
    ).json()
    assert body["lines"][0]["reimbursable_yen"] == 0 and body["lines"][0]["reason"] == "disallowed"
    assert body["lines"][0]["disallowed_by"] == staff_user.id
    assert body["total_reimbursable_yen"] == 24000
    assert submitted["approved_by"] is None and submitted["lines"][0]["disallowed_by"] is None

    approved = committed(staff_client.post, f"/api/v1/claims/{submitted['id']}/approve/").json()
    assert approved["status"] == "approved" and approved["approved_amount_yen"] == 24000
    assert approved["approved_by"] == staff_user.id and approved["approved_at"]
    seen_by_visitor = visitor_client.get(f"/api/v1/claims/{submitted['id']}/").json()
    assert seen_by_visitor["approved_by"] == staff_user.id
    assert seen_by_visitor["lines"][0]["disallowed_by"] == staff_user.id
    paid = committed(staff_client.post, f"/api/v1/claims/{submitted['id']}/mark-paid/").json()
    assert paid["status"] == "paid" and paid["paid_at"]

    events = visitor_client.get(f"/api/v1/claims/{submitted['id']}/events/").json()["results"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "paid"),
    ]
    assert events[2]["actor"] == staff_user.id and events[2]["at"]
    assert [m.to for m in mail.outbox] == [[visitor.email]] * 3


def test_audit_events_cannot_be_changed():
    """A stored event is checked in test_audit_trail.py, down to the database."""
    with pytest.raises(ValueError):
        ClaimEvent(id=1, to_status="x").save()
    with pytest.raises(ValueError):
        ClaimEvent(id=1, to_status="x").delete()


def test_rejection_releases_the_days(visitor, visitor_client, staff_client, submitted, committed):
    response = committed(
        staff_client.post, f"/api/v1/claims/{submitted['id']}/reject/", {"reason": "居住地が対象外"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected" and response.json()["rejection_reason"] == "居住地が対象外"
    assert response.json()["eligible_dates"] == []
    assert "居住地が対象外" in mail.outbox[-1].body


def test_reject_needs_a_reason(staff_client, submitted):
    response = staff_client.post(f"/api/v1/claims/{submitted['id']}/reject/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


def test_withdrawn_claim_frees_the_booking_for_a_new_claim(visitor_client, booking, submitted):
    assert visitor_client.post(f"/api/v1/claims/{submitted['id']}/withdraw/").json()["status"] == "withdrawn"
    assert visitor_client.post("/api/v1/claims/", {"booking": booking.id}, format="json").status_code == 201


def test_approve_is_for_staff_of_the_programme_town_only(programme, visitor_client, operator_client, submitted):
    other_staff = client_for(factories.StaffFactory(municipality=factories.matsue()))
    assert other_staff.post(f"/api/v1/claims/{submitted['id']}/approve/").status_code == 404
    assert visitor_client.post(f"/api/v1/claims/{submitted['id']}/approve/").status_code == 403
    assert operator_client.get("/api/v1/claims/").status_code == 403
    assert Claim.objects.get().status == "submitted"


def test_visitors_do_not_see_each_others_claims(claim):
    stranger = client_for(factories.VisitorFactory())
    assert stranger.get(f"/api/v1/claims/{claim['id']}/").status_code == 404
    assert stranger.get("/api/v1/claims/").json()["results"] == []


def test_staff_see_submitted_claims_not_drafts(staff_client, claim):
    assert staff_client.get("/api/v1/claims/").json()["count"] == 0
    assert staff_client.get(f"/api/v1/claims/{claim['id']}/").status_code == 404


def test_unknown_status_filter_is_refused(visitor_client):
    response = visitor_client.get("/api/v1/claims/?status=bogus")
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


def test_approval_over_budget_is_refused_stating_what_is_left(programme, staff_user, submitted):
    Programme.objects.filter(id=programme.id).update(budget_yen=20000)
    response = client_for(staff_user, "en").post(f"/api/v1/claims/{submitted['id']}/approve/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "budget_exceeded" and error["remaining_yen"] == 20000
    assert "20,000" in error["message"]
    assert Claim.objects.get().status == "submitted"


def test_claim_limit_per_fiscal_year(programme, visitor, visitor_client, submitted):
    Programme.objects.filter(id=programme.id).update(max_claims_per_fy=1)
    second = make_booking(visitor=visitor, check_in=date(2027, 1, 5), check_out=date(2027, 1, 6))
    claim = open_claim(visitor_client, second)
    response = submit(visitor_client, claim["id"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "claim_limit_reached"


def test_schema_names_the_reviewers_and_every_reason_code(api_client):
    schemas = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    assert schemas["Claim"]["properties"]["approved_by"]["nullable"] is True
    assert "approved_by" in schemas["Claim"]["required"]
    assert schemas["ExpenseLine"]["properties"]["disallowed_by"]["nullable"] is True
    reasons = schemas["ReimbursementEstimate"]["properties"]["reasons"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(schemas[reasons]["enum"]) == {
        "outside_programme_area",
        "outside_validity_window",
        "below_min_nights",
        "day_limit_reached",
        "night_limit_reached",
        "claim_limit_reached",
        "budget_exhausted",
        "resident_of_programme_area",
        "claimed_under_other_programme",
        "booking_cancelled",
        "household_limit",
        "budget_low",
    }


def test_export_is_for_staff(visitor_client):
    assert visitor_client.get("/api/v1/claims/export.csv").status_code == 403


def test_programmes_are_public(api_client, programme):
    body = api_client.get("/api/v1/programmes/").json()["results"]
    assert [p["code"] for p in body] == ["saku-trial-stay-2026"]
    detail = api_client.get("/api/v1/programmes/saku-trial-stay-2026/").json()
    assert detail["max_days_per_group"] == 6 and len(detail["categories"]) == 7
    assert api_client.get("/api/v1/programmes/nope/").status_code == 404


def test_claim_list_costs_a_fixed_number_of_queries(programme, visitor, visitor_client, django_assert_num_queries):
    """Drafts are recomputed when read (spec rule 32), the whole group in one load: one draft or three cost the
    same."""

    def draft(month_day):
        b = make_booking(visitor=visitor, check_in=date(2027, 2, month_day), check_out=date(2027, 2, month_day + 1))
        open_claim(visitor_client, b)

    def listed_with_queries(count) -> int:
        executed = []
        with connection.execute_wrapper(lambda execute, *args: executed.append(1) or execute(*args)):
            assert visitor_client.get("/api/v1/claims/").json()["count"] == count
        return len(executed)

    draft(1)
    one = listed_with_queries(1)
    for month_day in (8, 15):
        draft(month_day)
    with django_assert_num_queries(one):
        listed_with_queries(3)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/abc/",
        "/api/v1/claims/99999999999999999999999/",
        "/api/v1/claims/1/lines/x/",
        "/api/v1/reimbursement-estimates/null/",
    ],
)
def test_malformed_ids_are_json_not_found(visitor_client, path):
    response = visitor_client.delete(path) if "/lines/" in path else visitor_client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"].endswith("not_found")


def test_the_estimate_of_someone_elses_booking_is_not_found(booking):
    stranger = client_for(factories.VisitorFactory(), language="en")
    response = stranger.get(f"/api/v1/reimbursement-estimates/{booking.id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "booking_not_found"
    assert response.json()["error"]["message"] == "No such booking."


def test_claim_when_no_days_are_left_is_unprocessable(programme, visitor, visitor_client):
    make_booking(visitor=visitor, check_in=date(2026, 11, 1), check_out=date(2026, 11, 7))
    later = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    response = visitor_client.post("/api/v1/claims/", {"booking": later.id}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["reasons"] == ["day_limit_reached"]


def test_submission_rechecks_the_visitors_home(visitor, visitor_client, claim):
    visitor.home_municipality_code = "202177"
    visitor.save()
    response = submit(visitor_client, claim["id"])
    assert response.status_code == 422
    assert response.json()["error"]["reasons"] == ["resident_of_programme_area"]
    assert visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()["status"] == "draft"


def test_cancelled_booking_cannot_be_submitted(booking, visitor_client, claim):
    Booking.objects.filter(id=booking.id).update(status=Booking.Status.CANCELLED)
    response = submit(visitor_client, claim["id"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "booking_cancelled"


def test_disallowing_is_only_for_submitted_claims(staff_client, visitor_client, claim):
    line = add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=1000).json()
    response = staff_client.post(
        f"/api/v1/claims/{claim['id']}/lines/{line['id']}/disallow/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404  # staff do not see drafts at all


def test_paid_needs_approval_first(staff_client, submitted):
    response = staff_client.post(f"/api/v1/claims/{submitted['id']}/mark-paid/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_status"


def test_staff_download_the_receipt_with_its_type(staff_client, submitted):
    line = submitted["lines"][0]
    response = staff_client.get(f"/api/v1/claims/{submitted['id']}/lines/{line['id']}/receipt/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    stranger = client_for(factories.VisitorFactory())
    assert stranger.get(f"/api/v1/claims/{submitted['id']}/lines/{line['id']}/receipt/").status_code == 404


def test_export_refuses_other_statuses(staff_client):
    response = staff_client.get("/api/v1/claims/export.csv?status=draft")
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


# The token's user, the claim, the three locks (household, programme, claim with its booking and visitor), the
# group's history (bookings with their lines, live claims with theirs, the programme with its rules and committed
# budget), the frozen days, the audit event and the claim; savepoints of the test's transaction included. The
# lines' figures are written only when they changed, and the answer is not read again but for its booking
# summary's unit and facility (one query).
SUBMIT_QUERIES = 14


def test_claim_submit_costs_a_bounded_number_of_queries(visitor_client, claim, django_assert_max_num_queries):
    add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=2000)

    with django_assert_max_num_queries(SUBMIT_QUERIES):
        response = submit(visitor_client, claim["id"])

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["total_reimbursable_yen"] == 3 * 8000 + 2000


def test_the_submission_answers_what_reading_the_claim_shows(visitor_client, claim, booking):
    add_line(visitor_client, claim["id"], category="taxi", date="2026-12-02", amount_yen=2000)
    # Another trip of the group, claimed too: its figures are not this claim's.
    other = make_booking(visitor=booking.visitor, check_in=date(2026, 12, 20), check_out=date(2026, 12, 21))
    open_claim(visitor_client, other)

    answer = submit(visitor_client, claim["id"])

    assert answer.status_code == 200
    body = answer.json()
    assert body == visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()
    assert body["eligible_dates"] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert [(line["date"], line["reimbursable_yen"]) for line in body["lines"]] == [("2026-12-02", 2000)]
    assert body["claimant"]["email"] == booking.visitor.email
