"""A flow whose process is killed with SIGKILL ends Crashed on the server within the configured
time: the real client sends heartbeats over the events socket, the server records them, and the
zombie sweep (ZOMBIE_FLOW_RUNS_AFTER_SECONDS=5 here) crashes the run once they stop.

The sweep runs in a process of its own against the live server's database, in a loop
(`manage.py shell`), so the test does not depend on whether the server under test also starts
`run_services`: two sweepers are harmless (each run is re-checked under its lock).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from .server import LiveServer
from .venv import REPO

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

SILENCE = 5  # ZOMBIE_FLOW_RUNS_AFTER_SECONDS for the sweep below
HEARTBEAT_FREQUENCY = "30"  # the client's minimum: no second beat arrives within the test
START_WAIT = 90
CRASH_WAIT = 60
MISSING = "Flow run marked as crashed due to missing heartbeats."
SWEEP_LOOP = """
import time
from django.utils import timezone
from background.sweeps import zombie_flow_runs
while True:
    zombie_flow_runs.sweep(timezone.now())
    time.sleep(0.5)
"""


@pytest.fixture(scope="module")
def zombie_sweeper(compat_server: LiveServer, tmp_path_factory) -> Iterator[None]:
    env = {**compat_server._env(), "ZOMBIE_FLOW_RUNS_AFTER_SECONDS": str(SILENCE)}
    log = tmp_path_factory.mktemp("zombie-sweeper") / "sweeper.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", SWEEP_LOOP],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text()[-4000:]


def events_named(rest, run_id: str, name: str) -> list[dict]:
    body = {
        "filter": {
            "occurred": {"until": "2100-01-01T00:00:00Z"},
            "resource": {"id": [f"prefect.flow-run.{run_id}"]},
            "event": {"name": [name]},
        },
        "limit": 10,
    }
    return list(rest.post("/events/filter", body)["events"])


def wait_until_beating(rest, name: str, flow) -> tuple[dict, dict]:
    """The RUNNING run and its first heartbeat as the server stored it."""
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        runs = rest.post("/flow_runs/filter", {"flow_runs": {"name": {"any_": [name]}}})
        if runs and runs[0]["state_type"] == "RUNNING":
            beats = events_named(rest, runs[0]["id"], "prefect.flow-run.heartbeat")
            if beats:
                return runs[0], beats[0]
        if flow.process.poll() is not None:
            pytest.fail(f"the flow exited early:\n{flow.wait(5).describe()}")
        time.sleep(0.3)
    pytest.fail(f"no RUNNING run named {name} with a heartbeat within {START_WAIT}s")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_killed_flow_process_ends_crashed_for_missing_heartbeats(
    prefect, rest, nonce, zombie_sweeper, tmp_path_factory
):
    client = dataclasses.replace(
        prefect,
        extra_env={**prefect.extra_env, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": HEARTBEAT_FREQUENCY},
    )
    flow = client.start_scenario("zombie.py", nonce, log_dir=tmp_path_factory.mktemp("zombie"))
    try:
        run, beat = wait_until_beating(rest, f"compat-zombie-{nonce}", flow)
        os.killpg(flow.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        flow.wait(timeout=10)
        deadline = killed + CRASH_WAIT
        while time.monotonic() < deadline:
            now = rest.flow_run(run["id"])
            if now["state_type"] != "RUNNING":
                break
            time.sleep(0.5)
    finally:
        flow.stop()

    state = now["state"]
    assert (state["type"], state["name"], state["message"]) == ("CRASHED", "Crashed", MISSING)
    # Not before the heartbeat had been silent for the configured time.
    silence = parse(state["timestamp"]) - parse(beat["received"])
    assert silence.total_seconds() >= SILENCE
    crashed = events_named(rest, run["id"], "prefect.flow-run.Crashed")
    assert len(crashed) == 1
