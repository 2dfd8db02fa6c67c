"""Trial-stay subsidy programmes as data, and the claims visitors file against them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.audit import AppendOnlyModel
from facilities.models import Translated


class Programme(Translated, models.Model):
    """One town's subsidy for one period: limits here, caps per category in CategoryRule. A `monthly` programme
    (rules 41-52) pays certified people month by month instead of covering stays; its rules are the fields below
    the kind."""

    class Kind(models.TextChoices):
        STAY = "stay", _("trial stays")
        MONTHLY = "monthly", _("by the month")

    code = models.SlugField(max_length=60, unique=True)
    name_ja = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    municipality = models.ForeignKey("facilities.Municipality", on_delete=models.PROTECT, related_name="programmes")
    valid_from = models.DateField(help_text=_("First check-in date the programme accepts."))
    valid_until = models.DateField(help_text=_("Last check-in date the programme accepts."))
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=4, help_text=_("Month the fiscal year starts (Japan: April) for the per-fiscal-year limits.")
    )
    budget_yen = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("Empty: no budget limit."))

    class ResidenceRule(models.TextChoices):
        OUTSIDE_MUNICIPALITY = "outside_municipality", _("lives outside the municipality")
        OUTSIDE_PREFECTURE = "outside_prefecture", _("lives outside the prefecture")
        ANY = "any", _("anyone")

    max_days_per_group = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Empty: no day limit."))
    max_nights_per_group = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Empty: no night limit.")
    )
    residence_rule = models.CharField(
        max_length=24, choices=ResidenceRule.choices, default=ResidenceRule.OUTSIDE_MUNICIPALITY
    )
    min_nights = models.PositiveSmallIntegerField(null=True, blank=True)
    max_amount_per_household_per_fy = models.PositiveIntegerField(null=True, blank=True)
    max_claims_per_fy = models.PositiveSmallIntegerField(null=True, blank=True)
    max_party_size = models.PositiveSmallIntegerField(null=True, blank=True)
    rounding_unit_yen = models.PositiveIntegerField(default=1, help_text=_("The total is rounded down to this unit."))
    is_active = models.BooleanField(default=True)
    # The application workflow (交付申請 → 交付決定 → 実績報告): off by default, so a programme keeps the plain flow.
    requires_application = models.BooleanField(
        default=False, help_text=_("Visitors apply before the stay and staff grant the application before any report.")
    )
    application_deadline_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Apply at least this many days before check-in (0 to 365); empty: until check-in. Only with an application."
        ),
    )
    requires_consultation = models.BooleanField(
        default=False, help_text=_("The visitor meets the town's staff during the stay.")
    )
    requires_survey = models.BooleanField(default=False, help_text=_("The visitor answers the stay's survey."))

    # --- monthly programmes (rules 41-52): valid_from and valid_until hold the move dates they accept -------------
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STAY)
    age_limit_at_move = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("People younger than this on their move date qualify; empty: any age.")
    )
    workplace_prefectures = models.JSONField(
        default=list, blank=True, help_text=_("Prefecture names (東京都...) of the workplaces covered; empty: any.")
    )
    certification_window_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Certification is applied for within this many months of the move.")
    )
    period_months = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Consecutive months paid."))
    first_month_offset = models.PositiveSmallIntegerField(
        default=1, help_text=_("The first month paid, counted from the month of certification (1: the next).")
    )
    share_percent = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Share of the month's cost."))
    monthly_cap_yen = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: no monthly cap."))
    lifetime_cap_yen = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: no lifetime cap."))
    counted_categories = models.JSONField(default=list, blank=True, help_text=_("Categories that make the cost."))
    deducted_categories = models.JSONField(
        default=list, blank=True, help_text=_("Categories taken off the cost (the employer's allowance).")
    )
    excluded_categories = models.JSONField(
        default=list, blank=True, help_text=_("Categories accepted on a claim but paid nothing (commuter passes).")
    )
    not_combinable_with = models.ManyToManyField(
        "self", blank=True, help_text=_("Programmes a certified person cannot hold at the same time.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="programme_window_ordered"),
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="programme_fy_month_range",
            ),
            models.CheckConstraint(condition=Q(rounding_unit_yen__gte=1), name="programme_rounding_unit_positive"),
            models.CheckConstraint(
                condition=Q(max_party_size__isnull=True) | Q(max_party_size__gte=1),
                name="programme_party_size_positive",
            ),
            models.CheckConstraint(
                condition=Q(application_deadline_days__isnull=True)
                | Q(requires_application=True, application_deadline_days__lte=365),
                name="programme_deadline_with_application",
            ),
        ]

    def __str__(self):
        return self.code

    def fiscal_year_of(self, day) -> int:
        return day.year if day.month >= self.fiscal_year_start_month else day.year - 1

    @property
    def is_monthly(self) -> bool:
        return self.kind == self.Kind.MONTHLY


class Certification(models.Model):
    """認定: a person's admission to a monthly programme, asked for after the move and decided by the town's staff
    (rules 42-44). Its months run from `first_month` to `last_month` (first days of months)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    LIVE_STATUSES = (Status.PENDING, Status.APPROVED)

    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certifications")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="certifications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    move_date = models.DateField()
    birth_date = models.DateField()
    workplace_prefecture = models.CharField(max_length=10)
    applied_on = models.DateField(help_text=_("Japan's date of the application."))
    certified_on = models.DateField(null=True, blank=True)
    first_month = models.DateField(null=True, blank=True)
    last_month = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("certification")
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "programme"],
                condition=Q(status__in=["pending", "approved"]),
                name="certification_one_live_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(first_month__isnull=False, last_month__isnull=False),
                name="certification_approved_has_period",
            ),
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=F("first_month")),
                name="certification_period_ordered",
            ),
        ]

    def __str__(self):
        return f"certification #{self.pk} ({self.status})"


