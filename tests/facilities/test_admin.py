"""The catalogue's admin pages render for a superuser."""
import pytest
from django.urls import reverse

from facilities.models import Facility, Landmark, Municipality, OperatorOrganisation


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Municipality, Landmark, OperatorOrganisation, Facility])
def test_admin_changelist_and_add_pages_render(client, django_user_model, model):
    admin_user = django_user_model.objects.create_superuser(email="root@example.jp", password="x" * 12)
    client.force_login(admin_user)
    opts = model._meta
    for name in ("changelist", "add"):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}"))
        assert response.status_code == 200
