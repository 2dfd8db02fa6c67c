"""The catalogue: municipalities and their areas, facilities, bookable units and security certificates."""

from datetime import date
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Translated:
    """Picks `<field>_en` when the active language is English, else `<field>_ja` (Japanese is the default)."""

    def localized(self, field: str) -> str:
        language = (get_language() or "ja")[:2]
        if language == "en":
            return getattr(self, f"{field}_en") or getattr(self, f"{field}_ja")
        return getattr(self, f"{field}_ja") or getattr(self, f"{field}_en")


class Municipality(Translated, models.Model):
    # 全国地方公共団体コード, six digits with the check digit (Saku: 202177).
    code = models.CharField(_("local government code"), max_length=6, unique=True)
    prefecture_ja = models.CharField(max_length=10)
    prefecture_en = models.CharField(max_length=40)
    name_ja = models.CharField(max_length=50)
    # The reading in hiragana (佐久市: さくし), for the municipality picker's search.
    name_kana = models.CharField(max_length=100, blank=True)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_6_digits")
        ]

    def __str__(self):
        return f"{self.name_ja} ({self.code})"


class Area(Translated, models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="areas")
    slug = models.SlugField(max_length=50)
    name_ja = models.CharField(max_length=50)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["municipality_id", "id"]
        verbose_name = _("area")
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="area_unique_slug")]

    def __str__(self):
        return self.name_ja


class Landmark(Translated, models.Model):
    """A named station or landmark people search around (佐久平駅)."""

    class Kind(models.TextChoices):
        STATION = "station", _("station")
        LANDMARK = "landmark", _("landmark")

    code = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATION)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="landmarks")
    name_ja = models.CharField(max_length=50)
    name_en = models.CharField(max_length=100)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["code"]
        verbose_name = _("landmark")
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90), name="landmark_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180), name="landmark_longitude_range"
            ),
        ]

    def __str__(self):
        return self.name_ja


class OperatorOrganisation(models.Model):
    """A company or public body that runs facilities; operators are its members."""

    name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("operator organisation")

    def __str__(self):
        return self.name


class Facility(Translated, models.Model):
    class Kind(models.TextChoices):
        COWORKING = "coworking", _("coworking space")
        TRIAL_HOUSING = "trial_housing", _("trial housing")
        TELEWORK_HOTEL = "telework_hotel", _("telework hotel")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    operator = models.ForeignKey(OperatorOrganisation, on_delete=models.PROTECT, related_name="facilities")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="facilities")
    area = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="facilities")
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    postal_code = models.CharField(max_length=8, blank=True)
    address_ja = models.CharField(max_length=300)
    address_en = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    # Amenities, as columns so that search filters on them with plain indexes.
    wifi_mbps = models.PositiveIntegerField(null=True, blank=True)
    private_booths = models.BooleanField(default=False)
    external_monitors = models.BooleanField(default=False)
    open_24h = models.BooleanField(default=False)
    kids_space = models.BooleanField(default=False)
    car_share = models.BooleanField(default=False)
    parking = models.BooleanField(default=False)
    check_in_time = models.TimeField(null=True, blank=True)
    check_out_time = models.TimeField(null=True, blank=True)
    opening_hours_ja = models.CharField(max_length=200, blank=True)
    opening_hours_en = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="facility_coordinates"),
            models.Index(fields=["kind", "municipality"], name="facility_kind_municipality"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90), name="facility_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180), name="facility_longitude_range"
            ),
        ]

    def __str__(self):
        return self.name_ja

    @property
    def is_lodging(self) -> bool:
        return self.kind != self.Kind.COWORKING


