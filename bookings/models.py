"""Bookings of units (nights or day passes), the per-unit-per-date stock that makes overbooking impossible,
and the operator's availability rules (closures, price overrides)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.audit import AppendOnlyModel


class Booking(models.Model):
    class Kind(models.TextChoices):
        STAY = "stay", _("stay (nights)")
        DAY_PASS = "day_pass", _("day passes")
        HOURLY = "hourly", _("hours")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        COMPLETED = "completed", _("completed")

    class CancelCode(models.TextChoices):
        VISITOR = "visitor", _("cancelled by the visitor")
        OPERATOR = "operator", _("cancelled by the operator")
        HOLD_EXPIRED = "hold_expired", _("the payment hold expired")
        PAYMENT_FAILED = "payment_failed", _("the payment failed")

    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.COMPLETED)

    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    unit = models.ForeignKey("facilities.Unit", on_delete=models.PROTECT, related_name="bookings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A stay is [check_in, check_out); day passes span [first date, last date + 1) and list their dates in lines;
    # hours are [starts_at, ends_at) on one date, check_in (check_out the day after).
    check_in = models.DateField()
    check_out = models.DateField()
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    infants = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # 64-bit: a sum of nights; stays.MAX_TOTAL_YEN bounds it far lower, the column never overflows first.
    total_yen = models.PositiveBigIntegerField()
    hold_expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("A pending booking holds its units until then.")
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_code = models.CharField(max_length=20, choices=CancelCode.choices, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancellation_fee_yen = models.PositiveBigIntegerField(default=0)
    # iCalendar SEQUENCE: raised on every change a calendar must notice (dates, status).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Not stored: true on what booking_create returns for an Idempotency-Key it has already answered.
    replayed = False

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("booking")
        indexes = [
            models.Index(fields=["unit", "check_in"], name="booking_unit_check_in"),
            models.Index(fields=["visitor", "check_in"], name="booking_visitor_check_in"),
            models.Index(fields=["status", "hold_expires_at"], name="booking_holds"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")), name="booking_check_out_after_check_in"),
            models.CheckConstraint(condition=Q(adults__gte=1), name="booking_at_least_one_adult"),
            models.CheckConstraint(
                condition=Q(cancellation_fee_yen__lte=F("total_yen")), name="booking_fee_within_total"
            ),
            models.CheckConstraint(
                condition=Q(kind="hourly", starts_at__isnull=False, ends_at__gt=F("starts_at"))
                | (~Q(kind="hourly") & Q(starts_at__isnull=True, ends_at__isnull=True)),
                name="booking_hours_only_when_hourly",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.unit_id} {self.check_in}–{self.check_out} ({self.status})"

    @property
    def persons(self) -> int:
        return self.adults + self.children + self.infants

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class BookingLine(models.Model):
    """One night (stay) or one day (day pass) of a booking with the price charged for it."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    date = models.DateField()
    price_yen = models.PositiveIntegerField()

    class Meta:
        ordering = ["booking_id", "date"]
        constraints = [models.UniqueConstraint(fields=["booking", "date"], name="booking_line_unique_date")]


class UnitStock(models.Model):
    """How many of a unit's `count` are taken on one date. The CHECK makes overbooking impossible
    whatever the Python code above it does; rows are locked in date order when booking."""

    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="stock")
    date = models.DateField()
    total = models.PositiveSmallIntegerField()
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date"], name="unit_stock_unique_date"),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("total")), name="unit_stock_never_overbooked"
            ),
        ]


class SlotStock(models.Model):
    """How many of an hourly unit's `count` are taken in one 15-minute slot starting at `starts_at`: the hours'
    twin of UnitStock, with the same CHECK, locked in time order when booking."""

    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="slot_stock")
    starts_at = models.DateTimeField()
    total = models.PositiveSmallIntegerField()
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit_id", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "starts_at"], name="slot_stock_unique_start"),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("total")), name="slot_stock_never_overbooked"
            ),
        ]


