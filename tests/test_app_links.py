"""The files that let the mobile app open this site's links (iOS universal links, Android App Links): built from
settings, answered 200 as JSON without a redirect; the links in emails fall under the paths they claim."""

import pytest

from backend.app_links import app_link

AASA = "/.well-known/apple-app-site-association"
ASSETLINKS = "/.well-known/assetlinks.json"


@pytest.fixture
def apps(settings):
    settings.APPLE_TEAM_ID = "ABCDE12345"
    settings.APPLE_BUNDLE_IDS = ["jp.otameshi.app"]
    settings.ANDROID_PACKAGE_NAME = "jp.otameshi.app"
    settings.ANDROID_CERT_FINGERPRINTS = [
        "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"
    ]
    settings.APP_LINK_BASE_URL = "https://otameshi.example"


def test_the_apple_file_names_the_app_and_the_paths_it_opens(client, apps):
    response = client.get(AASA)

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    details = response.json()["applinks"]["details"]
    assert details == [{"appIDs": ["ABCDE12345.jp.otameshi.app"], "components": [{"/": "/app/*"}]}]
    assert response.json()["webcredentials"] == {"apps": ["ABCDE12345.jp.otameshi.app"]}


def test_the_android_file_names_the_package_and_its_certificates(client, apps, settings):
    response = client.get(ASSETLINKS)

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    [statement] = response.json()
    assert "delegate_permission/common.handle_all_urls" in statement["relation"]
    assert statement["target"] == {
        "namespace": "android_app",
        "package_name": "jp.otameshi.app",
        "sha256_cert_fingerprints": settings.ANDROID_CERT_FINGERPRINTS,
    }


def test_without_settings_the_files_claim_nothing(client, settings):
    settings.APPLE_TEAM_ID, settings.ANDROID_PACKAGE_NAME = "", ""

    assert client.get(AASA).json()["applinks"]["details"][0]["appIDs"] == []
    assert client.get(ASSETLINKS).json() == []


@pytest.mark.parametrize("path", [AASA, ASSETLINKS])
def test_no_redirect_whatever_the_trailing_slash_setting(client, apps, path):
    response = client.get(path, follow=False)

    assert response.status_code == 200


def test_links_in_emails_are_https_under_the_claimed_paths(apps):
    link = app_link("password-reset", uid="MQ", token="abc-123")

    assert link == "https://otameshi.example/app/password-reset?uid=MQ&token=abc-123"
