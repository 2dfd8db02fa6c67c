"""Content-Security-Policy on every page, and pages that still work under it: the admin, the Swagger UI docs and
the browsable API load no inline script (which the policy would block) and only scripts the policy allows."""

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db
EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources, self.inline, self.handlers = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script" and (attrs.get("type") or "").lower() in EXECUTABLE:
            if attrs.get("src"):
                self.sources.append(attrs["src"])
            else:
                self.inline += 1


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def allowed(source: str, script_src: list[str]) -> bool:
    if source.startswith("/"):
        return "'self'" in script_src
    return any(source.startswith(origin) for origin in script_src if origin.startswith("https://"))


def assert_runs_under_its_policy(response):
    assert response.status_code == 200
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    page = Scripts()
    page.feed(response.content.decode())
    assert page.inline == 0 and page.handlers == []
    assert all(allowed(source, directives["script-src"]) for source in page.sources), page.sources
    return page


def test_the_api_docs_run_without_inline_script(client):
    page = assert_runs_under_its_policy(client.get("/api/docs/"))

    own = [source for source in page.sources if source.startswith("/api/docs/")]
    assert own, page.sources
    script = client.get(own[0])
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "/api/schema/" in script.content.decode()


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/bookings/booking/"]
)
def test_admin_pages_run_without_inline_script(admin_client, path):
    assert_runs_under_its_policy(admin_client.get(path))


def test_the_admin_login_page_runs_without_inline_script(client):
    assert_runs_under_its_policy(client.get("/admin/login/"))


def test_the_browsable_api_runs_without_inline_script(admin_client):
    assert_runs_under_its_policy(admin_client.get("/api/v1/facilities/", HTTP_ACCEPT="text/html"))
    assert_runs_under_its_policy(admin_client.get("/api-auth/login/"))


def test_json_answers_carry_the_policy_too(client):
    response = client.get("/api/v1/facilities/")

    assert policy(response)["default-src"] == ["'self'"]


def test_the_browsable_api_still_shows_its_own_error_pages(admin_client):
    response = admin_client.get("/api/v1/bookings/999999/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
