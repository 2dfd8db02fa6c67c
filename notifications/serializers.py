from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Device, Kind


class DeviceInputSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    token = serializers.CharField(max_length=512, help_text=_("The FCM registration token of the app on this device."))


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["platform", "token", "language", "created_at"]
        read_only_fields = fields


class SwitchesSerializer(serializers.Serializer):
    push = serializers.BooleanField()
    email = serializers.BooleanField()


class SwitchesUpdateSerializer(serializers.Serializer):
    push = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer):
    """Every kind of notification with its switches; all on until switched off."""

    def get_fields(self):
        return {kind: SwitchesSerializer() for kind in Kind.values}


class PreferencesUpdateSerializer(serializers.Serializer):
    """The kinds to switch, each with `push`, `email` or both; the others stay as they are."""

    def get_fields(self):
        return {kind: SwitchesUpdateSerializer(required=False) for kind in Kind.values}
