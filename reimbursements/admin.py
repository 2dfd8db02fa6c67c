"""Admin: staff edit programmes with their category rules inline; claims, their lines and the audit trail are
read-only here, because every change of a claim goes through the API's services (limits, budget, audit trail).

The programme's forms refuse what the API refuses (both call the checks of programme_services), and what they
accept is written by the API's services: programme_create, programme_update, programme_retire_or_delete."""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from backend.admin import ReadOnlyMixin

from . import programme_services
from .categories import CATALOGUE
from .errors import ProgrammeHasClaims
from .models import CategoryRule, Claim, ClaimEvent, ExpenseLine, Programme


def _add_errors(form, errors: dict[str, list[str]]) -> None:
    for name, texts in errors.items():
        form.add_error(name if name in form.fields else None, texts)


class ProgrammeAdminForm(forms.ModelForm):
    # Fields of monthly programmes with a default: a form that leaves them out keeps the default.
    DEFAULTED: dict = {
        "kind": Programme.Kind.STAY,
        "first_month_offset": 1,
        "workplace_prefectures": [],
        "counted_categories": [],
        "deducted_categories": [],
        "excluded_categories": [],
    }

    class Meta:
        model = Programme
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name, default in self.DEFAULTED.items():
            if cleaned.get(name) in (None, ""):
                cleaned[name] = getattr(self.instance, name, None) or copy.copy(default)
        values = {name: cleaned[name] for name in programme_services.PROGRAMME_FIELDS if name in cleaned}
        _add_errors(self, programme_services.programme_field_errors(values=values, programme=self.instance))
        return cleaned


class CategoryRuleAdminForm(forms.ModelForm):
    class Meta:
        model = CategoryRule
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty names take the catalogue's, as through the API.
        for name in ("name_ja", "name_en"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned[name] for name in programme_services.CATEGORY_FIELDS if name in cleaned}
        _add_errors(self, programme_services.category_rule_errors(values=values))
        category = CATALOGUE.get(cleaned.get("category"))
        if category is not None:
            cleaned["name_ja"] = cleaned.get("name_ja") or category.name_ja
            cleaned["name_en"] = cleaned.get("name_en") or category.name_en
        return cleaned


class CategoryRuleFormSet(forms.BaseInlineFormSet):
    def clean(self):
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]
        if not kept:
            raise forms.ValidationError(programme_services.no_category_message())
        slugs = [form.cleaned_data.get("category") for form in kept]
        for index in programme_services.category_duplicates(slugs):
            kept[index].add_error("category", programme_services.duplicate_category_message(slugs[index]))
        super().clean()


class CategoryRuleInline(admin.TabularInline):
    model = CategoryRule
    form = CategoryRuleAdminForm
    formset = CategoryRuleFormSet
    extra = 0


def _categories_of(formsets) -> list[dict]:
    """The category rules the inline rows leave, as the services take them."""
    categories = []
    for formset in formsets:
        if formset.model is not CategoryRule:
            continue
        for form in formset.forms:
            if not form.cleaned_data or (formset.can_delete and formset._should_delete_form(form)):
                continue
            categories.append(
                {
                    name: form.cleaned_data[name]
                    for name in programme_services.CATEGORY_FIELDS
                    if name in form.cleaned_data
                }
            )
    return categories


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """The forms validate; the services write, once the programme and its rules are valid together. A programme
    keeps its town (as through the API); deleting one with claims retires it instead."""

    form = ProgrammeAdminForm
    list_display = [
        "code",
        "name_ja",
        "municipality",
        "valid_from",
        "valid_until",
        "budget_yen",
        "requires_application",
        "is_active",
    ]
    list_filter = ["is_active", "requires_application", "municipality"]
    search_fields = ["code", "name_ja", "name_en"]
    inlines = [CategoryRuleInline]

    def get_readonly_fields(self, request, obj=None):
        return ["municipality"] if obj is not None else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A code another request took between the form's check and the save is refused by the services (their
        check, or the unique constraint: the API's 400): the page comes back with the API's message, nothing saved
        (the admin's transaction rolled back)."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refused:
            for message in refused.messages:
                self.message_user(request, message, messages.ERROR)
            return redirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Written with its rules by save_related, through the services."""

    def save_related(self, request, form, formsets, change):
        fields = {
            name: form.cleaned_data[name] for name in programme_services.PROGRAMME_FIELDS if name in form.cleaned_data
        }
        categories = _categories_of(formsets)
        if change:
            saved = programme_services.programme_update(programme=form.instance, categories=categories, **fields)
        else:
            saved = programme_services.programme_create(
                municipality=form.cleaned_data["municipality"], categories=categories, **fields
            )
        # The admin logs and redirects to the object its form holds.
        form.instance.pk = saved.pk
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_deleted_objects(self, objs, request):
        # The service decides what deleting means: a programme with claims (which protect it, and whose pages are
        # read-only) is retired rather than refused.
        deleted, model_count, _perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), []

    def delete_model(self, request, obj):
        if programme_services.programme_retire_or_delete(programme=obj) is not None:
            request._programme_retired = True  # read by response_delete

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_programme_retired", False):
            # The API's answer to the same request.
            self.message_user(request, ProgrammeHasClaims().render_message(), messages.WARNING)
            return redirect(reverse("admin:reimbursements_programme_change", args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    def get_actions(self, request):
        # Deleting goes one programme at a time through the service, which may retire it instead.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ExpenseLineInline(ReadOnlyMixin, admin.TabularInline):
    model = ExpenseLine
    extra = 0
    fields = [
        "category",
        "date",
        "amount_yen",
        "persons",
        "planned",
        "reimbursable_yen",
        "reason",
        "disallowed_reason",
        "disallowed_by",
        "receipt",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs type `fields` as field groups


class ClaimEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ClaimEvent
    extra = 0
    fields = ["from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs type `fields` as field groups


@admin.register(Claim)
class ClaimAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "programme", "visitor", "status", "total_reimbursable_yen", "approved_amount_yen"]
    list_filter = ["status", "programme"]
    list_select_related = ["programme", "visitor"]
    search_fields = ["visitor__email"]
    fields = [
        "booking",
        "visitor",
        "programme",
        "status",
        "lodging_reimbursable_yen",
        "total_reimbursable_yen",
        "applied_at",
        "granted_by",
        "granted_at",
        "granted_amount_yen",
        "submitted_at",
        "approved_by",
        "approved_at",
        "approved_amount_yen",
        "rejection_reason",
        "paid_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs type `fields` as field groups
    inlines = [ExpenseLineInline, ClaimEventInline]


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["claim", "from_status", "to_status", "actor", "at"]
    list_select_related = ["claim", "actor"]
