"""The admin's programme pages refuse what the API refuses, with the same messages, and save nothing then."""

import pytest
from django.urls import reverse

from reimbursements.models import CategoryRule, Programme

pytestmark = pytest.mark.django_db


def form_data(programme: Programme | None, municipality, categories: list[dict], **changes) -> dict:
    """The POST the admin's change (or add) page sends: the programme's fields and its inline rules."""
    rules = list(programme.categories.all()) if programme else []
    data = {
        "code": programme.code if programme else "saku-transport-2026",
        "name_ja": "佐久市交通費補助",
        "name_en": "Saku transport",
        "municipality": municipality.pk,
        "valid_from": "2026-04-01",
        "valid_until": "2027-03-31",
        "fiscal_year_start_month": 4,
        "budget_yen": "",
        "max_days_per_group": 6,
        "max_nights_per_group": "",
        "min_nights": "",
        "max_amount_per_household_per_fy": "",
        "max_claims_per_fy": "",
        "max_party_size": "",
        "rounding_unit_yen": 1,
        "residence_rule": "outside_municipality",
        "is_active": "on",
        "categories-TOTAL_FORMS": len(categories),
        "categories-INITIAL_FORMS": len(rules),
        "categories-MIN_NUM_FORMS": 0,
        "categories-MAX_NUM_FORMS": 1000,
    }
    for i, values in enumerate(categories):
        row = {
            "name_ja": "",
            "name_en": "",
            "cap_yen": "",
            "cap_child_yen": "",
            "cap_infant_yen": "",
            "cost_share_percent": "",
            **values,
        }
        if i < len(rules):
            row["id"] = rules[i].id
        if programme:
            row["programme"] = programme.pk
        data.update({f"categories-{i}-{key}": value for key, value in row.items()})
    data.update(changes)
    return data


def saku_rows(programme) -> list[dict]:
    return [
        {
            "category": r.category,
            "basis": r.basis,
            "cap_yen": r.cap_yen if r.cap_yen is not None else "",
            "name_ja": r.name_ja,
            "name_en": r.name_en,
        }
        for r in programme.categories.all()
    ]


def errors_of(response) -> list[str]:
    """Every error message the page shows, from the programme's form and the rules' formset."""
    messages = [m for ms in response.context["adminform"].form.errors.values() for m in ms]
    for inline in response.context["inline_admin_formsets"]:
        messages += list(inline.formset.non_form_errors())
        messages += [m for form_errors in inline.formset.errors for ms in form_errors.values() for m in ms]
    return messages


def snapshot() -> list:
    return [list(Programme.objects.order_by("id").values()), list(CategoryRule.objects.order_by("id").values())]


def lodging_first(programme, **changes) -> list[dict]:
    rows = saku_rows(programme)
    rows[0].update(changes)
    assert rows[0]["category"] == "lodging"
    return rows


