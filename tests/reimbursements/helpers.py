"""API helpers shared by the reimbursement tests: estimates, claims, receipts."""

from django.core.files.uploadedfile import SimpleUploadedFile

from reimbursements.models import Claim

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def receipt(name="receipt.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def estimate(client, booking):
    response = client.get(f"/api/v1/reimbursement-estimates/{booking.id}/")
    assert response.status_code == 200, response.content
    return response.json()


def open_claim(client, booking):
    """Opens a claim for a booking given as a model instance or as the API's booking object."""
    booking_id = booking["id"] if isinstance(booking, dict) else booking.id
    response = client.post("/api/v1/claims/", {"booking": booking_id}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def add_line(client, claim_id, *, category, date, amount_yen, persons=1, file=None):
    return client.post(
        f"/api/v1/claims/{claim_id}/lines/",
        {
            "category": category,
            "date": date,
            "amount_yen": amount_yen,
            "persons": persons,
            "receipt": file or receipt(),
        },
        format="multipart",
    )


def submit(client, claim_id):
    return client.post(f"/api/v1/claims/{claim_id}/submit/")


BOOKINGS = "/api/v1/bookings/"


def stay_body(unit, *, check_in=None, check_out=None, dates=None, adults=1, children=0, infants=0) -> dict:
    body = {"unit": unit.id, "adults": adults, "children": children, "infants": infants}
    if dates is not None:
        body["dates"] = [str(d) for d in dates]
    else:
        body.update(check_in=str(check_in), check_out=str(check_out))
    return body


def quote(client, unit, **stay) -> dict:
    response = client.post("/api/v1/quotes/", stay_body(unit, **stay), format="json")
    assert response.status_code == 200, response.content
    return response.json()


def book(client, unit, **stay) -> dict:
    """Books through the API as the visitor does; paid on site, the booking is confirmed at once."""
    response = client.post(BOOKINGS, stay_body(unit, **stay), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"
    return response.json()


def booking_detail(client, booking_id) -> dict:
    response = client.get(f"{BOOKINGS}{booking_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def cancel(client, booking_id) -> dict:
    response = client.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    return response.json()


def claim_read(client, claim_id) -> dict:
    """The claim as its visitor reads it now (a draft's figures are recomputed on every read)."""
    response = client.get(f"/api/v1/claims/{claim_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def submitted_claim(client, booking, *, amount_yen: int):
    """A claim of the booking with one taxi line of `amount_yen`, submitted through the API; the Claim row."""
    claim = open_claim(client, booking)
    assert add_line(client, claim["id"], category="taxi", date="2026-12-02", amount_yen=amount_yen).status_code == 201
    assert submit(client, claim["id"]).status_code == 200
    return Claim.objects.get(id=claim["id"])
