import threading

import pytest

from tests.notifications.fcm_stand_in import StandIn


@pytest.fixture
def fcm(settings):
    """FCM's send endpoint, played by a local server; the settings point the push module at it."""
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FCM_ENDPOINT = server.url
    settings.FCM_PROJECT_ID = "otameshi-test"
    yield server
    server.shutdown()
    server.server_close()
