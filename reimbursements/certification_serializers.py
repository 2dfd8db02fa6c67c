"""Certifications as the API shows them and as visitors send them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Certification
from .serializers import MonthField


class ProgrammeCertificationCreateSerializer(serializers.Serializer):
    programme = serializers.SlugField(max_length=60, help_text=_("Code of a monthly programme."))
    move_date = serializers.DateField(help_text=_("The date of the move to the town, as the town confirmed it."))
    birth_date = serializers.DateField()
    workplace_prefecture = serializers.CharField(
        max_length=10, help_text=_("The workplace's prefecture, as the programme lists them (東京都...).")
    )


class ProgrammeCertificationMonthSerializer(serializers.Serializer):
    month = MonthField()
    claim = serializers.IntegerField(allow_null=True, help_text=_("The month's claim; null: not claimed."))
    status = serializers.CharField(allow_null=True, help_text=_("The status of the month's claim; null: not claimed."))
    reimbursable_yen = serializers.IntegerField(help_text=_("What the month's live claim pays now; 0 without one."))
    paid_yen = serializers.IntegerField(help_text=_("What the town paid for the month."))


class ProgrammeCertificationSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code")
    visitor = serializers.IntegerField(source="visitor_id")
    first_month = MonthField(allow_null=True, help_text=_("The first month paid; null until approved."))
    last_month = MonthField(allow_null=True)
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)

    class Meta:
        model = Certification
        fields = [
            "id",
            "programme",
            "visitor",
            "status",
            "move_date",
            "birth_date",
            "workplace_prefecture",
            "applied_on",
            "certified_on",
            "first_month",
            "last_month",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]


class ProgrammeCertificationDetailSerializer(ProgrammeCertificationSerializer):
    months = ProgrammeCertificationMonthSerializer(many=True, help_text=_("Every month of the period, in order."))
    months_left = serializers.IntegerField(help_text=_("Months of the period without a live claim."))
    paid_yen = serializers.IntegerField(help_text=_("The total paid so far."))
    committed_yen = serializers.IntegerField(
        help_text=_("What the submitted, approved and paid months commit: it counts against the lifetime cap.")
    )
    lifetime_cap_yen = serializers.IntegerField(source="programme.lifetime_cap_yen", allow_null=True)

    class Meta(ProgrammeCertificationSerializer.Meta):
        fields = [
            *ProgrammeCertificationSerializer.Meta.fields,
            "months",
            "months_left",
            "paid_yen",
            "committed_yen",
            "lifetime_cap_yen",
        ]


class ProgrammeCertificationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Certification.Status.choices, required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, trim_whitespace=True, required=False, allow_blank=True)
