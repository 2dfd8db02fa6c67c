"""Input and output shapes of the bookings API: quotes, bookings, availability, closures, overrides, feeds."""

from datetime import date

from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.pagination import page_serializer

from . import hooks
from .models import Booking, BookingEvent, CalendarFeed, Closure, PriceOverride, TimeClosure
from .stays import MAX_DATES

# Booking ids and counts are bounded so that no input reaches the database as an out-of-range integer.
MAX_ID = 2**31 - 1
MAX_PERSONS = 100
# Dates are bounded so that date arithmetic (a check-out the day after, a range's end) never overflows.
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2999, 12, 31)


class DateField(serializers.DateField):
    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not FIRST_DATE <= parsed <= LAST_DATE:
            raise serializers.ValidationError(
                _("Dates must be between %(first)s and %(last)s.")
                % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()}
            )
        return parsed


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment (with its offset; without one, Japan time) within the dates DateField accepts."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not FIRST_DATE <= parsed.date() <= LAST_DATE:
            raise serializers.ValidationError(
                _("Dates must be between %(first)s and %(last)s.")
                % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()}
            )
        return parsed


class TextField(serializers.CharField):
    """A CharField whose NUL-character refusal says so in Japanese too: Django's Japanese catalogue renders
    "Null characters are not allowed." as a request to enter some text."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators.append(ProhibitNullCharactersValidator(message=_("Text may not contain NUL characters.")))


class StayRequestSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    check_in = DateField(required=False, allow_null=True)
    check_out = DateField(required=False, allow_null=True)
    dates = serializers.ListField(
        child=DateField(),
        required=False,
        allow_empty=True,
        max_length=MAX_DATES,
        help_text=_("Day passes: the dates wanted."),
    )
    starts_at = DateTimeField(
        required=False, allow_null=True, help_text=_("Hourly units: the start, ISO 8601 with its offset (+09:00).")
    )
    ends_at = DateTimeField(required=False, allow_null=True, help_text=_("Hourly units: the end (exclusive)."))
    adults = serializers.IntegerField(min_value=1, max_value=MAX_PERSONS)
    children = serializers.IntegerField(min_value=0, max_value=MAX_PERSONS, default=0)
    infants = serializers.IntegerField(min_value=0, max_value=MAX_PERSONS, default=0)


class LineSerializer(serializers.Serializer):
    date = serializers.DateField()
    price_yen = serializers.IntegerField()


class FacilityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class GuestSerializer(serializers.Serializer):
    """Who booked, for the facility's operator (to welcome the guest, or call them)."""

    name = serializers.CharField(help_text=_("The visitor's full name (may be empty)."))
    email = serializers.EmailField()
    phone = serializers.CharField(help_text=_("The visitor's phone number (may be empty)."))


class ReimbursementField(serializers.Field):
    """The trial-stay subsidy estimate, as the reimbursements app computes it; that app documents its shape
    (reimbursements/schema.py)."""

    def to_representation(self, value):
        return value


class BookingReimbursementField(ReimbursementField):
    """A booking's estimate, from the `estimates` the view put in the context (one lookup for a whole page)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, booking):
        return self.context.get("estimates", {}).get(booking.id, {}).get("reimbursement")


class ReimbursementListField(serializers.Field):
    """Every programme's estimate for the stay, first the one `reimbursement` shows; documented by the
    reimbursements app (reimbursements/schema.py)."""

    def to_representation(self, value):
        return value


class BookingReimbursementsField(ReimbursementListField):
    """A booking's estimates under every programme covering it, from the view's `estimates`."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, booking):
        return self.context.get("estimates", {}).get(booking.id, {}).get("reimbursements", [])


