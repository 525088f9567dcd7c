"""The admin pages of the background services: read-only, what each did, who ran it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from background.models import ServiceRun, ServiceState
from tests.background.fakes import Calls, service

pytestmark = pytest.mark.django_db

SERVICES = "/admin/background/servicestate/"
HISTORY = "/admin/background/servicerun/"


@pytest.fixture
def ran(register):
    """Two passes recorded through the real command: one changed runs, one raised."""
    register(
        service("late_runs", Calls(changes=2)),
        service("zombies", Calls(error=RuntimeError("lost connection"))),
        service("pause_expirations", Calls(), enabled=False),
    )
    with pytest.raises(CommandError):
        call_command("run_services", "--once")


def test_service_list_shows_last_pass_what_it_changed_and_who_ran_it(admin_client, ran):
    page = admin_client.get(SERVICES).content.decode()

    assert "changed run 0 …" in page  # the notes of the last pass (first line, more to see)
    assert "raised: RuntimeError: lost connection" in page
    state = ServiceState.objects.get(name="late_runs")
    assert f"{state.host} pid {state.pid}" in page
    assert "never ran" in page  # the disabled service is listed too


def test_service_page_shows_all_notes_and_links_to_its_history(admin_client, ran):
    page = admin_client.get(f"{SERVICES}late_runs/change/").content.decode()

    assert "changed run 0\nchanged run 1" in page
    assert f'href="{HISTORY}?service=late_runs"' in page


def test_history_filters_by_service_and_by_outcome(admin_client, ran):
    by_service = admin_client.get(HISTORY, {"service": "late_runs"})
    raised = admin_client.get(HISTORY, {"outcome": "raised"})

    assert [run.service for run in by_service.context["cl"].result_list] == ["late_runs"]
    assert [run.service for run in raised.context["cl"].result_list] == ["zombies"]
    assert (
        "lost connection"
        in admin_client.get(
            f"{HISTORY}{raised.context['cl'].result_list[0].pk}/change/"
        ).content.decode()
    )


def test_history_lists_newest_first(admin_client):
    now = datetime(2026, 3, 1, tzinfo=UTC)
    for minutes in (3, 1, 2):
        ServiceRun.objects.create(
            service="late_runs", started=now - timedelta(minutes=minutes), duration_ms=5, changed=1
        )

    listed = admin_client.get(HISTORY).context["cl"].result_list

    assert [run.started for run in listed] == sorted((run.started for run in listed), reverse=True)


def test_the_pages_are_read_only(admin_client, ran):
    assert admin_client.get(f"{SERVICES}add/").status_code == 403
    assert admin_client.post(f"{SERVICES}late_runs/delete/").status_code == 403
    run = ServiceRun.objects.first()
    assert run is not None
    assert admin_client.post(f"{HISTORY}{run.pk}/delete/").status_code == 403