class Photo(Translated, models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    url = models.URLField(max_length=500)
    caption_ja = models.CharField(max_length=200, blank=True)
    caption_en = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["facility_id", "position", "id"]


class Unit(Translated, models.Model):
    """What one books: a room, a house, a desk or a meeting room; `count` identical ones. Booked by the night
    (lodging) or the day (coworking), or, `hourly`, by the hour within its opening hours."""

    class Type(models.TextChoices):
        ROOM = "room", _("room")
        HOUSE = "house", _("house")
        DESK = "desk", _("desk")
        MEETING_ROOM = "meeting_room", _("meeting room")

    class BookingMode(models.TextChoices):
        DAILY = "daily", _("by the night (lodging) or the day (coworking)")
        HOURLY = "hourly", _("by the hour")

    # The grids an hourly unit may have: every one a multiple of the stock's 15 minutes (bookings.stays).
    SLOT_MINUTES = (15, 30, 60)
    WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="units")
    unit_type = models.CharField(max_length=20, choices=Type.choices)
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(help_text=_("Persons, every age counted."))
    count = models.PositiveSmallIntegerField(default=1, help_text=_("Identical units."))
    price_yen = models.PositiveIntegerField(help_text=_("Base price per night (lodging) or per day (coworking)."))
    min_nights = models.PositiveSmallIntegerField(default=1)
    max_nights = models.PositiveSmallIntegerField(default=30)
    booking_window_days = models.PositiveSmallIntegerField(default=365, help_text=_("How far ahead it can be booked."))
    check_in_time = models.TimeField(null=True, blank=True, help_text=_("Overrides the facility's."))
    check_out_time = models.TimeField(null=True, blank=True, help_text=_("Overrides the facility's."))
    free_cancellation_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Free cancellation until this many days before check-in.")
    )
    cancellation_fee_percent = models.PositiveSmallIntegerField(
        default=50, help_text=_("Share of the total kept when cancelled later.")
    )
    booking_mode = models.CharField(max_length=6, choices=BookingMode.choices, default=BookingMode.DAILY)
    # Hourly units: {"mon": ["09:00", "18:00"], ...}, one interval a weekday ("24:00" closes at midnight); a
    # weekday left out is closed. `price_yen` is then the price of an hour.
    opening_hours = models.JSONField(default=dict, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(default=15, help_text=_("Hourly: the grid bookings start on."))
    min_minutes = models.PositiveSmallIntegerField(default=30, help_text=_("Hourly: the shortest booking."))
    max_minutes = models.PositiveSmallIntegerField(default=240, help_text=_("Hourly: the longest booking."))
    day_cap_yen = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Hourly: the most one booking costs in a day.")
    )
    free_cancellation_hours = models.PositiveSmallIntegerField(
        default=24, help_text=_("Hourly: free cancellation until this many hours before the start.")
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["facility_id", "id"]
        verbose_name = _("unit")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="unit_capacity_positive"),
            models.CheckConstraint(condition=Q(count__gte=1), name="unit_count_positive"),
            models.CheckConstraint(condition=Q(min_nights__gte=1), name="unit_min_nights_positive"),
            models.CheckConstraint(condition=Q(max_nights__gte=models.F("min_nights")), name="unit_max_nights_gte_min"),
            models.CheckConstraint(condition=Q(cancellation_fee_percent__lte=100), name="unit_fee_percent_lte_100"),
            models.CheckConstraint(condition=Q(slot_minutes__in=[15, 30, 60]), name="unit_slot_minutes_grid"),
            models.CheckConstraint(
                condition=Q(min_minutes__gte=models.F("slot_minutes"), max_minutes__gte=models.F("min_minutes"))
                & Q(max_minutes__lte=1440),
                name="unit_minutes_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.facility} / {self.name_ja}"

    @property
    def is_hourly(self) -> bool:
        return self.booking_mode == self.BookingMode.HOURLY

    @property
    def books_nights(self) -> bool:
        return self.facility.is_lodging and not self.is_hourly


def one_year_after(day: date) -> date:
    """The same date a year later (28 February for 29 February)."""
    if day.year >= date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class Certification(models.Model):
    """A security certificate for telework use; it lasts a year and counts only while valid."""

    class Scheme(models.TextChoices):
        SHARED_OFFICE_SECURITY = "shared_office_security", _("Shared-use office security certification programme")
        SAFE_TELEWORK = "safe_telework", _("Safe and secure telework facility certification")

    # Levels, ordered so that a "minimum level" filter compares ranks.
    LEVELS: ClassVar[dict[str, dict[str, int]]] = {
        Scheme.SHARED_OFFICE_SECURITY: {"star1": 1, "star2": 2},
        Scheme.SAFE_TELEWORK: {"business": 1, "premium": 2},
    }
    LEVEL_CHOICES = [
        ("star1", _("★1")),
        ("star2", _("★2")),
        ("business", _("business")),
        ("premium", _("premium")),
    ]

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="certifications")
    scheme = models.CharField(max_length=30, choices=Scheme.choices)
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    rank = models.PositiveSmallIntegerField(editable=False, help_text=_("1 or 2; derived from the level."))
    certificate_number = models.CharField(max_length=50, blank=True)
    certified_on = models.DateField()
    valid_until = models.DateField()

    class Meta:
        ordering = ["facility_id", "-valid_until"]
        verbose_name = _("certification")
        indexes = [models.Index(fields=["valid_until", "rank"], name="certification_validity")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("certified_on")), name="certification_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(scheme="shared_office_security", level__in=["star1", "star2"])
                | Q(scheme="safe_telework", level__in=["business", "premium"]),
                name="certification_level_matches_scheme",
            ),
        ]

    def validation_errors(self) -> dict[str, list[str]]:
        """What makes the certificate inconsistent, by field: a level of another scheme, or dates out of order
        or over a year apart (the schemes certify for one year)."""
        errors: dict[str, list[str]] = {}
        levels = self.LEVELS.get(self.scheme)
        if levels is None:
            errors["scheme"] = [str(_("Unknown certification scheme."))]
        elif self.level not in levels:
            errors["level"] = [str(_("This scheme's levels are: %(levels)s.") % {"levels": ", ".join(levels)})]
        if self.certified_on and self.valid_until:
            if self.valid_until < self.certified_on:
                errors["valid_until"] = [str(_("The end of validity must not be before the certification date."))]
            elif self.valid_until > one_year_after(self.certified_on):
                errors["valid_until"] = [str(_("A certificate is valid for at most one year after certification."))]
        return errors

    def clean(self):
        errors = self.validation_errors()
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Guards every writer (admin, shell, services) against a rank that cannot be derived.
        self.clean()
        self.rank = self.LEVELS[self.scheme][self.level]
        super().save(*args, **kwargs)

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.certified_on <= day <= self.valid_until
