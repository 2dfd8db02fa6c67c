"""Request and response shapes of the reimbursement API."""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.pagination import page_serializer

from . import claim_filters
from .categories import CATALOGUE
from .estimates.rules import CLAIM_REASON_CODES, LINE_REASON_CODES, REASON_CODES, REQUIREMENT_CODES
from .models import CategoryRule, Claim, ClaimEvent, ExpenseLine

MAX_RECEIPT_AMOUNT_YEN = 1_000_000
# The schema's ExpenseCategoryEnum (settings ENUM_NAME_OVERRIDES): the catalogue's categories.
EXPENSE_CATEGORY_CHOICES = list(CATALOGUE)


@extend_schema_field({"type": "string", "enum": EXPENSE_CATEGORY_CHOICES})
class ExpenseCategoryField(serializers.SlugField):
    """A category of the catalogue. Input is checked by the services (a category the programme does not list is
    refused with its own code), so the field itself takes any slug."""

    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-06"})
class MonthField(serializers.Field):
    """A month as `YYYY-MM` (ASCII digits), held as the date of its first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}", data):
            self.fail("invalid")
        year, month = int(data[:4]), int(data[5:])
        if not (1 <= month <= 12 and year >= 1):
            self.fail("invalid")
        return date(year, month, 1)

    def to_representation(self, value):
        return value.strftime("%Y-%m") if value is not None else None


class CapSerializer(serializers.Serializer):
    category = ExpenseCategoryField()
    basis = serializers.ChoiceField(choices=CategoryRule.Basis.choices)
    cap_yen = serializers.IntegerField(allow_null=True)
    per_night_cap_yen = serializers.IntegerField(allow_null=True, required=False)
    per_day_cap_yen = serializers.IntegerField(allow_null=True, required=False)

    def to_representation(self, instance):
        # Only the key of the cap's basis is present: a null there means the actual cost is paid.
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


class RequirementSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=REQUIREMENT_CODES,
        help_text=_(
            "home_municipality: the visitor has declared a home municipality; "
            "consultation: met the town's staff between application (or "
            "booking) and check-out; survey: answered the stay's survey."
        ),
    )
    met = serializers.BooleanField()


class ReimbursementEstimateSerializer(serializers.Serializer):
    """The estimate of one programme for a quote or booking (`reimbursement`, and each of `reimbursements`)."""

    programme = serializers.CharField(allow_null=True)
    programme_name = serializers.CharField(
        allow_null=True, help_text=_("The programme's name in the request's language (Accept-Language: ja or en).")
    )
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=REASON_CODES),
        help_text=_(
            "Every code that refused or cut the estimate. Refusing (eligible is false): "
            "outside_programme_area, outside_validity_window, below_min_nights, day_limit_reached, "
            "night_limit_reached, claim_limit_reached, budget_exhausted, resident_of_programme_area, "
            "claimed_under_other_programme, booking_cancelled. Cutting (eligible stays true): "
            "household_limit, budget_low."
        ),
    )
    stay_days = serializers.IntegerField()
    eligible_days = serializers.IntegerField()
    eligible_nights = serializers.IntegerField(help_text=_("0 for a day pass, which has no nights."))
    max_days_per_group = serializers.IntegerField(allow_null=True, help_text=_("Null: no day limit."))
    group_days_remaining = serializers.IntegerField(
        allow_null=True, help_text=_("After this booking; null: no day limit.")
    )
    max_nights_per_group = serializers.IntegerField(allow_null=True, help_text=_("Null: no night limit."))
    group_nights_remaining = serializers.IntegerField(
        allow_null=True, help_text=_("After this booking; null: no night limit.")
    )
    caps = CapSerializer(many=True)
    lodging_reimbursable_yen = serializers.IntegerField()
    total_reimbursable_yen = serializers.IntegerField(
        help_text=_(
            "Lodging plus the other lines of the booking's claim under this programme, after the household "
            "maximum, the budget and the rounding."
        )
    )
    requirements = RequirementSerializer(
        many=True, help_text=_("What the visitor must still do before a claim can be submitted.")
    )


class ExpenseLineSerializer(serializers.ModelSerializer):
    category = ExpenseCategoryField(read_only=True)
    receipt_name = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()
    reason = serializers.ChoiceField(
        choices=LINE_REASON_CODES,
        help_text=_(
            "day_limit (the date is not eligible), day_cap_used (earlier lines used the group's cap of the day), "
            "persons_capped (more persons than the group had that date), disallowed, planned (a line planned "
            "before the stay, which the report does not pay), or empty."
        ),
    )
    disallowed_by = serializers.IntegerField(
        source="disallowed_by_id",
        allow_null=True,
        help_text=_("Id of the staff member who disallowed the line; null if not."),
    )

    class Meta:
        model = ExpenseLine
        fields = [
            "id",
            "category",
            "date",
            "amount_yen",
            "persons",
            "adults",
            "children",
            "infants",
            "planned",
            "reimbursable_yen",
            "reason",
            "disallowed_reason",
            "disallowed_by",
            "receipt_name",
            "receipt_url",
        ]

    @extend_schema_field(
        serializers.URLField(
            allow_null=True,
            help_text=_(
                "The receipt, loadable without credentials for 5 to 10 minutes (an image component's source); re-read the "
                "claim for a fresh one. Null for a planned line."
            ),
        )
    )
    def get_receipt_url(self, line) -> str | None:
        return claim_filters.receipt_link(line)

    def get_receipt_name(self, line) -> str:
        """Empty for a planned line, which has no receipt."""
        return line.receipt.name.rsplit("/", 1)[-1] if line.receipt else ""


class ClaimantSerializer(serializers.Serializer):
    """Who claims, as declared when the claim was submitted (the current profile while it is a draft)."""

    name = serializers.CharField()
    # Not format "email": claims submitted before claimants were recorded show it empty.
    email = serializers.CharField()
    home_prefecture = serializers.CharField()
    home_municipality = serializers.CharField()
    home_municipality_code = serializers.CharField()


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookingSummarySerializer(serializers.Serializer):
    """What a claim list shows of the booking, without reading it."""

    id = serializers.IntegerField()
    facility = NamedRefSerializer()
    unit = NamedRefSerializer()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    status = serializers.CharField()


class ClaimSerializer(serializers.ModelSerializer):
    booking = serializers.IntegerField(source="booking_id", allow_null=True, help_text=_("Null for a monthly claim."))
    month = MonthField(allow_null=True, help_text=_("A monthly programme's claim: its month; null for a stay's."))
    certification = serializers.IntegerField(
        source="certification_id", allow_null=True, help_text=_("A monthly claim's certification; null for a stay's.")
    )
    booking_summary = serializers.SerializerMethodField()
    claimant = serializers.SerializerMethodField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=CLAIM_REASON_CODES),
        help_text=_(
            "The codes that refused or cut the claim's figures; grant_limit: the report was cut to the amount granted; "
            "stay_cancelled: the claim is void because its booking was cancelled."
        ),
    )
    visitor = serializers.IntegerField(source="visitor_id")
    programme = serializers.CharField(source="programme.code")
    lines = ExpenseLineSerializer(many=True)
    eligible_dates = serializers.SerializerMethodField()
    approved_by = serializers.IntegerField(
        source="approved_by_id",
        allow_null=True,
        help_text=_("Id of the staff member who approved the claim; null until then."),
    )
    granted_by = serializers.IntegerField(
        source="granted_by_id",
        allow_null=True,
        help_text=_(
            "Id of the staff member who granted the application; null until then (and without an application)."
        ),
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "booking",
            "month",
            "certification",
            "booking_summary",
            "visitor",
            "claimant",
            "programme",
            "status",
            "eligible_dates",
            "reasons",
            "lodging_reimbursable_yen",
            "total_reimbursable_yen",
            "lines",
            "submitted_at",
            "approved_by",
            "approved_at",
            "approved_amount_yen",
            "rejection_reason",
            "paid_at",
            "applied_at",
            "granted_amount_yen",
            "granted_at",
            "granted_by",
            "created_at",
        ]

    @extend_schema_field(BookingSummarySerializer(allow_null=True))
    def get_booking_summary(self, claim):
        if claim.booking_id is None:
            return None
        return BookingSummarySerializer(claim_filters.booking_summary(claim)).data

    @extend_schema_field(ClaimantSerializer)
    def get_claimant(self, claim):
        if claim.submitted_at is None:
            # Not submitted (a draft, an application, a grant, or withdrawn before submission): the profile now.
            user = claim.visitor
            return {
                "name": user.full_name,
                "email": user.email,
                "home_prefecture": user.home_prefecture,
                "home_municipality": user.home_municipality,
                "home_municipality_code": user.home_municipality_code,
            }
        return {
            "name": claim.claimant_name,
            "email": claim.claimant_email,
            "home_prefecture": claim.claimant_home_prefecture,
            "home_municipality": claim.claimant_home_municipality,
            "home_municipality_code": claim.claimant_home_municipality_code,
        }

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_eligible_dates(self, claim) -> list[str]:
        """The frozen dates once submitted; empty while a draft (see the booking's estimate)."""
        return [day.date.isoformat() for day in claim.days.all()]


ClaimPageSerializer = type(
    "ClaimPageSerializer",
    (page_serializer("ClaimPageSerializer", ClaimSerializer),),
    {
        "removed": serializers.ListField(
            child=serializers.IntegerField(),
            help_text=_(
                "With `updated_since`: ids of claims that changed since then and no longer match the filters; "
                "otherwise empty."
            ),
        )
    },
)


class ClaimCreateSerializer(serializers.Serializer):
    booking = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text=_("A stay's claim: the booking claimed.")
    )
    month = MonthField(
        required=False, help_text=_("A monthly programme's claim (with `programme`): the month claimed, YYYY-MM.")
    )
    programme = serializers.SlugField(
        max_length=60,
        required=False,
        help_text=_("Code of the programme to claim under; by default the programme of the booking's `reimbursement`."),
    )

    def validate(self, attrs):
        if "booking" in attrs and "month" in attrs:
            raise serializers.ValidationError({"month": [_("Send a booking or a month, not both.")]})
        if "month" in attrs and not attrs.get("programme"):
            raise serializers.ValidationError({"programme": [_("A monthly claim names its programme.")]})
        if "booking" not in attrs and "month" not in attrs:
            raise serializers.ValidationError({"booking": [_("This field is required.")]})
        return attrs


