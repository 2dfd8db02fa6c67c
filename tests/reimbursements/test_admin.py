"""Admin: programmes are edited there; claims, their lines and events are shown read-only (the API's workflow
is the only way to change them)."""

from datetime import date

import pytest
from django.urls import reverse

from reimbursements.models import Claim, ClaimEvent, ExpenseLine, Programme
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import submitted_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(programme, visitor, visitor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    return submitted_claim(visitor_client, booking, amount_yen=2345)


def test_claim_pages_render_read_only(admin_client, claim):
    for name, args in [("changelist", []), ("change", [claim.pk])]:
        response = admin_client.get(reverse(f"admin:reimbursements_claim_{name}", args=args))
        assert response.status_code == 200
    page = response.content.decode()
    assert "2,345" in page or "2345" in page
    assert 'name="total_reimbursable_yen"' not in page and 'name="lines-0-amount_yen"' not in page
    assert admin_client.get(reverse("admin:reimbursements_claimevent_changelist")).status_code == 200


def test_a_post_cannot_change_a_claim_or_its_lines(admin_client, claim):
    line = claim.lines.get()
    before = (claim.status, claim.total_reimbursable_yen, claim.booking_id, claim.rejection_reason)
    response = admin_client.post(
        reverse("admin:reimbursements_claim_change", args=[claim.pk]),
        {
            "booking": claim.booking_id,
            "visitor": claim.visitor_id,
            "programme": claim.programme_id,
            "status": "approved",
            "total_reimbursable_yen": 999999,
            "rejection_reason": "edited",
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 1,
            "lines-0-id": line.id,
            "lines-0-claim": claim.pk,
            "lines-0-amount_yen": 999999,
            "lines-0-reimbursable_yen": 999999,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert (claim.status, claim.total_reimbursable_yen, claim.booking_id, claim.rejection_reason) == before
    assert ExpenseLine.objects.get(id=line.id).amount_yen == 2345
    assert (
        admin_client.post(reverse("admin:reimbursements_claim_delete", args=[claim.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Claim.objects.filter(id=claim.pk).exists() and ClaimEvent.objects.filter(claim=claim).count() == 2
    assert admin_client.get(reverse("admin:reimbursements_claim_add")).status_code == 403


def test_staff_edit_programmes_and_their_caps_in_the_admin(admin_client, programme):
    url = reverse("admin:reimbursements_programme_change", args=[programme.pk])
    assert admin_client.get(url).status_code == 200
    rules = list(programme.categories.all())
    data = {
        "code": programme.code,
        "name_ja": programme.name_ja,
        "name_en": programme.name_en,
        "municipality": programme.municipality_id,
        "valid_from": "2026-04-01",
        "valid_until": "2027-03-31",
        "fiscal_year_start_month": 4,
        "budget_yen": 5000000,
        "max_days_per_group": 5,
        "rounding_unit_yen": 1,
        "residence_rule": "outside_municipality",
        "is_active": "on",
        "categories-TOTAL_FORMS": len(rules),
        "categories-INITIAL_FORMS": len(rules),
        "categories-MIN_NUM_FORMS": 0,
        "categories-MAX_NUM_FORMS": 1000,
    }
    for i, rule in enumerate(rules):
        data.update(
            {
                f"categories-{i}-id": rule.id,
                f"categories-{i}-programme": programme.pk,
                f"categories-{i}-category": rule.category,
                f"categories-{i}-name_ja": rule.name_ja,
                f"categories-{i}-name_en": rule.name_en,
                f"categories-{i}-basis": rule.basis,
                f"categories-{i}-cap_yen": 4500 if rule.category == "lodging" else (rule.cap_yen or ""),
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get(pk=programme.pk)
    assert (programme.max_days_per_group, programme.budget_yen) == (5, 5000000)
    assert programme.categories.get(category="lodging").cap_yen == 4500