class CategoryRule(Translated, models.Model):
    class Basis(models.TextChoices):
        PERSON_NIGHT = "person_night", _("per person per night")
        NIGHT = "night", _("per night")
        PERSON_DAY = "person_day", _("per person per day")
        DAY = "day", _("per day")

    LODGING = "lodging"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="categories")
    category = models.SlugField(max_length=40)
    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    cap_yen = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: the actual cost."))
    cap_child_yen = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: as for adults."))
    cap_infant_yen = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: as for adults."))
    cost_share_percent = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Empty: 100%."))

    class Meta:
        ordering = ["programme_id", "id"]
        verbose_name = _("category rule")
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="category_rule_unique"),
            models.CheckConstraint(
                condition=Q(cost_share_percent__isnull=True)
                | Q(cost_share_percent__gte=1, cost_share_percent__lte=100),
                name="category_rule_share_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(cap_yen__isnull=True) | Q(cap_yen__gte=0), name="category_rule_cap_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.programme_id}:{self.category}"


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPLIED = "applied", _("applied")
        GRANTED = "granted", _("granted")
        REFUSED = "refused", _("refused")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PAID = "paid", _("paid")
        WITHDRAWN = "withdrawn", _("withdrawn")
        # Its stay did not happen: the booking was cancelled after the claim was granted, submitted or approved.
        CANCELLED = "cancelled", _("cancelled")

    # Claims whose eligible dates are fixed (spec rule 3) and whose amount counts against the budget; paid follows
    # approved. A granted application freezes and commits like a submission; an applied one freezes nothing yet.
    FROZEN_STATUSES = (Status.GRANTED, Status.SUBMITTED, Status.APPROVED, Status.PAID)
    LIVE_STATUSES = (Status.DRAFT, Status.APPLIED, *FROZEN_STATUSES)

    # A stay's claim names its booking; a monthly programme's claim its month (first day) and certification.
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="claims", null=True, blank=True
    )
    month = models.DateField(null=True, blank=True)
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="claims", null=True, blank=True
    )
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    lodging_reimbursable_yen = models.PositiveIntegerField(default=0)
    total_reimbursable_yen = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_amount_yen = models.PositiveIntegerField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    granted_amount_yen = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The most the report may be paid.")
    )
    granted_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The claimant as declared when the claim was submitted (spec rule 20): later profile changes do not reach it.
    claimant_name = models.CharField(max_length=150, blank=True)
    claimant_email = models.EmailField(blank=True)
    claimant_home_prefecture = models.CharField(max_length=10, blank=True)
    claimant_home_municipality = models.CharField(max_length=50, blank=True)
    claimant_home_municipality_code = models.CharField(max_length=6, blank=True)
    # The codes that cut or refused the claim's figures (rule 38), fixed with them at submission.
    reasons = models.JSONField(default=list, blank=True)
    # The programme's rules (caps, rounding, limits) as they were when the claim froze: its figures keep following
    # them whatever staff change in the programme later. Null while it is a draft or an application.
    frozen_terms = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim")
        constraints = [
            # At most one claim in progress or frozen per booking, so a booking's days are never claimed twice.
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status__in=["draft", "applied", "granted", "submitted", "approved", "paid"]),
                name="claim_one_live_per_booking",
            ),
            # Rule 47: a month is claimed once by a person under a programme.
            models.UniqueConstraint(
                fields=["visitor", "programme", "month"],
                condition=Q(status__in=["draft", "applied", "granted", "submitted", "approved", "paid"]),
                name="claim_one_live_per_month",
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, month__isnull=True, certification__isnull=True)
                | Q(booking__isnull=True, month__isnull=False, certification__isnull=False),
                name="claim_booking_or_month",
            ),
            models.CheckConstraint(
                condition=Q(approved_amount_yen__isnull=True) | Q(approved_amount_yen__lte=F("total_reimbursable_yen")),
                name="claim_approved_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(approved_amount_yen__isnull=False),
                name="claim_approved_has_amount",
            ),
            # The report is paid at most what was granted.
            models.CheckConstraint(
                condition=Q(granted_amount_yen__isnull=True) | Q(total_reimbursable_yen__lte=F("granted_amount_yen")),
                name="claim_total_within_grant",
            ),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_amount_yen__isnull=False),
                name="claim_granted_has_amount",
            ),
        ]

    def __str__(self):
        return f"claim #{self.pk} ({self.status})"

    @property
    def is_monthly(self) -> bool:
        return self.month is not None

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES

    @property
    def committed_yen(self) -> int:
        """Rule 37: approved and paid claims count with their approved amount, a granted one with its grant (its
        report, shown as it is made, is paid within it), submitted ones with their total."""
        if self.approved_amount_yen is not None:
            return self.approved_amount_yen
        if self.status == self.Status.GRANTED and self.granted_amount_yen is not None:
            return self.granted_amount_yen
        return self.total_reimbursable_yen


