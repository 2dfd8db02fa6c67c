"""Programmes as the API shows them and as staff send them.

The input serializers check types only; what a programme may say (bounds, a window in order, known categories
and bases, no category twice, a free code) is checked by programme_services, which the admin shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .categories import CATALOGUE
from .models import CategoryRule, Programme


class CategoryRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CategoryRule
        fields = [
            "category",
            "name_ja",
            "name_en",
            "basis",
            "cap_yen",
            "cap_child_yen",
            "cap_infant_yen",
            "cost_share_percent",
        ]


class ProgrammeSerializer(serializers.ModelSerializer):
    municipality_code = serializers.CharField(source="municipality.code")
    categories = CategoryRuleSerializer(many=True)

    class Meta:
        model = Programme
        fields = [
            "code",
            "name_ja",
            "name_en",
            "municipality_code",
            "valid_from",
            "valid_until",
            "fiscal_year_start_month",
            "budget_yen",
            "max_days_per_group",
            "max_nights_per_group",
            "min_nights",
            "max_amount_per_household_per_fy",
            "max_claims_per_fy",
            "max_party_size",
            "residence_rule",
            "rounding_unit_yen",
            "requires_application",
            "application_deadline_days",
            "requires_consultation",
            "requires_survey",
            "is_active",
            "categories",
            "kind",
            "age_limit_at_move",
            "workplace_prefectures",
            "certification_window_months",
            "period_months",
            "first_month_offset",
            "share_percent",
            "monthly_cap_yen",
            "lifetime_cap_yen",
            "counted_categories",
            "deducted_categories",
            "excluded_categories",
            "not_combinable_with",
        ]

    not_combinable_with: serializers.Field = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    workplace_prefectures = serializers.ListField(child=serializers.CharField())
    counted_categories = serializers.ListField(child=serializers.CharField())
    deducted_categories = serializers.ListField(child=serializers.CharField())
    excluded_categories = serializers.ListField(child=serializers.CharField())


def _optional_int(help_text=None):
    return serializers.IntegerField(required=False, allow_null=True, help_text=help_text)


class CategoryRuleWriteSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=40, help_text=f"One of: {', '.join(CATALOGUE)}.")
    name_ja = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("Empty: the catalogue's name.")
    )
    name_en = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("Empty: the catalogue's name.")
    )
    basis = serializers.ChoiceField(
        choices=CategoryRule.Basis.choices,
        help_text=_("lodging: person_night or night; other categories: person_day or day."),
    )
    cap_yen = _optional_int(_("Yen, 0 to 10,000,000; null: the actual cost."))
    cap_child_yen = _optional_int(_("Per-person bases only; null: as for adults."))
    cap_infant_yen = _optional_int(_("Per-person bases only; null: as for adults."))
    cost_share_percent = _optional_int(_("1 to 100; null: 100."))


class ProgrammeWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=60)
    name_ja = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_from = serializers.DateField(help_text=_("First check-in date the programme accepts."))
    valid_until = serializers.DateField(help_text=_("Last check-in date the programme accepts."))
    fiscal_year_start_month = serializers.IntegerField(required=False, help_text=_("1 to 12; default 4 (April)."))
    budget_yen = _optional_int(_("null: no budget limit."))
    max_days_per_group = _optional_int(_("null: no day limit."))
    max_nights_per_group = _optional_int(_("null: no night limit."))
    min_nights = _optional_int()
    max_amount_per_household_per_fy = _optional_int()
    max_claims_per_fy = _optional_int()
    max_party_size = _optional_int()
    residence_rule = serializers.ChoiceField(choices=Programme.ResidenceRule.choices, required=False)
    rounding_unit_yen = serializers.IntegerField(
        required=False, help_text=_("The total is rounded down to this unit; at least 1.")
    )
    requires_application = serializers.BooleanField(
        required=False,
        help_text=_("Visitors apply before the stay and staff grant it before the report; default false."),
    )
    application_deadline_days = _optional_int(
        _(
            "0 to 365: apply at least this many days before check-in; only "
            "with requires_application; null: until check-in."
        )
    )
    requires_consultation = serializers.BooleanField(
        required=False,
        help_text=_("The visitor meets the town's staff between application (or booking) and check-out."),
    )
    requires_survey = serializers.BooleanField(required=False, help_text=_("The visitor answers the stay's survey."))
    is_active = serializers.BooleanField(required=False, help_text=_("false: retired (no new coverage or claims)."))
    categories = CategoryRuleWriteSerializer(
        many=True,
        required=False,
        help_text=_("On a change, replaces the programme's categories. A monthly programme needs none."),
    )
    kind = serializers.ChoiceField(
        choices=Programme.Kind.choices,
        required=False,
        help_text=_("stay (default): covers trial stays; monthly: pays certified people month by month."),
    )
    # Monthly programmes (docs/subsidies.md, rules 41-52); valid_from and valid_until are then the move dates counted.
    age_limit_at_move = _optional_int(_("Under this age on the move date; null: any age."))
    workplace_prefectures = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=47, help_text=_("Empty: any.")
    )
    certification_window_months = _optional_int(_("Apply for certification within this many months of the move."))
    period_months = _optional_int(_("Consecutive months paid (monthly programmes)."))
    first_month_offset = serializers.IntegerField(
        required=False, help_text=_("0 to 12; default 1: the month after certification.")
    )
    share_percent = _optional_int(_("1 to 100: the share of the month's cost paid; null: 100."))
    monthly_cap_yen = _optional_int(_("null: no monthly cap."))
    lifetime_cap_yen = _optional_int(_("null: no lifetime cap."))
    counted_categories = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10, help_text=_("Make the cost.")
    )
    deducted_categories = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10, help_text=_("Taken off the cost.")
    )
    excluded_categories = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10, help_text=_("Paid nothing.")
    )
    not_combinable_with = serializers.ListField(
        child=serializers.SlugField(max_length=60),
        required=False,
        max_length=20,
        help_text=_("Codes of the town's programmes a certified person cannot hold at the same time."),
    )
