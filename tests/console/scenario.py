"""What the console's tests start from: an operator's facility with a booking, a claim with a real receipt."""

import struct
import zlib
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from reimbursements.models import Claim, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking, saku_programme
from tests.reimbursements.helpers import add_line, open_claim, submit


def png(width: int = 180, height: int = 240) -> bytes:
    """A real (decodable) PNG that looks like a till receipt: grey lines of print on white, so that a browser
    gives it a natural width and a screenshot shows something receipt-like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    def row(y: int) -> bytes:
        printed = 20 <= y < height - 20 and y % 16 in (0, 1, 2, 3) and (y // 16) % 5 != 4
        length = width - 30 if (y // 16) % 3 else width // 2
        pixels = b"".join(b"\x55\x55\x55" if printed and 15 <= x < length else b"\xfa\xfa\xf5" for x in range(width))
        return b"\x00" + pixels

    raw = b"".join(row(y) for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def book(visitor, unit, check_in: date, nights: int, adults: int = 2) -> dict:
    """Books through the API as the app does (paid on site, so confirmed at once)."""
    response = client_for(visitor).post(
        "/api/v1/bookings/",
        {
            "unit": unit.id,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(),
            "adults": adults,
            "children": 0,
            "infants": 0,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def submitted_claim(visitor, *, amount_yen: int = 2000, lines: int = 2) -> dict:
    """A claim under Saku's programme (saku_programme seeded) for a December stay, with PNG receipts, submitted."""
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4), adults=2)
    client = client_for(visitor)
    claim = open_claim(client, booking)
    for index in range(lines):
        response = add_line(
            client,
            claim["id"],
            category="taxi",
            date=f"2026-12-0{2 + index}",
            amount_yen=amount_yen,
            file=SimpleUploadedFile(f"taxi-{index}.png", png(), content_type="image/png"),
        )
        assert response.status_code == 201, response.content
    response = submit(client, claim["id"])
    assert response.status_code == 200, response.content
    # The identity declared with the claim (spec rule 20), as the claim stores it.
    Claim.objects.filter(id=claim["id"]).update(
        claimant_name=visitor.full_name,
        claimant_email=visitor.email,
        claimant_home_prefecture=visitor.home_prefecture,
        claimant_home_municipality=visitor.home_municipality,
        claimant_home_municipality_code=visitor.home_municipality_code,
    )
    return response.json()


def operator_with_facility():
    organisation = factories.OperatorOrganisationFactory()
    operator = factories.OperatorFactory(organisation=organisation, email=f"op-{organisation.id}@example.jp")
    facility = factories.FacilityFactory(operator=organisation)
    unit = factories.UnitFactory(facility=facility, count=1, price_yen=9000)
    return operator, facility, unit


# A month before the December stays: applications are made at least a week before check-in.
APPLICATION_DAY = date(2026, 11, 1)


def application_programme():
    """Saku's programme, asking for an application a week before the stay (section 11 of docs/subsidies.md)."""
    programme = saku_programme()
    Programme.objects.filter(id=programme.id).update(requires_application=True, application_deadline_days=7)
    programme.refresh_from_db()
    return programme


def applied_claim(visitor, *, amount_yen: int = 2000) -> dict:
    """An application under Saku's programme (application_programme() set, the claims' date APPLICATION_DAY) for
    a December stay, with one planned taxi line, applied through the API as the app does."""
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4), adults=2)
    client = client_for(visitor)
    claim = open_claim(client, booking)
    response = client.post(
        f"/api/v1/claims/{claim['id']}/lines/",
        {"category": "taxi", "date": "2026-12-02", "amount_yen": amount_yen, "persons": 1},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    response = client.post(f"/api/v1/claims/{claim['id']}/apply/")
    assert response.status_code == 200, response.content
    return response.json()
