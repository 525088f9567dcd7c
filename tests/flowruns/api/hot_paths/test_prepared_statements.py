"""The hot routes' statements go to PostgreSQL as prepared statements, parsed and planned once
per connection (`flowruns/statement_cursor.py`, `DATABASE_PREPARED_STATEMENTS`)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from flowruns.models import Flow
from flowruns.services.row_writes import row_insert
from flowruns.statement_cursor import statement_cursor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _prepared() -> dict[str, int]:
    """This connection's prepared statements (psycopg's, not SQL PREPARE): text -> executions.
    psycopg prepares a text once per combination of parameter types (a NULL is untyped), so
    one text may be several statements: their executions are added."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, sum(generic_plans + custom_plans) FROM pg_prepared_statements "
            "WHERE NOT from_sql GROUP BY statement"
        )
        return dict(cursor.fetchall())


def _executions(prepared: dict[str, int], *fragments: str) -> list[int]:
    return [n for text, n in prepared.items() if all(f in text for f in fragments)]


@pytest.fixture
def flow_id(api) -> str:
    flow = api.post("/api/flows/", {"name": "prepared"}, format="json").json()
    api.post("/api/flow_runs/", {"flow_id": flow["id"]}, format="json")  # the day's partition
    return str(flow["id"])


def _create(api, flow_id: str) -> dict:
    response = api.post(
        "/api/flow_runs/", {"flow_id": flow_id, "state": {"type": "SCHEDULED"}}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_run_read_by_id_is_one_prepared_statement_executed_again(api, flow_id):
    runs = [_create(api, flow_id) for _ in range(3)]
    before = _executions(_prepared(), 'FROM "flow_run"', '"flow_run"."id" = $1')

    for run in runs:
        response = api.get(f"/api/flow_runs/{run['id']}")
        assert response.status_code == 200
        assert response.json()["id"] == run["id"]

    after = _executions(_prepared(), 'FROM "flow_run"', '"flow_run"."id" = $1')
    assert len(after) == 1, after  # one statement for every id, not one per id
    assert after[0] - sum(before) == 3


def test_a_state_change_writes_through_prepared_statements(api, flow_id):
    runs = [_create(api, flow_id) for _ in range(2)]
    before = _prepared()

    for run in runs:
        response = api.post(
            f"/api/flow_runs/{run['id']}/set_state", {"state": {"type": "PENDING"}}, format="json"
        )
        assert response.status_code == 201, response.content

    after = _prepared()
    writes = ('INSERT INTO "flow_run_state"', 'UPDATE "flow_run"')
    events = ('INSERT INTO "events"',)
    # The state row and the run's columns in one statement; the event with its resources.
    assert _executions(after, *writes) == [2]
    assert sum(_executions(after, *events)) - sum(_executions(before, *events)) == 2


@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_turned_off_nothing_is_prepared_and_the_answers_are_the_same(api, flow_id):
    run = _create(api, flow_id)
    before = _prepared()

    response = api.post(
        f"/api/flow_runs/{run['id']}/set_state", {"state": {"type": "PENDING"}}, format="json"
    )
    assert response.status_code == 201, response.content
    read = api.get(f"/api/flow_runs/{run['id']}").json()

    assert _prepared() == before
    assert (read["state_type"], read["state"]["id"]) == ("PENDING", response.json()["state"]["id"])


def test_the_logged_statement_shows_its_values(api, flow_id):
    run = _create(api, flow_id)
    with CaptureQueriesContext(connection) as captured:
        api.get(f"/api/flow_runs/{run['id']}")

    (read,) = [q["sql"] for q in captured.captured_queries if 'FROM "flow_run"' in q["sql"]]
    assert run["id"].replace("-", "") in read.replace("-", "")
    assert "$1" not in read


def test_errors_are_djangos_and_the_transaction_goes_on(api, flow_id):
    flow = Flow.objects.get(id=flow_id)
    duplicate = Flow(id=flow.id, name="another")

    with pytest.raises(IntegrityError), transaction.atomic():
        row_insert(duplicate)

    with statement_cursor(connection) as cursor:  # the same statement, prepared already
        cursor.execute('SELECT "name" FROM "flow" WHERE "id" = %s', [flow.id])
        assert cursor.fetchone() == ("prepared",)
