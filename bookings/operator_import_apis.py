"""Operators' calendar imports of a unit: list, create, read, change, delete, and sync now (on the worker)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from backend.locations import created_at
from backend.pagination import page_serializer, paginated_response
from facilities.selectors import operator_unit_get

from . import imports, selectors, tasks
from .import_serializers import CalendarImportSerializer, CalendarImportSyncSerializer, CalendarImportWriteSerializer

UNIT_ID = OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH)
IMPORT_ID = OpenApiParameter("import_id", OpenApiTypes.INT, OpenApiParameter.PATH)
SYNC_ID = OpenApiParameter("sync_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _shown(unit, import_id: int) -> dict:
    return CalendarImportSerializer(selectors.calendar_import_get(unit=unit, import_id=import_id)).data


class CalendarImportListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID],
        responses=page_serializer("CalendarImportPage", CalendarImportSerializer),
        operation_id="operator_units_calendar_imports_list",
    )
    def get(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return paginated_response(request, self, selectors.calendar_import_list(unit=unit), CalendarImportSerializer)

    @extend_schema(
        parameters=[UNIT_ID],
        request=CalendarImportWriteSerializer,
        responses={201: CalendarImportSerializer},
        operation_id="operator_units_calendar_imports_create",
        description="Imports another site's iCal calendar (https) into the unit: its events block the "
        "unit's dates, synced every few minutes. A URL on a private or local network is "
        "refused (400 on `url`), and so is a URL the unit already imports (400 `duplicate_feed`).",
    )
    def post(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        serializer = CalendarImportWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = imports.calendar_import_create(unit=unit, **serializer.validated_data)
        response = Response(_shown(unit, created.pk))
        return created_at(response, request, "calendar-import-detail", unit_id=unit.pk, import_id=created.pk)


class CalendarImportDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, IMPORT_ID],
        responses=CalendarImportSerializer,
        operation_id="operator_units_calendar_imports_retrieve",
    )
    def get(self, request, unit_id: str, import_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return Response(CalendarImportSerializer(selectors.calendar_import_get(unit=unit, import_id=import_id)).data)

    @extend_schema(
        parameters=[UNIT_ID, IMPORT_ID],
        request=CalendarImportWriteSerializer(partial=True),
        responses=CalendarImportSerializer,
        operation_id="operator_units_calendar_imports_partial_update",
        description="Renames, re-points or switches the import; enabling a paused one starts afresh. "
        "A disabled import keeps its blocks; only deleting it frees its dates.",
    )
    def patch(self, request, unit_id: str, import_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        found = selectors.calendar_import_get(unit=unit, import_id=import_id)
        serializer = CalendarImportWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        imports.calendar_import_update(calendar_import=found, **serializer.validated_data)
        return Response(_shown(unit, found.pk))

    @extend_schema(
        parameters=[UNIT_ID, IMPORT_ID],
        responses={204: None},
        operation_id="operator_units_calendar_imports_destroy",
        description="Removes the import and the blocks it brought.",
    )
    def delete(self, request, unit_id: str, import_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        imports.calendar_import_delete(calendar_import=selectors.calendar_import_get(unit=unit, import_id=import_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarImportSyncThrottle(UserRateThrottle):
    """Each sync-now makes the server fetch an outside URL: a rate of its own per operator, off only where
    all throttling is (DEFAULT_THROTTLE_OFF, for load tests and the fuzz pass)."""

    scope = "calendar_import_sync"
    RATE = "30/min"

    def get_rate(self):
        return self.RATE

    def allow_request(self, request, view):
        if not api_settings.DEFAULT_THROTTLE_CLASSES:
            return True
        return super().allow_request(request, view)


class CalendarImportSyncApi(APIView):
    permission_classes = [IsOperator]
    throttle_classes = [CalendarImportSyncThrottle]

    @extend_schema(
        parameters=[UNIT_ID, IMPORT_ID],
        request=None,
        responses={202: CalendarImportSyncSerializer},
        operation_id="operator_units_calendar_imports_sync",
        description="Queues a sync of the import on the worker and answers 202 with the sync (`Location` is "
        "where to read it). A feed that cannot be fetched or read is not an error of this request: once "
        "the sync is `done`, its `status` says what happened, and the previous blocks stay.",
    )
    def post(self, request, unit_id: str, import_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        found = selectors.calendar_import_get(unit=unit, import_id=import_id)
        sync = tasks.calendar_import_sync_queue(calendar_import=found)
        shown = _sync_shown(unit, found.pk, sync.pk)
        location = request.build_absolute_uri(f"{request.path}{sync.pk}/")
        return Response(shown, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def _sync_shown(unit, import_id: int, sync_id: int) -> dict:
    calendar_import = selectors.calendar_import_get(unit=unit, import_id=import_id)
    sync = selectors.calendar_import_sync_get(calendar_import=calendar_import, sync_id=sync_id)
    return CalendarImportSyncSerializer(sync, context={"calendar_import": calendar_import}).data


class CalendarImportSyncDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, IMPORT_ID, SYNC_ID],
        responses=CalendarImportSyncSerializer,
        operation_id="operator_units_calendar_imports_syncs_retrieve",
        description="A sync asked for now: `queued`, `running` or `done`, and once done what it came to.",
    )
    def get(self, request, unit_id: str, import_id: str, sync_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        calendar_import = selectors.calendar_import_get(unit=unit, import_id=import_id)
        sync = selectors.calendar_import_sync_get(calendar_import=calendar_import, sync_id=sync_id)
        return Response(CalendarImportSyncSerializer(sync, context={"calendar_import": calendar_import}).data)
