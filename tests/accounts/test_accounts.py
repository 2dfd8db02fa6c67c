"""Sign-up, tokens for the mobile app, the visitor's profile, and the roles' constraints in the database."""

import pytest
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import User
from accounts.prefectures import PREFECTURES, municipality_code_is_valid, prefecture_code
from tests.conftest import client_for
from tests.factories import OperatorOrganisationFactory, VisitorFactory

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"
PASSWORD = "correct-horse-battery"


def fields(response) -> dict:
    return response.json()["error"]["fields"]


def test_register_a_visitor(api_client):
    response = api_client.post(
        REGISTER,
        {
            "email": "Taro@Example.jp",
            "password": PASSWORD,
            "full_name": "山田 太郎",
            "home_prefecture": "東京都",
            "home_municipality": "世田谷区",
            "home_municipality_code": "131121",
        },
        format="json",
    )

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["email"] == "taro@example.jp" and body["detail"]
    assert "password" not in body and "id" not in body
    user = User.objects.get(email="taro@example.jp")
    assert user.role == "visitor"
    assert user.check_password(PASSWORD) and user.home_municipality_code == "131121"


def test_signing_up_with_a_taken_email_answers_as_for_a_new_one_and_emails_its_owner(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    owner = VisitorFactory(email="hanako@example.jp", full_name="佐久 花子")
    new = api_client.post(REGISTER, {"email": "someone-new@example.jp", "password": PASSWORD}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        taken = api_client.post(
            REGISTER, {"email": "HANAKO@example.jp", "password": PASSWORD, "full_name": "なりすまし"}, format="json"
        )

    assert (taken.status_code, new.status_code) == (202, 202)
    assert taken.json()["detail"] == new.json()["detail"]
    assert set(taken.json()) == set(new.json())
    assert User.objects.filter(email__iexact="hanako@example.jp").count() == 1
    owner.refresh_from_db()
    assert owner.full_name == "佐久 花子" and owner.check_password(PASSWORD)
    assert [message.to for message in mailoutbox] == [["hanako@example.jp"]]
    assert "already has an account" in mailoutbox[0].body


def test_a_sign_up_losing_the_race_to_the_unique_index_emails_the_owner(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """Two sign-ups with one address both pass the lookup; the second insert hits the unique index."""
    VisitorFactory(email="race@example.jp")
    real_filter = User.objects.filter
    calls = []

    def filter_missing_the_first_time(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return User.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(User.objects, "filter", filter_missing_the_first_time)

    with django_capture_on_commit_callbacks(execute=True):
        created = services.visitor_register(email="race@example.jp", password=PASSWORD)

    assert created is None
    assert real_filter(email="race@example.jp").count() == 1
    assert [message.to for message in mailoutbox] == [["race@example.jp"]]


@pytest.mark.parametrize(
    "password",
    ["short", "elevenchars", "password123", "12345678901234", "race@example.jp", "1q2w3e4r5t6y", "qwertyuiop123"],
)
def test_a_weak_password_is_a_400_naming_password(api_client, password):
    response = api_client.post(REGISTER, {"email": "race@example.jp", "password": password}, format="json")

    assert response.status_code == 400
    assert "password" in fields(response)
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"home_prefecture": "東京"}, "home_prefecture"),
        ({"home_municipality_code": "13112"}, "home_municipality_code"),
        ({"home_municipality_code": "131122"}, "home_municipality_code"),
        ({"home_prefecture": "長野県", "home_municipality_code": "131121"}, "home_municipality_code"),
    ],
)
def test_bad_sign_up_is_a_400_naming_the_field(api_client, body, field):
    response = api_client.post(REGISTER, {"email": "new@example.jp", "password": PASSWORD, **body}, format="json")

    assert response.status_code == 400
    assert field in fields(response)
    assert User.objects.count() == 0


def test_token_and_refresh(api_client):
    VisitorFactory(email="hanako@example.jp")

    tokens = api_client.post(TOKEN, {"email": "hanako@example.jp", "password": PASSWORD}, format="json")
    assert tokens.status_code == 200
    refreshed = api_client.post(REFRESH, {"refresh": tokens.json()["refresh"]}, format="json")
    assert refreshed.status_code == 200

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert api_client.get(ME).json()["email"] == "hanako@example.jp"


def test_wrong_password_and_bad_refresh_are_401_in_the_error_shape(api_client):
    VisitorFactory(email="hanako@example.jp")

    wrong = api_client.post(TOKEN, {"email": "hanako@example.jp", "password": "not-the-password"}, format="json")
    bad_refresh = api_client.post(REFRESH, {"refresh": "garbage"}, format="json")

    assert wrong.status_code == 401 and "code" in wrong.json()["error"]
    assert bad_refresh.status_code == 401 and "code" in bad_refresh.json()["error"]
    assert api_client.get(ME).status_code == 401


def test_profile_update(visitor):
    client = client_for(visitor)

    response = client.patch(
        ME,
        {
            "home_prefecture": "長野県",
            "home_municipality": "佐久市",
            "home_municipality_code": "202177",
            "phone": "0267-00-0000",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    visitor.refresh_from_db()
    assert (visitor.home_prefecture, visitor.home_municipality_code, visitor.phone) == (
        "長野県",
        "202177",
        "0267-00-0000",
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"home_prefecture": "Tokyo"}, "home_prefecture"),
        ({"home_municipality_code": "202177"}, "home_municipality_code"),  # Saku, but the stored prefecture is Tokyo
        ({"home_prefecture": "長野県"}, "home_municipality_code"),  # the stored code is Setagaya's
        ({"home_municipality_code": "２０２１７７"}, "home_municipality_code"),
        ({"home_municipality_code": "992177"}, "home_municipality_code"),
    ],
)
def test_bad_profile_update_is_a_400_naming_the_field_and_changes_nothing(visitor, body, field):
    client = client_for(visitor)

    response = client.patch(ME, body, format="json")

    assert response.status_code == 400
    assert field in fields(response)
    visitor.refresh_from_db()
    assert (visitor.home_prefecture, visitor.home_municipality_code) == ("東京都", "131121")


def test_the_role_cannot_be_changed_through_the_profile(visitor):
    client_for(visitor).patch(ME, {"role": "operator", "email": "other@example.jp"}, format="json")

    visitor.refresh_from_db()
    assert visitor.role == "visitor" and visitor.email != "other@example.jp"


def test_an_operator_must_belong_to_an_organisation_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("op@example.jp", PASSWORD, role=User.Role.OPERATOR)

    User.objects.create_user(
        "op@example.jp", PASSWORD, role=User.Role.OPERATOR, organisation=OperatorOrganisationFactory()
    )


def test_municipal_staff_must_belong_to_a_municipality_in_the_database(saku):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("staff@example.jp", PASSWORD, role=User.Role.MUNICIPAL_STAFF)
    user = User.objects.create_user("staff@example.jp", PASSWORD, role=User.Role.MUNICIPAL_STAFF, municipality=saku)

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(municipality=None)


@pytest.mark.parametrize(
    "code, valid",
    [
        ("202177", True),
        ("131121", True),
        ("322016", True),
        ("011002", True),
        ("202178", False),
        ("482177", False),
        ("002177", False),
    ],
)
def test_municipality_code_check_digit(code, valid):
    assert municipality_code_is_valid(code) is valid


def test_prefecture_codes_follow_jis_order():
    assert (
        prefecture_code("北海道"),
        prefecture_code("東京都"),
        prefecture_code("長野県"),
        prefecture_code("沖縄県"),
    ) == ("01", "13", "20", "47")
    assert len(PREFECTURES) == 47
