"""A mail server that fails does not turn a committed change of a claim's status into an error."""

import logging
from datetime import date

import pytest
from django.core import mail

from reimbursements.models import Claim
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking, saku_programme
from tests.reimbursements.helpers import open_claim, submit

FAILING = "tests.reimbursements.failing_email.FailingEmailBackend"


def a_draft():
    saku_programme()
    visitor = factories.VisitorFactory()
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    client = client_for(visitor)
    return client, open_claim(client, booking)


@pytest.mark.django_db
def test_a_failing_mail_server_is_logged_and_the_change_kept(
    saku, settings, caplog, django_capture_on_commit_callbacks
):
    client, claim = a_draft()
    settings.EMAIL_BACKEND = FAILING
    with (
        caplog.at_level(logging.ERROR, logger="reimbursements"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = submit(client, claim["id"])
    assert len(callbacks) == 1  # the email was attempted after commit, and it failed without raising
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert Claim.objects.get(id=claim["id"]).status == "submitted"
    assert f"claim {claim['id']}" in caplog.text and "SMTPServerDisconnected" in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_status_changes_answer_2xx_when_the_mail_server_fails(settings, caplog):
    """Real commits: the email runs inside the request, right after the service's transaction commits."""
    client, claim = a_draft()
    programme = saku_programme()
    staff = client_for(factories.StaffFactory(municipality=programme.municipality))
    settings.EMAIL_BACKEND = FAILING
    with caplog.at_level(logging.ERROR, logger="reimbursements"):
        assert submit(client, claim["id"]).status_code == 200
        approved = staff.post(f"/api/v1/claims/{claim['id']}/approve/")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        assert staff.post(f"/api/v1/claims/{claim['id']}/mark-paid/").status_code == 200
    assert Claim.objects.get(id=claim["id"]).status == "paid"
    assert caplog.text.count(f"Could not email the visitor of claim {claim['id']}") == 3
    assert mail.outbox == []
