"""Request and response shapes of surveys, moves and the towns' figures."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.pagination import page_serializer
from bookings import selectors as booking_selectors

from .facility_kpis import MAX_MONTHS, add_months, month_start, months_between
from .models import SURVEY_COMMENT_MAX_LENGTH, Move, Survey


class SurveyAnswerSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Survey.Purpose.choices)
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    intention = serializers.ChoiceField(choices=Survey.Intention.choices)
    comment = serializers.CharField(max_length=SURVEY_COMMENT_MAX_LENGTH, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=Survey.Language.choices,
        required=False,
        help_text=_("The language answered in; by default the request's language."),
    )


class SurveySerializer(serializers.ModelSerializer):
    booking = serializers.IntegerField(source="booking_id")
    visitor = serializers.IntegerField(source="visitor_id")
    purpose_label = serializers.CharField(source="get_purpose_display")
    intention_label = serializers.CharField(source="get_intention_display")

    class Meta:
        model = Survey
        fields = [
            "id",
            "booking",
            "visitor",
            "purpose",
            "purpose_label",
            "satisfaction",
            "intention",
            "intention_label",
            "comment",
            "language",
            "answered_at",
        ]


SurveyPageSerializer = page_serializer("SurveyPage", SurveySerializer)


class ProgrammeFilterSerializer(serializers.Serializer):
    programme = serializers.CharField(max_length=60)


class KpiFilterSerializer(ProgrammeFilterSerializer):
    fiscal_year = serializers.IntegerField(
        required=False,
        min_value=1900,
        max_value=9999,
        help_text=_("One of the programme's fiscal years; all of them if absent."),
    )


class MoveCreateSerializer(serializers.Serializer):
    moved_on = serializers.DateField()
    municipality_code = serializers.CharField(
        max_length=6,
        required=False,
        help_text=_("Local government code of the town moved to; required from visitors, staff's own town by default."),
    )
    visitor = serializers.CharField(
        max_length=254, required=False, help_text=_("Staff only: the visitor's id or email address.")
    )


class MoveSerializer(serializers.ModelSerializer):
    visitor = serializers.IntegerField(source="visitor_id")
    municipality_code = serializers.CharField(source="municipality.code")
    confirmed = serializers.BooleanField(source="is_confirmed")
    reported_by = serializers.IntegerField(source="reported_by_id")
    confirmed_by = serializers.IntegerField(source="confirmed_by_id", allow_null=True)

    class Meta:
        model = Move
        fields = [
            "id",
            "visitor",
            "municipality_code",
            "moved_on",
            "confirmed",
            "reported_by",
            "confirmed_by",
            "confirmed_at",
            "created_at",
        ]


MovePageSerializer = page_serializer("MovePage", MoveSerializer)


class SurveyCountsSerializer(serializers.Serializer):
    within_a_year = serializers.IntegerField()
    later = serializers.IntegerField()
    undecided = serializers.IntegerField()
    no = serializers.IntegerField()
    total = serializers.IntegerField()


class FiscalYearKpiSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    households_paid = serializers.IntegerField(help_text=_("Households (visitors) with a paid claim."))
    households_approved = serializers.IntegerField(help_text=_("Households with a claim approved, not yet paid."))
    stays = serializers.IntegerField(help_text=_("Bookings with a live claim (draft, submitted, approved, paid)."))
    days = serializers.IntegerField(help_text=_("Days frozen by submitted, approved and paid claims."))
    nights = serializers.IntegerField(help_text=_("Of those days, the nights of stays."))
    yen_approved = serializers.IntegerField(help_text=_("Approved amounts of approved and paid claims."))
    yen_paid = serializers.IntegerField(help_text=_("Approved amounts of paid claims."))
    yen_granted = serializers.IntegerField(
        help_text=_(
            "Granted before the stay (programmes that require an application), by live grants and their reports."
        )
    )
    survey_answers = SurveyCountsSerializer(help_text=_("Survey answers by intention to move."))
    households_moved = serializers.IntegerField(
        help_text=_("Paid households with a confirmed move to the town on or after their first paid stay there.")
    )
    # Numbers in JSON (rounded once, by the selector); the CSV keeps their fixed decimal places.
    conversion_rate = serializers.FloatField(
        allow_null=True,
        help_text=_("households_moved / households_paid with four decimal places; null without paid households."),
    )
    median_days_to_move = serializers.FloatField(
        allow_null=True,
        help_text=_("Median days from a moved household's first paid stay to its move, one decimal place."),
    )
    # Monthly programmes (0 for trial stays).
    certified_people = serializers.IntegerField(help_text=_("Monthly programmes: people certified in the year."))
    active_months = serializers.IntegerField(
        help_text=_("Monthly programmes: months approved or paid (a month counts in its own fiscal year).")
    )


class KpiSerializer(serializers.Serializer):
    programme = serializers.CharField()
    budget_yen = serializers.IntegerField(allow_null=True)
    budget_committed_yen = serializers.IntegerField(
        help_text=_(
            "What granted and submitted claims (their totals) and approved and paid ones (their approved amounts) commit."
        )
    )
    budget_left_yen = serializers.IntegerField(allow_null=True)
    fiscal_years = FiscalYearKpiSerializer(many=True)


class MonthField(serializers.CharField):
    """A month as YYYY-MM (ASCII digits), given as the first day of that month."""

    default_error_messages = {"invalid": _("A month as YYYY-MM.")}

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not (len(text) == 7 and text[4] == "-" and text.replace("-", "", 1).isascii()):
            self.fail("invalid")
        year, month = text[:4], text[5:]
        if not (year.isdigit() and month.isdigit() and int(year) >= 1900 and 1 <= int(month) <= 12):
            self.fail("invalid")
        return date(int(year), int(month), 1)


class FacilityKpiFilterSerializer(serializers.Serializer):
    # `from` is a Python keyword, hence the declared names below.
    def get_fields(self):
        return {
            "from": MonthField(required=False, help_text=_("First month (YYYY-MM); by default 11 months before `to`.")),
            "to": MonthField(required=False, help_text=_("Last month (YYYY-MM, included); by default this month.")),
        }

    def validate(self, attrs):
        last = attrs.get("to") or month_start(booking_selectors.today())
        first = attrs.get("from") or add_months(last, -(MAX_MONTHS // 3 - 1))
        if first > last:
            raise serializers.ValidationError({"to": [_("Must be on or after `from`.")]})
        if months_between(first, last) > MAX_MONTHS:
            message = _("At most %(months)s months at once.") % {"months": MAX_MONTHS}
            raise serializers.ValidationError({"to": [message]})
        return {"from": first, "to": last}


class FacilityMonthKpiSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM"))
    active_members = serializers.IntegerField(
        help_text=_("Memberships of the facility's plans on the month's last day (started, not ended before it).")
    )
    joined = serializers.IntegerField(help_text=_("Memberships starting in the month."))
    left = serializers.IntegerField(help_text=_("Memberships whose first day no longer covered falls in the month."))
    open_minutes = serializers.IntegerField(
        help_text=_("Opening hours of the hourly units, times their count, less closures, in minutes.")
    )
    booked_minutes = serializers.IntegerField(help_text=_("Confirmed and completed hourly bookings, in minutes."))
    occupancy_percent = serializers.CharField(
        allow_null=True, help_text=_("Booked over open minutes, in percent with one decimal (null: never open).")
    )


class FacilityKpiSerializer(serializers.Serializer):
    facility = serializers.IntegerField()
    from_month = serializers.CharField()
    to_month = serializers.CharField()
    hourly_units = serializers.IntegerField()
    open_minutes = serializers.IntegerField()
    booked_minutes = serializers.IntegerField()
    occupancy_percent = serializers.CharField(allow_null=True)
    months = FacilityMonthKpiSerializer(many=True)
