"""The console's pages. Each view checks the role, reads through selectors and acts through the same services as
the API, so every rule, lock and audit event is the API's; a refusal shows the service's translated message."""

from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from bookings import selectors as booking_selectors
from bookings import services as booking_services
from bookings import tasks as booking_tasks
from bookings.operator_import_apis import CalendarImportSyncThrottle
from consultations import services as consultation_services
from consultations.models import Consultation
from outcomes import facility_kpis
from outcomes import selectors as outcome_selectors
from reimbursements import services as claim_services
from reimbursements.apis import RECEIPT_TYPES
from reimbursements.certification_services import certification_approve, certification_refuse
from reimbursements.models import Claim

from . import charts, navigation, selectors
from .forms import (
    CancelForm,
    ClaimQueueFilterForm,
    ClosureForm,
    KpiFilterForm,
    MonthQueueFilterForm,
    PriceOverrideForm,
    ProgrammeFilterForm,
    ReasonForm,
    SlotForm,
)

# --- access ----------------------------------------------------------------------------------------------------


def _role_required(check):
    """Anonymous users go to the console's login page; a signed-in user of another role gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect(f"{reverse('console:login')}?next={request.get_full_path()}")
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


operator_required = _role_required(lambda user: user.is_operator)
staff_required = _role_required(lambda user: user.is_municipal_staff)


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("console:home")


class LogoutView(auth_views.LogoutView):
    next_page = "console:login"


def home(request):
    if not request.user.is_authenticated:
        return redirect("console:login")
    if request.user.is_operator:
        return redirect("console:operator-home")
    if request.user.is_municipal_staff:
        return redirect("console:staff-claims")
    raise PermissionDenied


QUEUE_PAGE_SIZE = 50


def _other_parameters(request, dropped: str) -> str:
    """The request's query string without `dropped`, for links that change only that parameter."""
    query = request.GET.copy()
    query.pop(dropped, None)
    return query.urlencode()


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {**context, "console_nav": navigation.entries_for(request)}, status=status)


def _refusal(error: DomainError) -> str:
    return error.render_message()


def _back(request, fallback: str) -> str:
    """Where a form came from (its `next` field), when that is a path of this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- operators -------------------------------------------------------------------------------------------------


@require_GET
@operator_required
def operator_home(request):
    arrivals, departures = selectors.operator_movements(user=request.user, day=booking_selectors.today())
    return _render(
        request,
        "console/operator/home.html",
        {
            "facilities": selectors.operator_facilities(user=request.user),
            "arrivals": arrivals,
            "departures": departures,
            "today": booking_selectors.today(),
        },
    )


def _month(value: str | None) -> date:
    """The month asked for as YYYY-MM (this month when missing or malformed)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return booking_selectors.today().replace(day=1)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _facility_page(request, facility, *, month: date, closure_form=None, price_form=None, status=200):
    units = list(selectors.operator_unit_choices(facility=facility))
    return _render(
        request,
        "console/operator/facility.html",
        {
            "facility": facility,
            "month": month,
            "previous_month": _shift(month, -1),
            "next_month": _shift(month, 1),
            "rows": selectors.facility_month(facility=facility, month=month),
            "has_hourly": any(unit.is_hourly for unit in units),
            "closure_form": closure_form or ClosureForm(units=units, prefix="closure"),
            "price_form": price_form or PriceOverrideForm(units=units, prefix="price"),
        },
        status=status,
    )


@require_GET
@operator_required
def operator_facility(request, facility_id):
    facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
    return _facility_page(request, facility, month=_month(request.GET.get("month")))


def _day(value: str | None) -> date:
    """The date asked for as YYYY-MM-DD (today when missing or malformed)."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return booking_selectors.today()


@require_GET
@operator_required
def operator_day(request, facility_id):
    """A day of the facility's rooms booked by the hour: one column per room, one row per quarter hour."""
    facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
    day = _day(request.GET.get("date"))
    columns, rows = selectors.facility_day(facility=facility, day=day)
    return _render(
        request,
        "console/operator/day.html",
        {
            "facility": facility,
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "columns": columns,
            "rows": rows,
        },
    )


