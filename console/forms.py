"""The console's forms: they check the shape of what is typed (as the API's serializers do); the rules are the
services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.serializers import FIRST_DATE, LAST_DATE
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


class ClaimQueueFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(s, label) for s, label in Claim.Status.choices if s != Claim.Status.DRAFT],
    )

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("All programmes"))] + [
            (programme.code, programme.localized("name")) for programme in programmes
        ]
