"""The real `prefect work-pool`, `prefect work-queue` and `prefect worker start` against the
live server (spec/work_pools.md §6.5, §7.1, §7.2, §10)."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest

from .rest import eventually
from .venv import REPO

pytestmark = [pytest.mark.postgres, pytest.mark.compat]


def ok(done):
    assert done.returncode == 0, done.describe()
    return done.stdout


def test_work_pool_cli_create_ls_inspect_pause_resume_delete(prefect, rest, nonce):
    name = f"proc-{nonce}"
    ok(prefect.prefect("work-pool", "create", name, "--type", "process"))
    pool = rest.get(f"/work_pools/{name}")
    assert (pool["type"], pool["status"]) == ("process", "NOT_READY")
    assert set(pool["base_job_template"]) == {"job_configuration", "variables"}
    assert rest.get(f"/work_pools/{name}/queues/default")["priority"] == 1

    assert name in ok(prefect.prefect("work-pool", "ls"))
    assert "process" in ok(prefect.prefect("work-pool", "inspect", name))

    ok(prefect.prefect("work-pool", "pause", name))
    assert rest.get(f"/work_pools/{name}")["status"] == "PAUSED"
    ok(prefect.prefect("work-pool", "resume", name))
    pool = rest.get(f"/work_pools/{name}")
    assert (pool["is_paused"], pool["status"]) == (False, "NOT_READY")

    ok(prefect.prefect("work-pool", "delete", name))
    assert rest.call("GET", f"/work_pools/{name}").status == 404


def test_work_queue_cli_create_ls_inspect_pause_resume_delete(prefect, rest, nonce):
    pool = f"wq-pool-{nonce}"
    ok(prefect.prefect("work-pool", "create", pool, "--type", "process"))
    ok(prefect.prefect("work-queue", "create", "wq1", "--pool", pool, "--limit", "3"))
    ok(prefect.prefect("work-queue", "create", "wq2", "--pool", pool, "--priority", "1"))
    queues = {q["name"]: q for q in rest.post(f"/work_pools/{pool}/queues/filter", {})}
    assert queues["wq1"]["concurrency_limit"] == 3
    assert (queues["wq2"]["priority"], queues["default"]["priority"]) == (1, 2)

    listed = ok(prefect.prefect("work-queue", "ls", "--pool", pool))
    assert "wq1" in listed and "wq2" in listed
    assert "wq1" in ok(prefect.prefect("work-queue", "inspect", "wq1", "--pool", pool))

    ok(prefect.prefect("work-queue", "pause", "wq1", "--pool", pool))
    assert rest.get(f"/work_pools/{pool}/queues/wq1")["status"] == "PAUSED"
    ok(prefect.prefect("work-queue", "resume", "wq1", "--pool", pool))
    assert rest.get(f"/work_pools/{pool}/queues/wq1")["is_paused"] is False

    ok(prefect.prefect("work-queue", "delete", "wq2", "--pool", pool))
    assert rest.call("GET", f"/work_pools/{pool}/queues/wq2").status == 404

    ok(prefect.prefect("work-queue", "create", f"legacy-{nonce}"))
    assert f"legacy-{nonce}" in ok(prefect.prefect("work-queue", "inspect", f"legacy-{nonce}"))


FLOW = textwrap.dedent(
    """
    from prefect import flow

    @flow
    def hello(who: str = "world") -> str:
        print(f"hello {who}")
        return who
    """
)


@pytest.fixture
def worker(prefect, tmp_path, nonce):
    """`prefect worker start --pool … --type process` in the background (its own process
    group, killed by id at the end)."""
    pool = f"worker-pool-{nonce}"
    log = open(tmp_path / "worker.log", "w+", encoding="utf-8")  # noqa: SIM115
    env = {
        **prefect.env(),
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
    }
    args = [str(prefect.bin / "prefect"), "worker", "start", "--pool", pool, "--type", "process"]
    args += ["--name", f"w-{nonce}"]
    process = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield pool, process, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def worker_log(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-6000:]


def test_a_process_worker_picks_up_a_deployment_run_and_runs_it_to_completed(
    worker, rest, tmp_path, nonce
):
    pool, _process, log = worker
    flows = Path(tmp_path / "flows")
    flows.mkdir()
    (flows / "flows.py").write_text(FLOW)

    # The worker creates its pool and heart-beats: the pool turns READY.
    eventually(
        lambda: rest.call("GET", f"/work_pools/{pool}"),
        lambda reply: reply.status == 200 and reply.body["status"] == "READY",
        timeout=60,
    )
    workers = rest.post(f"/work_pools/{pool}/workers/filter", {})
    assert [w["name"] for w in workers] == [f"w-{nonce}"]

    flow = rest.post("/flows/", {"name": f"hello-{nonce}"})
    deployment = rest.post(
        "/deployments/",
        {
            "name": f"dep-{nonce}",
            "flow_id": flow["id"],
            "work_pool_name": pool,
            "entrypoint": "flows.py:hello",
            "pull_steps": [
                {"prefect.deployments.steps.set_working_directory": {"directory": str(flows)}}
            ],
            "parameters": {"who": "pool"},
        },
    )
    run = rest.post(f"/deployments/{deployment['id']}/create_flow_run", {})

    final = eventually(
        lambda: rest.flow_run(run["id"]),
        lambda r: r["state_type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"},
        timeout=120,
    )
    assert final["state_type"] == "COMPLETED", worker_log(log)
    assert final["labels"]["prefect.work-pool.name"] == pool
    assert final["infrastructure_pid"]
    names = [s["name"] for s in rest.states(run["id"])]
    assert {"Pending", "Running", "Completed"} <= set(names), names
    assert rest.get(f"/deployments/{deployment['id']}")["status"] == "READY"


def test_a_deployment_made_with_from_source_deploy_runs_on_the_worker(
    worker, prefect, rest, tmp_path, nonce
):
    pool, _process, log = worker
    flows = Path(tmp_path / "flows")
    flows.mkdir()
    (flows / "flows.py").write_text(FLOW)
    eventually(
        lambda: rest.call("GET", f"/work_pools/{pool}"),
        lambda reply: reply.status == 200 and reply.body["status"] == "READY",
        timeout=60,
    )

    done = prefect.scenario(
        "deploy_from_source.py", str(flows), "flows.py:hello", pool, f"src-{nonce}"
    )
    assert "id" in done.result, done.describe()
    deployment = rest.get(f"/deployments/{done.result['id']}")
    assert deployment["work_pool_name"] == pool
    assert deployment["entrypoint"] == "flows.py:hello"
    assert deployment["parameters"] == {"who": "source"}

    ran = ok(prefect.prefect("deployment", "run", f"hello/src-{nonce}"))
    runs = rest.post("/flow_runs/filter", {"deployments": {"id": {"any_": [done.result["id"]]}}})
    assert len(runs) == 1, ran
    final = eventually(
        lambda: rest.flow_run(runs[0]["id"]),
        lambda r: r["state_type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"},
        timeout=120,
    )
    assert final["state_type"] == "COMPLETED", worker_log(log)
    assert final["parameters"] == {"who": "source"}
