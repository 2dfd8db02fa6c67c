"""Writes of notifications: devices (registered, moved, removed), the switches per kind, and `notify`, which the
apps above call where they send an email: the email goes out if its switch is on, and a push is queued on the
Celery worker for each of the user's devices if the push switch is on, once the transaction commits."""

from collections.abc import Callable

from django.db import IntegrityError, transaction

from accounts.models import User

from . import selectors, tasks
from .errors import DeviceNotFound
from .models import Device, Kind, Preference, Sent


def device_register(*, user: User, platform: str, token: str, language: str) -> tuple[Device, bool]:
    """The device and whether it is new. A token already known moves to this user (the phone changed hands, or
    another account signed in on it) and is active again."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                device = Device.objects.select_for_update().filter(token=token).first()
                if device is None:
                    return Device.objects.create(user=user, platform=platform, token=token, language=language), True
                device.user, device.platform, device.language, device.active = user, platform, language, True
                device.save(update_fields=["user", "platform", "language", "active", "updated_at"])
                return device, False
        except IntegrityError:
            continue  # registered at the same moment by another request: take it over on the second pass
    raise RuntimeError("unreachable: the token exists after a unique violation")


def device_remove(*, user: User, token: str) -> None:
    deleted, _ = Device.objects.filter(user=user, token=token).delete()
    if not deleted:
        raise DeviceNotFound()


def device_of_session_remove(*, user_id: int, device_token: str) -> None:
    """Logout: the device the app names stops receiving the account's pushes."""
    Device.objects.filter(user_id=user_id, token=device_token).delete()


def devices_of_user_remove(*, user: User) -> None:
    """The account is deleted: its devices go with its personal data."""
    Device.objects.filter(user=user).delete()
    Preference.objects.filter(user=user).delete()


@transaction.atomic
def preferences_update(*, user: User, changes: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    current = selectors.preferences_of(user_id=user.pk)
    for kind, switches in changes.items():
        merged = {**current[kind], **switches}
        Preference.objects.update_or_create(user=user, kind=kind, defaults=merged)
    return selectors.preferences_of(user_id=user.pk)


def notify(
    *, user_id: int, kind: Kind | None, object_id: int, email: Callable[[], None] | None = None, once: bool = False
) -> None:
    """After commit: sends the email (if given and switched on) and queues a push to each active device of the
    user (if switched on). With `once`, a second call for the same user, kind and object does nothing. Without a
    kind (a change no switch covers) only the email goes, always."""
    if kind is None:
        if email is not None:
            transaction.on_commit(email)
        return
    if once:
        _sent, created = Sent.objects.get_or_create(user_id=user_id, kind=kind, object_id=object_id)
        if not created:
            return
    transaction.on_commit(lambda: _deliver(user_id=user_id, kind=kind, object_id=object_id, email=email))


def notify_operators(*, organisation_id: int, kind: Kind, object_id: int) -> None:
    """A push to every active operator of the organisation (their email goes out as one message, sent by the
    caller)."""
    for user_id in User.objects.filter(
        role=User.Role.OPERATOR, organisation_id=organisation_id, is_active=True
    ).values_list("id", flat=True):
        notify(user_id=user_id, kind=kind, object_id=object_id)


def _deliver(*, user_id: int, kind: Kind, object_id: int, email: Callable[[], None] | None) -> None:
    switches = selectors.preferences_of(user_id=user_id)[kind]
    if email is not None and switches["email"]:
        email()
    if switches["push"]:
        for device_id in selectors.push_devices_of(user_id=user_id):
            tasks.push_send.delay(device_id=device_id, kind=str(kind), object_id=object_id)
