"""Public representations of the catalogue, in the language the client asked for, and the search parameters."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.pagination import page_serializer

from . import hooks
from .geo import Centre
from .models import Certification, Facility, Landmark, Unit
from .selectors import AMENITIES, SearchQuery

MAX_RADIUS_KM = 300
DEFAULT_RADIUS_KM = 20
MAX_SEARCH_NIGHTS = 60


class SearchQuerySerializer(serializers.Serializer):
    kind = serializers.MultipleChoiceField(
        choices=Facility.Kind.choices,
        required=False,
        help_text=_("Kinds of facility; repeat the parameter for several."),
    )
    municipality = serializers.RegexField(
        r"^[0-9]{6}$", required=False, help_text=_("National local-government code (Saku: 202177).")
    )
    area = serializers.SlugField(max_length=50, required=False, help_text=_("Area slug within the municipality."))
    capacity = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Party size: only facilities with a unit for this many persons."),
    )
    min_wifi_mbps = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    private_booths = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true: only facilities with private booths.")
    )
    external_monitors = serializers.BooleanField(required=False, allow_null=True, default=None)
    open_24h = serializers.BooleanField(required=False, allow_null=True, default=None)
    kids_space = serializers.BooleanField(required=False, allow_null=True, default=None)
    car_share = serializers.BooleanField(required=False, allow_null=True, default=None)
    parking = serializers.BooleanField(required=False, allow_null=True, default=None)
    certified = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: only facilities holding a certificate valid today."),
    )
    min_certification_level = serializers.IntegerField(
        min_value=1,
        max_value=2,
        required=False,
        help_text=_("1 (★1 or business) or 2 (★2 or premium), on a certificate valid today."),
    )
    certification_scheme = serializers.ChoiceField(choices=Certification.Scheme.choices, required=False)
    check_in = serializers.DateField(required=False, help_text=_("With check_out: only units free on every date."))
    check_out = serializers.DateField(required=False)
    adults = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("With dates: the party the units are priced for (default: capacity, else 1)."),
    )
    children = serializers.IntegerField(min_value=0, max_value=50, required=False, default=0)
    infants = serializers.IntegerField(min_value=0, max_value=50, required=False, default=0)
    near = serializers.CharField(required=False, max_length=60, help_text=_("Centre as `latitude,longitude`."))
    near_station = serializers.SlugField(
        max_length=50, required=False, help_text=_("Code of a station or landmark used as the centre.")
    )
    radius_km = serializers.FloatField(
        min_value=0.1, max_value=MAX_RADIUS_KM, required=False, help_text=_("Radius around the centre (default 20 km).")
    )

    def validate_near(self, value: str) -> tuple[float, float]:
        parts = value.split(",")
        try:
            latitude, longitude = (float(part) for part in parts)
        except ValueError:
            raise serializers.ValidationError(
                _("Give the centre as latitude,longitude, e.g. 36.27796,138.46424.")
            ) from None
        if not (-90 <= latitude <= 90):
            raise serializers.ValidationError(_("Latitude must be between -90 and 90."))
        if not (-180 <= longitude <= 180):
            raise serializers.ValidationError(_("Longitude must be between -180 and 180."))
        return latitude, longitude

    def validate(self, attrs):
        errors = {}
        if "near" in attrs and "near_station" in attrs:
            errors["near_station"] = [_("Give either near or near_station, not both.")]
        if "radius_km" in attrs and "near" not in attrs and "near_station" not in attrs:
            errors["radius_km"] = [_("A radius needs a centre: give near or near_station.")]
        if ("check_in" in attrs) != ("check_out" in attrs):
            missing = "check_out" if "check_in" in attrs else "check_in"
            errors[missing] = [_("Give check_in and check_out together.")]
        elif "check_in" in attrs:
            nights = (attrs["check_out"] - attrs["check_in"]).days
            if nights < 1:
                errors["check_out"] = [_("Check-out must be after check-in.")]
            elif nights > MAX_SEARCH_NIGHTS:
                errors["check_out"] = [_("Search at most %(days)d days at a time.") % {"days": MAX_SEARCH_NIGHTS}]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def party(self) -> tuple[int, int, int]:
        """(adults, children, infants) a dated search prices its units for."""
        data = self.validated_data
        return data.get("adults") or data.get("capacity") or 1, data.get("children", 0), data.get("infants", 0)

    def to_query(self) -> SearchQuery:
        data = self.validated_data
        radius = data.get("radius_km", DEFAULT_RADIUS_KM)
        return SearchQuery(
            kinds=sorted(data.get("kind", [])),
            municipality=data.get("municipality"),
            area=data.get("area"),
            capacity=data.get("capacity"),
            amenities=[name for name in AMENITIES if data.get(name)],
            min_wifi_mbps=data.get("min_wifi_mbps"),
            certified=bool(data.get("certified")),
            min_certification_level=data.get("min_certification_level"),
            certification_scheme=data.get("certification_scheme"),
            check_in=data.get("check_in"),
            check_out=data.get("check_out"),
            centre=Centre(data["near"][0], data["near"][1], radius) if "near" in data else None,
            near_station=data.get("near_station"),
            radius_km=radius,
        )


class LandmarkQuerySerializer(serializers.Serializer):
    municipality = serializers.RegexField(
        r"^[0-9]{6}$", required=False, help_text=_("Only the stations of this municipality (its code).")
    )


class LocalizedField(serializers.CharField):
    """The Japanese or English text of a translated field, as the request's language asks."""

    def __init__(self, name: str, **kwargs):
        self.text_name = name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return instance.localized(self.text_name)


