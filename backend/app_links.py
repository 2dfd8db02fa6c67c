"""Links that open the mobile app: https URLs under the paths the app claims (iOS universal links, Android App
Links), and the two files that prove the claim, /.well-known/apple-app-site-association and
/.well-known/assetlinks.json, built from settings. Without the app installed the same URL opens in a browser."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def app_link(path: str, **query: str) -> str:
    """An https URL under APP_LINK_PATH_PREFIX (e.g. /app/password-reset?uid=…&token=…)."""
    url = f"{settings.APP_LINK_BASE_URL}{settings.APP_LINK_PATH_PREFIX}/{path.strip('/')}"
    return f"{url}?{urlencode(query)}" if query else url


def _claimed_paths() -> list[str]:
    return [f"{settings.APP_LINK_PATH_PREFIX}/*"]


@require_GET
def apple_app_site_association(request):
    app_ids = [f"{settings.APPLE_TEAM_ID}.{bundle}" for bundle in settings.APPLE_BUNDLE_IDS if settings.APPLE_TEAM_ID]
    body = {
        "applinks": {
            "details": [
                {"appIDs": app_ids, "components": [{"/": path} for path in _claimed_paths()]},
            ]
        },
        "webcredentials": {"apps": app_ids},
    }
    return JsonResponse(body)


@require_GET
def assetlinks(request):
    body = [
        {
            "relation": ["delegate_permission/common.handle_all_urls", "delegate_permission/common.get_login_creds"],
            "target": {
                "namespace": "android_app",
                "package_name": settings.ANDROID_PACKAGE_NAME,
                "sha256_cert_fingerprints": settings.ANDROID_CERT_FINGERPRINTS,
            },
        }
    ]
    return JsonResponse(body if settings.ANDROID_PACKAGE_NAME else [], safe=False)
