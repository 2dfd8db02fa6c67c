"""Thin API views: availability, quotes, bookings and their cancellation, operator rules, iCal feeds."""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.permissions import IsOperator, IsVisitor
from backend.ids import parse_id
from backend.pagination import StandardPagination
from facilities.models import Facility

from . import feeds, hooks, imports, selectors, services
from .errors import (
    CalendarFeedNotFound,
    ClosureNotFound,
    ConsultationsFeedForStaffOnly,
    FacilityNotFound,
    InvalidIdempotencyKey,
    PriceOverrideNotFound,
    StaysFeedForVisitorsOnly,
    UnitNotFound,
)
from .models import CalendarFeed, Closure, PriceOverride
from .serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingEventSerializer,
    BookingListFilterSerializer,
    BookingPageSerializer,
    BookingSerializer,
    CalendarFeedCreateSerializer,
    CalendarFeedSerializer,
    CalendarFeedUpdateSerializer,
    CancelSerializer,
    ClosureSerializer,
    ClosureWriteSerializer,
    PriceOverrideSerializer,
    PriceOverrideWriteSerializer,
    QuoteSerializer,
    StayRequestSerializer,
)

# Paths match any string (see urls.py); the schema still documents the ids as integers.
UNIT_ID = OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH)
BOOKING_ID = OpenApiParameter("booking_id", OpenApiTypes.INT, OpenApiParameter.PATH)
CLOSURE_ID = OpenApiParameter("closure_id", OpenApiTypes.INT, OpenApiParameter.PATH)
OVERRIDE_ID = OpenApiParameter("override_id", OpenApiTypes.INT, OpenApiParameter.PATH)
FEED_ID = OpenApiParameter("feed_id", OpenApiTypes.INT, OpenApiParameter.PATH)
TOKEN = OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.PATH, description="The feed's secret token.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Retrying with the same key returns the same booking; another body under it is refused (422).",
)
CALENDAR_RESPONSES = {
    (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar (RFC 5545) document."),
    (304, "text/calendar"): OpenApiResponse(description="Not modified since the ETag or date the client sent."),
}
# Conditional requests in, validators and the file name out.
CALENDAR_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description="The ETag of the copy the client holds: 304 while it is current.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description="The Last-Modified of the copy the client holds: 304 while it is current.",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="Version of the calendar, for If-None-Match.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="When the calendar last changed (HTTP date), for If-Modified-Since.",
    ),
    OpenApiParameter(
        "Content-Disposition",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description='`inline; filename="....ics"`.',
    ),
]
MAX_IDEMPOTENCY_KEY = 255


class IsVisitorOrOperator(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_visitor or user.is_operator))


class IsBookingReader(BasePermission):
    """Visitors, operators and municipal staff each see their own share of the bookings."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class CalendarRenderer(BaseRenderer):
    """Lets `Accept: text/calendar` through content negotiation; the views build the body themselves."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode("utf-8") if isinstance(data, str) else data


class CalendarApi(APIView):
    renderer_classes = [JSONRenderer, CalendarRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response):
            # Errors stay JSON in the API's one error shape, whatever calendar type was asked for.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def calendar_response(self, request, version: feeds.Version, render, filename: str) -> HttpResponse:
        etag = quote_etag(version.etag)
        modified = int(version.last_modified.timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=modified)
        if response is None:
            response = HttpResponse(render(), content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        response["Cache-Control"] = "private, no-cache"
        return response


def _booking_response(request, booking, status_code=status.HTTP_200_OK) -> Response:
    estimates = hooks.estimates_for_bookings(bookings=[booking])
    data = BookingSerializer(booking, context={"request": request, "estimates": estimates}).data
    return Response(data, status=status_code)


# --- availability and quotes -----------------------------------------------------------------------------------


class UnitAvailabilityApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[UNIT_ID, AvailabilityQuerySerializer],
        responses=AvailabilitySerializer,
        operation_id="units_availability_retrieve",
        description="Per date: free units, price, closure; the unit's operator also sees what is "
        "taken, closure reasons and price labels (null for everyone else).",
    )
    def get(self, request, unit_id: str):
        unit = (
            selectors.unit_public_get(unit_id=unit_id)
            if not _operates(request, unit_id)
            else selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        )
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        detailed = selectors.is_unit_operator(user=request.user, unit=unit)
        days = selectors.availability(
            unit=unit, start=query.validated_data["from"], end=query.validated_data["to"], detailed=detailed
        )
        facility = unit.facility
        return Response(
            AvailabilitySerializer(
                {
                    "unit": unit.id,
                    "min_nights": unit.min_nights,
                    "max_nights": unit.max_nights,
                    "booking_window_days": unit.booking_window_days,
                    "check_in_time": _hh_mm(unit.check_in_time or facility.check_in_time),
                    "check_out_time": _hh_mm(unit.check_out_time or facility.check_out_time),
                    "free_cancellation_days": unit.free_cancellation_days,
                    "cancellation_fee_percent": unit.cancellation_fee_percent,
                    "days": days,
                }
            ).data
        )


