"""How many SQL statements each hot route sends: a regression (an N+1, a query compiled back
through the ORM for every call, a lookup added to the write path) changes the count and fails.

Counted: the data statements (SELECT, INSERT, UPDATE, DELETE, WITH). Transaction control differs by
backend and by test setup (a test runs inside a transaction, so `atomic()` takes savepoints
and on-commit work such as the live-stream NOTIFY does not run here).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import on_postgres
from tests.flowruns.api.task_runs.helpers import create_flow_run, new_task

pytestmark = pytest.mark.django_db

DATA = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def _data_statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith(DATA)]


def _create(api, flow_id: str, **body):
    response = api.post("/api/flow_runs/", {"flow_id": flow_id, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def flow_id(api) -> str:
    flow = api.post("/api/flows/", {"name": "hot-paths"}, format="json").json()
    _create(api, flow["id"])  # the first event of the day may create its partition
    return str(flow["id"])


def test_read_by_id_is_one_select(api, flow_id):
    run = _create(api, flow_id, tags=["a"], parameters={"x": 1})
    with CaptureQueriesContext(connection) as captured:
        response = api.get(f"/api/flow_runs/{run['id']}")
    assert response.status_code == 200
    statements = _data_statements(captured)
    assert len(statements) == 1, statements
    assert "flow_run_state" in statements[0] and "work_pool" in statements[0]


def test_create_statements(api, flow_id):
    with CaptureQueriesContext(connection) as captured:
        _create(api, flow_id, state={"type": "SCHEDULED"}, tags=["a"])
    statements = _data_statements(captured)
    # SQLite: flow; INSERT run; INSERT state; UPDATE run (its state pointer); INSERT event;
    # INSERT its resources. PostgreSQL: flow; INSERT the state and the run that points at it
    # already; INSERT the event and its resources. The event's related resources are the
    # flow's, read already; no look for parked task-run events: the run's id is new. The
    # answer is the run as written, read from nothing.
    assert len(statements) == (3 if on_postgres() else 6), "\n".join(statements)
    assert not [sql for sql in statements if sql.startswith('SELECT "flow_run"')]
    assert not [sql for sql in statements if "pending_task_run_event" in sql]
    if on_postgres():
        state, event = [sql for sql in statements if sql.startswith("WITH")]
        assert 'INSERT INTO "flow_run_state"' in state and 'INSERT INTO "flow_run"' in state
        assert not [sql for sql in statements if sql.startswith('UPDATE "flow_run"')]
        assert 'INSERT INTO "events"' in event and 'INSERT INTO "event_resources"' in event


def test_create_sets_no_savepoint_of_its_own(api, flow_id):
    with CaptureQueriesContext(connection) as captured:
        _create(api, flow_id, state={"type": "SCHEDULED"})
    sql = [q["sql"] for q in captured.captured_queries]
    up_to_state = sql[: next(i for i, q in enumerate(sql) if '"flow_run_state"' in q) + 1]
    # The test's transaction makes the view's atomic() take one savepoint; the run and its
    # state are then written without one of their own. (Event inserts may take one for a day
    # whose partition this process has not seen committed: not counted here.)
    savepoints = [q for q in up_to_state if q.startswith("SAVEPOINT")]
    assert len(savepoints) == 1, up_to_state


def test_set_state_statements(api, flow_id):
    run = _create(api, flow_id, state={"type": "PENDING"})
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            f"/api/flow_runs/{run['id']}/set_state", {"state": {"type": "RUNNING"}}, format="json"
        )
    assert response.json()["status"] == "ACCEPT"
    statements = _data_statements(captured)
    # the run, locked; its state; INSERT state and UPDATE run; the event's related resources;
    # INSERT event and INSERT its resources. On PostgreSQL each "and" is one statement.
    assert len(statements) == (5 if on_postgres() else 7), "\n".join(statements)
    if on_postgres():
        assert statements[0].rstrip().endswith("FOR UPDATE")


def test_task_run_set_state_statements(api):
    flow_run = create_flow_run(api)
    task = new_task(api, flow_run_id=flow_run["id"])
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            f"/api/task_runs/{task['id']}/set_state", {"state": {"type": "RUNNING"}}, format="json"
        )
    assert response.json()["status"] == "ACCEPT"
    statements = _data_statements(captured)
    # the task run, locked; its state; its flow run (with state) for the rules; INSERT
    # state and UPDATE task run (one statement on PostgreSQL). Task-run states emit no
    # server events.
    assert len(statements) == (4 if on_postgres() else 5), "\n".join(statements)
