"""Operators' representations of their own catalogue: what they send (with the bounds the catalogue accepts)
and what they get back (both languages, unpublished facilities and inactive units included)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.pagination import page_serializer

from .models import Certification, Facility, Unit
from .serializers import HourMinuteField

MAX_CAPACITY = 100
MAX_COUNT = 500
MAX_PRICE_YEN = 10_000_000
MAX_NIGHTS = 366
MAX_BOOKING_WINDOW_DAYS = 730


# --- input -----------------------------------------------------------------------------------------------------


class FacilityWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Facility.Kind.choices)
    municipality = serializers.RegexField(r"^[0-9]{6}$", help_text=_("National local-government code (Saku: 202177)."))
    area = serializers.SlugField(
        max_length=50, required=False, allow_null=True, help_text=_("Slug of an area of the facility's municipality.")
    )
    name_ja = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_ja = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    description_en = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    postal_code = serializers.RegexField(r"^[0-9]{3}-?[0-9]{4}$", required=False, allow_blank=True)
    address_ja = serializers.CharField(max_length=300)
    address_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    wifi_mbps = serializers.IntegerField(min_value=0, max_value=100000, required=False, allow_null=True)
    private_booths = serializers.BooleanField(required=False)
    external_monitors = serializers.BooleanField(required=False)
    open_24h = serializers.BooleanField(required=False)
    kids_space = serializers.BooleanField(required=False)
    car_share = serializers.BooleanField(required=False)
    parking = serializers.BooleanField(required=False)
    check_in_time = HourMinuteField(required=False)
    check_out_time = HourMinuteField(required=False)
    opening_hours_ja = serializers.CharField(max_length=200, required=False, allow_blank=True)
    opening_hours_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    is_published = serializers.BooleanField(required=False)


class UnitWriteSerializer(serializers.Serializer):
    unit_type = serializers.ChoiceField(
        choices=Unit.Type.choices, help_text=_("room or house for lodging; desk or meeting_room for coworking.")
    )
    name_ja = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, help_text=_("Persons, every age counted."))
    count = serializers.IntegerField(min_value=1, max_value=MAX_COUNT, required=False, help_text=_("Identical units."))
    price_yen = serializers.IntegerField(
        min_value=0, max_value=MAX_PRICE_YEN, help_text=_("Base price per night (lodging) or per day (coworking).")
    )
    min_nights = serializers.IntegerField(min_value=1, max_value=MAX_NIGHTS, required=False)
    max_nights = serializers.IntegerField(min_value=1, max_value=MAX_NIGHTS, required=False)
    booking_window_days = serializers.IntegerField(
        min_value=1, max_value=MAX_BOOKING_WINDOW_DAYS, required=False, help_text=_("How far ahead it can be booked.")
    )
    check_in_time = HourMinuteField(required=False, help_text=_("Overrides the facility's."))
    check_out_time = HourMinuteField(required=False, help_text=_("Overrides the facility's."))
    free_cancellation_days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BOOKING_WINDOW_DAYS,
        required=False,
        help_text=_("Free cancellation until this many days before check-in."),
    )
    cancellation_fee_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text=_("Share of the total kept when cancelled later.")
    )
    booking_mode = serializers.ChoiceField(
        choices=Unit.BookingMode.choices,
        required=False,
        help_text=_(
            "`hourly`: booked by the hour within opening hours (desks and meeting rooms); `price_yen` is then "
            "the price of an hour."
        ),
    )
    opening_hours = serializers.JSONField(
        required=False,
        help_text=_('Hourly: {"mon": ["09:00", "18:00"], ...}, on the quarter hour; a weekday left out is closed.'),
    )
    slot_minutes = serializers.ChoiceField(
        choices=Unit.SLOT_MINUTES, required=False, help_text=_("Hourly: the grid bookings start and end on.")
    )
    min_minutes = serializers.IntegerField(min_value=15, max_value=1440, required=False)
    max_minutes = serializers.IntegerField(min_value=15, max_value=1440, required=False)
    day_cap_yen = serializers.IntegerField(
        min_value=0,
        max_value=MAX_PRICE_YEN,
        required=False,
        allow_null=True,
        help_text=_("Hourly: the most a day costs."),
    )
    free_cancellation_hours = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BOOKING_WINDOW_DAYS * 24,
        required=False,
        help_text=_("Hourly: free cancellation until this many hours before the start."),
    )
    is_active = serializers.BooleanField(required=False, help_text=_("false: not shown, not bookable."))

    def validate(self, attrs):
        if "min_nights" in attrs and "max_nights" in attrs and attrs["max_nights"] < attrs["min_nights"]:
            raise serializers.ValidationError(
                {"max_nights": [_("The maximum stay must not be shorter than the minimum stay.")]}
            )
        return attrs


class CertificationWriteSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=Certification.Scheme.choices)
    level = serializers.ChoiceField(
        choices=Certification.LEVEL_CHOICES,
        help_text=_("star1 or star2 (shared_office_security); business or premium (safe_telework)."),
    )
    certificate_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    certified_on = serializers.DateField()
    valid_until = serializers.DateField(help_text=_("At most one year after certified_on."))


class PhotoWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    caption_ja = serializers.CharField(max_length=200, required=False, allow_blank=True)
    caption_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class AddressSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=300, help_text=_("A Japanese address, e.g. 長野県佐久市佐久平駅北."))


# --- output ----------------------------------------------------------------------------------------------------


class OperatorUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    facility = serializers.IntegerField(source="facility_id")
    unit_type = serializers.ChoiceField(choices=Unit.Type.choices)
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    capacity = serializers.IntegerField()
    count = serializers.IntegerField()
    price_yen = serializers.IntegerField()
    min_nights = serializers.IntegerField()
    max_nights = serializers.IntegerField()
    booking_window_days = serializers.IntegerField()
    check_in_time = HourMinuteField()
    check_out_time = HourMinuteField()
    free_cancellation_days = serializers.IntegerField()
    cancellation_fee_percent = serializers.IntegerField()
    booking_mode = serializers.ChoiceField(choices=Unit.BookingMode.choices)
    opening_hours = serializers.JSONField()
    slot_minutes = serializers.IntegerField()
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    day_cap_yen = serializers.IntegerField(allow_null=True)
    free_cancellation_hours = serializers.IntegerField()
    is_active = serializers.BooleanField()


class OperatorCertificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    facility = serializers.IntegerField(source="facility_id")
    scheme = serializers.ChoiceField(choices=Certification.Scheme.choices)
    level = serializers.ChoiceField(choices=Certification.LEVEL_CHOICES)
    rank = serializers.IntegerField()
    certificate_number = serializers.CharField()
    certified_on = serializers.DateField()
    valid_until = serializers.DateField()
    is_valid_today = serializers.SerializerMethodField()

    def get_is_valid_today(self, certification) -> bool:
        return certification.is_valid_on()


class OperatorPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    facility = serializers.IntegerField(source="facility_id")
    url = serializers.URLField()
    caption_ja = serializers.CharField()
    caption_en = serializers.CharField()
    position = serializers.IntegerField()


class OperatorFacilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Facility.Kind.choices)
    municipality = serializers.CharField(source="municipality.code")
    area = serializers.SlugField(source="area.slug", allow_null=True, default=None)
    name_ja = serializers.CharField()
    name_en = serializers.CharField()
    description_ja = serializers.CharField()
    description_en = serializers.CharField()
    postal_code = serializers.CharField()
    address_ja = serializers.CharField()
    address_en = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    wifi_mbps = serializers.IntegerField(allow_null=True)
    private_booths = serializers.BooleanField()
    external_monitors = serializers.BooleanField()
    open_24h = serializers.BooleanField()
    kids_space = serializers.BooleanField()
    car_share = serializers.BooleanField()
    parking = serializers.BooleanField()
    check_in_time = HourMinuteField()
    check_out_time = HourMinuteField()
    opening_hours_ja = serializers.CharField()
    opening_hours_en = serializers.CharField()
    website = serializers.CharField()
    is_published = serializers.BooleanField()
    units = OperatorUnitSerializer(many=True, source="units.all")
    certifications = OperatorCertificationSerializer(many=True, source="certifications.all")
    photos = OperatorPhotoSerializer(many=True, source="photos.all")


OperatorFacilityPageSerializer = page_serializer("OperatorFacilityPageSerializer", OperatorFacilitySerializer)


class GeocodeResultSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    display_name = serializers.CharField(help_text=_("The place the geocoder matched; check it before saving."))
