"""Moves through the API: visitors report, their new town's staff confirm; staff record moves themselves."""

import pytest

from outcomes.models import Move
from tests.conftest import client_for
from tests.factories import StaffFactory, VisitorFactory, matsue

pytestmark = pytest.mark.django_db


def report(client, **body):
    return client.post(
        "/api/v1/moves/", {"moved_on": "2026-10-15", "municipality_code": "202177", **body}, format="json"
    )


def test_visitor_reports_and_the_towns_staff_confirm(saku, visitor, visitor_client, staff_client, staff_user, today):
    reported = report(visitor_client)
    assert reported.status_code == 201, reported.content
    move = reported.json()
    assert (move["visitor"], move["municipality_code"], move["moved_on"], move["confirmed"]) == (
        visitor.id,
        "202177",
        "2026-10-15",
        False,
    )

    assert [row["id"] for row in staff_client.get("/api/v1/moves/").json()["results"]] == [move["id"]]
    other_town = client_for(StaffFactory(municipality=matsue()))
    assert other_town.get("/api/v1/moves/").json()["results"] == []
    assert other_town.post(f"/api/v1/moves/{move['id']}/confirm/").status_code == 404

    confirmed = staff_client.post(f"/api/v1/moves/{move['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmed"] is True
    assert confirmed.json()["confirmed_by"] == staff_user.id

    again = staff_client.post(f"/api/v1/moves/{move['id']}/confirm/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "move_already_confirmed"
    assert visitor_client.post(f"/api/v1/moves/{move['id']}/confirm/").status_code == 403


def test_visitors_see_only_their_own_moves(saku, visitor_client, today):
    report(client_for(VisitorFactory()))
    mine = report(visitor_client, moved_on="2026-09-01").json()

    assert [row["id"] for row in visitor_client.get("/api/v1/moves/").json()["results"]] == [mine["id"]]


def test_the_same_move_twice_is_409(saku, visitor_client, today):
    assert report(visitor_client).status_code == 201
    second = report(visitor_client)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "move_exists"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"moved_on": "2026-11-02"}, "moved_on"),  # tomorrow
        ({"moved_on": "2026-13-01"}, "moved_on"),
        ({"municipality_code": "202178"}, "municipality_code"),  # wrong check digit
        ({"municipality_code": "131121"}, "municipality_code"),  # Setagaya: valid, not on Otameshi
        ({"municipality_code": "20217"}, "municipality_code"),
        ({"municipality_code": "２０２１７７"}, "municipality_code"),
        ({"municipality_code": ""}, "municipality_code"),
    ],
)
def test_bad_moves_are_400_naming_the_field_and_save_nothing(saku, visitor_client, today, body, field):
    response = report(visitor_client, **body)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Move.objects.exists()


def test_a_future_date_is_refused_in_english_too(saku, visitor, today):
    response = report(client_for(visitor, "en"), moved_on="2027-01-01")
    assert response.json()["error"]["fields"]["moved_on"] == ["A move cannot be dated in the future."]
    japanese = report(client_for(visitor), moved_on="2027-01-01")
    assert japanese.json()["error"]["fields"]["moved_on"] == ["移住日に未来の日付は指定できません。"]


def test_staff_record_a_move_confirmed_at_once_by_email_or_id(saku, staff_client, staff_user, today):
    household = VisitorFactory(email="kazoku@example.jp")

    by_email = staff_client.post(
        "/api/v1/moves/", {"visitor": "Kazoku@example.jp", "moved_on": "2026-08-01"}, format="json"
    )
    assert by_email.status_code == 201, by_email.content
    assert (by_email.json()["visitor"], by_email.json()["confirmed"], by_email.json()["municipality_code"]) == (
        household.id,
        True,
        "202177",
    )
    by_id = staff_client.post("/api/v1/moves/", {"visitor": str(household.id), "moved_on": "2026-08-02"}, format="json")
    assert by_id.status_code == 201
    assert by_id.json()["reported_by"] == staff_user.id


@pytest.mark.parametrize(
    "body, field",
    [
        ({"visitor": "nobody@example.jp"}, "visitor"),
        ({}, "visitor"),
        ({"visitor": "kazoku@example.jp", "municipality_code": "322016"}, "municipality_code"),
    ],
)
def test_staff_bad_moves_are_400(saku, staff_client, today, body, field):
    matsue()
    VisitorFactory(email="kazoku@example.jp")
    response = staff_client.post("/api/v1/moves/", {"moved_on": "2026-08-01", **body}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Move.objects.exists()


def test_operators_cannot_report_or_list_moves(saku, operator_client, today):
    assert report(operator_client).status_code == 403
    assert operator_client.get("/api/v1/moves/").status_code == 403