@extend_schema_field({"type": "string", "pattern": r"^[0-2][0-9]:[0-5][0-9]$", "nullable": True, "example": "15:00"})
class HourMinuteField(serializers.TimeField):
    """A local time of day as `HH:MM` (Asia/Tokyo), as shown on the facility's own signs."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", allow_null=True, **kwargs)


class MunicipalityRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = LocalizedField("name")
    prefecture = LocalizedField("prefecture")


class AreaRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = LocalizedField("name")


class AmenitiesSerializer(serializers.Serializer):
    wifi_mbps = serializers.IntegerField(allow_null=True)
    private_booths = serializers.BooleanField()
    external_monitors = serializers.BooleanField()
    open_24h = serializers.BooleanField()
    kids_space = serializers.BooleanField()
    car_share = serializers.BooleanField()
    parking = serializers.BooleanField()


class CertificationSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=Certification.Scheme.choices)
    scheme_name = serializers.CharField(source="get_scheme_display")
    level = serializers.ChoiceField(choices=Certification.LEVEL_CHOICES)
    level_name = serializers.CharField(source="get_level_display")
    rank = serializers.IntegerField(help_text=_("1 or 2, comparable across schemes."))
    certificate_number = serializers.CharField()
    certified_on = serializers.DateField()
    valid_until = serializers.DateField()


class PhotoSerializer(serializers.Serializer):
    url = serializers.URLField()
    caption = LocalizedField("caption")


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit_type = serializers.ChoiceField(choices=Unit.Type.choices)
    name = LocalizedField("name")
    capacity = serializers.IntegerField()
    count = serializers.IntegerField()
    price_yen = serializers.IntegerField()
    price_basis = serializers.SerializerMethodField(
        help_text=_("`night` for lodging, `day` for day passes, `hour` for units booked by the hour.")
    )
    booking_mode = serializers.ChoiceField(choices=Unit.BookingMode.choices)
    min_nights = serializers.IntegerField()
    max_nights = serializers.IntegerField()
    booking_window_days = serializers.IntegerField()
    free_cancellation_days = serializers.IntegerField()
    cancellation_fee_percent = serializers.IntegerField()
    opening_hours = serializers.JSONField(
        help_text=_('Hourly: {"mon": ["09:00", "18:00"], ...}; a weekday left out is closed.')
    )
    slot_minutes = serializers.IntegerField()
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    day_cap_yen = serializers.IntegerField(allow_null=True)
    free_cancellation_hours = serializers.IntegerField()

    @extend_schema_field(serializers.ChoiceField(choices=["night", "day", "hour"]))
    def get_price_basis(self, unit) -> str:
        if unit.is_hourly:
            return "hour"
        return "day" if unit.unit_type in (Unit.Type.DESK, Unit.Type.MEETING_ROOM) else "night"


class PricedUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit.id")
    name = serializers.CharField(help_text=_("The unit's name in the request's language."))
    unit_type = serializers.ChoiceField(source="unit.unit_type", choices=Unit.Type.choices)
    capacity = serializers.IntegerField(source="unit.capacity")
    total_yen = serializers.IntegerField(help_text=_("The stay's price for this unit, as a quote gives it."))
    total_reimbursable_yen = serializers.IntegerField(
        allow_null=True,
        help_text=_("The best subsidy estimate's total for the signed-in visitor; null when not signed in as one."),
    )

    def to_representation(self, instance):
        unit = instance["unit"]
        return {
            "id": unit.id,
            "name": unit.localized("name"),
            "unit_type": unit.unit_type,
            "capacity": unit.capacity,
            "total_yen": instance["total_yen"],
            "total_reimbursable_yen": instance["total_reimbursable_yen"],
        }


class FacilityListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Facility.Kind.choices)
    name = LocalizedField("name")
    municipality = MunicipalityRefSerializer()
    area = AreaRefSerializer(allow_null=True)
    address = LocalizedField("address")
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    distance_km = serializers.SerializerMethodField(
        help_text=_("Geodesic distance from the search centre; null without one.")
    )
    amenities = AmenitiesSerializer(source="*")
    price_from_yen = serializers.IntegerField(allow_null=True, help_text=_("Lowest base price of its units."))
    certifications = CertificationSerializer(
        source="valid_certifications", many=True, help_text=_("Certificates valid today; expired ones are not shown.")
    )
    photo_url = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField(
        help_text=_(
            "With check_in and check_out: the units bookable for the party on those dates, priced, cheapest first; "
            "null without dates."
        )
    )

    @extend_schema_field(PricedUnitSerializer(many=True, allow_null=True))
    def get_units(self, facility) -> list | None:
        priced = self.context.get("priced_units")
        if priced is None:
            return None
        return list(PricedUnitSerializer(priced.get(facility.id, []), many=True).data)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, facility) -> float | None:
        distance = getattr(facility, "distance_km", None)
        return round(distance, 3) if distance is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, facility) -> str | None:
        return facility.first_photo_url

    def to_representation(self, instance):
        """The fields above, written out: a search page serialises twenty of these, and walking the declared
        fields costs more than the rest of the request (tests/facilities/test_serializers.py holds the two
        equal)."""
        facility = instance
        municipality, area = facility.municipality, facility.area
        return {
            "id": facility.id,
            "kind": facility.kind,
            "name": facility.localized("name"),
            "municipality": {
                "code": municipality.code,
                "name": municipality.localized("name"),
                "prefecture": municipality.localized("prefecture"),
            },
            "area": None if area is None else {"slug": area.slug, "name": area.localized("name")},
            "address": facility.localized("address"),
            "latitude": float(facility.latitude),
            "longitude": float(facility.longitude),
            "distance_km": self.get_distance_km(facility),
            "amenities": {
                "wifi_mbps": None if facility.wifi_mbps is None else int(facility.wifi_mbps),
                "private_booths": bool(facility.private_booths),
                "external_monitors": bool(facility.external_monitors),
                "open_24h": bool(facility.open_24h),
                "kids_space": bool(facility.kids_space),
                "car_share": bool(facility.car_share),
                "parking": bool(facility.parking),
            },
            "price_from_yen": None if facility.price_from_yen is None else int(facility.price_from_yen),
            "certifications": [_certification(certificate) for certificate in facility.valid_certifications],
            "photo_url": self.get_photo_url(facility),
            "units": self.get_units(facility),
        }


# The labels get_scheme_display() and get_level_display() look up, without rebuilding the mapping each time.
_SCHEME_NAMES = dict(Certification._meta.get_field("scheme").flatchoices)
_LEVEL_NAMES = dict(Certification._meta.get_field("level").flatchoices)


def _certification(certificate: Certification) -> dict:
    """CertificationSerializer's fields, written out (see FacilityListSerializer.to_representation)."""
    return {
        "scheme": certificate.scheme,
        "scheme_name": str(_SCHEME_NAMES.get(certificate.scheme, certificate.scheme)),
        "level": certificate.level,
        "level_name": str(_LEVEL_NAMES.get(certificate.level, certificate.level)),
        "rank": int(certificate.rank),
        "certificate_number": str(certificate.certificate_number),
        "certified_on": certificate.certified_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
    }


