"""The real flow engine runs deployment runs under a concurrency limit: it renews the run's
lease as it starts (answered 204, so the run is not stopped), and a run whose lease lapsed
while it waited for infrastructure takes a free slot again at RUNNING (R7) and runs under the
new lease. The limited deployment is created through `POST /deployments/`."""

from __future__ import annotations

import re
import uuid

import psycopg
import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

LEASE = "deployment_concurrency_lease_id"
RENEWAL_FAILED = "Concurrency lease renewal failed"


@pytest.fixture
def database(compat_server):
    with psycopg.connect(compat_server.database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def deployment(rest, nonce) -> tuple[str, str]:
    """(deployment id, flow id) of a deployment limited to one run at a time."""
    flow = rest.post("/flows/", {"name": f"compat-leases-{nonce}"})
    body = {
        "name": f"limited-{uuid.uuid4().hex[:8]}",
        "flow_id": flow["id"],
        "concurrency_limit": 1,
    }
    deployment_id = rest.post("/deployments/", body)["id"]
    return deployment_id, flow["id"]


def pending_run(rest, deployment: tuple[str, str]) -> tuple[str, str]:
    """A run a worker claimed (PENDING): (run id, its lease id)."""
    deployment_id, flow_id = deployment
    body = {"flow_id": flow_id, "deployment_id": deployment_id, "state": {"type": "SCHEDULED"}}
    run = rest.post("/flow_runs/", body)
    answer = rest.post(f"/flow_runs/{run['id']}/set_state", {"state": {"type": "PENDING"}})
    assert answer["status"] == "ACCEPT", answer
    return run["id"], answer["state"]["state_details"][LEASE]


def renewals(compat_server, lease_id: str) -> list[str]:
    """The statuses the server answered to renewals of this lease (its access log)."""
    text = compat_server.log_path.read_text(errors="replace")
    return re.findall(rf"leases/{lease_id}/renew[^\"]*\"\s+(\d{{3}})", text)


def live_leases(database, deployment_id: str) -> int:
    """Leases of the deployment that hold a slot (lapsed ones wait for the reaper)."""
    query = (
        "SELECT count(*) FROM deployment_concurrency_lease WHERE deployment_id = %s"
        " AND (expires_at IS NULL OR expires_at > now())"
    )
    return database.execute(query, [deployment_id]).fetchone()[0]


def test_the_engine_renews_its_lease_and_the_run_completes(
    prefect, rest, deployment, compat_server, database
):
    run_id, lease_id = pending_run(rest, deployment)

    finished = prefect.scenario("deployment_run.py", run_id, "4", timeout=120)

    assert finished.result["type"] == "COMPLETED", finished.describe()
    assert renewals(compat_server, lease_id) and set(renewals(compat_server, lease_id)) == {"204"}
    assert RENEWAL_FAILED not in finished.stdout + finished.stderr
    assert rest.flow_run(run_id)["state_type"] == "COMPLETED"
    assert live_leases(database, deployment[0]) == 0  # released when the run finished


def test_a_run_whose_lease_lapsed_before_it_started_takes_a_slot_again_and_completes(
    prefect, rest, deployment, compat_server, database
):
    run_id, lapsed = pending_run(rest, deployment)
    database.execute(
        "UPDATE deployment_concurrency_lease SET expires_at = now() - interval '1 minute'"
        " WHERE id = %s",
        [lapsed],
    )

    finished = prefect.scenario("deployment_run.py", run_id, "4", timeout=120)

    assert finished.result["type"] == "COMPLETED", finished.describe()
    running = next(s for s in rest.states(run_id) if s["type"] == "RUNNING")
    renewed = running["state_details"][LEASE]
    assert renewed not in (None, lapsed)
    assert set(renewals(compat_server, renewed)) == {"204"}
    assert renewals(compat_server, lapsed) == []
    assert live_leases(database, deployment[0]) == 0
