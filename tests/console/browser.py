"""A headless Chromium driven by Selenium for the console's browser tests, with screenshots CI keeps."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", settings.BASE_DIR / "artifacts" / "screenshots"))


def chromium() -> webdriver.Chrome:
    """Chromium and its driver from the system packages (apt: chromium, chromium-driver), at tablet width."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1180,900",
        "--lang=ja",
        "--no-first-run",
        "--disable-extensions",
    ):
        options.add_argument(argument)
    # A browser set to Japanese, as the towns' and operators' machines are.
    options.add_experimental_option("prefs", {"intl.accept_languages": "ja"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


def wait_for(driver, css: str, timeout: int = 10):
    return WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def screenshot(driver, name: str) -> Path:
    """Saves a full-width screenshot of the page under SCREENSHOTS and prints where."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    # The window's height includes the browser's own bars: add them, so that the page's foot is in the picture.
    bars = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(1180, min(max(height + bars, 900), 2400))
    driver.save_screenshot(str(path))
    driver.set_window_size(1180, 900)
    print(f"screenshot: {path}")
    return path


def console_errors(driver) -> list[dict]:
    """The browser console's errors since the last call (CSP violations, failed loads, script errors)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def log_in(driver, base_url: str, user, password: str = "correct-horse-battery") -> None:
    driver.get(f"{base_url}/console/login/")
    driver.find_element(By.ID, "id_username").send_keys(user.email)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    wait_for(driver, "nav.nav a[aria-current=page]")