class TimeClosure(models.Model):
    """Hours an hourly unit cannot be booked, [starts_at, ends_at) (a cleaning, a private event)."""

    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="time_closures")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "starts_at", "id"]
        verbose_name = _("closure by the hour")
        indexes = [models.Index(fields=["unit", "starts_at"], name="time_closure_unit_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="time_closure_times_ordered"),
        ]


class Closure(models.Model):
    """Dates a unit cannot be booked (maintenance, the owner's holidays); both ends included."""

    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200)
    # iCalendar SEQUENCE of the closure's event in operator feeds: raised whenever its dates or reason change.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What a calendar shows of a closure; changing any of them raises `sequence`.
    SHOWN_FIELDS = ("start_date", "end_date", "reason")

    class Meta:
        ordering = ["unit_id", "start_date", "id"]
        verbose_name = _("closure")
        indexes = [models.Index(fields=["unit", "start_date", "end_date"], name="closure_unit_dates")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="closure_dates_ordered"),
        ]


class PriceOverride(models.Model):
    """A price per night (or day) replacing the unit's base price on some dates (seasons, holidays);
    both ends included, never overlapping another override of the unit."""

    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="price_overrides")
    start_date = models.DateField()
    end_date = models.DateField()
    price_yen = models.PositiveIntegerField()
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "start_date", "id"]
        verbose_name = _("price override")
        indexes = [models.Index(fields=["unit", "start_date", "end_date"], name="price_override_unit_dates")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="price_override_dates_ordered"),
        ]


class IdempotencyRecord(models.Model):
    """The booking a visitor's `Idempotency-Key` created, with a fingerprint of the request body,
    so that a retry returns it and a reuse with another body is refused."""

    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="idempotency_record")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visitor", "key"], name="idempotency_unique_key")]


class CalendarFeed(models.Model):
    """A secret URL a calendar app or booking site polls without logging in: one unit's or one facility's
    blocked nights (for its operator), a visitor's own stays and consultations, or the booked consultation
    slots of a staff member's town. Rotating replaces the token."""

    class Scope(models.TextChoices):
        UNIT = "unit", _("one unit (operator)")
        FACILITY = "facility", _("one facility (operator)")
        STAYS = "stays", _("my stays (visitor)")
        CONSULTATIONS = "consultations", _("the town's booked consultations (municipal staff)")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    scope = models.CharField(max_length=13, choices=Scope.choices)
    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    # Changes that leave no row behind (a closure removed) still have to change the feed's validators.
    changed_at = models.DateTimeField(auto_now_add=True)
    # Operator feeds leave out dates blocked by calendar imports unless asked: two sites importing each
    # other's feeds would otherwise keep a block alive forever.
    include_imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("calendar feed")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="unit", unit__isnull=False, facility__isnull=True)
                    | Q(scope="facility", facility__isnull=False, unit__isnull=True)
                    | Q(scope__in=["stays", "consultations"], unit__isnull=True, facility__isnull=True)
                ),
                name="calendar_feed_target_matches_scope",
            ),
            models.UniqueConstraint(
                fields=["owner", "unit"], condition=Q(scope="unit"), name="calendar_feed_one_per_unit"
            ),
            models.UniqueConstraint(
                fields=["owner", "facility"], condition=Q(scope="facility"), name="calendar_feed_one_per_facility"
            ),
            models.UniqueConstraint(fields=["owner"], condition=Q(scope="stays"), name="calendar_feed_one_for_stays"),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(scope="consultations"), name="calendar_feed_one_for_consultations"
            ),
        ]


