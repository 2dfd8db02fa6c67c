"""`GET /api/v1/municipalities/?q=`: the municipality picker searches codes, names (kanji, kana, English) and
prefectures, as a page."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

URL = "/api/v1/municipalities/"


@pytest.fixture
def catalogue(db):
    call_command("seed_demo", stdout=io.StringIO())


def codes(client, q, **headers) -> list[str]:
    response = client.get(URL, {"q": q}, **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["code"] for row in body["results"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("202177", ["202177"]),  # the code
        ("2020", ["202088"]),  # the start of a code
        ("２０２１", ["202177"]),  # full-width digits
        ("佐久", ["202177"]),  # kanji
        ("さく", ["202177"]),  # hiragana
        ("サク", ["202177"]),  # katakana
        ("ｻｸ", ["202177"]),  # half-width katakana
        ("saku", ["202177"]),  # English, any case
        ("KOMORO", ["202088"]),
        ("長野", ["202088", "202177", "203246"]),  # the prefecture
        ("miyazaki", ["454028"]),
        ("  松江 ", ["322016"]),
        ("0177", []),  # a code matches from its start only
        ("札幌", []),
    ],
)
def test_q_searches_code_names_kana_and_prefecture(api_client, catalogue, q, expected):
    assert codes(api_client, q) == expected


def test_without_q_every_municipality_is_listed_with_its_reading(api_client, catalogue):
    body = api_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 5 and body["next"] is None
    saku = body["results"][1]  # by code: Komoro (202088) first
    assert (saku["code"], saku["name"], saku["name_kana"], saku["prefecture"]) == ("202177", "Saku", "さくし", "Nagano")
    assert codes(api_client, "") == [row["code"] for row in body["results"]]


def test_a_page_costs_the_same_queries_whatever_it_holds(api_client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(3):  # the count, the page, its areas
        api_client.get(URL, {"q": "長野", "page_size": 2})


def test_an_overlong_q_is_a_400_naming_it(api_client, catalogue):
    response = api_client.get(URL, {"q": "x" * 51})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["q"]
