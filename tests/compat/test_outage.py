"""Issue 12: the real client rides out a database outage; nothing is lost or created twice.

The client (`scenarios/outage.py`) creates flow runs and completes them one after another
against a server of this module's own, which reaches PostgreSQL through a TCP forwarder the
test controls (`tests/config/db_proxy.py`). After a few runs the test cuts the forwarder for
`OUTAGE` seconds (connections dropped, new ones refused) and restores it. The server answers
503 with `Retry-After` meanwhile, so the client waits and retries instead of failing: every
run ends Completed, and the database holds exactly the runs the client created.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.config.db_proxy import DatabaseProxy

from .runner import Client
from .server import LiveServer, Postgres

pytestmark = [pytest.mark.compat, pytest.mark.postgres]

RUNS = 20
OUTAGE = 3.0  # seconds; Retry-After is 5 s, so one retry rides it out


@pytest.fixture
def postgres() -> Postgres:
    db = settings.DATABASES["default"]
    return Postgres(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or "",
    )


@pytest.fixture
def proxied_server(
    postgres: Postgres, tmp_path: Path
) -> Iterator[tuple[LiveServer, str, DatabaseProxy]]:
    dbname = f"prefect_outage_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    proxy = DatabaseProxy(postgres.host, postgres.port).start()
    proxied = Postgres(postgres.host, proxy.port, postgres.user, postgres.password)
    server = LiveServer(
        database_url=proxied.url(dbname), log_path=tmp_path / "gunicorn.log", workers=1
    )
    postgres.create_database(dbname)
    try:
        server.start(runtime_dir=tmp_path)
        yield server, dbname, proxy
    finally:
        server.stop()
        proxy.stop()
        postgres.drop_database(dbname)


def test_the_client_rides_out_a_database_outage(compat_bin, proxied_server, postgres, tmp_path):
    server, dbname, proxy = proxied_server
    client = Client(bin=compat_bin, api_url=f"{server.url}/api", home=tmp_path / "home")
    nonce = uuid.uuid4().hex[:8]
    runs = client.start_scenario("outage.py", nonce, str(RUNS), log_dir=tmp_path)
    out = tmp_path / "outage.py.out"
    try:
        deadline = time.monotonic() + 120
        while not re.search(r"^RUN 4$", out.read_text(), re.M):
            assert time.monotonic() < deadline and runs.process.poll() is None, out.read_text()
            time.sleep(0.1)
        proxy.cut()
        time.sleep(OUTAGE)
        proxy.restore()
        finished = runs.wait(timeout=180)
    finally:
        runs.stop()
        proxy.restore()

    assert finished.returncode == 0, finished.describe()
    result = dict(finished.result)
    assert len(result["ids"]) == RUNS and result["states"] == ["COMPLETED"] * RUNS
    assert result["longest_call_s"] >= OUTAGE  # a call did wait through the outage
    with postgres.connect(dbname) as conn:
        stored = conn.execute(
            "SELECT r.id::text, r.state_type FROM flow_run r JOIN flow f ON f.id = r.flow_id"
            " WHERE f.name = %s",
            (f"compat-outage-{nonce}",),
        ).fetchall()
    assert sorted(run_id for run_id, _ in stored) == sorted(result["ids"])  # none twice
    assert {state for _, state in stored} == {"COMPLETED"}
    log = server.log_path.read_text(errors="replace")
    assert "Database unavailable, answered 503 to" in log
    assert "Traceback" not in log
