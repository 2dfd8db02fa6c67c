"""Secret calendar URLs live only as long as the account behind them may publish them."""

import pytest

from tests.bookings.helpers import error
from tests.factories import OperatorOrganisationFactory

pytestmark = pytest.mark.django_db
FEEDS = "/api/v1/calendar-feeds/"


def feed_url(client, body) -> str:
    response = client.post(FEEDS, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()["url"]


def test_a_deactivated_visitors_stays_feed_answers_404(house, visitor, visitor_client, api_client):
    url = feed_url(visitor_client, {"scope": "stays"})
    assert api_client.get(url).status_code == 200

    visitor.is_active = False
    visitor.save()

    response = api_client.get(url)
    assert response.status_code == 404 and error(response)["code"] == "calendar_feed_not_found"


def test_a_deactivated_operators_unit_feed_answers_404(house, operator_user, operator_client, api_client):
    url = feed_url(operator_client, {"scope": "unit", "unit": house.id})
    assert api_client.get(url).status_code == 200

    operator_user.is_active = False
    operator_user.save()

    assert api_client.get(url).status_code == 404


@pytest.mark.parametrize("scope", ["unit", "facility"])
def test_a_feed_made_by_someone_who_left_the_organisation_answers_404(
    scope, house, operator_user, operator_client, api_client
):
    body = (
        {"scope": "unit", "unit": house.id} if scope == "unit" else {"scope": "facility", "facility": house.facility_id}
    )
    url = feed_url(operator_client, body)
    assert api_client.get(url).status_code == 200

    operator_user.organisation = OperatorOrganisationFactory()
    operator_user.save()

    response = api_client.get(url)
    assert response.status_code == 404 and error(response)["code"] == "calendar_feed_not_found"


def test_a_malformed_token_is_a_json_404(api_client):
    for token in ("%00", "abc%00def", "%C2%B2", "a%20b"):
        response = api_client.get(f"/api/v1/calendars/{token}.ics")
        assert response.status_code == 404, token
        assert error(response)["code"] in {"not_found", "calendar_feed_not_found"}
