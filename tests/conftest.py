"""Fixtures shared by the whole suite: users of each role, API clients, the Saku catalogue basics."""

import socket

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


class NetworkBlocked(AssertionError):
    """A test tried to reach a real outside service."""


LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", ""}


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch):
    """Stripe's SDK and geopy get HTTP clients that refuse every request, and names other than the loopback's
    do not resolve, so nothing reaches the network.
    `fake_stripe` and the geocoding tests' fake adapter replace them where a test means to talk to them."""
    import stripe
    from geopy.adapters import BaseSyncAdapter
    from geopy.geocoders import options

    from facilities import geocoding
    from payments import stripe_gateway

    class NoNetworkStripe(stripe.HTTPClient):
        name = "no-network"

        def request(self, method, url, headers, post_data=None, *, _usage=None):
            raise NetworkBlocked(f"a test called Stripe without fake_stripe: {method} {url}")

        def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
            raise NetworkBlocked(f"a test called Stripe without fake_stripe: {method} {url}")

        def close(self):
            pass

    class NoNetworkAdapter(BaseSyncAdapter):
        def get_json(self, url, *, timeout, headers):
            raise NetworkBlocked(f"a test called a geocoder: {url}")

        def get_text(self, url, *, timeout, headers):
            raise NetworkBlocked(f"a test called a geocoder: {url}")

    real_getaddrinfo = socket.getaddrinfo

    def loopback_only_getaddrinfo(host, *args, **kwargs):
        # Calendar imports resolve the names operators type: in tests only the local feed server answers;
        # tests of the address checks patch the resolver with the addresses they mean.
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name not in LOOPBACK_NAMES:
            raise NetworkBlocked(f"a test resolved an outside name: {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only_getaddrinfo)
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", NoNetworkStripe())
    monkeypatch.setattr(options, "default_adapter_factory", NoNetworkAdapter)
    # The geocoder is built once and cached, adapter included: build it again under the guard.
    geocoding._geocode.cache_clear()
    yield
    geocoding._geocode.cache_clear()


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
def admin_client(client, django_user_model):
    """The Django test client logged in as a superuser (the admin's pages)."""
    client.force_login(django_user_model.objects.create_superuser(email="root@example.jp", password="x" * 12))
    return client


@pytest.fixture
def staff_user(saku):
    return factories.StaffFactory(municipality=saku)


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)


@pytest.fixture(autouse=True)
def no_connections_left_behind(request):
    """After a PostgreSQL test that raced live requests, ends the sessions its threads left idle on the test
    database (the server allows 100), so that later races still get their connections."""
    yield
    if request.node.get_closest_marker("postgres") is None or connection.vendor != "postgresql":
        return
    import psycopg  # noqa: PLC0415  (only on PostgreSQL)

    own = connection.connection.info.backend_pid if connection.connection is not None else 0
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> %s AND pid <> pg_backend_pid() AND state = 'idle'",
            [connection.settings_dict["NAME"], own],
        )