def _hh_mm(moment) -> str | None:
    return moment.strftime("%H:%M") if moment else None


def _operates(request, unit_id) -> bool:
    """The unit's own operator sees it even while it is unpublished or inactive."""
    try:
        selectors.unit_for_operator(user=request.user, unit_id=unit_id)
    except UnitNotFound:
        return False
    return True


class QuoteApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=StayRequestSerializer,
        responses=QuoteSerializer,
        operation_id="quotes_create",
        description="Prices a stay (or day passes) as a booking would, without holding anything.",
    )
    def post(self, request):
        serializer = StayRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = selectors.unit_bookable(unit_id=data["unit"])
        stay = selectors.stay_resolve(
            unit=unit,
            check_in=data.get("check_in"),
            check_out=data.get("check_out"),
            dates=data.get("dates"),
            adults=data["adults"],
            children=data["children"],
            infants=data["infants"],
        )
        selectors.stay_check_available(stay=stay)
        lines = stay.lines
        user = request.user
        visitor = user if user.is_authenticated and user.is_visitor else None
        estimates = hooks.estimate_for_quote(
            visitor=visitor,
            unit=unit,
            kind=stay.kind,
            dates=stay.calendar_dates(),
            nights=lines if stay.kind == "stay" else [],
            adults=stay.adults,
            children=stay.children,
            infants=stay.infants,
        )
        return Response(
            QuoteSerializer(
                {
                    "unit": unit.id,
                    "kind": stay.kind,
                    "check_in": stay.check_in,
                    "check_out": stay.check_out,
                    "dates": list(stay.dates),
                    "adults": stay.adults,
                    "children": stay.children,
                    "infants": stay.infants,
                    "total_yen": stay.total_yen,
                    "lines": [{"date": day, "price_yen": price} for day, price in lines],
                    **estimates,
                }
            ).data
        )


# --- bookings --------------------------------------------------------------------------------------------------


