"""Fixtures of the console's tests: receipts stored in a temporary folder, logged-in browsers of each role."""

import pytest
from django.test import Client

from tests.console.browser import chromium
from tests.console.scenario import APPLICATION_DAY, application_programme
from tests.reimbursements.factories import saku_programme


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def programme(saku):
    return saku_programme()


@pytest.fixture
def applications(saku, monkeypatch):
    """Saku's programme with applications before the stay, on a day a week or more before the December stays."""
    monkeypatch.setattr("reimbursements.services.today", lambda: APPLICATION_DAY)
    return application_programme()


def logged_in(user, language: str | None = None) -> Client:
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module; each test starts signed out."""
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def signed_out_browser(browser, live_server):
    browser.get(f"{live_server.url}/console/login/")
    browser.delete_all_cookies()
    browser.get_log("browser")
    return browser
