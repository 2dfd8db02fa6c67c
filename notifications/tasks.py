"""The Celery task that sends one push to one device (never inside a request)."""

from celery import shared_task

from . import push
from .models import Device
from .texts import render


@shared_task(
    name="notifications.push_send",
    ignore_result=True,
    autoretry_for=(push.PushFailed,),
    retry_backoff=True,
    max_retries=5,
)
def push_send(*, device_id: int, kind: str, object_id: int) -> None:
    device = Device.objects.filter(id=device_id, active=True).first()
    if device is None:
        return  # removed or unregistered since it was queued
    title, body = render(kind, object_id, device.language)
    try:
        push.send(push.Push(token=device.token, title=title, body=body, data={"type": kind, "id": str(object_id)}))
    except push.Unregistered:
        Device.objects.filter(id=device.id, token=device.token).update(active=False)
