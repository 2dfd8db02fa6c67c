"""The demo's monthly programme: the certified commuter signs in with the demo password and sees two months
claimed (one paid), the following months open."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from reimbursements.models import Certification, Claim

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_commuter_has_two_months_claimed_and_the_rest_open(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(2):  # a second run duplicates nothing
        call_command("seed_demo", stdout=io.StringIO())
    assert Certification.objects.filter(visitor__email="commuter@demo.otameshi.jp").count() == 1
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"email": "commuter@demo.otameshi.jp", "password": "otameshi-demo"}, format="json"
    )
    assert token.status_code == 200, token.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    listed = client.get("/api/v1/certifications/").json()["results"]
    assert [c["programme"] for c in listed] == ["saku-shinkansen-commute"]
    detail = client.get(f"/api/v1/certifications/{listed[0]['id']}/").json()
    assert detail["status"] == "approved" and detail["months_left"] == 22
    claimed = [m for m in detail["months"] if m["claim"] is not None]
    assert [(m["status"], m["reimbursable_yen"], m["paid_yen"]) for m in claimed] == [
        ("paid", 19000, 19000),
        ("submitted", 20000, 0),
    ]
    assert (detail["paid_yen"], detail["committed_yen"], detail["lifetime_cap_yen"]) == (19000, 39000, 480000)
    assert Claim.objects.filter(month__isnull=False).count() == 2
