"""Staff manage their town's programmes through the API: create, change, retire, delete; every bad input refused
with the field named, in Japanese and English, and nothing saved."""

import copy
from datetime import date

import pytest

from reimbursements.models import CategoryRule, Claim, Programme
from tests import factories
from tests.conftest import client_for
from tests.reimbursements.factories import make_booking
from tests.reimbursements.helpers import add_line, estimate, open_claim, submit

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/v1/programmes/"

NEW_PROGRAMME = {
    "code": "saku-transport-2026",
    "name_ja": "佐久市交通費補助（令和8年度）",
    "name_en": "Saku transport subsidy (fiscal 2026)",
    "valid_from": "2026-04-01",
    "valid_until": "2027-03-31",
    "budget_yen": 3000000,
    "max_days_per_group": None,
    "max_nights_per_group": 7,
    "residence_rule": "outside_prefecture",
    "max_amount_per_household_per_fy": 25000,
    "rounding_unit_yen": 100,
    "categories": [
        {"category": "lodging", "basis": "person_night", "cap_yen": 3000, "cost_share_percent": 50},
        {
            "category": "shinkansen",
            "name_ja": "新幹線",
            "name_en": "Bullet train",
            "basis": "person_day",
            "cap_yen": 10000,
            "cap_child_yen": 5000,
            "cap_infant_yen": 0,
        },
        {"category": "taxi", "basis": "day", "cap_yen": None},
    ],
}


def body(**changes) -> dict:
    data = copy.deepcopy(NEW_PROGRAMME)
    data.update(changes)
    return data


def with_category(index: int, **changes) -> dict:
    data = body()
    data["categories"][index].update(changes)
    return data


@pytest.fixture
def other_staff_client(db):
    return client_for(factories.StaffFactory(municipality=factories.MunicipalityFactory()))


@pytest.fixture
def created(staff_client, saku):
    response = staff_client.post(PROGRAMMES, body(), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def snapshot() -> list:
    """Every programme and rule as stored, to show a refused request changed nothing."""
    return [list(Programme.objects.order_by("id").values()), list(CategoryRule.objects.order_by("id").values())]


# --- create -----------------------------------------------------------------------------------------------------


def test_staff_create_a_programme_of_their_own_town(created, api_client, saku):
    assert created["municipality_code"] == saku.code == "202177"
    assert (created["max_days_per_group"], created["max_nights_per_group"]) == (None, 7)
    assert (created["residence_rule"], created["rounding_unit_yen"], created["is_active"]) == (
        "outside_prefecture",
        100,
        True,
    )
    assert created["fiscal_year_start_month"] == 4  # the default: April
    lodging, shinkansen, taxi = created["categories"]
    # A rule without names takes the catalogue's.
    assert (lodging["name_ja"], lodging["name_en"], lodging["cost_share_percent"]) == ("宿泊費", "Lodging", 50)
    assert (shinkansen["name_ja"], shinkansen["cap_child_yen"], shinkansen["cap_infant_yen"]) == ("新幹線", 5000, 0)
    assert (taxi["name_en"], taxi["cap_yen"]) == ("Taxi", None)
    public = api_client.get(PROGRAMMES + "saku-transport-2026/")
    assert public.status_code == 200 and public.json() == created
    assert [p["code"] for p in api_client.get(PROGRAMMES).json()["results"]] == ["saku-transport-2026"]


def test_the_municipality_sent_is_ignored(staff_client, saku):
    other = factories.MunicipalityFactory()
    response = staff_client.post(PROGRAMMES, body(municipality_code=other.code, municipality=other.id), format="json")
    assert response.status_code == 201
    assert Programme.objects.get(code="saku-transport-2026").municipality_id == saku.id


def test_a_new_programme_covers_bookings_in_its_town(staff_client, saku, visitor, visitor_client):
    staff_client.post(
        PROGRAMMES,
        body(
            code="saku-lodging",
            residence_rule="any",
            rounding_unit_yen=1,
            max_days_per_group=6,
            categories=[{"category": "lodging", "basis": "person_night", "cap_yen": 2500}],
        ),
        format="json",
    )
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3), price=9000)
    reimbursement = estimate(visitor_client, booking)
    assert reimbursement["programme"] == "saku-lodging"
    assert reimbursement["lodging_reimbursable_yen"] == 2 * 2500


