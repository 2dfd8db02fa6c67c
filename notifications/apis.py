"""Devices that receive pushes, and the signed-in user's notification switches."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.locations import created_at

from . import selectors
from .serializers import DeviceInputSerializer, DeviceSerializer, PreferencesSerializer, PreferencesUpdateSerializer
from .services import device_register, device_remove, preferences_update


class DeviceListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=DeviceInputSerializer,
        responses={201: DeviceSerializer, 200: DeviceSerializer},
        operation_id="devices_register",
        summary="Register this device for pushes",
        description="201 for a new token; 200 for a token already known, which moves to this account if another "
        "one had it. Pushes are written in the request's language (Accept-Language). Logging out with "
        "`device_token` removes it.",
    )
    def post(self, request):
        serializer = DeviceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = device_register(
            user=request.user, language=request.LANGUAGE_CODE, **serializer.validated_data
        )
        response = Response(DeviceSerializer(device).data)
        return created_at(response, request, "device", token=device.token) if created else response


class DeviceDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, operation_id="devices_delete", summary="Stop pushes to this device")
    def delete(self, request, token: str):
        device_remove(user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferencesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferencesSerializer, operation_id="me_notifications_retrieve")
    def get(self, request):
        return Response(PreferencesSerializer(selectors.preferences_of(user_id=request.user.pk)).data)

    @extend_schema(
        request=PreferencesUpdateSerializer, responses=PreferencesSerializer, operation_id="me_notifications_update"
    )
    def patch(self, request):
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preferences = preferences_update(user=request.user, changes=serializer.validated_data)
        return Response(PreferencesSerializer(preferences).data)
