"""The console's forms: they check the shape of what is typed (as the API's serializers do); the rules are the
services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.serializers import FIRST_DATE, LAST_DATE
from consultations.models import MAX_MINUTES, ConsultationSlot
from reimbursements.models import Claim


class BoundedDateField(forms.DateField):
    """A date within the bounds the API accepts, so that date arithmetic never overflows."""

    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_DATE <= value <= LAST_DATE:
            raise forms.ValidationError(
                _("Dates must be between %(first)s and %(last)s.")
                % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()}
            )


class UnitRangeForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    start_date = BoundedDateField(label=_("From"))
    end_date = BoundedDateField(label=_("To (included)"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.id, unit.localized("name")) for unit in units]


class ClosureForm(UnitRangeForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PriceOverrideForm(UnitRangeForm):
    price_yen = forms.IntegerField(label=_("Price (yen)"), min_value=0, max_value=10_000_000)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)


class CancelForm(forms.Form):
    # Required by the operator cancellation service, which gives the refusal its message.
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ProgrammeFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("All programmes"))] + [
            (programme.code, programme.localized("name")) for programme in programmes
        ]


class ClaimQueueFilterForm(ProgrammeFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(s, label) for s, label in Claim.Status.choices if s != Claim.Status.DRAFT],
    )


class SlotForm(forms.Form):
    """A consultation slot, with the API's bounds (`SlotWriteSerializer`); the time is Japan time."""

    starts_at = forms.DateTimeField(
        label=_("Starts at (Japan time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_MINUTES, initial=60)
    mode = forms.ChoiceField(label=_("Mode"), choices=ConsultationSlot.Mode.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    meeting_url = forms.URLField(label=_("Meeting URL"), max_length=500, required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000, initial=1)


class KpiFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"))
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, required=False)

    def __init__(self, *args, programmes=(), fiscal_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, p.localized("name")) for p in programmes]
        self.fields["fiscal_year"].choices = [("", _("This fiscal year"))] + [
            (year, _("Fiscal %(year)s") % {"year": year}) for year in fiscal_years
        ]


# --- monthly programmes ---------------------------------------------------------------------------------------------


class MonthQueueFilterForm(ProgrammeFilterForm):
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )
