"""Thin API views: availability, quotes, bookings and their cancellation, iCal calendars (operator_apis.py has the
operators' rules and the management of calendar feeds)."""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.permissions import IsBookingReader, IsVisitor, IsVisitorOrOperator
from backend.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, ConditionalGetMixin
from backend.locations import created_at
from backend.pagination import StandardPagination, page_serializer, paginated_response
from backend.replica import replica_reads

from . import feeds, hooks, selectors, services, stays
from .errors import CalendarFeedNotFound, InvalidIdempotencyKey
from .renderers import AVAILABILITY_RENDERERS
from .serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingEventSerializer,
    BookingListFilterSerializer,
    BookingPageSerializer,
    BookingSerializer,
    CancelSerializer,
    QuoteSerializer,
    ShortenSerializer,
    SlotsQuerySerializer,
    SlotsSerializer,
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
    renderer_classes = AVAILABILITY_RENDERERS

    @extend_schema(
        parameters=[UNIT_ID, AvailabilityQuerySerializer],
        responses=AvailabilitySerializer,
        operation_id="units_availability_retrieve",
        description="Per date: free units, price, closure; the unit's operator also sees what is "
        "taken, closure reasons and price labels (null for everyone else).",
    )
    @replica_reads
    def get(self, request, unit_id: str):
        query = AvailabilityQuerySerializer(data=request.query_params)
        if not query.is_valid():
            # An unknown unit is a 404 whatever the query says.
            selectors.unit_calendar_get(user=request.user, unit_id=unit_id)
            raise ValidationError(query.errors)
        calendar = stays.unit_availability(
            user=request.user, unit_id=unit_id, start=query.validated_data["from"], end=query.validated_data["to"]
        )
        return Response(AvailabilitySerializer(calendar).data)


class UnitSlotsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[UNIT_ID, SlotsQuerySerializer],
        responses=SlotsSerializer,
        operation_id="units_slots_retrieve",
        description="An hourly unit's free intervals on one day (Japan time), with its grid, durations and price.",
    )
    def get(self, request, unit_id: str):
        query = SlotsQuerySerializer(data=request.query_params)
        if not query.is_valid():
            selectors.unit_calendar_get(user=request.user, unit_id=unit_id)
            raise ValidationError(query.errors)
        slots = stays.unit_slots(user=request.user, unit_id=unit_id, day=query.validated_data["date"])
        return Response(SlotsSerializer(slots).data)


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
        quote = stays.quote_get(
            user=request.user,
            unit_id=data["unit"],
            check_in=data.get("check_in"),
            check_out=data.get("check_out"),
            dates=data.get("dates"),
            adults=data["adults"],
            children=data["children"],
            infants=data["infants"],
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
        )
        return Response(QuoteSerializer(quote).data)


# --- bookings --------------------------------------------------------------------------------------------------


class BookingListApi(ConditionalGetMixin, APIView):
    def get_permissions(self):
        return [IsVisitor()] if self.request.method == "POST" else [IsBookingReader()]

    @extend_schema(
        parameters=[BookingListFilterSerializer, *CONDITIONAL_PARAMETERS],
        responses={200: BookingPageSerializer, 304: NOT_MODIFIED},
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
        response = paginator.get_paginated_response(data)
        since = query.pop("updated_since", None)
        response.data["removed"] = (
            selectors.bookings_removed_since(user=request.user, updated_since=since, **query) if since else []
        )
        return response

    @extend_schema(
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter(
                "Idempotent-Replayed",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                enum=["true"],
                description="`true` when the answer replays an earlier request's with the same Idempotency-Key.",
            ),
        ],
        request=StayRequestSerializer,
        responses={201: BookingSerializer},
        operation_id="bookings_create",
        description="Books a stay, day passes or hours. With Stripe the booking stays `pending` while it holds "
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
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            idempotency_key=key.strip() if key else None,
        )
        response = created_at(_booking_response(request, booking), request, "booking-detail", booking_id=booking.pk)
        if booking.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class BookingDetailApi(ConditionalGetMixin, APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(
        parameters=[BOOKING_ID, *CONDITIONAL_PARAMETERS],
        responses={200: BookingSerializer, 304: NOT_MODIFIED},
        operation_id="bookings_retrieve",
    )
    def get(self, request, booking_id: str):
        return _booking_response(request, selectors.booking_get(user=request.user, booking_id=booking_id))


class BookingEventListApi(APIView):
    permission_classes = [IsBookingReader]

    @extend_schema(
        parameters=[BOOKING_ID],
        responses=page_serializer("BookingEventPage", BookingEventSerializer),
        operation_id="bookings_events_list",
        description="The booking's audit trail, oldest first: who made, confirmed, cancelled, released "
        "or completed it, and when. For its visitor, its facility's operator and the town's "
        "staff.",
    )
    def get(self, request, booking_id: str):
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
        return paginated_response(request, self, booking.events.all(), BookingEventSerializer)


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


class BookingShortenApi(APIView):
    permission_classes = [IsVisitorOrOperator]

    @extend_schema(
        parameters=[BOOKING_ID],
        request=ShortenSerializer,
        responses=BookingSerializer,
        operation_id="bookings_shorten",
        description="A confirmed stay ends on an earlier `check_out`. The visitor gives up nights that have not "
        "begun, within the unit's minimum stay, under the cancellation policy for those nights (the fee kept is "
        "added to `cancellation_fee_yen`); the operator records an early departure with a `reason` and refunds "
        "those nights in full. The nights go back on sale, the total drops by their price, and the claims on the "
        "stay are refigured: an approved claim whose figure drops goes back to review.",
    )
    def post(self, request, booking_id: str):
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
        serializer = ShortenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.booking_shorten(
            booking=booking,
            actor=request.user,
            check_out=serializer.validated_data["check_out"],
            reason=serializer.validated_data["reason"],
        )
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


# --- calendar feeds at their secret URLs -----------------------------------------------------------------------


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
    @replica_reads
    def get(self, request, token: str):
        feed = feeds.feed_get(token=token)
        if feed is None:
            raise CalendarFeedNotFound()
        return self.calendar_response(
            request, feeds.feed_version(feed), lambda: feeds.feed_calendar(feed), f"otameshi-{feed.scope}.ics"
        )
