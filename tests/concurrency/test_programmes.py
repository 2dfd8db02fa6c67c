"""Programmes raced through a live server on PostgreSQL: two staff creating the same code at once get one
programme and a 400 naming the code, never a 500."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from reimbursements import programme_services
from reimbursements.models import CategoryRule, Programme
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BODY = {
    "code": "saku-transport-2026",
    "name_ja": "佐久市交通費補助",
    "valid_from": "2026-04-01",
    "valid_until": "2027-03-31",
    "max_days_per_group": 6,
    "categories": [{"category": "shinkansen", "basis": "person_day", "cap_yen": 10000}],
}


def test_two_programmes_with_one_code_created_at_once(live_server, monkeypatch):
    saku = factories.saku()
    staff = [factories.StaffFactory(municipality=saku), factories.StaffFactory(municipality=saku)]
    # Both requests find the code free before either saves: only the unique constraint can tell them apart.
    barrier = threading.Barrier(2, timeout=10)
    original = programme_services.programme_field_errors

    def checked_then_wait(**kwargs):
        errors = original(**kwargs)
        barrier.wait()
        return errors

    monkeypatch.setattr(programme_services, "programme_field_errors", checked_then_wait)

    def post(user):
        token = RefreshToken.for_user(user).access_token
        response = requests.post(
            f"{live_server.url}/api/v1/programmes/",
            json=BODY,
            timeout=30,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(post, staff), key=lambda result: result[0])
    (created, _), (refused, body) = results
    assert (created, refused) == (201, 400)
    assert body["error"]["fields"] == {"code": ["A programme with the code saku-transport-2026 already exists."]}
    assert Programme.objects.filter(code="saku-transport-2026").count() == 1
    assert CategoryRule.objects.filter(programme__code="saku-transport-2026").count() == 1