class BookingEvent(AppendOnlyModel):
    """Audit trail of a booking: who made, confirmed, cancelled, released, completed or changed it, and when.
    Written in the transaction of the change, never changed afterwards. A booking or user with events cannot be
    deleted (PROTECT), so no cascade removes them either; the triggers of migration 0005 refuse raw SQL changes."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        RELEASED = "released", _("released (payment failed)")
        EXPIRED = "expired", _("released (hold expired)")
        COMPLETED = "completed", _("completed")
        CHANGED = "changed", _("changed")
        COLLECTED = "collected", _("paid at the facility")

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    # Empty when the system acted: a payment, or a hold expiring, or a stay ending.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking event")


class CalendarImport(models.Model):
    """Another site's calendar of a unit (Airbnb, Booking.com, Google), fetched by iCal URL: its events block
    the unit's dates here. The URL is a secret of the operator's organisation (it often carries a token)."""

    class Status(models.TextChoices):
        NEVER = "", _("never synced")
        OK = "ok", _("synced")
        NOT_MODIFIED = "not_modified", _("not modified since the last sync")
        HTTP_ERROR = "http_error", _("the calendar could not be fetched")
        PARSE_ERROR = "parse_error", _("the calendar is not valid iCalendar")
        TOO_LARGE = "too_large", _("the calendar is too large")
        TIMEOUT = "timeout", _("the calendar site did not answer in time")
        TOO_COMPLEX = "too_complex", _("the calendar's recurring events are too complex to expand")

    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="calendar_imports")
    name = models.CharField(max_length=100)
    url = models.CharField(max_length=2000)
    # Off: not synced, and its blocks stay where they are (only deleting the import frees its dates).
    enabled = models.BooleanField(default=True)
    block_transparent = models.BooleanField(
        default=True,
        help_text=_("Whether events marked free (TRANSP:TRANSPARENT, such as Google's all-day events) block dates."),
    )
    # Validators of the last fetched body, sent back for a conditional GET.
    etag = models.CharField(max_length=500, blank=True)
    last_modified_header = models.CharField(max_length=100, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    block_count = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when repeated failures disabled the import.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "id"]
        verbose_name = _("calendar import")

    def __str__(self):
        return f"{self.name} → {self.unit_id}"


class ImportedEvent(models.Model):
    """One event (or one occurrence of a recurring one) of an imported calendar, by UID: what it blocked last,
    so that a changed event moves its block and a vanished one releases it. No summary or description is kept
    (they carry guests' names)."""

    calendar_import = models.ForeignKey(CalendarImport, on_delete=models.CASCADE, related_name="events")
    # sha256 of UID and RECURRENCE-ID: UIDs can be any length.
    key = models.CharField(max_length=64)
    start_date = models.DateField()
    end_date = models.DateField(help_text=_("Exclusive, like DTEND of an all-day event."))
    # A timed event's start and end (null for an all-day one): an hourly unit blocks these hours only.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    sequence = models.IntegerField(default=0)
    last_modified = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["calendar_import_id", "start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["calendar_import", "key"], name="imported_event_unique_key"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="imported_event_dates_ordered"),
        ]


class ImportedBlock(models.Model):
    """A date an import blocks on its unit. `held`: it takes one unit of the date's stock, like a booking;
    otherwise the date was already fully booked here when the block came, and it is a conflict, recorded
    rather than overbooked, until either side moves."""

    calendar_import = models.ForeignKey(CalendarImport, on_delete=models.CASCADE, related_name="blocks")
    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    held = models.BooleanField(default=True)
    # Not held because the unit's own bookings fill the date, and the event is the other site's copy of them.
    echo = models.BooleanField(default=False)
    conflict_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "date", "calendar_import_id"]
        indexes = [models.Index(fields=["unit", "date"], name="imported_block_unit_date")]
        constraints = [
            models.UniqueConstraint(fields=["calendar_import", "date"], name="imported_block_unique_date"),
        ]


class ImportedSlot(models.Model):
    """A 15-minute slot an import blocks on an hourly unit, within its opening hours: the hours' twin of
    ImportedBlock. A timed event blocks the slots it overlaps, an all-day event every slot of its dates. `held`: it
    takes one unit of the slot's stock (SlotStock), like an hourly booking; otherwise the slot was full here and it
    is a conflict (or, `echo`, the other site's copy of this unit's own bookings) until either side moves."""

    calendar_import = models.ForeignKey(CalendarImport, on_delete=models.CASCADE, related_name="slots")
    unit = models.ForeignKey("facilities.Unit", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    held = models.BooleanField(default=True)
    echo = models.BooleanField(default=False)
    conflict_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "starts_at", "calendar_import_id"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="imported_slot_unit_start")]
        constraints = [
            models.UniqueConstraint(fields=["calendar_import", "starts_at"], name="imported_slot_unique_start"),
        ]


class CalendarImportSync(models.Model):
    """One "sync now" of an import, queued on the worker: what it came to is read here."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    calendar_import = models.ForeignKey(CalendarImport, on_delete=models.CASCADE, related_name="syncs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    status = models.CharField(max_length=20, choices=CalendarImport.Status.choices, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["calendar_import_id", "id"]
        verbose_name = _("calendar import sync")