class BookingPaymentField(serializers.Field):
    """The booking's payment as the payments app shows it (client secret for the booking's own visitor only);
    that app documents its shape (payments/schema.py)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, booking):
        return hooks.payment_data(booking=booking, is_visitor=self.parent._user_id() == booking.visitor_id)


class QuoteSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Booking.Kind.choices)
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    dates = serializers.ListField(child=serializers.DateField())
    starts_at = serializers.DateTimeField(allow_null=True, help_text=_("Hours only; null for nights and days."))
    ends_at = serializers.DateTimeField(allow_null=True, help_text=_("Hours only; null for nights and days."))
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    infants = serializers.IntegerField()
    total_yen = serializers.IntegerField()
    lines = LineSerializer(many=True)
    reimbursement = ReimbursementField(allow_null=True)
    reimbursements = ReimbursementListField()


class BookingSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id")
    cancel_code = serializers.ChoiceField(
        choices=Booking.CancelCode.choices, allow_blank=True, help_text=_("Empty unless cancelled.")
    )
    facility = serializers.SerializerMethodField()
    dates = serializers.SerializerMethodField()
    lines = LineSerializer(many=True)
    payment = BookingPaymentField(allow_null=True)
    reimbursement = BookingReimbursementField(allow_null=True)
    reimbursements = BookingReimbursementsField()
    calendar_url = serializers.SerializerMethodField()
    guest = serializers.SerializerMethodField(
        help_text=_("Who booked: for the facility's operator only (null for everyone else).")
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "unit",
            "facility",
            "kind",
            "check_in",
            "check_out",
            "dates",
            "starts_at",
            "ends_at",
            "adults",
            "children",
            "infants",
            "status",
            "total_yen",
            "lines",
            "hold_expires_at",
            "cancellation_fee_yen",
            "cancel_code",
            "cancel_reason",
            "cancelled_at",
            "sequence",
            "created_at",
            "updated_at",
            "payment",
            "reimbursement",
            "reimbursements",
            "calendar_url",
            "guest",
        ]
        read_only_fields = fields

    @extend_schema_field(FacilityRefSerializer)
    def get_facility(self, booking):
        facility = booking.unit.facility
        return {"id": facility.id, "name": facility.localized("name")}

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_dates(self, booking):
        return [line.date.isoformat() for line in booking.lines.all()]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_calendar_url(self, booking):
        """The booking's .ics, for its visitor only."""
        if self._user_id() != booking.visitor_id:
            return None
        path = reverse("booking-calendar", kwargs={"booking_id": booking.id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(GuestSerializer(allow_null=True))
    def get_guest(self, booking):
        user = getattr(self.context.get("request"), "user", None)
        if not getattr(user, "is_operator", False) or user.organisation_id != booking.unit.facility.operator_id:
            return None
        visitor = booking.visitor
        return {"name": visitor.full_name, "email": visitor.email, "phone": visitor.phone}

    def _user_id(self):
        request = self.context.get("request")
        return getattr(getattr(request, "user", None), "id", None)

    def to_representation(self, instance):
        """The declared fields, written out: every booking answer (a new booking, a page of them) goes through
        here, and building a ModelSerializer's fields and walking them took more time than the values themselves.
        `tests/bookings/test_serializers.py` holds it equal to the declared fields."""
        booking = instance
        user_id = self._user_id()
        estimates = self.context.get("estimates", {}).get(booking.id, {})
        facility = booking.unit.facility
        lines = booking.lines.all()
        return {
            "id": booking.id,
            "unit": booking.unit_id,
            "facility": {"id": facility.id, "name": facility.localized("name")},
            "kind": str(booking.kind),
            "check_in": booking.check_in.isoformat(),
            "check_out": booking.check_out.isoformat(),
            "dates": [line.date.isoformat() for line in lines],
            "starts_at": _DATETIME.to_representation(booking.starts_at),
            "ends_at": _DATETIME.to_representation(booking.ends_at),
            "adults": int(booking.adults),
            "children": int(booking.children),
            "infants": int(booking.infants),
            "status": str(booking.status),
            "total_yen": int(booking.total_yen),
            "lines": [{"date": line.date.isoformat(), "price_yen": int(line.price_yen)} for line in lines],
            "hold_expires_at": _DATETIME.to_representation(booking.hold_expires_at),
            "cancellation_fee_yen": int(booking.cancellation_fee_yen),
            "cancel_code": str(booking.cancel_code),
            "cancel_reason": str(booking.cancel_reason),
            "cancelled_at": _DATETIME.to_representation(booking.cancelled_at),
            "sequence": int(booking.sequence),
            "created_at": _DATETIME.to_representation(booking.created_at),
            "updated_at": _DATETIME.to_representation(booking.updated_at),
            "payment": hooks.payment_data(booking=booking, is_visitor=user_id == booking.visitor_id),
            "reimbursement": estimates.get("reimbursement"),
            "reimbursements": estimates.get("reimbursements", []),
            "calendar_url": self.get_calendar_url(booking),
            "guest": self.get_guest(booking),
        }


# The datetimes of a written-out booking, formatted as the declared DateTimeFields format them.
_DATETIME = serializers.DateTimeField()

BookingPageSerializer = type(
    "BookingPageSerializer",
    (page_serializer("BookingPageSerializer", BookingSerializer),),
    {
        "removed": serializers.ListField(
            child=serializers.IntegerField(),
            help_text=_(
                "With `updated_since`: ids of bookings that changed since then and no longer match the filters "
                "(a client holding the filtered list drops them); otherwise empty."
            ),
        )
    },
)


class BookingEventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(
        source="actor_id",
        allow_null=True,
        help_text=_("The user who acted; null when the system did (a payment, an expired hold, a finished stay)."),
    )

    class Meta:
        model = BookingEvent
        fields = ["id", "kind", "from_status", "to_status", "actor", "at", "note"]
        read_only_fields = fields


class BookingListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Booking.Status.choices, required=False)
    date_from = DateField(required=False, help_text=_("Stays touching this date or later."))
    date_to = DateField(required=False, help_text=_("Stays starting on this date or earlier."))
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text=_(
            "For offline sync: only the bookings that changed after this time (ISO 8601 with its offset; send the "
            "`Date` of the previous answer), and in `removed` those that changed and no longer match the filters."
        ),
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("Must be on or after date_from.")]})
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, max_length=500, default="")


