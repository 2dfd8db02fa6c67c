"""The claim audit trail cannot be edited or removed: not by a model, not by a queryset, not by raw SQL."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from backend.audit import AuditTrailImmutable
from reimbursements.models import Claim, ClaimEvent
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import open_claim, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(programme, visitor, visitor_client):
    """A submitted claim with its two stored events (draft, submitted)."""
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    claim = open_claim(visitor_client, booking)
    assert submit(visitor_client, claim["id"]).status_code == 200
    stored = list(ClaimEvent.objects.filter(claim_id=claim["id"]).values_list("id", "from_status", "to_status", "note"))
    assert [row[2] for row in stored] == ["draft", "submitted"]
    return claim["id"], stored


def unchanged(claim_id, stored):
    return (
        list(ClaimEvent.objects.filter(claim_id=claim_id).values_list("id", "from_status", "to_status", "note"))
        == stored
    )


def test_a_stored_event_refuses_save_and_delete(events):
    claim_id, stored = events
    event = ClaimEvent.objects.filter(claim_id=claim_id).first()
    event.note = "edited"
    with pytest.raises(AuditTrailImmutable):
        event.save()
    with pytest.raises(AuditTrailImmutable):
        event.delete()
    assert unchanged(claim_id, stored)


def test_querysets_refuse_bulk_update_and_delete(events):
    claim_id, stored = events
    with pytest.raises(AuditTrailImmutable):
        ClaimEvent.objects.filter(claim_id=claim_id).update(note="edited")
    with pytest.raises(AuditTrailImmutable):
        ClaimEvent.objects.filter(claim_id=claim_id).delete()
    with pytest.raises(AuditTrailImmutable):
        ClaimEvent.objects.all().delete()
    rows = list(ClaimEvent.objects.filter(claim_id=claim_id))
    for row in rows:
        row.note = "edited"
    with pytest.raises(AuditTrailImmutable):
        ClaimEvent.objects.bulk_update(rows, ["note"])
    assert unchanged(claim_id, stored)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE reimbursements_claimevent SET note = 'edited' WHERE claim_id = %s",
        "UPDATE reimbursements_claimevent SET to_status = 'approved' WHERE claim_id = %s",
        "DELETE FROM reimbursements_claimevent WHERE claim_id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(events, sql):
    claim_id, stored = events
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [claim_id])
    assert unchanged(claim_id, stored)


def test_new_events_can_still_be_added(events, visitor_client):
    claim_id, stored = events
    assert visitor_client.post(f"/api/v1/claims/{claim_id}/withdraw/").json()["status"] == "withdrawn"
    assert ClaimEvent.objects.filter(claim_id=claim_id).count() == len(stored) + 1


def test_a_claim_or_visitor_with_events_cannot_be_deleted(events, visitor):
    claim_id, stored = events
    with pytest.raises(ProtectedError), transaction.atomic():
        Claim.objects.get(id=claim_id).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        visitor.delete()
    assert unchanged(claim_id, stored)