MEMBERS_PAGE_SIZE = 50


@require_GET
@operator_required
def operator_members(request):
    """The members of the plans of the operator's facilities: plan, status, start, current cycle, credit left."""
    page = Paginator(selectors.operator_members(user=request.user), MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "console/operator/members.html",
        {
            "members": selectors.member_rows(page.object_list, today=booking_selectors.today()),
            "page": page,
            "page_query": _other_parameters(request, "page"),
        },
    )


@require_GET
@operator_required
def operator_figures(request, facility_id):
    """The facility's figures by month (the API's `facility_kpis`): members and the rooms' occupancy, as tables
    and bar charts."""
    facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
    last = _month(request.GET.get("to"))
    first = _month(request.GET.get("from")) if request.GET.get("from") else _shift(last, -11)
    if first > last or facility_kpis.months_between(first, last) > facility_kpis.MAX_MONTHS:
        first = _shift(last, -11)
    kpis = facility_kpis.facility_kpis(facility=facility, first_month=first, last_month=last)
    months = kpis["months"]
    labels = [month["month"][2:] for month in months]
    rates = [None if m["occupancy_percent"] is None else float(m["occupancy_percent"]) for m in months]
    chart = charts.panels_chart(
        [
            {
                "title": _("Active members at the end of the month"),
                "labels": labels,
                "values": [month["active_members"] for month in months],
                "texts": [str(month["active_members"]) for month in months],
                "colour": "#1f5fbf",
            },
            {
                "title": _("Occupancy of the rooms booked by the hour"),
                "labels": labels,
                "values": [rate or 0 for rate in rates],
                "texts": ["—" if rate is None else f"{rate:.1f}%" for rate in rates],
                "colour": "#2e7d4f",
                "ceiling": 100,
            },
        ],
        width=max(480, 60 * len(months)),
    )
    return _render(
        request,
        "console/operator/figures.html",
        {
            "facility": facility,
            "kpis": kpis,
            "months": months,
            "first": first,
            "last": last,
            "chart": chart,
            "api_url": f"{reverse('operator-facility-kpis', args=[facility.id])}?from={first:%Y-%m}&to={last:%Y-%m}",
        },
    )


def _unit_action(request, facility_id, form_class, prefix, service, success):
    facility = selectors.operator_facility_get(user=request.user, facility_id=facility_id)
    units = list(selectors.operator_unit_choices(facility=facility))
    form = form_class(request.POST, units=units, prefix=prefix)
    month = _month(request.POST.get("month"))
    if form.is_valid():
        data = dict(form.cleaned_data)
        unit = next(unit for unit in units if unit.id == data.pop("unit"))
        try:
            service(unit=unit, **data)
        except DomainError as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, success)
            return redirect(f"{reverse('console:operator-facility', args=[facility.id])}?month={month:%Y-%m}")
    return _facility_page(request, facility, month=month, status=400, **{f"{prefix}_form": form})


@require_POST
@operator_required
def operator_closure_create(request, facility_id):
    return _unit_action(
        request, facility_id, ClosureForm, "closure", booking_services.closure_create, _("The dates are closed.")
    )


@require_POST
@operator_required
def operator_price_override_create(request, facility_id):
    return _unit_action(
        request, facility_id, PriceOverrideForm, "price", booking_services.price_override_create, _("The price is set.")
    )


def _booking_page(request, booking, *, form=None, status=200):
    return _render(
        request,
        "console/operator/booking.html",
        {
            "booking": booking,
            "form": form or CancelForm(),
            "cancellable": booking.status in (booking.Status.PENDING, booking.Status.CONFIRMED),
        },
        status=status,
    )


@require_GET
@operator_required
def operator_booking(request, booking_id):
    return _booking_page(request, selectors.operator_booking_get(user=request.user, booking_id=booking_id))