class ShortenSerializer(serializers.Serializer):
    check_out = DateField(help_text=_("The new check-out: after the check-in and before the current check-out."))
    reason = TextField(required=False, allow_blank=True, max_length=500, default="")


class AvailabilityQuerySerializer(serializers.Serializer):
    # `from` is a Python keyword, hence the declared names below.
    def get_fields(self):
        return {
            "from": DateField(help_text=_("First date (included).")),
            "to": DateField(help_text=_("Last date (included); at most 366 days after `from`.")),
        }

    def validate(self, attrs):
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": [_("Must be on or after `from`.")]})
        if (attrs["to"] - attrs["from"]).days >= MAX_DATES:
            raise serializers.ValidationError({"to": [_("At most %(days)s days at once.") % {"days": MAX_DATES}]})
        return attrs


class AvailabilityDayListSerializer(serializers.ListSerializer):
    """A calendar of up to 366 dates: stays.unit_availability already gives each date as the API shows it (plain
    values under the day serializer's field names, in their order, the date as ISO text), so the rows are passed
    on as they are; running eleven fields' to_representation for every date took most of the response's time."""

    def to_representation(self, data):
        return data


class AvailabilityDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    free = serializers.IntegerField(help_text=_("Units not taken on this date."))
    price_yen = serializers.IntegerField()
    closed = serializers.BooleanField()
    bookable = serializers.BooleanField(help_text=_("Free, not closed and within the booking window."))
    taken = serializers.IntegerField(allow_null=True, help_text=_("Operator only."))
    total = serializers.IntegerField(allow_null=True, help_text=_("Operator only."))
    closure_reason = serializers.CharField(allow_null=True, help_text=_("Operator only."))
    price_label = serializers.CharField(allow_null=True, help_text=_("Operator only."))
    imported_from = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=_("Operator only: the calendar imports whose events take a unit on this date."),
    )
    import_conflicts = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=_("Operator only: calendar imports with an event on this date although it was fully booked here."),
    )

    class Meta:
        list_serializer_class = AvailabilityDayListSerializer


class HourMinuteField(serializers.CharField):
    """A time of day shown as HH:MM."""

    def to_representation(self, value):
        return value.strftime("%H:%M")


class AvailabilitySerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    min_nights = serializers.IntegerField()
    max_nights = serializers.IntegerField()
    booking_window_days = serializers.IntegerField()
    check_in_time = HourMinuteField(allow_null=True, help_text=_("Local time, HH:MM."))
    check_out_time = HourMinuteField(allow_null=True, help_text=_("Local time, HH:MM."))
    free_cancellation_days = serializers.IntegerField()
    cancellation_fee_percent = serializers.IntegerField()
    days = AvailabilityDaySerializer(many=True)

    def to_representation(self, instance):
        # The declared fields above are the schema; written out, the answer does not build (deep-copy) nine fields
        # and a nested list serializer on every request. Held equal to the declared fields, key order included, by
        # tests/bookings/test_availability_read.py.
        check_in, check_out = instance["check_in_time"], instance["check_out_time"]
        return {
            "unit": instance["unit"],
            "min_nights": instance["min_nights"],
            "max_nights": instance["max_nights"],
            "booking_window_days": instance["booking_window_days"],
            "check_in_time": check_in.strftime("%H:%M") if check_in is not None else None,
            "check_out_time": check_out.strftime("%H:%M") if check_out is not None else None,
            "free_cancellation_days": instance["free_cancellation_days"],
            "cancellation_fee_percent": instance["cancellation_fee_percent"],
            "days": instance["days"],
        }


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Closure
        fields = ["id", "unit", "start_date", "end_date", "reason", "sequence", "created_at", "updated_at"]
        read_only_fields = ["id", "unit", "sequence", "created_at", "updated_at"]


class ClosureWriteSerializer(serializers.Serializer):
    start_date = DateField()
    end_date = DateField()
    reason = TextField(max_length=200)


class TimeClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeClosure
        fields = ["id", "unit", "starts_at", "ends_at", "reason", "created_at"]
        read_only_fields = ["id", "unit", "created_at"]


class TimeClosureWriteSerializer(serializers.Serializer):
    starts_at = DateTimeField()
    ends_at = DateTimeField(help_text=_("Exclusive."))
    reason = TextField(max_length=200)


class SlotsQuerySerializer(serializers.Serializer):
    date = DateField(help_text=_("The day, in Japan time."))


class FreeIntervalSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free = serializers.IntegerField(help_text=_("Units free all through the interval."))


class SlotsSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    date = serializers.DateField()
    opens_at = serializers.DateTimeField(allow_null=True, help_text=_("Null when closed that weekday."))
    closes_at = serializers.DateTimeField(allow_null=True)
    slot_minutes = serializers.IntegerField(help_text=_("Bookings start and end on this grid."))
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    price_per_hour_yen = serializers.IntegerField()
    day_cap_yen = serializers.IntegerField(allow_null=True)
    free = FreeIntervalSerializer(many=True, help_text=_("The free intervals of the day, in time order."))


class PriceOverrideSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceOverride
        fields = ["id", "unit", "start_date", "end_date", "price_yen", "label", "created_at", "updated_at"]
        read_only_fields = ["id", "unit", "created_at", "updated_at"]


class PriceOverrideWriteSerializer(serializers.Serializer):
    start_date = DateField()
    end_date = DateField()
    price_yen = serializers.IntegerField(min_value=0, max_value=10_000_000)
    # DRF's metaclass takes declared fields off the class, so this never shadows Field.label at run time.
    label = TextField(max_length=100, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class CalendarFeedCreateSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=CalendarFeed.Scope.choices)
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    facility = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    include_imported = serializers.BooleanField(
        required=False,
        help_text=_(
            "Operator feeds: also show dates blocked by calendar imports (off by default, "
            "so that two sites importing each other's feeds do not keep blocks alive)."
        ),
    )

    def validate(self, attrs):
        required = {"unit": "unit", "facility": "facility"}.get(attrs["scope"])
        for name in ("unit", "facility"):
            if name == required and attrs.get(name) is None:
                raise serializers.ValidationError({name: [_("This field is required for this scope.")]})
            if name != required and attrs.get(name) is not None:
                raise serializers.ValidationError({name: [_("Not allowed for this scope.")]})
        return attrs


class CalendarFeedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarFeed
        fields = ["id", "scope", "unit", "facility", "url", "include_imported", "created_at", "rotated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, feed):
        path = reverse("calendar-feed", kwargs={"token": feed.token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CalendarFeedUpdateSerializer(serializers.Serializer):
    include_imported = serializers.BooleanField()