# (what to change, the message the admin shows: the one the API gives)
CASES = {
    "window_reversed": (
        lambda p: {"valid_until": "2026-03-31"},
        "The last check-in date must not be before the first (2026-04-01).",
    ),
    "rounding_unit_0": (lambda p: {"rounding_unit_yen": 0}, "Ensure this value is greater than or equal to 1."),
    "fiscal_month_13": (lambda p: {"fiscal_year_start_month": 13}, "Ensure this value is less than or equal to 12."),
    "day_limit_0": (lambda p: {"max_days_per_group": 0}, "Ensure this value is greater than or equal to 1."),
    "share_over_100": (
        lambda p: {"categories-0-cost_share_percent": 101},
        "Ensure this value is less than or equal to 100.",
    ),
    "share_under_1": (
        lambda p: {"categories-0-cost_share_percent": 0},
        "Ensure this value is greater than or equal to 1.",
    ),
    "huge_cap": (
        lambda p: {"categories-0-cap_yen": 20_000_000},
        "Ensure this value is less than or equal to 10,000,000.",
    ),
    "unknown_category": (lambda p: {"categories-6-category": "helicopter"}, "Unknown category helicopter"),
    "category_twice": (lambda p: {"categories-6-category": "taxi"}, "The category taxi is listed more than once."),
    "basis_unfit": (
        lambda p: {"categories-0-basis": "day"},
        "lodging is paid on one of these bases: person_night, night.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_change_page_refuses_what_the_api_refuses(case, admin_client, programme):
    change, message = CASES[case]
    before = snapshot()
    data = form_data(programme, programme.municipality, saku_rows(programme), **change(programme))
    response = admin_client.post(
        reverse("admin:reimbursements_programme_change", args=[programme.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200  # the form again, with its errors
    assert any(message in text for text in errors_of(response)), errors_of(response)
    assert snapshot() == before


@pytest.mark.parametrize("field", ["cap_yen", "cap_child_yen", "cap_infant_yen"])
def test_negative_caps_are_refused(field, admin_client, programme):
    before = snapshot()
    data = form_data(programme, programme.municipality, saku_rows(programme), **{f"categories-1-{field}": -1})
    response = admin_client.post(
        reverse("admin:reimbursements_programme_change", args=[programme.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert any("greater than or equal to 0" in text for text in errors_of(response))
    assert snapshot() == before


def test_an_unknown_basis_is_refused(admin_client, programme):
    before = snapshot()
    data = form_data(programme, programme.municipality, saku_rows(programme), **{"categories-2-basis": "per_trip"})
    response = admin_client.post(reverse("admin:reimbursements_programme_change", args=[programme.pk]), data)
    assert response.status_code == 200
    assert errors_of(response) == ["正しく選択してください。 per_trip は候補にありません。"]
    assert snapshot() == before


def test_the_add_page_refuses_a_code_taken_and_adds_with_catalogue_names(admin_client, programme):
    rows = [
        {"category": "lodging", "basis": "person_night", "cap_yen": 3000},
        {"category": "shinkansen", "basis": "person_day", "cap_yen": 10000, "name_en": "Bullet train"},
    ]
    url = reverse("admin:reimbursements_programme_add")
    before = snapshot()
    taken = admin_client.post(
        url, form_data(None, programme.municipality, rows, code=programme.code), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert taken.status_code == 200
    assert "A programme with the code saku-trial-stay-2026 already exists." in errors_of(taken)
    assert snapshot() == before

    added = admin_client.post(url, form_data(None, programme.municipality, rows))
    assert added.status_code == 302, errors_of(added)
    new = Programme.objects.get(code="saku-transport-2026")
    assert {(r.category, r.name_ja, r.name_en) for r in new.categories.all()} == {
        ("lodging", "宿泊費", "Lodging"),
        ("shinkansen", "新幹線料金", "Bullet train"),
    }


def test_a_programme_without_categories_is_refused(admin_client, programme):
    before = snapshot()
    response = admin_client.post(
        reverse("admin:reimbursements_programme_add"),
        form_data(None, programme.municipality, []),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "A programme lists at least one category." in errors_of(response)
    assert snapshot() == before


def test_a_code_taken_by_another_request_after_the_form_checked_it_is_refused_with_the_apis_message(
    admin_client, programme, monkeypatch
):
    """Two staff add the same code at once: the form found it free, the other request took it before the save.
    The services' refusal (their own check, or the unique constraint if the other commits later still) comes back
    as the API's message on the same page instead of a 500, nothing saved."""
    from reimbursements import programme_services

    create = programme_services.programme_create

    def taken_meanwhile(**kwargs):
        Programme.objects.filter(pk=programme.pk).update(code="saku-transport-2026")
        return create(**kwargs)

    monkeypatch.setattr(programme_services, "programme_create", taken_meanwhile)
    rows = [{"category": "lodging", "basis": "person_night", "cap_yen": 3000}]
    url = reverse("admin:reimbursements_programme_add")

    response = admin_client.post(url, form_data(None, programme.municipality, rows), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == url
    shown = [str(m) for m in admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["messages"]]
    assert shown == ["A programme with the code saku-transport-2026 already exists."]
    # The admin's transaction rolled back, the other request's change with it here (it is one test transaction):
    # only the programme that was there is there.
    assert list(Programme.objects.values_list("pk", flat=True)) == [programme.pk]
