"""Small API helpers shared by the booking tests."""
from bookings.models import UnitStock

BOOKINGS = "/api/v1/bookings/"
QUOTES = "/api/v1/quotes/"


def book(client, body, **headers):
    return client.post(BOOKINGS, body, format="json", **headers)


def error(response) -> dict:
    return response.json()["error"]


def availability(client, unit, start: str, end: str) -> dict:
    """{date: day} from the public availability calendar."""
    response = client.get(f"/api/v1/units/{unit.id}/availability/", {"from": start, "to": end})
    assert response.status_code == 200, response.content
    return {row["date"]: row for row in response.json()["days"]}


def taken(unit) -> int:
    """Units taken over all dates: what every refused request must leave at zero."""
    return sum(UnitStock.objects.filter(unit=unit).values_list("taken", flat=True))
