from django.urls import path

from .apis import DeviceDetailApi, DeviceListApi, PreferencesApi

urlpatterns = [
    path("devices/", DeviceListApi.as_view(), name="devices"),
    path("devices/<str:token>/", DeviceDetailApi.as_view(), name="device"),
    path("me/notifications/", PreferencesApi.as_view(), name="me-notifications"),
]