class ClaimDay(models.Model):
    """A date frozen by a submitted claim, and whether the night starting on it is frozen too, with the lodging it
    paid (spec rules 3, 24, 29). Two claims of a group may hold the same date (two rooms at once): it is still
    counted once, by the code that reads them; a claim holds a date once."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="days")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    night = models.BooleanField(default=False, help_text=_("The night from this date to the next is eligible."))
    lodging_yen = models.PositiveIntegerField(default=0, help_text=_("Lodging paid for that night."))

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["visitor", "programme", "date"], name="claim_day_group_date")]
        constraints = [
            models.UniqueConstraint(fields=["claim", "date"], name="claim_day_once_per_claim"),
            models.CheckConstraint(condition=Q(night=True) | Q(lodging_yen=0), name="claim_day_lodging_on_nights"),
        ]


def receipt_path(instance, filename):
    return f"receipts/{instance.claim_id}/{filename}"


class ExpenseLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    category = models.SlugField(max_length=40)
    date = models.DateField()
    amount_yen = models.PositiveIntegerField()
    persons = models.PositiveSmallIntegerField(default=1)
    # The age bands the receipt covers, when the line states them (spec rule 23); empty: filled adults first.
    adults = models.PositiveSmallIntegerField(null=True, blank=True)
    children = models.PositiveSmallIntegerField(null=True, blank=True)
    infants = models.PositiveSmallIntegerField(null=True, blank=True)
    # A planned line (before the stay, under a programme requiring an application) has no receipt yet: it counts
    # towards the application and the grant, never towards the report, which pays receipted lines only.
    planned = models.BooleanField(default=False)
    receipt = models.FileField(upload_to=receipt_path, max_length=255, blank=True)
    reimbursable_yen = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=30, blank=True)
    disallowed_reason = models.CharField(max_length=500, blank=True)
    disallowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "date", "id"]
        verbose_name = _("expense line")
        constraints = [
            models.CheckConstraint(condition=Q(amount_yen__gte=1), name="expense_line_amount_positive"),
            models.CheckConstraint(condition=Q(persons__gte=1), name="expense_line_persons_positive"),
            models.CheckConstraint(
                condition=Q(reimbursable_yen__lte=F("amount_yen")), name="expense_line_reimbursable_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(planned=True) | ~Q(receipt=""), name="expense_line_receipt_unless_planned"
            ),
        ]


class ClaimEvent(AppendOnlyModel):
    """Audit trail of status changes: written once, never changed. A claim or user with events cannot be deleted
    (PROTECT), so no cascade removes them either; the triggers of migration 0002 refuse raw SQL changes."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("claim event")
