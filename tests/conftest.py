"""Fixtures shared by the whole suite: users of each role, API clients, the Saku catalogue basics."""
import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests import factories


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        selected = [item for item in items if "postgres" not in item.keywords]
        deselected = [item for item in items if "postgres" in item.keywords]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = selected


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def api_client():
    """An anonymous client; Japanese is the default language, as for a phone set to Japanese."""
    return APIClient()


def client_for(user, language: str | None = None) -> APIClient:
    """A client that sends the user's JWT, as the mobile app does."""
    client = APIClient()
    token = RefreshToken.for_user(user).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", **({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    return client


@pytest.fixture
def saku(db):
    return factories.saku()


@pytest.fixture
def visitor(db):
    return factories.VisitorFactory()


@pytest.fixture
def visitor_client(visitor):
    return client_for(visitor)


@pytest.fixture
def organisation(db):
    return factories.OperatorOrganisationFactory()


@pytest.fixture
def operator_user(organisation):
    return factories.OperatorFactory(organisation=organisation)


@pytest.fixture
def operator_client(operator_user):
    return client_for(operator_user)


@pytest.fixture
def staff_user(saku):
    return factories.StaffFactory(municipality=saku)


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)
