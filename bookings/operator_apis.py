"""Operators' side of bookings: a unit's closures and price overrides, and the calendar feeds an operator (or a
visitor, or municipal staff) subscribes to. Calendar imports are in operator_import_apis.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsBookingReader, IsOperator
from backend.locations import created_at
from backend.pagination import page_serializer, paginated_response
from facilities.selectors import operator_unit_get

from . import imports, selectors, services
from .apis import CLOSURE_ID, FEED_ID, OVERRIDE_ID, UNIT_ID
from .serializers import (
    CalendarFeedCreateSerializer,
    CalendarFeedSerializer,
    CalendarFeedUpdateSerializer,
    ClosureSerializer,
    ClosureWriteSerializer,
    PriceOverrideSerializer,
    PriceOverrideWriteSerializer,
    TimeClosureSerializer,
    TimeClosureWriteSerializer,
)

# --- closures and price overrides ------------------------------------------------------------------------------


class ClosureListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID],
        responses=page_serializer("ClosurePage", ClosureSerializer),
        operation_id="operator_units_closures_list",
    )
    def get(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return paginated_response(request, self, selectors.closure_list(unit=unit), ClosureSerializer)

    @extend_schema(
        parameters=[UNIT_ID],
        request=ClosureWriteSerializer,
        responses={201: ClosureSerializer},
        operation_id="operator_units_closures_create",
        description="Closes the unit on [start_date, end_date] (both included). Refused (409) over "
        "dates with active bookings.",
    )
    def post(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        serializer = ClosureWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = services.closure_create(unit=unit, **serializer.validated_data)
        response = Response(ClosureSerializer(closure).data)
        return created_at(response, request, "closure-detail", unit_id=unit.pk, closure_id=closure.pk)


class ClosureDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID], responses=ClosureSerializer, operation_id="operator_units_closures_retrieve"
    )
    def get(self, request, unit_id: str, closure_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return Response(ClosureSerializer(selectors.closure_get(unit=unit, closure_id=closure_id)).data)

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID],
        request=ClosureWriteSerializer(partial=True),
        responses=ClosureSerializer,
        operation_id="operator_units_closures_partial_update",
    )
    def patch(self, request, unit_id: str, closure_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        closure = selectors.closure_get(unit=unit, closure_id=closure_id)
        serializer = ClosureWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        closure = services.closure_update(closure=closure, **serializer.validated_data)
        return Response(ClosureSerializer(closure).data)

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID], responses={204: None}, operation_id="operator_units_closures_destroy"
    )
    def delete(self, request, unit_id: str, closure_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        services.closure_delete(closure=selectors.closure_get(unit=unit, closure_id=closure_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimeClosureListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID],
        responses=page_serializer("TimeClosurePage", TimeClosureSerializer),
        operation_id="operator_units_time_closures_list",
    )
    def get(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return paginated_response(request, self, selectors.time_closure_list(unit=unit), TimeClosureSerializer)

    @extend_schema(
        parameters=[UNIT_ID],
        request=TimeClosureWriteSerializer,
        responses={201: TimeClosureSerializer},
        operation_id="operator_units_time_closures_create",
        description="Closes an hourly unit for [starts_at, ends_at). Refused (409) over active bookings of those "
        "hours.",
    )
    def post(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        serializer = TimeClosureWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = services.time_closure_create(unit=unit, **serializer.validated_data)
        response = Response(TimeClosureSerializer(closure).data)
        return created_at(response, request, "time-closure-detail", unit_id=unit.pk, closure_id=closure.pk)


class TimeClosureDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID], responses={204: None}, operation_id="operator_units_time_closures_destroy"
    )
    def delete(self, request, unit_id: str, closure_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        services.time_closure_delete(closure=selectors.time_closure_get(unit=unit, closure_id=closure_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PriceOverrideListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID],
        responses=page_serializer("PriceOverridePage", PriceOverrideSerializer),
        operation_id="operator_units_price_overrides_list",
    )
    def get(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return paginated_response(request, self, selectors.price_override_list(unit=unit), PriceOverrideSerializer)

    @extend_schema(
        parameters=[UNIT_ID],
        request=PriceOverrideWriteSerializer,
        responses={201: PriceOverrideSerializer},
        operation_id="operator_units_price_overrides_create",
        description="A price per night (or day) on [start_date, end_date] (both included); overlapping "
        "another override of the unit is refused (400).",
    )
    def post(self, request, unit_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        serializer = PriceOverrideWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = services.price_override_create(unit=unit, **serializer.validated_data)
        response = Response(PriceOverrideSerializer(override).data)
        return created_at(response, request, "price-override-detail", unit_id=unit.pk, override_id=override.pk)


class PriceOverrideDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, OVERRIDE_ID],
        responses=PriceOverrideSerializer,
        operation_id="operator_units_price_overrides_retrieve",
    )
    def get(self, request, unit_id: str, override_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        return Response(PriceOverrideSerializer(selectors.price_override_get(unit=unit, override_id=override_id)).data)

    @extend_schema(
        parameters=[UNIT_ID, OVERRIDE_ID],
        request=PriceOverrideWriteSerializer(partial=True),
        responses=PriceOverrideSerializer,
        operation_id="operator_units_price_overrides_partial_update",
    )
    def patch(self, request, unit_id: str, override_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        override = selectors.price_override_get(unit=unit, override_id=override_id)
        serializer = PriceOverrideWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        override = services.price_override_update(override=override, **serializer.validated_data)
        return Response(PriceOverrideSerializer(override).data)

    @extend_schema(
        parameters=[UNIT_ID, OVERRIDE_ID], responses={204: None}, operation_id="operator_units_price_overrides_destroy"
    )
    def delete(self, request, unit_id: str, override_id: str):
        unit = operator_unit_get(user=request.user, unit_id=unit_id)
        services.price_override_delete(override=selectors.price_override_get(unit=unit, override_id=override_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- calendar feeds --------------------------------------------------------------------------------------------


class CalendarFeedListApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(
        responses=page_serializer("CalendarFeedPage", CalendarFeedSerializer), operation_id="calendar_feeds_list"
    )
    def get(self, request):
        feeds = selectors.calendar_feed_list(user=request.user)
        return paginated_response(request, self, feeds, CalendarFeedSerializer, context={"request": request})

    @extend_schema(
        request=CalendarFeedCreateSerializer,
        responses={200: CalendarFeedSerializer, 201: CalendarFeedSerializer},
        operation_id="calendar_feeds_create",
        description="The secret URL of a feed: `unit` or `facility` (blocked nights, for its operator) "
        "or `stays` (a visitor's own stays and consultations) or `consultations` (municipal "
        "staff: their town's booked consultation slots). One per target: asking again "
        "returns it (200).",
    )
    def post(self, request):
        serializer = CalendarFeedCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit, facility = selectors.calendar_feed_target(
            user=request.user, scope=data["scope"], unit_id=data.get("unit"), facility_id=data.get("facility")
        )
        feed, created = services.calendar_feed_get_or_create(
            owner=request.user, scope=data["scope"], unit=unit, facility=facility
        )
        if "include_imported" in data:
            feed = imports.calendar_feed_include_imported(feed=feed, include=data["include_imported"])
        response = Response(CalendarFeedSerializer(feed, context={"request": request}).data)
        return created_at(response, request, "calendar-feed-detail", feed_id=feed.pk) if created else response


class CalendarFeedDetailApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(
        parameters=[FEED_ID],
        request=CalendarFeedUpdateSerializer,
        responses=CalendarFeedSerializer,
        operation_id="calendar_feeds_partial_update",
        description="Switches whether an operator feed shows dates blocked by calendar imports.",
    )
    def patch(self, request, feed_id: str):
        feed = selectors.calendar_feed_get(user=request.user, feed_id=feed_id)
        serializer = CalendarFeedUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feed = imports.calendar_feed_include_imported(feed=feed, include=serializer.validated_data["include_imported"])
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)

    @extend_schema(parameters=[FEED_ID], responses={204: None}, operation_id="calendar_feeds_destroy")
    def delete(self, request, feed_id: str):
        services.calendar_feed_delete(feed=selectors.calendar_feed_get(user=request.user, feed_id=feed_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedRotateApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(
        parameters=[FEED_ID],
        request=None,
        responses=CalendarFeedSerializer,
        operation_id="calendar_feeds_rotate",
        description="Replaces the secret URL; the old one answers 404 from now on.",
    )
    def post(self, request, feed_id: str):
        feed = services.calendar_feed_rotate(feed=selectors.calendar_feed_get(user=request.user, feed_id=feed_id))
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)
