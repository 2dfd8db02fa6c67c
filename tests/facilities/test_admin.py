"""The catalogue's admin pages render for a superuser; units are written there through the services only."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from bookings.models import Booking
from facilities.models import Facility, Landmark, Municipality, OperatorOrganisation, Unit
from tests.bookings.factories import iso
from tests.factories import FacilityFactory, UnitFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Municipality, Landmark, OperatorOrganisation, Facility, Unit])
def test_admin_changelist_and_add_pages_render(client, django_user_model, model):
    admin_user = django_user_model.objects.create_superuser(email="root@example.jp", password="x" * 12)
    client.force_login(admin_user)
    opts = model._meta
    for name in ("changelist", "add"):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}"))
        assert response.status_code == 200


# --- units go through the services, as the operators' API --------------------------------------------------------


def unit_form(facility, **overrides) -> dict:
    form = {
        "facility": facility.id,
        "unit_type": "house",
        "name_ja": "一棟貸し",
        "name_en": "Whole house",
        "capacity": 4,
        "count": 1,
        "price_yen": 8000,
        "min_nights": 2,
        "max_nights": 30,
        "booking_window_days": 365,
        "free_cancellation_days": 7,
        "cancellation_fee_percent": 50,
        "booking_mode": "daily",
        "opening_hours": "{}",
        "slot_minutes": 15,
        "min_minutes": 30,
        "max_minutes": 240,
        "free_cancellation_hours": 24,
        "is_active": "on",
    }
    return {**form, **overrides}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_unit_type_unfit_for_the_facility_is_refused_in_the_admin_as_in_the_api(
    admin_client, operator_client, organisation, language
):
    facility = FacilityFactory(operator=organisation)  # trial housing: rooms and houses only
    api = operator_client.post(
        f"/api/v1/operator/facilities/{facility.id}/units/",
        {"unit_type": "desk", "name_ja": "席", "capacity": 1, "price_yen": 1000},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert api.status_code == 400

    response = admin_client.post(
        reverse("admin:facilities_unit_add"), unit_form(facility, unit_type="desk"), HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200
    assert escape(api.json()["error"]["fields"]["unit_type"][0]) in response.content.decode()
    assert not Unit.objects.exists()


def test_a_unit_is_made_and_edited_through_the_admin_by_the_rules(admin_client, organisation):
    facility = FacilityFactory(operator=organisation)
    assert admin_client.post(reverse("admin:facilities_unit_add"), unit_form(facility)).status_code == 302
    unit = Unit.objects.get()

    shorter = admin_client.post(
        reverse("admin:facilities_unit_change", args=[unit.pk]),
        unit_form(facility, max_nights=1),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    dearer = admin_client.post(
        reverse("admin:facilities_unit_change", args=[unit.pk]), unit_form(facility, price_yen=9500)
    )

    assert shorter.status_code == 200
    assert "The maximum stay must not be shorter than the minimum stay." in shorter.content.decode()
    assert dearer.status_code == 302
    unit.refresh_from_db()
    assert (unit.max_nights, unit.price_yen) == (30, 9500)


def test_a_unit_with_a_confirmed_booking_is_not_deleted_in_the_admin(admin_client, visitor_client, organisation):
    unit = UnitFactory(facility__operator=organisation)
    booked = visitor_client.post(
        "/api/v1/bookings/", {"unit": unit.id, "check_in": iso(20), "check_out": iso(22), "adults": 1}, format="json"
    )
    assert booked.status_code == 201, booked.json()

    response = admin_client.post(
        reverse("admin:facilities_unit_delete", args=[unit.pk]), {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert "It has pending or confirmed bookings" in response.content.decode()
    unit.refresh_from_db()
    assert unit.is_active is True
    Booking.objects.filter(unit=unit).update(status=Booking.Status.CANCELLED)
    assert (
        admin_client.post(reverse("admin:facilities_unit_delete", args=[unit.pk]), {"post": "yes"}).status_code == 302
    )
    unit.refresh_from_db()
    assert unit.is_active is False  # past bookings keep it, deactivated


def test_the_facility_page_shows_its_units_without_writing_them(admin_client, organisation):
    unit = UnitFactory(facility__operator=organisation, price_yen=8000)
    page = admin_client.get(reverse("admin:facilities_facility_change", args=[unit.facility_id])).content.decode()

    assert reverse("admin:facilities_unit_change", args=[unit.pk]) in page
    assert 'name="units-0-price_yen"' not in page