class FacilityDetailSerializer(FacilityListSerializer):
    description = LocalizedField("description")
    postal_code = serializers.CharField()
    check_in_time = HourMinuteField()
    check_out_time = HourMinuteField()
    opening_hours = LocalizedField("opening_hours")
    website = serializers.URLField(allow_blank=True)
    photos = PhotoSerializer(source="photo_list", many=True)
    # The detail's units are every active unit, described; the list's (a dated search's) are priced.
    units = UnitSerializer(source="active_units", many=True)  # type: ignore[assignment]
    plans = serializers.SerializerMethodField(
        help_text=_("Plans open to join, as GET /facilities/{id}/plans/ shows them.")
    )

    @extend_schema_field({"type": "array", "items": {"type": "object", "additionalProperties": True}})
    def get_plans(self, facility) -> list:
        return hooks.facility_plans(facility=facility)

    def to_representation(self, instance):
        # One facility: the declared fields, walked as usual.
        return serializers.Serializer.to_representation(self, instance)


FacilityPageSerializer = page_serializer("FacilityPageSerializer", FacilityListSerializer)


class MunicipalityQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=_(
            "Search: the start of the local government code (2021), or part of the name in kanji, kana or English "
            "(佐久, さく, サク, saku) or of the prefecture (長野, Nagano)."
        ),
    )


class MunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = LocalizedField("name")
    name_kana = serializers.CharField(help_text=_("The name's reading in hiragana (empty when not known)."))
    prefecture = LocalizedField("prefecture")
    areas = AreaRefSerializer(many=True)


class LandmarkSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=Landmark.Kind.choices)
    name = LocalizedField("name")
    municipality = serializers.CharField(source="municipality.code")
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
