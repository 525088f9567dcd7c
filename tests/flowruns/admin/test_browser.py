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
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

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


def test_operator_sees_the_dashboard_filters_runs_and_cancels_one_with_history(
    browser, live_server
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    User.objects.create_superuser("operator", "op@example.com", "secret-pw")
    flow = FlowFactory.create(name="etl")
    recent = timezone.now() - timedelta(minutes=30)
    target = FlowRunFactory.create(
        flow=flow,
        name="target-run",
        state_type=StateType.RUNNING,
        with_state=True,
        expected_start_time=recent,
        tags=["team-1", "env:prod", "priority:high", "nightly", "eu-west"],
    )
    FlowRunFactory.create(
        flow=flow,
        name="done-run",
        state_type=StateType.COMPLETED,
        with_state=True,
        expected_start_time=recent,
    )
    FlowRunFactory.create(
        flow=flow,
        name="next-week-run",
        state_type=StateType.SCHEDULED,
        with_state=True,
        expected_start_time=timezone.now() + timedelta(days=7),
    )
    driver = browser

    # Log in: the admin opens on the dashboard, whose chart is drawn (served SVG, no script).
    driver.get(f"{live_server.url}/admin/login/?next=/admin/")
    driver.find_element(By.NAME, "username").send_keys("operator")
    driver.find_element(By.NAME, "password").send_keys("secret-pw")
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    chart = driver.find_element(By.CSS_SELECTOR, "#dashboard-history svg.runs-chart")
    assert chart.size["width"] > 600 and chart.size["height"] > 100
    bars = driver.find_elements(By.CSS_SELECTOR, "svg.runs-chart rect.bar")
    assert {bar.get_attribute("class") for bar in bars} >= {
        "bar state-running",
        "bar state-completed",
    }
    assert max(bar.size["height"] for bar in bars) > 20  # the browser laid the bars out
    driver.save_screenshot(os.path.join(tempfile.gettempdir(), "admin-dashboard.png"))

    # The run list opens on recent runs (not next week's) and fits a 1400 px screen.
    driver.find_element(By.LINK_TEXT, "Flow runs").click()
    assert sorted(rows(driver)) == ["done-run", "target-run"]
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1400

    # Filter by state: only the running run is left.
    filters = driver.find_element(By.ID, "changelist-filter")
    filters.find_element(By.LINK_TEXT, "Running").click()
    assert "state_type__exact=RUNNING" in driver.current_url
    assert rows(driver) == ["target-run"]

    # Open it: its badge, its logs link and its timeline.
    driver.find_element(By.LINK_TEXT, "target-run").click()
    assert f"/admin/flowruns/flowrun/{target.pk}/change/" in driver.current_url
    badge = driver.find_element(By.CSS_SELECTOR, ".field-current_state .state-badge")
    assert badge.text == "Running"
    logs = driver.find_element(By.CSS_SELECTOR, "a.run-logs")
    assert logs.get_attribute("href").endswith(f"/admin/logs_app/log/?flow_run_id={target.pk}")
    timeline = driver.find_element(By.CSS_SELECTOR, "svg.run-timeline")
    assert timeline.size["width"] > 600

    # Back to the filtered list, select it, cancel it: a confirmation page first.
    driver.back()
    driver.find_element(By.CSS_SELECTOR, f"input.action-select[value='{target.pk}']").click()
    Select(driver.find_element(By.NAME, "action")).select_by_visible_text(
        "Cancel selected flow runs…"
    )
    driver.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    summary = driver.find_element(By.ID, "action-summary")
    assert "1 Running → Cancelling" in summary.text
    assert FlowRun.objects.get(pk=target.pk).state_type == "RUNNING"  # nothing yet
    driver.find_element(By.CSS_SELECTOR, "input[name=confirm]").click()

    message = driver.find_element(By.CSS_SELECTOR, "ul.messagelist li.success")
    assert message.text == 'Cancel: 1 run now Cancelling: "target-run".'
    assert rows(driver) == []  # no longer RUNNING, so the filtered list is empty
    assert FlowRun.objects.get(pk=target.pk).state_type == "CANCELLING"

    # The run's History shows who did what.
    driver.get(f"{live_server.url}/admin/flowruns/flowrun/{target.pk}/history/")
    history = driver.find_element(By.ID, "change-history").text
    assert "operator" in history and "Cancel: Running → Cancelling" in history
