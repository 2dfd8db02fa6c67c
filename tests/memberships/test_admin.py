"""Admin pages of plans (through the services), memberships and the credit ledger (read-only)."""

import pytest
from django.urls import reverse

from memberships.models import BillingCustomer, CreditEntry, Membership, Plan
from tests.bookings.factories import LodgingUnitFactory

pytestmark = pytest.mark.django_db
MEMBERSHIPS = "/api/v1/memberships/"


@pytest.fixture
def membership(plan, visitor_client):
    response = visitor_client.post(MEMBERSHIPS, {"plan": plan.id}, format="json")
    assert response.status_code == 201, response.content
    return Membership.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("model", [Plan, Membership, CreditEntry, BillingCustomer])
def test_changelists_render(admin_client, membership, model):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200


def test_a_membership_shows_its_ledger_and_neither_can_be_changed(admin_client, membership):
    entry = CreditEntry.objects.get(membership=membership)
    page = admin_client.get(reverse("admin:memberships_membership_change", args=[membership.pk]))

    assert page.status_code == 200 and "240" in page.content.decode()
    assert admin_client.get(reverse("admin:memberships_creditentry_change", args=[entry.pk])).status_code == 200
    for name, args in [
        ("admin:memberships_membership_change", [membership.pk]),
        ("admin:memberships_creditentry_change", [entry.pk]),
        ("admin:memberships_creditentry_delete", [entry.pk]),
    ]:
        assert admin_client.post(reverse(name, args=args), {"status": "cancelled", "minutes": 1}).status_code == 403
    assert admin_client.get(reverse("admin:memberships_creditentry_add")).status_code == 403
    membership.refresh_from_db()
    assert membership.status == "active" and CreditEntry.objects.filter(membership=membership).count() == 1


def _plan_form(plan, **changes) -> dict:
    form = {
        "name_ja": plan.name_ja,
        "name_en": plan.name_en,
        "monthly_price_yen": plan.monthly_price_yen,
        "access_unit_types": '["desk"]',
        "credit_unit_types": '["meeting_room"]',
        "credit_hours": plan.credit_hours,
        "over_credit_price_per_hour_yen": plan.over_credit_price_per_hour_yen,
        "carry_over_months": 0,
        "notice_days": plan.notice_days,
        "resident_housing": "",
        "is_active": "on",
    }
    form.update(changes)
    return form


def test_a_plan_is_changed_through_the_services_checks(admin_client, plan):
    url = reverse("admin:memberships_plan_change", args=[plan.pk])
    assert admin_client.get(url).status_code == 200

    changed = admin_client.post(url, _plan_form(plan, monthly_price_yen=12100))
    assert changed.status_code == 302, changed.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.monthly_price_yen == 12100

    refused = admin_client.post(url, _plan_form(plan, credit_unit_types='["desk"]'), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "A unit type is either included or paid from credit, not both." in refused.content.decode()
    plan.refresh_from_db()
    assert plan.credit_unit_types == ["meeting_room"]
    housing = LodgingUnitFactory().facility
    refused = admin_client.post(url, _plan_form(plan, resident_housing=housing.pk, monthly_price_yen=0))
    assert refused.status_code == 200
    assert Plan.objects.get(pk=plan.pk).resident_housing_id is None