class BookingListApi(APIView):
    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsBookingReader()]

    @extend_schema(
        parameters=[BookingListFilterSerializer],
        responses=BookingPageSerializer,
        operation_id="bookings_list",
        description="A visitor's own bookings, an operator's facilities', municipal staff's town's.",
    )
    def get(self, request):
        filters = BookingListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        query = {key: value for key, value in filters.validated_data.items() if key not in ("page", "page_size")}
        bookings = selectors.booking_list(user=request.user, **query)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(bookings, request, view=self)
        estimates = hooks.estimates_for_bookings(bookings=page)
        data = BookingSerializer(page, many=True, context={"request": request, "estimates": estimates}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=StayRequestSerializer,
        responses={201: BookingSerializer},
        operation_id="bookings_create",
        description="Books a stay or day passes. With Stripe the booking stays `pending` while it holds "
        "the units; paid on site it is `confirmed` at once.",
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (0 < len(key.strip()) <= MAX_IDEMPOTENCY_KEY and key.strip().isprintable()):
            raise InvalidIdempotencyKey(fields={"Idempotency-Key": [str(InvalidIdempotencyKey.default_message)]})
        serializer = StayRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = services.booking_create(
            visitor=request.user,
            unit=data["unit"],
            check_in=data.get("check_in"),
            check_out=data.get("check_out"),
            dates=data.get("dates"),
            adults=data["adults"],
            children=data["children"],
            infants=data["infants"],
            idempotency_key=key.strip() if key else None,
        )
        return _booking_response(request, booking, status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(parameters=[BOOKING_ID], responses=BookingSerializer, operation_id="bookings_retrieve")
    def get(self, request, booking_id: str):
        return _booking_response(request, selectors.booking_get(user=request.user, booking_id=booking_id))


class BookingEventListApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(
        parameters=[BOOKING_ID],
        responses=BookingEventSerializer(many=True),
        operation_id="bookings_events_list",
        description="The booking's audit trail, oldest first: who made, confirmed, cancelled, released "
        "or completed it, and when. For its visitor, its facility's operator and the town's "
        "staff.",
    )
    def get(self, request, booking_id: str):
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
        return Response(BookingEventSerializer(booking.events.all(), many=True).data)


class BookingCancelApi(APIView):
    permission_classes = [IsVisitorOrOperator]

    @extend_schema(
        parameters=[BOOKING_ID],
        request=CancelSerializer,
        responses=BookingSerializer,
        operation_id="bookings_cancel",
        description="A visitor cancels their own booking under the unit's policy (the fee kept is "
        "`cancellation_fee_yen`); an operator cancels with a `reason` and a full refund.",
    )
    def post(self, request, booking_id: str):
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.booking_cancel(booking=booking, actor=request.user, reason=serializer.validated_data["reason"])
        return _booking_response(request, selectors.booking_get(user=request.user, booking_id=booking.id))


class BookingCalendarApi(CalendarApi):
    permission_classes = [IsVisitor]

    @extend_schema(
        parameters=[BOOKING_ID, *CALENDAR_HEADERS],
        responses=CALENDAR_RESPONSES,
        operation_id="bookings_calendar_retrieve",
        description="The booking as an iCalendar event, for its visitor.",
    )
    def get(self, request, booking_id: str):
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
        return self.calendar_response(
            request,
            feeds.booking_version(booking),
            lambda: feeds.booking_calendar(booking),
            f"booking-{booking.id}.ics",
        )


# --- operator rules: closures and price overrides --------------------------------------------------------------


def _closure(unit, closure_id) -> Closure:
    closure_id = parse_id(closure_id)
    closure = selectors.closure_list(unit=unit).filter(id=closure_id).first() if closure_id else None
    if closure is None:
        raise ClosureNotFound()
    return closure


class ClosureListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID], responses=ClosureSerializer(many=True), operation_id="operator_units_closures_list"
    )
    def get(self, request, unit_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        return Response(ClosureSerializer(selectors.closure_list(unit=unit), many=True).data)

    @extend_schema(
        parameters=[UNIT_ID],
        request=ClosureWriteSerializer,
        responses={201: ClosureSerializer},
        operation_id="operator_units_closures_create",
        description="Closes the unit on [start_date, end_date] (both included). Refused (409) over "
        "dates with active bookings.",
    )
    def post(self, request, unit_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        serializer = ClosureWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = services.closure_create(unit=unit, **serializer.validated_data)
        return Response(ClosureSerializer(closure).data, status=status.HTTP_201_CREATED)


class ClosureDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID], responses=ClosureSerializer, operation_id="operator_units_closures_retrieve"
    )
    def get(self, request, unit_id: str, closure_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        return Response(ClosureSerializer(_closure(unit, closure_id)).data)

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID],
        request=ClosureWriteSerializer(partial=True),
        responses=ClosureSerializer,
        operation_id="operator_units_closures_partial_update",
    )
    def patch(self, request, unit_id: str, closure_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        closure = _closure(unit, closure_id)
        serializer = ClosureWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        closure = services.closure_update(closure=closure, **serializer.validated_data)
        return Response(ClosureSerializer(closure).data)

    @extend_schema(
        parameters=[UNIT_ID, CLOSURE_ID], responses={204: None}, operation_id="operator_units_closures_destroy"
    )
    def delete(self, request, unit_id: str, closure_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        services.closure_delete(closure=_closure(unit, closure_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _override(unit, override_id) -> PriceOverride:
    override_id = parse_id(override_id)
    override = selectors.price_override_list(unit=unit).filter(id=override_id).first() if override_id else None
    if override is None:
        raise PriceOverrideNotFound()
    return override


class PriceOverrideListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID],
        responses=PriceOverrideSerializer(many=True),
        operation_id="operator_units_price_overrides_list",
    )
    def get(self, request, unit_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        return Response(PriceOverrideSerializer(selectors.price_override_list(unit=unit), many=True).data)

    @extend_schema(
        parameters=[UNIT_ID],
        request=PriceOverrideWriteSerializer,
        responses={201: PriceOverrideSerializer},
        operation_id="operator_units_price_overrides_create",
        description="A price per night (or day) on [start_date, end_date] (both included); overlapping "
        "another override of the unit is refused (400).",
    )
    def post(self, request, unit_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        serializer = PriceOverrideWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = services.price_override_create(unit=unit, **serializer.validated_data)
        return Response(PriceOverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class PriceOverrideDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        parameters=[UNIT_ID, OVERRIDE_ID],
        responses=PriceOverrideSerializer,
        operation_id="operator_units_price_overrides_retrieve",
    )
    def get(self, request, unit_id: str, override_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        return Response(PriceOverrideSerializer(_override(unit, override_id)).data)

    @extend_schema(
        parameters=[UNIT_ID, OVERRIDE_ID],
        request=PriceOverrideWriteSerializer(partial=True),
        responses=PriceOverrideSerializer,
        operation_id="operator_units_price_overrides_partial_update",
    )
    def patch(self, request, unit_id: str, override_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        override = _override(unit, override_id)
        serializer = PriceOverrideWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        override = services.price_override_update(override=override, **serializer.validated_data)
        return Response(PriceOverrideSerializer(override).data)

    @extend_schema(
        parameters=[UNIT_ID, OVERRIDE_ID], responses={204: None}, operation_id="operator_units_price_overrides_destroy"
    )
    def delete(self, request, unit_id: str, override_id: str):
        unit = selectors.unit_for_operator(user=request.user, unit_id=unit_id)
        services.price_override_delete(override=_override(unit, override_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- calendar feeds --------------------------------------------------------------------------------------------


def _feed(request, feed_id) -> CalendarFeed:
    feed_id = parse_id(feed_id)
    feed = CalendarFeed.objects.filter(owner=request.user, id=feed_id).first() if feed_id else None
    if feed is None:
        raise CalendarFeedNotFound()
    return feed


class CalendarFeedListApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(responses=CalendarFeedSerializer(many=True), operation_id="calendar_feeds_list")
    def get(self, request):
        feeds_of_user = CalendarFeed.objects.filter(owner=request.user)
        return Response(CalendarFeedSerializer(feeds_of_user, many=True, context={"request": request}).data)

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
        user = request.user
        unit = facility = None
        if data["scope"] == CalendarFeed.Scope.STAYS:
            if not user.is_visitor:
                raise StaysFeedForVisitorsOnly(fields={"scope": [str(StaysFeedForVisitorsOnly.default_message)]})
        elif data["scope"] == CalendarFeed.Scope.CONSULTATIONS:
            if not user.is_municipal_staff:
                raise ConsultationsFeedForStaffOnly(
                    fields={"scope": [str(ConsultationsFeedForStaffOnly.default_message)]}
                )
        elif data["scope"] == CalendarFeed.Scope.UNIT:
            unit = selectors.unit_for_operator(user=user, unit_id=data["unit"])
        else:
            facility = (
                Facility.objects.filter(id=data["facility"], operator_id=user.organisation_id).first()
                if user.is_operator
                else None
            )
            if facility is None:
                raise FacilityNotFound()
        feed, created = services.calendar_feed_get_or_create(
            owner=user, scope=data["scope"], unit=unit, facility=facility
        )
        if "include_imported" in data:
            feed = imports.calendar_feed_include_imported(feed=feed, include=data["include_imported"])
        return Response(
            CalendarFeedSerializer(feed, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


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
        feed = _feed(request, feed_id)
        serializer = CalendarFeedUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feed = imports.calendar_feed_include_imported(feed=feed, include=serializer.validated_data["include_imported"])
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)

    @extend_schema(parameters=[FEED_ID], responses={204: None}, operation_id="calendar_feeds_destroy")
    def delete(self, request, feed_id: str):
        services.calendar_feed_delete(feed=_feed(request, feed_id))
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
        feed = services.calendar_feed_rotate(feed=_feed(request, feed_id))
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)


class CalendarFeedThrottle(ScopedRateThrottle):
    """Calendar apps and booking sites poll feeds often, many from one address (a provider's fetchers): a rate
    of their own per address, well above the anonymous one, set here so that it holds whatever the settings'
    rates list."""

    RATE = "600/min"

    def get_rate(self):
        return self.RATE


class CalendarFeedPublicApi(CalendarApi):
    """What calendar apps poll: no login, the token is the secret."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [CalendarFeedThrottle]
    throttle_scope = "calendar_feed"

    @extend_schema(
        parameters=[TOKEN, *CALENDAR_HEADERS],
        responses=CALENDAR_RESPONSES,
        operation_id="calendars_retrieve",
        auth=[],
        description="A feed at its secret URL. Operator feeds show blocked nights and closures, never "
        "guests' details. Answers 304 to a matching If-None-Match or If-Modified-Since.",
    )
    def get(self, request, token: str):
        feed = feeds.feed_get(token=token)
        if feed is None:
            raise CalendarFeedNotFound()
        return self.calendar_response(
            request, feeds.feed_version(feed), lambda: feeds.feed_calendar(feed), f"otameshi-{feed.scope}.ics"
        )
