"""Request and response shapes of the reimbursement API."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.pagination import page_serializer

from .models import CategoryRule, Claim, ClaimEvent, ExpenseLine, Programme
from .selectors import REASON_CODES

MAX_RECEIPT_AMOUNT_YEN = 1_000_000


class CapSerializer(serializers.Serializer):
    category = serializers.CharField()
    basis = serializers.ChoiceField(choices=CategoryRule.Basis.choices)
    cap_yen = serializers.IntegerField(allow_null=True)
    per_night_cap_yen = serializers.IntegerField(allow_null=True, required=False)
    per_day_cap_yen = serializers.IntegerField(allow_null=True, required=False)

    def to_representation(self, instance):
        # Only the key of the cap's basis is present: a null there means the actual cost is paid.
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


class ReimbursementEstimateSerializer(serializers.Serializer):
    """The `reimbursement` object on every quote and booking."""

    programme = serializers.CharField(allow_null=True)
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=REASON_CODES),
        help_text=_("Why the booking is not eligible; empty when it is. Besides the spec's codes: "
                    "resident_of_programme_area (the visitor lives in the programme's town) and booking_cancelled."))
    stay_days = serializers.IntegerField()
    eligible_days = serializers.IntegerField()
    eligible_nights = serializers.IntegerField()
    max_days_per_group = serializers.IntegerField()
    group_days_remaining = serializers.IntegerField()
    caps = CapSerializer(many=True)
    lodging_reimbursable_yen = serializers.IntegerField()


class CategoryRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CategoryRule
        fields = ["category", "name_ja", "name_en", "basis", "cap_yen", "cap_child_yen", "cap_infant_yen",
                  "cost_share_percent"]


class ProgrammeSerializer(serializers.ModelSerializer):
    municipality_code = serializers.CharField(source="municipality.code")
    categories = CategoryRuleSerializer(many=True)

    class Meta:
        model = Programme
        fields = ["code", "name_ja", "name_en", "municipality_code", "valid_from", "valid_until",
                  "fiscal_year_start_month", "budget_yen", "max_days_per_group", "min_nights",
                  "max_amount_per_household_per_fy", "max_claims_per_fy", "max_party_size", "rounding_unit_yen",
                  "categories"]


class ExpenseLineSerializer(serializers.ModelSerializer):
    receipt_name = serializers.SerializerMethodField()
    disallowed_by = serializers.IntegerField(source="disallowed_by_id", allow_null=True,
                                             help_text=_("Id of the staff member who disallowed the line; null if not."))

    class Meta:
        model = ExpenseLine
        fields = ["id", "category", "date", "amount_yen", "persons", "reimbursable_yen", "reason",
                  "disallowed_reason", "disallowed_by", "receipt_name"]

    def get_receipt_name(self, line) -> str:
        return line.receipt.name.rsplit("/", 1)[-1]


class ClaimSerializer(serializers.ModelSerializer):
    booking = serializers.IntegerField(source="booking_id")
    visitor = serializers.IntegerField(source="visitor_id")
    programme = serializers.CharField(source="programme.code")
    lines = ExpenseLineSerializer(many=True)
    eligible_dates = serializers.SerializerMethodField()
    approved_by = serializers.IntegerField(source="approved_by_id", allow_null=True,
                                           help_text=_("Id of the staff member who approved the claim; null until then."))

    class Meta:
        model = Claim
        fields = ["id", "booking", "visitor", "programme", "status", "eligible_dates", "lodging_reimbursable_yen",
                  "total_reimbursable_yen", "lines", "submitted_at", "approved_by", "approved_at",
                  "approved_amount_yen", "rejection_reason", "paid_at", "created_at"]

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_eligible_dates(self, claim) -> list[str]:
        """The frozen dates once submitted; empty while a draft (see the booking's estimate)."""
        return [day.date.isoformat() for day in claim.days.all()]


ClaimPageSerializer = page_serializer("ClaimPageSerializer", ClaimSerializer)


class ClaimCreateSerializer(serializers.Serializer):
    booking = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ExpenseLineCreateSerializer(serializers.Serializer):
    category = serializers.SlugField(max_length=40)
    date = serializers.DateField()
    amount_yen = serializers.IntegerField(min_value=1, max_value=MAX_RECEIPT_AMOUNT_YEN)
    persons = serializers.IntegerField(min_value=1, max_value=50, default=1)
    receipt = serializers.FileField(allow_empty_file=True, max_length=200)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, trim_whitespace=True)


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id")
    from_status = serializers.ChoiceField(choices=Claim.Status.choices, allow_blank=True,
                                          help_text=_("Empty on the event that created the claim."))
    to_status = serializers.ChoiceField(choices=Claim.Status.choices)

    class Meta:
        model = ClaimEvent
        fields = ["id", "from_status", "to_status", "actor", "at", "note"]


class ClaimListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)


class ClaimExportFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[Claim.Status.APPROVED, Claim.Status.PAID], default=Claim.Status.APPROVED)