class ExpenseLineCreateSerializer(serializers.Serializer):
    category = ExpenseCategoryField()
    date = serializers.DateField()
    amount_yen = serializers.IntegerField(min_value=1, max_value=MAX_RECEIPT_AMOUNT_YEN)
    persons = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Travellers the receipt covers (default 1); counted up to the group's persons that date."),
    )
    adults = serializers.IntegerField(min_value=0, max_value=50, required=False)
    children = serializers.IntegerField(min_value=0, max_value=50, required=False)
    infants = serializers.IntegerField(min_value=0, max_value=50, required=False)
    receipt = serializers.FileField(
        allow_empty_file=True,
        max_length=200,
        required=False,
        help_text=_(
            "Required, except for a line planned before applying under a programme that requires an application."
        ),
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, trim_whitespace=True)


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id")
    from_status = serializers.ChoiceField(
        choices=Claim.Status.choices, allow_blank=True, help_text=_("Empty on the event that created the claim.")
    )
    to_status = serializers.ChoiceField(choices=Claim.Status.choices)

    class Meta:
        model = ClaimEvent
        fields = ["id", "from_status", "to_status", "actor", "at", "note"]


class ClaimListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    programme = serializers.SlugField(max_length=60, required=False, help_text=_("A programme's code."))
    booking = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    month = MonthField(required=False, help_text=_("A monthly programme's claims of this month (YYYY-MM)."))
    date_from = serializers.DateField(required=False, help_text=_("Claims whose stay touches this date or later."))
    date_to = serializers.DateField(required=False, help_text=_("Claims whose stay starts on this date or earlier."))
    updated_since = serializers.DateTimeField(
        required=False,
        help_text=_(
            "For offline sync: only the claims that changed after this time, and in `removed` those that changed "
            "and no longer match the filters."
        ),
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate(self, attrs):
        if "date_from" in attrs and "date_to" in attrs and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("Must be on or after date_from.")]})
        return attrs


class ClaimExportFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[Claim.Status.APPROVED, Claim.Status.PAID],
        required=False,
        help_text=_("Only this status; without it, approved and paid claims."),
    )
    fiscal_year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Only claims whose stay begins in this fiscal year of their programme (2026: from April 2026)."),
    )
