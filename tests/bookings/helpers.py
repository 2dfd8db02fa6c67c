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


def events_url(booking_id) -> str:
    return f"/api/v1/bookings/{booking_id}/events/"


def trail(client, booking_id) -> list[tuple]:
    """The booking's audit trail as its events endpoint shows it: (kind, from, to, actor, note)."""
    response = client.get(events_url(booking_id))
    assert response.status_code == 200, response.content
    return [
        (event["kind"], event["from_status"], event["to_status"], event["actor"], event["note"])
        for event in response.json()["results"]
    ]