@require_POST
@operator_required
def operator_booking_cancel(request, booking_id):
    booking = selectors.operator_booking_get(user=request.user, booking_id=booking_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            booking_services.booking_cancel(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, _("The booking is cancelled and refunded in full."))
            return redirect("console:operator-booking", booking_id=booking.id)
    return _booking_page(request, booking, form=form, status=400)


@require_POST
@operator_required
def operator_import_sync(request, import_id):
    found = selectors.operator_import_get(user=request.user, import_id=import_id)
    back = _back(request, reverse("console:operator-facility", args=[found.unit.facility_id]))
    # The API's sync-now rate per operator: each sync makes the server fetch an outside URL.
    if not CalendarImportSyncThrottle().allow_request(request, None):
        messages.error(request, _("Too many syncs: wait a minute and try again."))
        return redirect(back)
    # Queued on the worker like the API's sync now; the list shows its outcome once it has run.
    booking_tasks.calendar_import_sync_queue(calendar_import=found)
    messages.success(
        request, _("Sync of %(name)s queued: its status shows here once it has run.") % {"name": found.name}
    )
    return redirect(back)


# --- municipal staff -------------------------------------------------------------------------------------------


@require_GET
@staff_required
def staff_claims(request):
    programmes = list(selectors.staff_programmes(user=request.user))
    filters = ClaimQueueFilterForm(request.GET or None, programmes=programmes)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    claims = selectors.staff_claim_queue(
        user=request.user, programme=chosen.get("programme", ""), status=chosen.get("status", "")
    )
    # A page at a time, so that the queue costs the same however many claims wait or the filter matches.
    page = Paginator(claims, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "console/staff/claims.html",
        {
            "filters": filters,
            "claims": page.object_list,
            "page": page,
            "page_query": _other_parameters(request, "page"),
            "budgets": selectors.programme_budgets(programmes=programmes),
        },
        status=200 if filters.is_bound is False or filters.is_valid() else 400,
    )


@require_GET
@staff_required
def staff_applications(request):
    """Applications before the stay (programmes that require one) waiting for a grant or a refusal."""
    programmes = list(selectors.staff_programmes(user=request.user))
    filters = ProgrammeFilterForm(request.GET or None, programmes=programmes)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    return _render(
        request,
        "console/staff/applications.html",
        {
            "filters": filters,
            "claims": selectors.staff_application_queue(user=request.user, programme=chosen.get("programme", "")),
            # What a grant is checked against, for the programmes that take applications.
            "budgets": selectors.programme_budgets(programmes=[p for p in programmes if p.requires_application]),
        },
        status=200 if filters.is_bound is False or filters.is_valid() else 400,
    )


def _claim_page(request, claim, *, reject_form=None, refuse_form=None, line_forms=None, status=200):
    line_forms = line_forms or {}
    lines = [
        {
            "line": line,
            "form": line_forms.get(line.id) or ReasonForm(prefix=f"line-{line.id}"),
            "is_pdf": (line.receipt.name or "").lower().endswith(".pdf"),
        }
        for line in claim.lines.all()
    ]
    return _render(
        request,
        "console/staff/claim.html",
        {
            "claim": claim,
            "lines": lines,
            "reject_form": reject_form or ReasonForm(prefix="reject"),
            "refuse_form": refuse_form or ReasonForm(prefix="refuse"),
            "budget": selectors.programme_budget(programme=claim.programme),
            "submitted": claim.status == Claim.Status.SUBMITTED,
            "approved": claim.status == Claim.Status.APPROVED,
            "applied": claim.status == Claim.Status.APPLIED,
            "granted": claim.status == Claim.Status.GRANTED,
            "application": claim.applied_at is not None,
        },
        status=status,
    )


@require_GET
@staff_required
def staff_claim(request, claim_id):
    return _claim_page(request, selectors.staff_claim_get(user=request.user, claim_id=claim_id))


@require_GET
@staff_required
@xframe_options_sameorigin
def staff_receipt(request, claim_id, line_id):
    """The receipt of one line, for the claim's town's staff only (never through MEDIA_URL); shown inline."""
    claim = selectors.staff_claim_get(user=request.user, claim_id=claim_id)
    line = next((line for line in claim.lines.all() if str(line.id) == str(line_id)), None)
    if line is None or not line.receipt:
        raise Http404
    extension = "." + line.receipt.name.rsplit(".", 1)[-1].lower()
    if extension not in RECEIPT_TYPES:
        raise Http404
    response = FileResponse(line.receipt.open("rb"), content_type=RECEIPT_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _claim_action(request, claim_id, action):
    """Runs one claim service; a refusal re-renders the claim page with the service's message."""
    claim = selectors.staff_claim_get(user=request.user, claim_id=claim_id)
    try:
        outcome = action(claim)
    except DomainError as error:
        messages.error(request, _refusal(error))
        return _claim_page(request, selectors.staff_claim_get(user=request.user, claim_id=claim_id), status=400)
    if isinstance(outcome, dict):  # a form with errors
        return _claim_page(request, claim, status=400, **outcome)
    messages.success(request, outcome)
    return redirect("console:staff-claim", claim_id=claim.id)


def _claim_decision_with_reason(request, claim_id, *, prefix: str, decide, done: str):
    """A decision that needs a reason (reject, refuse): a reason missing re-renders the claim page with its form
    (`<prefix>_form`) in error; otherwise `decide` runs with it."""

    def action(claim):
        form = ReasonForm(request.POST, prefix=prefix)
        if not form.is_valid():
            return {f"{prefix}_form": form}
        decide(claim=claim, actor=request.user, reason=form.cleaned_data["reason"])
        return done

    return _claim_action(request, claim_id, action)


@require_POST
@staff_required
def staff_line_disallow(request, claim_id, line_id):
    def action(claim):
        form = ReasonForm(request.POST, prefix=f"line-{line_id}")
        if not form.is_valid():
            return {"line_forms": {int(line_id) if str(line_id).isdigit() else 0: form}}
        claim_services.expense_line_disallow(
            claim=claim, line_id=line_id, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return _("The line is disallowed.")

    return _claim_action(request, claim_id, action)


@require_POST
@staff_required
def staff_claim_approve(request, claim_id):
    def action(claim):
        claim_services.claim_approve(claim=claim, actor=request.user)
        return _("The claim is approved.")

    return _claim_action(request, claim_id, action)


@require_POST
@staff_required
def staff_claim_reject(request, claim_id):
    return _claim_decision_with_reason(
        request, claim_id, prefix="reject", decide=claim_services.claim_reject, done=_("The claim is rejected.")
    )


@require_POST
@staff_required
def staff_claim_mark_paid(request, claim_id):
    def action(claim):
        claim_services.claim_mark_paid(claim=claim, actor=request.user)
        return _("The claim is marked paid.")

    return _claim_action(request, claim_id, action)


@require_POST
@staff_required
def staff_claim_grant(request, claim_id):
    def action(claim):
        granted = claim_services.claim_grant(claim=claim, actor=request.user)
        return _("The application is granted: %(amount)s.") % {"amount": f"¥{granted.granted_amount_yen:,}"}

    return _claim_action(request, claim_id, action)


@require_POST
@staff_required
def staff_claim_refuse(request, claim_id):
    return _claim_decision_with_reason(
        request, claim_id, prefix="refuse", decide=claim_services.claim_refuse, done=_("The application is refused.")
    )


# --- consultations ---------------------------------------------------------------------------------------------


def _consultations_page(request, *, form=None, status=200):
    upcoming, past = selectors.staff_slots(user=request.user)
    return _render(
        request,
        "console/staff/consultations.html",
        {
            "upcoming": upcoming,
            "past": past,
            "past_shown": selectors.PAST_SLOTS_SHOWN,
            "form": form or SlotForm(prefix="slot"),
        },
        status=status,
    )


@require_GET
@staff_required
def staff_consultations(request):
    return _consultations_page(request)


@require_POST
@staff_required
def staff_slot_create(request):
    form = SlotForm(request.POST, prefix="slot")
    if form.is_valid():
        try:
            consultation_services.slot_create(staff=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_refusal(form, error)
        else:
            messages.success(request, _("The consultation slot is published."))
            return redirect("console:staff-consultations")
    return _consultations_page(request, form=form, status=400)


def _add_refusal(form, error: DomainError) -> None:
    """A service's refusal on the fields it names (as the API's `fields`), or over the form when it names none."""
    named = [field for field in error.fields if field in form.fields]
    for field in named:
        for message in error.fields[field]:
            form.add_error(field, message)
    if not named:
        form.add_error(None, _refusal(error))


def _consultation_mark(request, consultation_id, status: str, success: str):
    consultation = selectors.staff_consultation_get(user=request.user, consultation_id=consultation_id)
    try:
        consultation_services.consultation_mark(consultation=consultation, by=request.user, status=status)
    except DomainError as error:
        messages.error(request, _refusal(error))
        return _consultations_page(request, status=400)
    messages.success(request, success % {"name": consultation.visitor.full_name or consultation.visitor.email})
    return redirect(f"{reverse('console:staff-consultations')}#slot-{consultation.slot_id}")


@require_POST
@staff_required
def staff_consultation_attended(request, consultation_id):
    return _consultation_mark(
        request, consultation_id, Consultation.Status.ATTENDED, _("%(name)s is recorded as attended.")
    )


@require_POST
@staff_required
def staff_consultation_missed(request, consultation_id):
    return _consultation_mark(
        request, consultation_id, Consultation.Status.MISSED, _("%(name)s is recorded as absent.")
    )


@require_POST
@staff_required
def staff_consultation_cancel(request, consultation_id):
    """Staff cancel a booked consultation with a reason (the visitor is told by email); the place goes back."""
    consultation = selectors.staff_consultation_get(user=request.user, consultation_id=consultation_id)
    form = ReasonForm(request.POST, prefix="cancel")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        consultation_services.consultation_cancel(consultation=consultation, by=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, _refusal(error))
        return _consultations_page(request, status=400)
    messages.success(
        request,
        _("The consultation of %(name)s is cancelled.")
        % {"name": consultation.visitor.full_name or consultation.visitor.email},
    )
    return redirect(f"{reverse('console:staff-consultations')}#slot-{consultation.slot_id}")


# --- figures ---------------------------------------------------------------------------------------------------


def _percent(rate: str | None) -> float | None:
    return None if rate is None else float(rate) * 100


def _kpi_rows(kpis: dict) -> list[tuple[str, list[str]]]:
    """The table's rows, one figure per row and one fiscal year per column, as the page shows them."""

    def yen(value) -> str:
        return f"¥{value:,}"

    def count(value) -> str:
        return f"{value:,}"

    def rate(value) -> str:
        percent = _percent(value)
        return "—" if percent is None else f"{percent:.1f}%"

    def days(value) -> str:
        return "—" if value is None else str(value)

    figures = [
        (_("Households paid"), "households_paid", count),
        (_("Households approved, not yet paid"), "households_approved", count),
        (_("Stays (bookings with a claim)"), "stays", count),
        (_("Days subsidised"), "days", count),
        (_("Nights subsidised"), "nights", count),
        (_("Granted"), "yen_granted", yen),
        (_("Approved"), "yen_approved", yen),
        (_("Paid"), "yen_paid", yen),
        (_("Households moved"), "households_moved", count),
        (_("Conversion rate"), "conversion_rate", rate),
        (_("Median days to move"), "median_days_to_move", days),
        # Monthly programmes.
        (_("People certified"), "certified_people", count),
        (_("Months paid or approved"), "active_months", count),
    ]
    rows = [(label, [show(year[key]) for year in kpis["fiscal_years"]]) for label, key, show in figures]
    answers = [
        (_("Survey: moving within a year"), "within_a_year"),
        (_("Survey: moving later"), "later"),
        (_("Survey: undecided"), "undecided"),
        (_("Survey: not moving"), "no"),
        (_("Survey answers"), "total"),
    ]
    rows += [(label, [count(year["survey_answers"][key]) for year in kpis["fiscal_years"]]) for label, key in answers]
    return rows


@require_GET
@staff_required
def staff_kpis(request):
    """A programme's figures per fiscal year (the API's `programme_kpis`), with its months and its conversion
    drawn as SVG bar charts; the CSV is the API's, which the console's session may fetch."""
    programmes = list(selectors.staff_programmes(user=request.user))
    if not programmes:
        return _render(request, "console/staff/kpis.html", {"programme": None})
    code = request.GET.get("programme") or programmes[0].code
    programme = next((p for p in programmes if p.code == code), None)
    if programme is None:  # another town's, or none at all: as the API, not found
        raise Http404
    years = outcome_selectors.fiscal_years_of(programme)
    filters = KpiFilterForm(
        {"programme": code, "fiscal_year": request.GET.get("fiscal_year", "")},
        programmes=programmes,
        fiscal_years=years,
    )
    if not filters.is_valid():
        return _render(request, "console/staff/kpis.html", {"programme": None, "filters": filters}, status=400)
    current = programme.fiscal_year_of(booking_selectors.today())
    fiscal_year = filters.cleaned_data["fiscal_year"] or min(max(current, years[0]), years[-1])
    kpis = outcome_selectors.programme_kpis(programme=programme)
    months = selectors.programme_months(programme=programme, fiscal_year=fiscal_year)
    month_labels = [f"{month.month:%m}" for month in months]
    monthly = charts.panels_chart(
        [
            {
                "title": _("Stays (bookings with a claim), by check-in month"),
                "labels": month_labels,
                "values": [month.stays for month in months],
                "texts": [str(month.stays) for month in months],
                "colour": "#1f5fbf",
            },
            {
                "title": _("Approved yen, by check-in month"),
                "labels": month_labels,
                "values": [month.yen_approved for month in months],
                "texts": [f"¥{month.yen_approved:,}" for month in months],
                "colour": "#2e7d4f",
            },
        ]
    )
    rates = [_percent(year["conversion_rate"]) for year in kpis["fiscal_years"]]
    conversion = charts.panels_chart(
        [
            {
                "title": _("Conversion rate"),
                "labels": [str(year["fiscal_year"]) for year in kpis["fiscal_years"]],
                "values": [rate or 0 for rate in rates],
                "texts": ["—" if rate is None else f"{rate:.1f}%" for rate in rates],
                "colour": "#b35c00",
                "ceiling": 100,
            }
        ],
        width=max(360, 120 * len(rates)),
    )
    return _render(
        request,
        "console/staff/kpis.html",
        {
            "programme": programme,
            "filters": filters,
            "kpis": kpis,
            "rows": _kpi_rows(kpis),
            "fiscal_year": fiscal_year,
            "months": months,
            "monthly": monthly,
            "conversion": conversion,
            "csv_url": f"{reverse('kpis-export')}?programme={programme.code}",
        },
    )


# --- monthly programmes: certifications and the month's queue -------------------------------------------------------


@require_GET
@staff_required
def staff_monthly(request):
    programmes = list(selectors.staff_monthly_programmes(user=request.user))
    filters = MonthQueueFilterForm(request.GET or None, programmes=programmes)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    month = (chosen.get("month") or claim_services.today()).replace(day=1)
    programme = chosen.get("programme", "")
    return _render(
        request,
        "console/staff/monthly.html",
        {
            "filters": filters,
            "month": month,
            "certifications": selectors.staff_certifications_pending(user=request.user, programme=programme),
            "claims": selectors.staff_month_queue(user=request.user, month=month, programme=programme),
            "refuse_form": ReasonForm(prefix="refuse"),
        },
        status=200 if filters.is_bound is False or filters.is_valid() else 400,
    )


def _certification_decision(request, certification_id, decide, done: str):
    certification = selectors.staff_certification_get(user=request.user, certification_id=certification_id)
    try:
        decide(certification)
    except DomainError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, done)
    return redirect("console:staff-monthly")


@require_POST
@staff_required
def staff_certification_approve(request, certification_id):
    return _certification_decision(
        request,
        certification_id,
        lambda certification: certification_approve(certification=certification, actor=request.user),
        _("The certification is approved."),
    )


@require_POST
@staff_required
def staff_certification_refuse(request, certification_id):
    form = ReasonForm(request.POST, prefix="refuse")
    if not form.is_valid():
        selectors.staff_certification_get(user=request.user, certification_id=certification_id)
        messages.error(request, _("A refusal needs its reason."))
        return redirect("console:staff-monthly")
    return _certification_decision(
        request,
        certification_id,
        lambda certification: certification_refuse(
            certification=certification, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The certification is refused."),
    )
