"""The console in a real browser (headless Chromium) against a live server on PostgreSQL: an operator closes
dates on the grid and walks a day of rooms booked by the hour, staff review a claim with its receipts, grant an application, record a consultation and read
the KPI charts, the language switch, a keyboard-only pass through the claim page, and no error in the browser's
console on any of them. Screenshots go to artifacts/screenshots/."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from bookings.models import Closure
from consultations.models import Consultation
from outcomes.models import Move
from reimbursements.models import Claim, ExpenseLine
from tests import factories
from tests.bookings.factories import HourlyRoomFactory, day
from tests.bookings.factories import at as japan_time
from tests.conftest import client_for
from tests.console.browser import console_errors, log_in, screenshot, wait_for
from tests.console.scenario import applied_claim, book, operator_with_facility, submitted_claim
from tests.consultations.factories import ConsultationFactory, OnlineSlotFactory, SlotFactory, at
from tests.outcomes.helpers import claim as past_claim
from tests.outcomes.helpers import stay

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_operator_closes_a_range_on_the_grid_and_a_quote_is_then_refused(signed_out_browser, live_server, visitor):
    browser = signed_out_browser
    operator, facility, unit = operator_with_facility()
    start = day(1).replace(day=1) + timedelta(days=40)  # well inside next month and after today
    start = start.replace(day=10)
    book(visitor, unit, start - timedelta(days=6), 2, adults=3)
    log_in(browser, live_server.url, operator)
    browser.get(f"{live_server.url}/console/operator/facilities/{facility.id}/?month={start:%Y-%m}")
    wait_for(browser, ".month-grid")
    assert visitor.full_name in browser.find_element(By.CSS_SELECTOR, ".month-grid").text
    first = f".pick[data-unit='{unit.id}'][data-date='{start.isoformat()}']"
    last = f".pick[data-unit='{unit.id}'][data-date='{(start + timedelta(days=2)).isoformat()}']"
    browser.find_element(By.CSS_SELECTOR, first).click()
    browser.find_element(By.CSS_SELECTOR, last).click()
    assert browser.find_element(By.ID, "id_closure-start_date").get_attribute("value") == start.isoformat()
    assert (
        browser.find_element(By.ID, "id_closure-end_date").get_attribute("value")
        == (start + timedelta(days=2)).isoformat()
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, ".cell.in-range")) == 3
    browser.find_element(By.ID, "id_closure-reason").send_keys("配管工事")
    browser.find_element(By.CSS_SELECTOR, "#closure-form button[type=submit]").click()
    wait_for(browser, ".message.success")
    assert "配管工事" in browser.find_element(By.CSS_SELECTOR, ".month-grid").text
    screenshot(browser, "operator-month-grid")
    closure = Closure.objects.get()
    assert (closure.start_date, closure.end_date) == (start, start + timedelta(days=2))

    quote = client_for(visitor, "en").post(
        "/api/v1/quotes/",
        {
            "unit": unit.id,
            "check_in": (start + timedelta(days=1)).isoformat(),
            "check_out": (start + timedelta(days=4)).isoformat(),
            "adults": 1,
        },
        format="json",
    )
    assert quote.status_code == 409 and quote.json()["error"]["code"] == "unit_closed"

    # The next month comes in through htmx (no full reload) and its dates can be picked as well.
    following = (start.replace(day=28) + timedelta(days=10)).replace(day=12)
    browser.find_element(By.CSS_SELECTOR, ".month-nav a[rel=next]").click()
    WebDriverWait(browser, 10).until(
        lambda driver: driver.find_element(By.ID, "month-title").text == f"{following:%Y-%m}"
    )
    browser.find_element(By.CSS_SELECTOR, f".pick[data-unit='{unit.id}'][data-date='{following.isoformat()}']").click()
    assert browser.find_element(By.ID, "id_price-start_date").get_attribute("value") == following.isoformat()

    # The operator's home page (today's arrivals and departures) renders too.
    browser.get(f"{live_server.url}/console/operator/")
    wait_for(browser, "#arrivals-title")
    screenshot(browser, "operator-home")
    assert console_errors(browser) == []


def test_an_operator_walks_a_day_of_rooms_by_the_hour(signed_out_browser, live_server, visitor):
    browser = signed_out_browser
    operator, _facility, _unit = operator_with_facility()
    room = HourlyRoomFactory(facility__operator=operator.organisation)
    other = HourlyRoomFactory(facility=room.facility, name_ja="会議室B", name_en="Meeting room B", count=2)
    client = client_for(visitor)
    for unit, start, end in ((room, "10:00", "11:30"), (other, "13:00", "15:00"), (other, "14:00", "16:00")):
        body = {"unit": unit.id, "starts_at": japan_time(10, start), "ends_at": japan_time(10, end), "adults": 2}
        assert client.post("/api/v1/bookings/", body, format="json").status_code == 201
    closure = client_for(operator).post(
        f"/api/v1/operator/units/{room.id}/time-closures/",
        {"starts_at": japan_time(10, "16:00"), "ends_at": japan_time(10, "17:00"), "reason": "清掃"},
        format="json",
    )
    assert closure.status_code == 201, closure.content
    log_in(browser, live_server.url, operator)
    browser.get(f"{live_server.url}/console/operator/facilities/{room.facility_id}/")
    browser.find_element(By.ID, "day-link").click()
    wait_for(browser, ".day-grid")
    browser.get(f"{live_server.url}/console/operator/facilities/{room.facility_id}/day/?date={day(10).isoformat()}")
    wait_for(browser, ".day-grid")
    grid = browser.find_element(By.CSS_SELECTOR, ".day-grid").text
    assert "10:00–11:30" in grid and visitor.full_name in grid and "清掃" in grid
    full = browser.find_elements(By.CSS_SELECTOR, f".slot.full[data-unit='{other.id}']")
    assert [cell.get_attribute("data-time") for cell in full] == ["14:00", "14:15", "14:30", "14:45"]
    screenshot(browser, "operator-day-of-rooms")
    # The next day comes in through htmx, empty of bookings.
    browser.find_element(By.CSS_SELECTOR, ".month-nav a[rel=next]").click()
    WebDriverWait(browser, 10).until(lambda driver: day(11).isoformat() in driver.find_element(By.ID, "day-title").text)
    assert not browser.find_elements(By.CSS_SELECTOR, ".slot .booking")
    browser.find_element(By.CSS_SELECTOR, "nav.nav a[href='/console/operator/members/']").click()
    wait_for(browser, "#members")
    assert console_errors(browser) == []


def test_staff_review_a_claim_with_its_receipts_disallow_a_line_and_approve(
    signed_out_browser, live_server, programme, visitor, staff_user
):
    browser = signed_out_browser
    claim = submitted_claim(visitor)
    log_in(browser, live_server.url, staff_user)
    wait_for(browser, "#claim-queue")
    screenshot(browser, "staff-claim-queue")
    browser.find_element(By.CSS_SELECTOR, f"#claim-queue a[href='/console/staff/claims/{claim['id']}/']").click()
    wait_for(browser, ".receipt-image")
    images = browser.find_elements(By.CSS_SELECTOR, "img.receipt-image")
    assert len(images) == 2
    for image in images:
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0
    screenshot(browser, "staff-claim")

    line = ExpenseLine.objects.filter(claim_id=claim["id"]).order_by("id").first()
    before = claim["total_reimbursable_yen"]
    browser.find_element(By.ID, f"id_line-{line.id}-reason").send_keys("領収書の宛名が違います")
    browser.find_element(By.CSS_SELECTOR, f"#line-{line.id} .disallow-form button").click()
    wait_for(browser, f"#line-{line.id}.disallowed")
    browser.find_element(By.ID, "approve").click()
    wait_for(browser, "#paid-form")

    api = client_for(visitor).get(f"/api/v1/claims/{claim['id']}/").json()
    assert api["status"] == "approved"
    assert api["total_reimbursable_yen"] < before
    assert api["approved_amount_yen"] == api["total_reimbursable_yen"]
    assert f"¥{api['total_reimbursable_yen']:,}" in browser.find_element(By.ID, "claim-total").text
    events = client_for(staff_user).get(f"/api/v1/claims/{claim['id']}/events/").json()["results"]
    assert [(e["from_status"], e["to_status"]) for e in events][-1] == ("submitted", "approved")
    assert console_errors(browser) == []


def test_the_language_switch(signed_out_browser, live_server, staff_user):
    browser = signed_out_browser
    browser.get(f"{live_server.url}/console/login/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    assert browser.find_element(By.TAG_NAME, "h1").text == "ログイン"
    Select(browser.find_element(By.ID, "language-select")).select_by_value("en")
    browser.find_element(By.ID, "language-submit").click()
    wait_for(browser, "html[lang=en]")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Log in"
    log_in(browser, live_server.url, staff_user)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Claims"
    Select(browser.find_element(By.ID, "language-select")).select_by_value("ja")
    browser.find_element(By.ID, "language-submit").click()
    wait_for(browser, "html[lang=ja]")
    assert browser.find_element(By.TAG_NAME, "h1").text == "申請"
    assert console_errors(browser) == []


def _tab_until(browser, predicate, limit: int = 80):
    """Presses Tab until the focused element satisfies `predicate`; returns every element focused on the way."""
    seen = []
    for _ in range(limit):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        seen.append(active)
        if predicate(active):
            return seen
    raise AssertionError("Tab never reached the element")


def test_the_claim_page_works_from_the_keyboard_alone(signed_out_browser, live_server, programme, visitor, staff_user):
    browser = signed_out_browser
    claim = submitted_claim(visitor)
    log_in(browser, live_server.url, staff_user)
    browser.get(f"{live_server.url}/console/staff/claims/{claim['id']}/")
    wait_for(browser, ".receipt-image")
    actions = {
        element.id
        for element in browser.find_elements(
            By.CSS_SELECTOR, "main form button, main form input:not([type=hidden]), main form textarea, .receipt a"
        )
    }

    # Tab from the top of the page reaches every action of the claim page (links, fields, buttons).
    browser.find_element(By.TAG_NAME, "body").click()
    focused = set()
    for _ in range(len(actions) + 30):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        focused.add(browser.switch_to.active_element.id)
    assert actions <= focused

    # Enter in a line's reason field submits its disallow form.
    line = ExpenseLine.objects.filter(claim_id=claim["id"]).order_by("id").first()
    browser.get(f"{live_server.url}/console/staff/claims/{claim['id']}/")
    wait_for(browser, ".receipt-image")
    browser.find_element(By.TAG_NAME, "body").click()
    _tab_until(browser, lambda element: element.get_attribute("id") == f"id_line-{line.id}-reason")
    browser.switch_to.active_element.send_keys("二重の申請です")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(browser, f"#line-{line.id}.disallowed")

    # Then Tab to Approve and Enter.
    browser.find_element(By.TAG_NAME, "body").click()
    _tab_until(browser, lambda element: element.get_attribute("id") == "approve")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(browser, "#paid-form")
    api = client_for(visitor).get(f"/api/v1/claims/{claim['id']}/").json()
    assert api["status"] == "approved"
    assert next(item for item in api["lines"] if item["id"] == line.id)["disallowed_reason"] == "二重の申請です"
    assert console_errors(browser) == []


def test_staff_grant_an_application_and_the_api_shows_it_granted(
    signed_out_browser, live_server, applications, visitor, staff_user
):
    browser = signed_out_browser
    application = applied_claim(visitor)
    applied_claim(factories.VisitorFactory())
    log_in(browser, live_server.url, staff_user)
    browser.get(f"{live_server.url}/console/staff/applications/")
    wait_for(browser, "#application-queue")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#application-queue tbody a")) == 2
    screenshot(browser, "staff-applications")
    browser.find_element(
        By.CSS_SELECTOR, f"#application-queue a[href='/console/staff/claims/{application['id']}/']"
    ).click()
    wait_for(browser, "#grant")
    screenshot(browser, "staff-application")
    browser.find_element(By.ID, "grant").click()
    wait_for(browser, ".message.success")
    assert browser.find_element(By.ID, "claim-status").text == "交付決定"
    api = client_for(visitor).get(f"/api/v1/claims/{application['id']}/").json()
    assert api["status"] == "granted" and api["granted_by"] == staff_user.id
    assert f"¥{api['granted_amount_yen']:,}" in browser.find_element(By.ID, "claim-granted").text
    assert console_errors(browser) == []


def test_staff_publish_a_slot_and_record_attendance(signed_out_browser, live_server, saku, staff_user):
    browser = signed_out_browser
    started = SlotFactory(starts_at=at(-1), capacity=2)
    came = ConsultationFactory(slot=started, visitor=factories.VisitorFactory(full_name="佐藤 一郎"))
    ConsultationFactory(slot=OnlineSlotFactory(starts_at=at(3)), visitor=factories.VisitorFactory(full_name="鈴木 花"))
    log_in(browser, live_server.url, staff_user)
    browser.get(f"{live_server.url}/console/staff/consultations/")
    wait_for(browser, "#slot-form")
    Select(browser.find_element(By.ID, "id_slot-mode")).select_by_value("in_person")
    # The date and time picker is the browser's own; its value is set as a person's typing would leave it.
    starts = browser.find_element(By.ID, "id_slot-starts_at")
    browser.execute_script("arguments[0].value = arguments[1]", starts, at(12, 15).strftime("%Y-%m-%dT%H:%M"))
    browser.find_element(By.ID, "id_slot-place").send_keys("佐久市役所 2階 相談室")
    browser.find_element(By.CSS_SELECTOR, "#slot-form button[type=submit]").click()
    wait_for(browser, ".message.success")
    assert "佐久市役所 2階 相談室" in browser.find_element(By.ID, "main").text
    browser.find_element(By.CSS_SELECTOR, f"#consultation-{came.id} .mark-attended").click()
    wait_for(browser, f"#consultation-{came.id} .status-attended")
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "staff-consultations")
    assert Consultation.objects.get(id=came.id).status == Consultation.Status.ATTENDED
    assert client_for(staff_user).get(f"/api/v1/consultations/{came.id}/").json()["status"] == "attended"
    assert console_errors(browser) == []


def test_the_kpi_page_draws_its_charts(signed_out_browser, live_server, programme, saku, staff_user, monkeypatch):
    browser = signed_out_browser
    monkeypatch.setattr("bookings.selectors.today", lambda: date(2026, 11, 1))
    unit = factories.UnitFactory(facility=factories.FacilityFactory(municipality=saku))
    for index, (check_in, status, yen) in enumerate(
        [
            (date(2026, 5, 3), Claim.Status.PAID, 24_000),
            (date(2026, 6, 10), Claim.Status.PAID, 18_000),
            (date(2026, 6, 20), Claim.Status.APPROVED, 12_000),
            (date(2026, 8, 1), Claim.Status.PAID, 30_000),
        ]
    ):
        booking = stay(visitor=factories.VisitorFactory(), unit=unit, check_in=check_in, nights=2 + index)
        past_claim(booking=booking, programme=programme, status=status, approved_yen=yen)
    # One of the three paid households has moved to the town since: a third converted.
    mover = Claim.objects.filter(status=Claim.Status.PAID).order_by("id").first().visitor
    Move.objects.create(
        visitor=mover,
        municipality=saku,
        moved_on=date(2026, 10, 1),
        reported_by=mover,
        confirmed_by=staff_user,
        confirmed_at=timezone.now(),
    )
    log_in(browser, live_server.url, staff_user)
    browser.get(f"{live_server.url}/console/staff/kpis/")
    wait_for(browser, "svg#monthly-chart rect")
    bars = browser.find_elements(By.CSS_SELECTOR, "svg#monthly-chart rect")
    assert len(bars) == 24
    drawn = [browser.execute_script("return arguments[0].getBBox().height", bar) for bar in bars]
    assert sum(1 for height in drawn if height > 0) == 6  # May, June, August: stays and yen
    assert browser.find_element(By.CSS_SELECTOR, "svg#monthly-chart").size["width"] > 600
    conversion = browser.find_elements(By.CSS_SELECTOR, "svg#conversion-chart rect")
    assert len(conversion) == 1
    assert browser.execute_script("return arguments[0].getBBox().height", conversion[0]) > 0
    assert "33.3%" in browser.find_element(By.ID, "conversion-chart").text
    screenshot(browser, "staff-kpis")
    assert console_errors(browser) == []
