"""Every refusal the bookings API's input checks can give is in Japanese by default and in English with
`Accept-Language: en`, the framework's own messages included (lists too long, values not text, NUL characters)."""

import json
import re

import pytest

from tests.bookings.factories import iso
from tests.bookings.helpers import BOOKINGS, QUOTES, book, error
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# (case, who asks, method, path template, JSON body (raw text, so that NUL and lone surrogates get through)
#  or query parameters, the fields refused)
CASES = [
    (
        "too many dates",
        "visitor",
        "post",
        QUOTES,
        json.dumps({"unit": "{unit}", "dates": [iso(1)] * 367, "adults": 1}),
        ["dates"],
    ),
    ("dates not a list", "visitor", "post", QUOTES, '{"unit": "{unit}", "dates": "x", "adults": 1}', ["dates"]),
    (
        "a date not a date",
        "visitor",
        "post",
        QUOTES,
        '{"unit": "{unit}", "dates": [123, null], "adults": 1}',
        ["dates.0", "dates.1"],
    ),
    (
        "numbers out of range",
        "visitor",
        "post",
        QUOTES,
        '{"unit": "x", "adults": 0, "children": -1, "infants": 101}',
        ["unit", "adults", "children", "infants"],
    ),
    ("nulls and missing", "visitor", "post", QUOTES, '{"unit": null}', ["unit", "adults"]),
    ("an overlong number", "visitor", "post", QUOTES, '{"unit": "%s", "adults": 1}' % ("1" * 1001), ["unit"]),
    (
        "a year too far",
        "visitor",
        "post",
        BOOKINGS,
        '{"unit": "{unit}", "check_in": "9999-12-30", "check_out": "9999-12-31", "adults": 1}',
        ["check_in", "check_out"],
    ),
    ("not an object", "visitor", "post", BOOKINGS, '["unit"]', ["non_field_errors"]),
    (
        "bad list filters",
        "visitor",
        "get",
        BOOKINGS,
        {"status": "zz", "page_size": 1000, "date_from": iso(5), "date_to": iso(1)},
        ["status", "page_size"],
    ),
    ("dates the wrong way", "visitor", "get", BOOKINGS, {"date_from": iso(5), "date_to": iso(1)}, ["date_to"]),
    ("a reason not text", "visitor", "post", BOOKINGS + "{booking}/cancel/", '{"reason": ["x"]}', ["reason"]),
    (
        "an overlong reason",
        "visitor",
        "post",
        BOOKINGS + "{booking}/cancel/",
        json.dumps({"reason": "x" * 501}),
        ["reason"],
    ),
    ("a NUL in a reason", "visitor", "post", BOOKINGS + "{booking}/cancel/", '{"reason": "a\\u0000b"}', ["reason"]),
    (
        "closure fields",
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/closures/",
        '{"reason": {}, "start_date": 5, "end_date": null}',
        ["reason", "start_date", "end_date"],
    ),
    (
        "a closure reason with a NUL",
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/closures/",
        '{"reason": "a\\u0000b", "start_date": "%s", "end_date": "%s"}' % (iso(5), iso(6)),
        ["reason"],
    ),
    (
        "a closure reason with a lone surrogate",
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/closures/",
        '{"reason": "a\\ud800b", "start_date": "%s", "end_date": "%s"}' % (iso(5), iso(6)),
        ["reason"],
    ),
    (
        "an empty closure reason",
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/closures/",
        '{"reason": "", "start_date": "%s"}' % iso(5),
        ["reason", "end_date"],
    ),
    (
        "price override fields",
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/price-overrides/",
        json.dumps({"price_yen": -1, "label": "x" * 101, "start_date": iso(5), "end_date": iso(6)}),
        ["price_yen", "label"],
    ),
    (
        "a price override label with a NUL",
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/price-overrides/",
        '{"price_yen": 100, "label": "\\u0000", "start_date": "%s", "end_date": "%s"}' % (iso(5), iso(6)),
        ["label"],
    ),
    ("feed fields", "operator", "post", "/api/v1/calendar-feeds/", '{"scope": "zz", "unit": "a"}', ["scope", "unit"]),
    (
        "feed target for another scope",
        "operator",
        "post",
        "/api/v1/calendar-feeds/",
        '{"scope": "stays", "unit": 1}',
        ["unit"],
    ),
    ("calendar query", "anonymous", "get", "/api/v1/units/{unit}/availability/", {"from": "x", "to": iso(1)}, ["from"]),
    (
        "calendar too long",
        "anonymous",
        "get",
        "/api/v1/units/{unit}/availability/",
        {"from": iso(0), "to": iso(366)},
        ["to"],
    ),
]


@pytest.fixture
def ask(house, visitor, operator_user):
    booking = book(
        client_for(visitor), {"unit": house.id, "check_in": iso(10), "check_out": iso(11), "adults": 1}
    ).json()
    users = {"visitor": visitor, "operator": operator_user, "anonymous": None}

    def send(who, method, path, payload, language=None):
        client = client_for(users[who], language) if users[who] else client_for_anonymous(language)
        path = path.replace("{unit}", str(house.id)).replace("{booking}", str(booking["id"]))
        if method == "get":
            return client.get(path, payload)
        return client.post(path, payload.replace('"{unit}"', str(house.id)), content_type="application/json")

    return send


def client_for_anonymous(language):
    from rest_framework.test import APIClient

    client = APIClient()
    if language:
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def messages(response) -> list[str]:
    body = error(response)
    return [body["message"]] + [text for texts in body["fields"].values() for text in texts]


@pytest.mark.parametrize("case,who,method,path,payload,fields", CASES, ids=[case[0] for case in CASES])
def test_input_refusals_are_translated(ask, case, who, method, path, payload, fields):
    japanese = ask(who, method, path, payload)
    english = ask(who, method, path, payload, "en")

    assert japanese.status_code == english.status_code == 400, japanese.content
    assert sorted(error(japanese)["fields"]) == sorted(error(english)["fields"]) == sorted(fields)
    untranslated = [text for text in messages(japanese) if not JAPANESE.search(text)]
    assert untranslated == []
    assert [text for text in messages(english) if JAPANESE.search(text)] == []


def test_the_framework_messages_named_in_reports_come_out_in_japanese(ask):
    too_many = ask("visitor", "post", QUOTES, json.dumps({"unit": "{unit}", "dates": [iso(1)] * 367, "adults": 1}))
    not_text = ask(
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/closures/",
        '{"reason": ["x"], "start_date": "%s", "end_date": "%s"}' % (iso(5), iso(6)),
    )
    nul = ask(
        "operator",
        "post",
        "/api/v1/operator/units/{unit}/closures/",
        '{"reason": "\\u0000", "start_date": "%s", "end_date": "%s"}' % (iso(5), iso(6)),
    )

    assert error(too_many)["fields"]["dates"] == ["この項目の要素は366個以下にしてください。"]
    assert error(not_text)["fields"]["reason"] == ["有効な文字列ではありません。"]
    assert error(nul)["fields"]["reason"] == ["テキストにNUL文字は使えません。"]
