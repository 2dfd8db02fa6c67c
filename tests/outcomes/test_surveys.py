"""The after-stay survey through the API: one answer per finished stay, by its visitor; staff read a programme's."""

from datetime import date

import pytest

from bookings.models import Booking
from outcomes.models import Survey
from reimbursements import hooks
from tests.conftest import client_for
from tests.factories import FacilityFactory, StaffFactory, UnitFactory, VisitorFactory, matsue
from tests.outcomes.conftest import TODAY
from tests.outcomes.helpers import answer, stay
from tests.reimbursements.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(saku):
    return UnitFactory(facility=FacilityFactory(municipality=saku))


@pytest.fixture
def finished(visitor, unit, today):
    return stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 20), nights=3)


def test_visitor_answers_once_after_check_out_in_japanese_by_default(visitor_client, finished):
    response = answer(
        visitor_client,
        finished,
        intention="within_a_year",
        purpose="remote_work_trial",
        satisfaction=5,
        comment="駅から近くて便利でした。",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["booking"] == finished.id
    assert (body["purpose"], body["satisfaction"], body["intention"], body["language"]) == (
        "remote_work_trial",
        5,
        "within_a_year",
        "ja",
    )
    assert body["purpose_label"] == "リモートワークのお試し"
    assert body["intention_label"] == "1年以内"
    assert body["comment"] == "駅から近くて便利でした。"

    again = answer(visitor_client, finished)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "survey_already_answered"
    assert Survey.objects.get().intention == "within_a_year"

    read = visitor_client.get(f"/api/v1/bookings/{finished.id}/survey/")
    assert read.status_code == 200
    assert read.json()["id"] == body["id"]


def test_answer_in_english_keeps_the_language_and_labels(visitor, finished):
    client = client_for(visitor, "en")
    body = answer(client, finished, intention="no", purpose="visiting_family").json()

    assert body["language"] == "en"
    assert body["purpose_label"] == "visiting family or friends"
    assert body["intention_label"] == "no"


def test_check_out_day_opens_the_survey_and_the_day_before_does_not(visitor_client, visitor, unit, today):
    ends_today = stay(
        visitor=visitor, unit=unit, check_in=date(2026, 10, 30), nights=2, status=Booking.Status.CONFIRMED
    )
    ongoing = stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 31), nights=2, status=Booking.Status.CONFIRMED)

    assert answer(visitor_client, ends_today).status_code == 201
    refused = answer(visitor_client, ongoing)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "stay_not_finished"


def test_cancelled_booking_has_no_survey(visitor_client, visitor, unit, today):
    cancelled = stay(visitor=visitor, unit=unit, check_in=date(2026, 10, 1), nights=2, status=Booking.Status.CANCELLED)

    response = answer(visitor_client, cancelled)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "booking_cancelled"
    assert not Survey.objects.exists()


def test_another_visitors_booking_is_not_found(finished):
    other = client_for(VisitorFactory())

    assert answer(other, finished).status_code == 404
    assert other.get(f"/api/v1/bookings/{finished.id}/survey/").status_code == 404
    assert answer(other, finished).json()["error"]["code"] == "booking_not_found"
    assert other.post("/api/v1/bookings/abc/survey/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "field, value",
    [
        ("satisfaction", 0),
        ("satisfaction", 6),
        ("purpose", "shopping"),
        ("intention", "maybe"),
        ("comment", "あ" * 1001),
    ],
)
def test_bad_answers_are_400_naming_the_field_and_save_nothing(visitor_client, finished, field, value):
    response = answer(visitor_client, finished, **{field: value})

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Survey.objects.exists()


def test_unanswered_survey_is_404_and_operators_cannot_answer(visitor_client, finished, operator_client):
    response = visitor_client.get(f"/api/v1/bookings/{finished.id}/survey/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "survey_not_found"
    assert answer(operator_client, finished).status_code == 403


def test_the_subsidy_engines_hook_sees_the_answer(visitor_client, finished):
    assert hooks.survey_answered(booking_id=finished.id) is False
    answer(visitor_client, finished)
    assert hooks.survey_answered(booking_id=finished.id) is True


def test_staff_read_the_answers_of_their_programmes_bookings(saku, unit, staff_client, today):
    programme = ProgrammeFactory(
        code="saku-2026", municipality=saku, valid_from=date(2026, 4, 1), valid_until=date(2027, 3, 31)
    )
    inside, before_window, elsewhere = VisitorFactory(), VisitorFactory(), VisitorFactory()
    other_unit = UnitFactory(facility=FacilityFactory(municipality=matsue()))
    bookings = [
        stay(visitor=inside, unit=unit, check_in=date(2026, 6, 1), nights=2),
        stay(visitor=before_window, unit=unit, check_in=date(2026, 3, 20), nights=2),
        stay(visitor=elsewhere, unit=other_unit, check_in=date(2026, 6, 1), nights=2),
    ]
    for booking in bookings:
        assert answer(client_for(booking.visitor), booking).status_code == 201

    response = staff_client.get("/api/v1/surveys/", {"programme": programme.code})

    assert response.status_code == 200
    assert [row["booking"] for row in response.json()["results"]] == [bookings[0].id]
    assert staff_client.get(f"/api/v1/bookings/{bookings[0].id}/survey/").status_code == 200
    assert staff_client.get(f"/api/v1/bookings/{bookings[2].id}/survey/").status_code == 404


def test_another_towns_programme_is_404_and_visitors_get_403(saku, visitor_client, today):
    theirs = ProgrammeFactory(municipality=matsue())
    staff = client_for(StaffFactory(municipality=saku))

    assert staff.get("/api/v1/surveys/", {"programme": theirs.code}).status_code == 404
    missing = staff.get("/api/v1/surveys/")
    assert missing.status_code == 400
    assert "programme" in missing.json()["error"]["fields"]
    assert visitor_client.get("/api/v1/surveys/", {"programme": theirs.code}).status_code == 403


def test_today_fixture_is_after_the_stays():
    assert date(2026, 11, 1) == TODAY
