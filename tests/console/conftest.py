"""Fixtures of the console's tests: receipts stored in a temporary folder, logged-in browsers of each role."""
import pytest
from django.test import Client

from tests.reimbursements.factories import saku_programme


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def programme(saku):
    return saku_programme()


def logged_in(user, language: str | None = None) -> Client:
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    client.force_login(user)
    return client
