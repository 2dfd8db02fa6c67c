"""Programmes raced through a live server on PostgreSQL: two staff creating the same code at once get one
programme and a 400 naming the code, never a 500."""

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from reimbursements import programme_services
from reimbursements.models import CategoryRule, Programme
from tests import factories
from tests.concurrency.conftest import REQUEST_SECONDS, pause_after, race

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
    pause_after(monkeypatch, programme_services, "programme_field_errors", 2)

    def post(user):
        def call():
            token = RefreshToken.for_user(user).access_token
            response = requests.post(
                f"{live_server.url}/api/v1/programmes/",
                json=BODY,
                timeout=REQUEST_SECONDS,
                headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            )
            return response.status_code, response.json()

        return call

    results = sorted(race([post(user) for user in staff]), key=lambda result: result[0])
    (created, _), (refused, body) = results
    assert (created, refused) == (201, 400)
    assert body["error"]["fields"] == {"code": ["A programme with the code saku-transport-2026 already exists."]}
    assert Programme.objects.filter(code="saku-transport-2026").count() == 1
    assert CategoryRule.objects.filter(programme__code="saku-transport-2026").count() == 1
