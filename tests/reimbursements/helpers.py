"""API helpers shared by the reimbursement tests: estimates, claims, receipts."""
from django.core.files.uploadedfile import SimpleUploadedFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def receipt(name="receipt.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def estimate(client, booking):
    response = client.get(f"/api/v1/reimbursement-estimates/{booking.id}/")
    assert response.status_code == 200, response.content
    return response.json()


def open_claim(client, booking):
    response = client.post("/api/v1/claims/", {"booking": booking.id}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def add_line(client, claim_id, *, category, date, amount_yen, persons=1, file=None):
    return client.post(f"/api/v1/claims/{claim_id}/lines/", {
        "category": category, "date": date, "amount_yen": amount_yen, "persons": persons,
        "receipt": file or receipt(),
    }, format="multipart")


def submit(client, claim_id):
    return client.post(f"/api/v1/claims/{claim_id}/submit/")
