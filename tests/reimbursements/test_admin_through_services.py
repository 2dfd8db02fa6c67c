"""What the API refuses, tried through the admin: a submitted claim's figures, an approval over the budget, a
programme's town or its deletion while claims hang on it. The admin refuses too (or does what the service does)
and changes nothing else."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reimbursements.models import Claim, ClaimEvent, ExpenseLine, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import add_line, submitted_claim
from tests.reimbursements.test_programme_admin import form_data, saku_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(programme, visitor, visitor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    return submitted_claim(visitor_client, booking, amount_yen=2000)


def figures(claim: Claim) -> tuple:
    claim = Claim.objects.get(id=claim.id)
    lines = list(ExpenseLine.objects.filter(claim=claim).order_by("id").values_list("amount_yen", "reimbursable_yen"))
    return (
        claim.status,
        claim.total_reimbursable_yen,
        claim.approved_amount_yen,
        lines,
        ClaimEvent.objects.filter(claim=claim).count(),
    )


def change_claim(admin_client, claim: Claim, **changes):
    line = claim.lines.get()
    data = {
        "booking": claim.booking_id,
        "visitor": claim.visitor_id,
        "programme": claim.programme_id,
        "status": claim.status,
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 1,
        "lines-0-id": line.id,
        "lines-0-claim": claim.pk,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
        **changes,
    }
    return admin_client.post(reverse("admin:reimbursements_claim_change", args=[claim.pk]), data)


def test_a_submitted_claims_figures_cannot_be_edited_in_the_admin(admin_client, visitor_client, submitted):
    before = figures(submitted)
    # The API refuses a new line on a submitted claim...
    refused = add_line(visitor_client, submitted.id, category="taxi", date="2026-12-02", amount_yen=5000)
    assert refused.status_code == 409
    # ...and the admin refuses to change its figures or its lines.
    response = change_claim(admin_client, submitted, total_reimbursable_yen=999999, **{"lines-0-amount_yen": 999999})
    assert response.status_code == 403
    assert figures(submitted) == before
    page = admin_client.get(reverse("admin:reimbursements_claim_change", args=[submitted.pk])).content.decode()
    assert 'name="total_reimbursable_yen"' not in page and 'name="lines-0-amount_yen"' not in page


def test_a_claim_over_the_budget_cannot_be_approved_in_the_admin(admin_client, programme, submitted):
    Programme.objects.filter(id=programme.id).update(budget_yen=1000)
    before = figures(submitted)
    staff = client_for(factories.StaffFactory(municipality=programme.municipality), "en")
    api = staff.post(f"/api/v1/claims/{submitted.id}/approve/")
    assert api.status_code == 409 and api.json()["error"]["code"] == "budget_exceeded"

    response = change_claim(
        admin_client, submitted, status="approved", approved_amount_yen=submitted.total_reimbursable_yen
    )

    assert response.status_code == 403
    assert figures(submitted) == before


def test_a_programme_keeps_its_town_in_the_admin(admin_client, programme):
    other_town = factories.matsue()
    data = form_data(programme, other_town, saku_rows(programme), max_days_per_group=5)
    url = reverse("admin:reimbursements_programme_change", args=[programme.pk])
    assert 'name="municipality"' not in admin_client.get(url).content.decode()

    response = admin_client.post(url, data)

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.municipality_id, programme.max_days_per_group) == (factories.saku().pk, 5)


def test_a_programme_with_claims_is_retired_not_deleted(admin_client, programme, submitted):
    url = reverse("admin:reimbursements_programme_delete", args=[programme.pk])
    confirm = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert confirm.status_code == 200 and "Yes, I’m sure" in confirm.content.decode()

    response = admin_client.post(url, {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reimbursements_programme_change", args=[programme.pk])
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("it has been retired instead" in text for text in shown), shown
    programme.refresh_from_db()
    assert programme.is_active is False
    assert figures(submitted)[0] == "submitted"


def test_a_programme_nobody_claimed_under_is_deleted(admin_client, programme):
    response = admin_client.post(reverse("admin:reimbursements_programme_delete", args=[programme.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Programme.objects.filter(pk=programme.pk).exists()
