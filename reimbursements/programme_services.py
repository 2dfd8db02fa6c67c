"""Writes of programmes by their town's staff: create, change, retire or delete, with the checks the admin shares.

A programme is data that estimates and claims read, so what a programme may say is checked here, in one place:
the API's services and the admin's forms both call `programme_field_errors` and `category_rule_errors`.
Errors are keyed by field; a category's by `categories.<index>.<field>`, as the API's error shape names nested
fields. Claims keep the figures they were computed with, so changing a programme never changes a submitted one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from facilities.models import Municipality

from .categories import CATALOGUE, MONTH_BASES, category_get
from .models import CategoryRule, Programme

PROGRAMME_FIELDS = (
    "code",
    "name_ja",
    "name_en",
    "valid_from",
    "valid_until",
    "fiscal_year_start_month",
    "budget_yen",
    "max_days_per_group",
    "max_nights_per_group",
    "residence_rule",
    "min_nights",
    "max_amount_per_household_per_fy",
    "max_claims_per_fy",
    "max_party_size",
    "rounding_unit_yen",
    "is_active",
    "requires_application",
    "application_deadline_days",
    "requires_consultation",
    "requires_survey",
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
)
CATEGORY_FIELDS = (
    "category",
    "name_ja",
    "name_en",
    "basis",
    "cap_yen",
    "cap_child_yen",
    "cap_infant_yen",
    "cost_share_percent",
)

MAX_BUDGET_YEN = 100_000_000_000
MAX_AMOUNT_YEN = 99_999_999  # a household's maximum, like a booking's total
MAX_CAP_YEN = 10_000_000
MAX_ROUNDING_UNIT_YEN = 100_000
MAX_DAYS = 366
MAX_CLAIMS = 100
MAX_PARTY_SIZE = 100

# field -> (smallest, largest) accepted; None where the field may be empty.
PROGRAMME_BOUNDS = {
    "fiscal_year_start_month": (1, 12),
    "budget_yen": (0, MAX_BUDGET_YEN),
    "max_days_per_group": (1, MAX_DAYS),
    "max_nights_per_group": (1, MAX_DAYS),
    "min_nights": (1, MAX_DAYS),
    "max_amount_per_household_per_fy": (1, MAX_AMOUNT_YEN),
    "max_claims_per_fy": (1, MAX_CLAIMS),
    "max_party_size": (1, MAX_PARTY_SIZE),
    "rounding_unit_yen": (1, MAX_ROUNDING_UNIT_YEN),
    "application_deadline_days": (0, 365),
    "age_limit_at_move": (1, 150),
    "certification_window_months": (0, 120),
    "period_months": (1, 240),
    "first_month_offset": (0, 12),
    "share_percent": (1, 100),
    "monthly_cap_yen": (0, MAX_CAP_YEN),
    "lifetime_cap_yen": (0, MAX_AMOUNT_YEN),
}
NULLABLE = {
    "budget_yen",
    "max_days_per_group",
    "max_nights_per_group",
    "min_nights",
    "max_amount_per_household_per_fy",
    "max_claims_per_fy",
    "max_party_size",
    "application_deadline_days",
    "age_limit_at_move",
    "certification_window_months",
    "period_months",
    "share_percent",
    "monthly_cap_yen",
    "lifetime_cap_yen",
}
MONTHLY_CATEGORY_LISTS = ("counted_categories", "deducted_categories", "excluded_categories")
MONTH_CATEGORIES = [slug for slug, category in CATALOGUE.items() if category.bases == MONTH_BASES]
CATEGORY_BOUNDS = {
    "cap_yen": (0, MAX_CAP_YEN),
    "cap_child_yen": (0, MAX_CAP_YEN),
    "cap_infant_yen": (0, MAX_CAP_YEN),
    "cost_share_percent": (1, 100),
}


def _bound_error(value, low: int, high: int) -> str | None:
    if value < low:
        return _("Ensure this value is greater than or equal to %(limit)s.") % {"limit": f"{low:,}"}
    if value > high:
        return _("Ensure this value is less than or equal to %(limit)s.") % {"limit": f"{high:,}"}
    return None


def programme_field_errors(*, values: dict, programme: Programme | None = None) -> dict[str, list[str]]:
    """What is wrong with a programme's own fields (not its categories), by field. `values` holds the fields
    as they would be saved; a field missing from it (the admin's form already refused its value) is skipped."""
    errors: dict[str, list[str]] = {}
    for name, (low, high) in PROGRAMME_BOUNDS.items():
        value = values.get(name)
        if value is None:
            if name in values and name not in NULLABLE:
                errors[name] = [_("This field may not be null.")]
            continue
        message = _bound_error(value, low, high)
        if message:
            errors[name] = [message]
    valid_from, valid_until = values.get("valid_from"), values.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = [
            _("The last check-in date must not be before the first (%(valid_from)s).")
            % {"valid_from": valid_from.isoformat()}
        ]
    rule = values.get("residence_rule")
    if rule is not None and rule not in Programme.ResidenceRule.values:
        errors["residence_rule"] = [
            _("Unknown residence rule %(value)s; one of: %(choices)s.")
            % {"value": rule, "choices": ", ".join(Programme.ResidenceRule.values)}
        ]
    if (
        values.get("application_deadline_days") is not None
        and "application_deadline_days" not in errors
        and not values.get("requires_application")
    ):
        errors["application_deadline_days"] = [_("A deadline for applications needs requires_application.")]
    errors.update(_monthly_errors(values))
    code = values.get("code")
    if code:
        others = Programme.objects.filter(code=code)
        if programme is not None and programme.pk:
            others = others.exclude(pk=programme.pk)
        if others.exists():
            errors["code"] = [code_taken_message(code)]
    return errors


def _monthly_errors(values: dict) -> dict[str, list[str]]:
    """A monthly programme's own rules (rules 41-45): its kind, its category lists and its workplaces."""
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    if kind is not None and kind not in Programme.Kind.values:
        errors["kind"] = [
            _("Unknown kind %(value)s; one of: %(choices)s.")
            % {"value": kind, "choices": ", ".join(Programme.Kind.values)}
        ]
        return errors
    seen: set = set()
    for name in MONTHLY_CATEGORY_LISTS:
        slugs = values.get(name)
        if slugs is None:
            continue
        if not isinstance(slugs, list) or not all(isinstance(slug, str) for slug in slugs):
            errors[name] = [_("A list of categories.")]
            continue
        unknown = [slug for slug in slugs if slug not in MONTH_CATEGORIES]
        if unknown:
            errors[name] = [
                _("Unknown category %(value)s; monthly programmes take: %(choices)s.")
                % {"value": unknown[0], "choices": ", ".join(MONTH_CATEGORIES)}
            ]
        elif seen & set(slugs):
            errors[name] = [_("A category is listed once, in one list.")]
        seen |= set(slugs)
    prefectures = values.get("workplace_prefectures")
    if prefectures is not None and (
        not isinstance(prefectures, list) or not all(isinstance(p, str) and 0 < len(p) <= 10 for p in prefectures)
    ):
        errors["workplace_prefectures"] = [_("A list of prefecture names.")]
    if kind == Programme.Kind.MONTHLY and "counted_categories" not in errors and not values.get("counted_categories"):
        errors["counted_categories"] = [_("A monthly programme counts at least one category.")]
    if kind == Programme.Kind.MONTHLY and values.get("period_months") is None and "period_months" not in errors:
        errors["period_months"] = [_("A monthly programme pays for a number of months.")]
    return errors


def code_taken_message(code: str) -> str:
    return _("A programme with the code %(code)s already exists.") % {"code": code}


def category_rule_errors(*, values: dict) -> dict[str, list[str]]:
    """What is wrong with one category rule, by field."""
    errors: dict[str, list[str]] = {}
    slug = values.get("category")
    category = category_get(slug) if slug else None
    if slug and category is None:
        errors["category"] = [
            _("Unknown category %(value)s; known categories: %(choices)s.")
            % {"value": slug, "choices": ", ".join(CATALOGUE)}
        ]
    basis = values.get("basis")
    if basis is not None:
        if basis not in CategoryRule.Basis.values:
            errors["basis"] = [
                _("Unknown basis %(value)s; one of: %(choices)s.")
                % {"value": basis, "choices": ", ".join(CategoryRule.Basis.values)}
            ]
        elif category is not None and basis not in category.bases:
            errors["basis"] = [
                _("%(category)s is paid on one of these bases: %(choices)s.")
                % {"category": slug, "choices": ", ".join(category.bases)}
            ]
    for name, (low, high) in CATEGORY_BOUNDS.items():
        value = values.get(name)
        if value is not None:
            message = _bound_error(value, low, high)
            if message:
                errors[name] = [message]
    return errors


def category_duplicates(slugs: list[str | None]) -> set[int]:
    """Indexes of the rules that repeat a category listed before them."""
    seen, repeated = set(), set()
    for index, slug in enumerate(slugs):
        if slug is None:
            continue
        if slug in seen:
            repeated.add(index)
        seen.add(slug)
    return repeated


def duplicate_category_message(slug: str) -> str:
    return _("The category %(category)s is listed more than once.") % {"category": slug}


def no_category_message() -> str:
    return _("A programme lists at least one category.")


def _categories_errors(categories: list[dict]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not categories:
        errors["categories"] = [no_category_message()]
    for index, values in enumerate(categories):
        for name, messages in category_rule_errors(values=values).items():
            errors[f"categories.{index}.{name}"] = messages
    for index in sorted(category_duplicates([values.get("category") for values in categories])):
        errors.setdefault(f"categories.{index}.category", []).append(
            duplicate_category_message(categories[index]["category"])
        )
    return errors


def _with_names(values: dict) -> dict:
    """A rule without names takes the catalogue's."""
    category = CATALOGUE[values["category"]]
    return {
        **values,
        "name_ja": values.get("name_ja") or category.name_ja,
        "name_en": values.get("name_en") or category.name_en,
    }


def _save_categories(programme: Programme, categories: list[dict]) -> None:
    """The programme's rules become exactly `categories`: kept ones are updated, others added or removed."""
    existing = {rule.category: rule for rule in programme.categories.all()}
    wanted = [_with_names(values) for values in categories]
    CategoryRule.objects.filter(programme=programme).exclude(
        category__in=[values["category"] for values in wanted]
    ).delete()
    for values in wanted:
        rule = existing.get(values["category"]) or CategoryRule(programme=programme, category=values["category"])
        for name in CATEGORY_FIELDS[1:]:
            setattr(rule, name, values.get(name))
        rule.save()


def _save(programme: Programme) -> None:
    """Saves the programme; a code taken meanwhile by a concurrent request (the unique constraint) is the same 400
    as one taken before."""
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        if Programme.objects.filter(code=programme.code).exclude(pk=programme.pk).exists():
            raise ValidationError({"code": [code_taken_message(programme.code)]}) from None
        raise


def _validated(programme: Programme, categories: list[dict] | None) -> None:
    values = {name: getattr(programme, name) for name in PROGRAMME_FIELDS}
    errors = programme_field_errors(values=values, programme=programme)
    if categories is not None and not (programme.is_monthly and not categories):
        errors.update(_categories_errors(categories))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def programme_create(
    *, municipality: Municipality, categories: list[dict] | None = None, not_combinable_with=None, **fields
) -> Programme:
    """A new programme of the staff member's town with its category rules (a monthly programme needs none);
    nothing is saved if any is wrong."""
    programme = Programme(
        municipality=municipality, **{name: value for name, value in fields.items() if name in PROGRAMME_FIELDS}
    )
    categories = categories or []
    _validated(programme, categories)
    others = _combinable_checked(municipality, not_combinable_with)
    _save(programme)
    _save_categories(programme, categories)
    if others:
        programme.not_combinable_with.set(others)
    return programme


def _combinable_checked(municipality: Municipality, codes: list[str] | None) -> list[Programme]:
    """The programmes named by `codes` (the town's own); an unknown code is a 400 naming the field."""
    if not codes:
        return []
    found = list(Programme.objects.filter(municipality=municipality, code__in=codes))
    missing = sorted(set(codes) - {p.code for p in found})
    if missing:
        raise ValidationError(
            {"not_combinable_with": [_("No programme of your town has the code %(code)s.") % {"code": missing[0]}]}
        )
    return found


@transaction.atomic
def programme_update(
    *, programme: Programme, categories: list[dict] | None = None, not_combinable_with=None, **fields
) -> Programme:
    """Changes the given fields; `categories`, when given, replaces the programme's rules. Submitted claims keep
    their figures; drafts follow the new rules when next read."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    for name, value in fields.items():
        if name in PROGRAMME_FIELDS:
            setattr(programme, name, value)
    _validated(programme, categories)
    others = _combinable_checked(programme.municipality, not_combinable_with)
    _save(programme)
    if categories is not None:
        _save_categories(programme, categories)
    if not_combinable_with is not None:
        programme.not_combinable_with.set(others)
    return programme


@transaction.atomic
def programme_retire_or_delete(*, programme: Programme) -> Programme | None:
    """Deletes a programme nobody has claimed under. One with claims (whatever their status) is kept for them and
    retired instead (returned): it covers no new bookings and takes no new claims, its claims go on."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.claims.exists():
        try:
            with transaction.atomic():
                programme.delete()
            return None
        except ProtectedError:
            pass  # a claim arrived after the check: keep the programme for it
    if programme.is_active:
        programme.is_active = False
        programme.save(update_fields=["is_active"])
    return programme
