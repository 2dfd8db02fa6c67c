"""Input and output shapes of the memberships API: plans, memberships, the credit ledger."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from facilities.models import Facility, Unit
from facilities.serializers import LocalizedField

from .cycles import cycle_bounds, cycle_index
from .models import CreditEntry, Membership, Plan

MAX_PRICE_YEN = 10_000_000
# The unit types a plan includes or pays from credit (one enum in the schema: settings' ENUM_NAME_OVERRIDES).
UNIT_TYPES = [(kind.value, kind.label) for kind in (Unit.Type.DESK, Unit.Type.MEETING_ROOM)]


class PlanWriteSerializer(serializers.Serializer):
    name_ja = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    monthly_price_yen = serializers.IntegerField(min_value=0, max_value=MAX_PRICE_YEN)
    access_unit_types = serializers.ListField(
        child=serializers.ChoiceField(choices=UNIT_TYPES),
        required=False,
        max_length=2,
        help_text=_("Unit types members use at no charge (e.g. desk)."),
    )
    credit_unit_types = serializers.ListField(
        child=serializers.ChoiceField(choices=UNIT_TYPES),
        required=False,
        max_length=2,
        help_text=_("Unit types members book by the hour from the credit (e.g. meeting_room)."),
    )
    credit_hours = serializers.IntegerField(min_value=0, max_value=744, required=False)
    over_credit_price_per_hour_yen = serializers.IntegerField(
        min_value=0, max_value=MAX_PRICE_YEN, required=False, allow_null=True
    )
    carry_over_months = serializers.IntegerField(min_value=0, max_value=24, required=False)
    notice_days = serializers.IntegerField(min_value=0, max_value=366, required=False)
    resident_housing = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text=_("A residents' plan (¥0): the housing whose guests have it for the days of their stay."),
    )
    is_active = serializers.BooleanField(required=False)


class OperatorPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "facility",
            "name_ja",
            "name_en",
            "monthly_price_yen",
            "access_unit_types",
            "credit_unit_types",
            "credit_hours",
            "over_credit_price_per_hour_yen",
            "carry_over_months",
            "notice_days",
            "resident_housing",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.Serializer):
    """A plan as visitors see it."""

    id = serializers.IntegerField()
    facility = serializers.IntegerField(source="facility_id")
    name = LocalizedField("name")
    monthly_price_yen = serializers.IntegerField()
    access_unit_types = serializers.ListField(child=serializers.ChoiceField(choices=UNIT_TYPES))
    credit_unit_types = serializers.ListField(child=serializers.ChoiceField(choices=UNIT_TYPES))
    credit_hours = serializers.IntegerField()
    over_credit_price_per_hour_yen = serializers.IntegerField(allow_null=True)
    carry_over_months = serializers.IntegerField()
    notice_days = serializers.IntegerField()
    resident_housing = serializers.IntegerField(
        source="resident_housing_id",
        allow_null=True,
        help_text=_("Residents' plans: guests of this housing have the plan for the days of their stay."),
    )


def facility_plans_shown(*, facility: Facility) -> list[dict]:
    """The plans a facility's detail shows, as GET /facilities/{id}/plans/ shows them."""
    return list(PlanSerializer(Plan.objects.filter(facility=facility, is_active=True), many=True).data)


class MembershipCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class MembershipSerializer(serializers.ModelSerializer):
    plan = PlanSerializer()
    visitor = serializers.IntegerField(source="visitor_id")
    status = serializers.SerializerMethodField(
        help_text=_(
            "incomplete (by card, its first payment not made: it covers nothing yet), active, past_due (an invoice "
            "failed: no booking from its credit), cancelled (runs until ends_on) or ended (after ends_on)."
        )
    )
    billing = serializers.ChoiceField(
        choices=Membership.Billing.choices, help_text=_("onsite: paid at the facility; stripe: a card subscription.")
    )
    client_secret = serializers.SerializerMethodField(
        help_text=_(
            "While incomplete, to the visitor only: confirms the first invoice's payment with Stripe.js "
            "(confirmPayment); null otherwise."
        )
    )
    cycle_starts_on = serializers.SerializerMethodField()
    cycle_ends_on = serializers.SerializerMethodField()
    credit_minutes = serializers.SerializerMethodField(help_text=_("Room credit left, in minutes."))

    class Meta:
        model = Membership
        fields = [
            "id",
            "plan",
            "visitor",
            "status",
            "billing",
            "client_secret",
            "starts_on",
            "ends_on",
            "cycle_starts_on",
            "cycle_ends_on",
            "credit_minutes",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["incomplete", "active", "past_due", "cancelled", "ended"]))
    def get_status(self, membership) -> str:
        today = self.context["today"]
        if membership.ends_on is not None and membership.ends_on < today:
            return "ended"
        return membership.status

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_client_secret(self, membership) -> str | None:
        own = self.context.get("visitor_id") == membership.visitor_id
        if own and membership.status == Membership.Status.INCOMPLETE and membership.client_secret:
            return membership.client_secret
        return None

    def _cycle(self, membership):
        today = self.context["today"]
        day = min(today, membership.ends_on) if membership.ends_on else today
        return cycle_bounds(membership.starts_on, max(cycle_index(membership.starts_on, day), 0))

    @extend_schema_field(serializers.DateField())
    def get_cycle_starts_on(self, membership):
        return self._cycle(membership)[0].isoformat()

    @extend_schema_field(serializers.DateField(help_text=_("The last day of the current cycle.")))
    def get_cycle_ends_on(self, membership):
        return self._cycle(membership)[1].isoformat()

    def get_credit_minutes(self, membership) -> int:
        return self.context["balances"].get(membership.id, 0)


class CreditEntrySerializer(serializers.ModelSerializer):
    booking = serializers.IntegerField(source="booking_id", allow_null=True)

    class Meta:
        model = CreditEntry
        fields = ["id", "kind", "minutes", "balance_after", "cycle", "booking", "at"]
        read_only_fields = fields


class CreditLedgerSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    balance_minutes = serializers.IntegerField()
    granted_minutes = serializers.IntegerField()
    used_minutes = serializers.IntegerField()
    refunded_minutes = serializers.IntegerField()
    expired_minutes = serializers.IntegerField()
    entries = CreditEntrySerializer(many=True)
