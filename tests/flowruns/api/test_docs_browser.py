"""`/api/docs/` in a real browser with no way out to the internet: Swagger UI renders the
operations from our own static files. Headless Chromium as in
tests/flowruns/admin/test_browser.py (skipped without it, unless REQUIRE_BROWSER=1)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.flowruns.admin.test_browser import (
    CHROME_ARGS,
    CHROMEDRIVER,
    REQUIRE_BROWSER,
    missing_browser,
)

pytestmark = pytest.mark.django_db

# Every host name resolves to nothing except the live server's: no CDN, no internet.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"


@pytest.fixture(scope="module")
def offline_browser() -> Iterator[Any]:
    missing = missing_browser()
    if missing is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"needs a headless browser: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="docs-browser-")
    options = webdriver.ChromeOptions()
    for arg in (*CHROME_ARGS, OFFLINE, f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_swagger_ui_renders_the_operations_offline(offline_browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    driver = offline_browser
    driver.get(f"{live_server.url}/api/docs/")
    WebDriverWait(driver, 30).until(
        ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path"))
    )
    paths = {
        element.get_attribute("data-path")
        for element in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    }
    assert {"/api/flow_runs/filter", "/api/flow_runs/{id}/set_state", "/api/logs/"} <= paths
    assert driver.find_element(By.CSS_SELECTOR, ".info .title").text.startswith(
        "Prefect-compatible flow-run API"
    )
    # The browser really is offline: the CDN Swagger UI used to come from is unreachable.
    reached = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui.css', {mode: 'no-cors'})"
        ".then(() => done(true), () => done(false));"
    )
    assert reached is False
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not [e for e in errors if "cdn.jsdelivr" not in e], errors
