"""The admin in a real browser: headless Chromium driven by Selenium against a live server.

Needs Debian's `chromium` and `chromium-driver` and the `selenium` package. Without them the
test is skipped with a notice, unless REQUIRE_BROWSER=1 (CI), where that is a failure. No
browser is ever downloaded: the driver is Debian's, named explicitly.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from flowruns.models import FlowRun, StateType
from tests.factories import FlowFactory, FlowRunFactory

REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


def missing_browser() -> str | None:
    if importlib.util.find_spec("selenium") is None:
        return "the selenium package is not installed"
    if not os.access(CHROMEDRIVER, os.X_OK):
        return f"{CHROMEDRIVER} is missing (apt-get install chromium-driver)"
    if shutil.which("chromium") is None:
        return "chromium is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = missing_browser()
    if missing is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"needs a headless browser: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="admin-browser-")
    options = webdriver.ChromeOptions()
    for arg in (*CHROME_ARGS, f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def rows(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [
        cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#result_list th.field-name")
    ]


def test_operator_filters_opens_and_cancels_a_run(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    User.objects.create_superuser("operator", "op@example.com", "secret-pw")
    flow = FlowFactory.create(name="etl")
    target = FlowRunFactory.create(
        flow=flow, name="target-run", state_type=StateType.RUNNING, with_state=True
    )
    FlowRunFactory.create(
        flow=flow, name="done-run", state_type=StateType.COMPLETED, with_state=True
    )
    driver = browser

    # Log in.
    driver.get(f"{live_server.url}/admin/login/?next=/admin/flowruns/flowrun/")
    driver.find_element(By.NAME, "username").send_keys("operator")
    driver.find_element(By.NAME, "password").send_keys("secret-pw")
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    assert sorted(rows(driver)) == ["done-run", "target-run"]

    # Filter by state: only the running run is left.
    filters = driver.find_element(By.ID, "changelist-filter")
    filters.find_element(By.LINK_TEXT, "Running").click()
    assert "state_type__exact=RUNNING" in driver.current_url
    assert rows(driver) == ["target-run"]

    # Open it: its badge and its logs link.
    driver.find_element(By.LINK_TEXT, "target-run").click()
    assert f"/admin/flowruns/flowrun/{target.pk}/change/" in driver.current_url
    badge = driver.find_element(By.CSS_SELECTOR, ".field-current_state .state-badge")
    assert badge.text == "Running"
    logs = driver.find_element(By.CSS_SELECTOR, "a.run-logs")
    assert logs.get_attribute("href").endswith(f"/admin/logs_app/log/?flow_run_id={target.pk}")

    # Back to the filtered list, select it, cancel it through the action.
    driver.back()
    driver.find_element(By.CSS_SELECTOR, f"input.action-select[value='{target.pk}']").click()
    Select(driver.find_element(By.NAME, "action")).select_by_visible_text(
        "Cancel selected flow runs"
    )
    driver.find_element(By.CSS_SELECTOR, "button[name=index]").click()

    message = driver.find_element(By.CSS_SELECTOR, "ul.messagelist li.success")
    assert message.text == '"target-run": CANCELLING accepted; the run is now Cancelling.'
    assert rows(driver) == []  # no longer RUNNING, so the filtered list is empty

    # Unfiltered, the run shows its new badge; the database agrees.
    driver.find_element(By.ID, "changelist-filter").find_element(By.LINK_TEXT, "All").click()
    row = driver.find_element(By.XPATH, "//tr[th[contains(., 'target-run')]]")
    assert row.find_element(By.CSS_SELECTOR, ".state-badge").text == "Cancelling"
    driver.save_screenshot(os.path.join(tempfile.gettempdir(), "admin-flow-runs.png"))
    assert FlowRun.objects.get(pk=target.pk).state_type == "CANCELLING"
