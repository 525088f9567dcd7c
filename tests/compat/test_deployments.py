"""Deployments with the real 3.8.8 client (spec/deployments.md §14): `flow.serve()` registers
its deployment and runs what is scheduled for it; `run_deployment()` from another process;
the scheduler service fills a schedule added later; the `prefect deployment` CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from .runner import Background, Client
from .server import REPO

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

INTERVAL = 10  # seconds between the served deployment's runs
WAIT = 120


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def wait_for(what: str, probe: Any, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(1)
    pytest.fail(f"no {what} within {timeout}s")


@pytest.fixture(scope="module")
def fast_client(prefect: Client) -> Client:
    """The client with a 2 s runner poll (default 10 s), so runs start close to on time."""
    return Client(
        bin=prefect.bin,
        api_url=prefect.api_url,
        home=prefect.home,
        extra_env={"PREFECT_RUNNER_POLL_FREQUENCY": "2"},
    )


@pytest.fixture(scope="module")
def served(fast_client: Client, rest, nonce, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The deployment `compat-served/served-<nonce>`, served by a live `flow.serve()`."""
    name = f"served-{nonce}"
    serving: Background = fast_client.start_scenario(
        "serve.py", name, str(INTERVAL), log_dir=tmp_path_factory.mktemp("serve")
    )
    try:

        def registered() -> Any:
            reply = rest.call("GET", f"/deployments/name/compat-served/{name}")
            if serving.process.poll() is not None:
                pytest.fail(f"serve exited:\n{serving.wait(5).describe()}")
            return reply.body if reply.status == 200 else None

        yield wait_for("served deployment", registered)
    finally:
        serving.stop()


def test_serve_registers_the_deployment(served: dict[str, Any]) -> None:
    assert served["entrypoint"].endswith("serve.py:hello")
    assert served["parameters"] == {"name": "srv"}
    assert served["tags"] == ["served"]
    assert served["schedules"][0]["schedule"]["interval"] == float(INTERVAL)
    assert served["paused"] is False
    assert served["parameter_openapi_schema"]["properties"]["n"]["type"] == "integer"


def test_scheduled_runs_of_the_served_deployment_run_on_time(served, rest) -> None:
    def completed() -> list[dict[str, Any]]:
        runs = rest.post(
            "/flow_runs/filter",
            {"deployments": {"id": {"any_": [served["id"]]}},
             "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
        )  # fmt: skip
        auto = [r for r in runs if r["auto_scheduled"]]
        return auto if len(auto) >= 2 else []

    runs = wait_for("two completed scheduled runs", completed)
    for run in runs:
        assert "auto-scheduled" in run["tags"]
        assert run["parameters"] == {"name": "srv"}
        # On time: the runner (polling every 2 s, prefetching runs due in the next 10 s) took
        # it (PENDING) within seconds of its scheduled start; the engine's own start-up on a
        # busy machine is not measured.
        states = rest.get(f"/flow_run_states/?flow_run_id={run['id']}")
        picked = min(_parse(s["timestamp"]) for s in states if s["type"] == "PENDING")
        late = picked - _parse(run["expected_start_time"])
        assert abs(late) < timedelta(seconds=12), (late, run)


def test_run_deployment_from_another_process_merges_parameters(served, prefect) -> None:
    done = prefect.scenario(
        "run_deployment.py", f"compat-served/{served['name']}", '{"n": 3}', timeout=180
    )
    assert done.result["state"] == "COMPLETED", done.describe()
    assert done.result["parameters"] == {"name": "srv", "n": 3}


def test_run_deployment_with_parameters_the_schema_refuses(served, prefect) -> None:
    done = prefect.scenario("run_deployment.py", f"compat-served/{served['name']}", '{"n": "many"}')
    assert done.result["error"]["status"] == 409
    assert "Validation failed for field 'n'" in done.result["error"]["message"]


def test_cli_deployment_commands(served, prefect, rest) -> None:
    full = f"compat-served/{served['name']}"
    listed = prefect.prefect("deployment", "ls")
    assert listed.returncode == 0 and served["name"] in listed.stdout, listed.describe()
    inspected = prefect.prefect("deployment", "inspect", full)
    assert inspected.returncode == 0 and served["id"] in inspected.stdout, inspected.describe()
    ran = prefect.prefect("deployment", "run", full, "--param", "n=4")
    assert ran.returncode == 0, ran.describe()
    runs = rest.post("/flow_runs/filter", {"deployments": {"id": {"any_": [served["id"]]}}})
    assert any(r["parameters"] == {"name": "srv", "n": 4} for r in runs)


@pytest.fixture(scope="module")
def services(compat_server) -> Iterator[subprocess.Popen[bytes]]:
    """`manage.py run_services` for the two scheduler loops, with fast loops."""
    env = {
        **compat_server._env(),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_services", "--service", "scheduler",
         "--service", "recent_deployments_scheduler"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_cli_schedule_commands_and_the_scheduler_service(services, prefect, rest, nonce) -> None:
    body = {"name": f"cli-{nonce}", "flow_id": rest.post("/flows/", {"name": "compat-cli"})["id"]}
    deployment = rest.post("/deployments/", body)
    full = f"compat-cli/cli-{nonce}"
    made = prefect.prefect("deployment", "schedule", "create", full, "--interval", "600")
    assert made.returncode == 0, made.describe()
    schedule = rest.get(f"/deployments/{deployment['id']}")["schedules"][0]

    # POST /schedules schedules nothing itself: the service's main loop does.
    def scheduled() -> list[dict[str, Any]]:
        return [
            r
            for r in rest.post(
                "/flow_runs/filter", {"deployments": {"id": {"any_": [deployment["id"]]}}}
            )
            if r["created_by"] and r["created_by"]["id"] == schedule["id"]
        ]

    runs = wait_for("runs from the scheduler service", scheduled, timeout=60)
    assert len(runs) in (6, 7)  # every 10 minutes until at least an hour ahead
    listed = prefect.prefect("deployment", "schedule", "ls", full)
    assert listed.returncode == 0 and schedule["id"] in listed.stdout, listed.describe()
    paused = prefect.prefect("deployment", "schedule", "pause", full, schedule["id"])
    assert paused.returncode == 0, paused.describe()
    assert rest.get(f"/deployments/{deployment['id']}/schedules")[0]["active"] is False
    resumed = prefect.prefect("deployment", "schedule", "resume", full, schedule["id"])
    assert resumed.returncode == 0, resumed.describe()
    deleted = prefect.prefect("deployment", "schedule", "delete", full, schedule["id"], "-y")
    assert deleted.returncode == 0, deleted.describe()
    assert rest.get(f"/deployments/{deployment['id']}/schedules") == []
    gone = prefect.prefect("deployment", "delete", full)
    assert gone.returncode == 0, gone.describe()
    assert rest.call("GET", f"/deployments/{deployment['id']}").status == 404
