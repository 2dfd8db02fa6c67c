"""Reads of notifications: a user's switches per kind, and the devices a push goes to."""

from .models import Device, Kind, Preference


def preferences_of(*, user_id: int) -> dict[str, dict[str, bool]]:
    """Every kind with its push and email switches (on unless switched off)."""
    stored = {row.kind: row for row in Preference.objects.filter(user_id=user_id)}
    return {
        kind: {"push": stored[kind].push, "email": stored[kind].email}
        if kind in stored
        else {"push": True, "email": True}
        for kind in Kind.values
    }


def push_devices_of(*, user_id: int) -> list[int]:
    return list(Device.objects.filter(user_id=user_id, active=True).values_list("id", flat=True))
