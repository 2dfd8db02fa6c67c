"""The one module that talks to Firebase Cloud Messaging (HTTP v1 API, through firebase-admin).

Configured by settings: FCM_CREDENTIALS_FILE (a service account's JSON key) and FCM_PROJECT_ID. With neither set,
pushes are written to the log instead, as the console email backend does with emails. FCM_ENDPOINT points the
library at another server than Google's: a local stand-in in tests and the client check, where FCM_PROJECT_ID
alone is enough and the stand-in gets a fixed bearer token."""

import logging
import warnings
from dataclasses import dataclass
from functools import cache

import firebase_admin  # type: ignore[import-untyped]
from django.conf import settings
from firebase_admin import credentials, exceptions, messaging
from google.oauth2.credentials import Credentials as BearerToken

logger = logging.getLogger(__name__)

GOOGLE_FCM_ENDPOINT = "https://fcm.googleapis.com"


@dataclass(frozen=True)
class Push:
    token: str
    title: str
    body: str
    data: dict[str, str]


class Unregistered(Exception):
    """FCM no longer knows the token (the app was removed or its data cleared)."""


class PushFailed(Exception):
    """FCM refused or did not answer; the worker may try again."""


class _StandInCredential(credentials.Base):
    """A bearer token that never needs refreshing from Google: for a local stand-in of FCM only."""

    def get_credential(self):
        return BearerToken(token="stand-in")


def is_configured() -> bool:
    return bool(settings.FCM_CREDENTIALS_FILE or (settings.FCM_PROJECT_ID and settings.FCM_ENDPOINT))


def _endpoint() -> str:
    return (settings.FCM_ENDPOINT or GOOGLE_FCM_ENDPOINT).rstrip("/")


@cache
def _app(endpoint: str, credentials_file: str, project_id: str, timeout: float) -> firebase_admin.App:
    """One firebase-admin app per configuration (settings differ between tests)."""
    credential = credentials.Certificate(credentials_file) if credentials_file else _StandInCredential()
    options: dict[str, object] = {"httpTimeout": timeout}
    if project_id:
        options["projectId"] = project_id
    return firebase_admin.initialize_app(credential, options, name=f"otameshi {endpoint} {project_id} {timeout}")


def send(push: Push) -> None:
    """Sends one push; Unregistered when FCM says the token is gone, PushFailed when it could not be sent."""
    if not is_configured():
        logger.info("push (FCM not configured) to %s…: %s | %s | %s", push.token[:12], push.title, push.body, push.data)
        return
    with warnings.catch_warnings():
        # firebase-admin 7.7 steers toward Firebase installation ids; the apps' SDKs still hand out registration
        # tokens, which the v1 API's `token` field takes.
        warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
        message = messaging.Message(
            token=push.token,
            notification=messaging.Notification(title=push.title, body=push.body),
            data=push.data,
        )
    endpoint = _endpoint()
    app = _app(endpoint, settings.FCM_CREDENTIALS_FILE, settings.FCM_PROJECT_ID, settings.FCM_TIMEOUT_SECONDS)
    # firebase-admin takes the send URL from this class attribute when it creates an app's messaging service,
    # on the app's first send: Google's by default, the stand-in's where FCM_ENDPOINT says so.
    messaging._MessagingService.FCM_URL = endpoint + "/v1/projects/{0}/messages:send"
    try:
        messaging.send(message, app=app)
    except messaging.UnregisteredError as exc:
        raise Unregistered(push.token) from exc
    except exceptions.FirebaseError as exc:
        raise PushFailed(str(exc)) from exc