# --- who may --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "operator"])
def test_visitors_and_operators_are_forbidden(role, request, programme):
    client = request.getfixturevalue(f"{role}_client")
    before = snapshot()
    assert client.post(PROGRAMMES, body(), format="json").status_code == 403
    url = PROGRAMMES + programme.code + "/"
    assert client.patch(url, {"budget_yen": 1}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert client.get(url).status_code == 200  # reading stays public
    assert snapshot() == before


def test_anonymous_writes_need_a_login(api_client, programme):
    assert api_client.post(PROGRAMMES, body(), format="json").status_code == 401
    assert api_client.delete(PROGRAMMES + programme.code + "/").status_code == 401


def test_another_towns_staff_do_not_find_the_programme(other_staff_client, programme):
    before = snapshot()
    url = PROGRAMMES + programme.code + "/"
    for response in (other_staff_client.patch(url, {"budget_yen": 1}, format="json"), other_staff_client.delete(url)):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "programme_not_found"
    assert other_staff_client.get(url).status_code == 200  # an active programme is public
    assert snapshot() == before


def test_another_towns_staff_create_for_their_own_town(other_staff_client, saku):
    response = other_staff_client.post(PROGRAMMES, body(), format="json")
    assert response.status_code == 201
    assert response.json()["municipality_code"] != saku.code


# --- change -----------------------------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(staff_client, created):
    response = staff_client.patch(
        PROGRAMMES + "saku-transport-2026/",
        {"budget_yen": None, "max_days_per_group": 6, "min_nights": 2},
        format="json",
    )
    assert response.status_code == 200, response.content
    body_ = response.json()
    assert (body_["budget_yen"], body_["max_days_per_group"], body_["min_nights"]) == (None, 6, 2)
    assert body_["categories"] == created["categories"]
    assert body_["name_ja"] == created["name_ja"]


def test_patch_of_categories_replaces_the_set(staff_client, created):
    lodging_id = CategoryRule.objects.get(programme__code="saku-transport-2026", category="lodging").id
    response = staff_client.patch(
        PROGRAMMES + "saku-transport-2026/",
        {
            "categories": [
                {"category": "rental_car", "basis": "day", "cap_yen": 3000},
                {"category": "lodging", "basis": "night", "cap_yen": 8000},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    categories = response.json()["categories"]
    assert {c["category"]: (c["basis"], c["cap_yen"], c["cost_share_percent"]) for c in categories} == {
        "lodging": ("night", 8000, None),
        "rental_car": ("day", 3000, None),
    }
    rules = CategoryRule.objects.filter(programme__code="saku-transport-2026")
    assert set(rules.values_list("category", flat=True)) == {"lodging", "rental_car"}
    assert rules.get(category="lodging").id == lodging_id  # a kept rule is updated, not replaced


def test_patch_checks_against_the_stored_fields(staff_client, created, saku):
    before = snapshot()
    response = client_for(factories.StaffFactory(municipality=saku), "en").patch(
        PROGRAMMES + "saku-transport-2026/", {"valid_until": "2026-03-31"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["valid_until"] == [
        "The last check-in date must not be before the first (2026-04-01)."
    ]
    assert snapshot() == before


def test_the_code_can_change_but_not_to_one_taken(staff_client, created, programme):
    taken = staff_client.patch(PROGRAMMES + "saku-transport-2026/", {"code": programme.code}, format="json")
    assert taken.status_code == 400 and "code" in taken.json()["error"]["fields"]
    renamed = staff_client.patch(PROGRAMMES + "saku-transport-2026/", {"code": "saku-transport-2026b"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["code"] == "saku-transport-2026b"
    assert staff_client.get(PROGRAMMES + "saku-transport-2026/").status_code == 404


def test_changing_caps_never_changes_a_submitted_claim(
    programme, staff_client, visitor, visitor_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 4), adults=2)
    claim = open_claim(visitor_client, booking)
    add_line(visitor_client, claim["id"], category="rental_car", date="2026-12-02", amount_yen=5500)
    before = submit(visitor_client, claim["id"]).json()
    assert (before["status"], before["lodging_reimbursable_yen"], before["total_reimbursable_yen"]) == (
        "submitted",
        24000,
        27000,
    )
    assert before["lines"][0]["reimbursable_yen"] == 3000

    categories = [
        {"category": rule.category, "basis": rule.basis, "cap_yen": rule.cap_yen} for rule in programme.categories.all()
    ]
    for category in categories:
        if category["category"] in ("lodging", "rental_car"):
            category["cap_yen"] = 1000
    response = staff_client.patch(PROGRAMMES + programme.code + "/", {"categories": categories}, format="json")
    assert response.status_code == 200, response.content

    for client in (visitor_client, staff_client):
        after = client.get(f"/api/v1/claims/{claim['id']}/").json()
        assert after["lodging_reimbursable_yen"] == 24000 and after["total_reimbursable_yen"] == 27000
        assert after["lines"][0]["reimbursable_yen"] == 3000
    approved = staff_client.post(f"/api/v1/claims/{claim['id']}/approve/").json()
    assert (approved["status"], approved["approved_amount_yen"]) == ("approved", 27000)
    # The new caps hold for a stay estimated now (another visitor: a new group).
    newcomer = factories.VisitorFactory()
    later = make_booking(visitor=newcomer, check_in=date(2027, 1, 10), check_out=date(2027, 1, 12), adults=2)
    assert estimate(client_for(newcomer), later)["lodging_reimbursable_yen"] == 2 * 2 * 1000


# --- retire and delete ----------------------------------------------------------------------------------------


def test_a_programme_without_claims_is_deleted(staff_client, created):
    response = staff_client.delete(PROGRAMMES + "saku-transport-2026/")
    assert response.status_code == 204
    assert not Programme.objects.filter(code="saku-transport-2026").exists()
    assert not CategoryRule.objects.filter(programme__code="saku-transport-2026").exists()
    assert staff_client.get(PROGRAMMES + "saku-transport-2026/").status_code == 404


@pytest.mark.parametrize(
    "language, message",
    [
        ("ja", "この補助制度には申請があるため削除できません"),
        ("en", "This programme has claims, so it cannot be deleted: it has been retired instead."),
    ],
)
def test_a_programme_with_claims_is_retired_and_its_claims_stay(
    language, message, programme, staff_user, visitor, visitor_client, api_client
):
    booking = make_booking(visitor=visitor, check_in=date(2026, 12, 1), check_out=date(2026, 12, 3))
    claim = open_claim(visitor_client, booking)
    staff = client_for(staff_user, language)
    response = staff.delete(PROGRAMMES + programme.code + "/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "programme_has_claims"
    assert message in response.json()["error"]["message"]
    # Retired: gone from the public list, still there for its town's staff, its claim untouched.
    assert api_client.get(PROGRAMMES).json()["results"] == []
    assert api_client.get(PROGRAMMES + programme.code + "/").status_code == 404
    detail = staff.get(PROGRAMMES + programme.code + "/").json()
    assert detail["is_active"] is False and len(detail["categories"]) == 7
    assert [p["code"] for p in staff.get(PROGRAMMES).json()["results"]] == [programme.code]
    mine = visitor_client.get(f"/api/v1/claims/{claim['id']}/").json()
    assert (mine["status"], mine["programme"]) == ("draft", programme.code)
    assert Claim.objects.filter(id=claim["id"]).exists()
    assert staff.delete(PROGRAMMES + programme.code + "/").status_code == 409  # again: still kept


def test_patch_retires_and_reactivates(staff_client, created, api_client):
    response = staff_client.patch(PROGRAMMES + "saku-transport-2026/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert api_client.get(PROGRAMMES).json()["results"] == []
    assert (
        staff_client.patch(PROGRAMMES + "saku-transport-2026/", {"is_active": True}, format="json").json()["is_active"]
        is True
    )
    assert [p["code"] for p in api_client.get(PROGRAMMES).json()["results"]] == ["saku-transport-2026"]


def test_another_towns_retired_programme_is_hidden_from_staff(other_staff_client, staff_client, created):
    staff_client.patch(PROGRAMMES + "saku-transport-2026/", {"is_active": False}, format="json")
    assert other_staff_client.get(PROGRAMMES + "saku-transport-2026/").status_code == 404
    assert other_staff_client.get(PROGRAMMES).json()["results"] == []


# --- bad input --------------------------------------------------------------------------------------------------

# (request body, the field named, a part of the Japanese message, a part of the English message)
BAD_CREATES = {
    "window_reversed": (
        body(valid_until="2026-03-31"),
        "valid_until",
        "最初のチェックイン日（2026-04-01）より前",
        "must not be before the first (2026-04-01)",
    ),
    "negative_cap": (with_category(0, cap_yen=-1), "categories.0.cap_yen", "0以上", "greater than or equal to 0"),
    "negative_child_cap": (
        with_category(1, cap_child_yen=-500),
        "categories.1.cap_child_yen",
        "0以上",
        "greater than or equal to 0",
    ),
    "huge_cap": (
        with_category(1, cap_yen=10**12),
        "categories.1.cap_yen",
        "10,000,000以下",
        "less than or equal to 10,000,000",
    ),
    "share_over_100": (
        with_category(0, cost_share_percent=101),
        "categories.0.cost_share_percent",
        "100以下",
        "less than or equal to 100",
    ),
    "share_under_1": (
        with_category(0, cost_share_percent=0),
        "categories.0.cost_share_percent",
        "1以上",
        "greater than or equal to 1",
    ),
    "rounding_unit_0": (body(rounding_unit_yen=0), "rounding_unit_yen", "1以上", "greater than or equal to 1"),
    "fiscal_month_13": (
        body(fiscal_year_start_month=13),
        "fiscal_year_start_month",
        "12以下",
        "less than or equal to 12",
    ),
    "day_limit_0": (body(max_days_per_group=0), "max_days_per_group", "1以上", "greater than or equal to 1"),
    "negative_budget": (body(budget_yen=-1), "budget_yen", "0以上", "greater than or equal to 0"),
    "unknown_basis": (
        with_category(2, basis="per_trip"),
        "categories.2.basis",
        "有効な選択肢ではありません",
        "is not a valid choice",
    ),
    "basis_unfit": (
        with_category(0, basis="day"),
        "categories.0.basis",
        "lodging の算定基準は",
        "lodging is paid on one of these bases: person_night, night",
    ),
    "unknown_category": (
        with_category(2, category="helicopter"),
        "categories.2.category",
        "経費区分 helicopter は不明です",
        "Unknown category helicopter",
    ),
    "category_twice": (
        body(
            categories=[
                {"category": "taxi", "basis": "day"},
                {"category": "lodging", "basis": "night", "cap_yen": 5000},
                {"category": "taxi", "basis": "day", "cap_yen": 2000},
            ]
        ),
        "categories.2.category",
        "経費区分 taxi が複数回",
        "The category taxi is listed more than once",
    ),
    "no_categories": (body(categories=[]), "categories", "経費区分が少なくとも1つ必要", "at least one category"),
    "cap_not_a_number": (with_category(1, cap_yen="many"), "categories.1.cap_yen", "有効な整数", "valid integer"),
    "unknown_residence_rule": (
        body(residence_rule="tokyo_only"),
        "residence_rule",
        "有効な選択肢ではありません",
        "is not a valid choice",
    ),
    "window_not_a_date": (body(valid_from="2026-02-30"), "valid_from", "日付の形式が違います", "Date has wrong format"),
    "code_not_a_slug": (
        body(code="佐久 2026"),
        "code",
        "アンダースコア、またはハイフン",
        "letters, numbers, underscores or hyphens",
    ),
}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("case", list(BAD_CREATES))
def test_bad_input_is_refused_naming_the_field(case, language, staff_user, programme):
    data, field, japanese, english = BAD_CREATES[case]
    before = snapshot()
    response = client_for(staff_user, language).post(PROGRAMMES, data, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert (japanese if language == "ja" else english) in error["fields"][field][0]
    assert field in error["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "language, message",
    [
        ("ja", "コード saku-trial-stay-2026 の補助制度は既に存在します"),
        ("en", "A programme with the code saku-trial-stay-2026 already exists"),
    ],
)
def test_a_second_programme_with_the_same_code_is_refused(language, message, staff_user, programme):
    before = snapshot()
    response = client_for(staff_user, language).post(PROGRAMMES, body(code=programme.code), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["code"] == [message + ("。" if language == "ja" else ".")]
    assert snapshot() == before


def test_another_towns_code_is_taken_too(other_staff_client, programme):
    response = other_staff_client.post(PROGRAMMES, body(code=programme.code), format="json")
    assert response.status_code == 400 and "code" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "case", ["negative_cap", "category_twice", "unknown_category", "share_over_100", "basis_unfit", "cap_not_a_number"]
)
def test_a_bad_category_in_a_patch_changes_nothing(case, staff_client, created):
    before = snapshot()
    data, field, _ja, _en = BAD_CREATES[case]
    response = staff_client.patch(
        PROGRAMMES + "saku-transport-2026/", {"budget_yen": 1, "categories": data["categories"]}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert snapshot() == before


def test_every_field_error_is_reported_at_once(staff_client, saku):
    data = body(valid_until="2026-01-01", rounding_unit_yen=0)
    data["categories"][0]["cap_yen"] = -5
    data["categories"][1]["cost_share_percent"] = 150
    fields = staff_client.post(PROGRAMMES, data, format="json").json()["error"]["fields"]
    assert set(fields) == {
        "valid_until",
        "rounding_unit_yen",
        "categories.0.cap_yen",
        "categories.1.cost_share_percent",
    }


def test_the_list_costs_a_fixed_number_of_queries(
    api_client, staff_client, created, programme, django_assert_num_queries
):
    for n in range(3):
        staff_client.post(PROGRAMMES, body(code=f"saku-extra-{n}"), format="json")
    # The page's count, the programmes with their towns, every rule, every programme it cannot be combined with.
    with django_assert_num_queries(4):
        assert len(api_client.get(PROGRAMMES).json()["results"]) == 5
