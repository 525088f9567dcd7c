"""Pages of flow runs rendered as Prefect's FlowRunResponse JSON by PostgreSQL itself.

A page of 200 runs read into Python and rendered there (`flow_run_rows`, then
`FlowRunSerializer`) spends about 20 ms of CPU in the web worker: converting ~9,000 column
values, building 200 dicts of 38 keys, and encoding them again. PostgreSQL builds the same
document from the rows it has just read in a few milliseconds (`json_build_object` keeps key
order; jsonb columns are embedded as they are stored), and Python passes the text through.

`RUN_JSON` is `flow_run_out` (flowruns/api/serializers/flow_runs.py) written in SQL, field by
field, with the same defaults and the same `now` for the estimates; a test renders varied runs
both ways and requires equal answers
(tests/flowruns/api/hot_paths/test_database_rendering.py). Numbers that
are floats in Python may print without a fraction here (`0` for `0.0`): the same JSON number.
SQLite keeps the Python renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from flowruns.statement_cursor import statement_cursor
from orchestration.states import STATE_DETAILS_DEFAULTS, TERMINAL_TYPES

_ISO = '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\''
_ISO_MICROS = '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\''


def _dt(column: str) -> str:
    """`flowruns.encoding.dt` in SQL: UTC, `Z`, six digits of microseconds only when any."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', {column}) = "
        f"{column} THEN {_ISO} ELSE {_ISO_MICROS} END)"
    )


def _json_literal(value: Any) -> str:
    if value is None:
        return "'null'::jsonb"
    return "'true'::jsonb" if value else "'false'::jsonb"


_STATE_DETAILS = ", ".join(
    f"'{key}', coalesce(s.state_details -> '{key}', {_json_literal(default)})"
    for key, default in STATE_DETAILS_DEFAULTS.items()
)
_STATE = f"""CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object(
    'id', s.id, 'type', s.type, 'name', s.name, 'timestamp', {_dt("s.timestamp")},
    'message', s.message, 'data', s.data, 'state_details', json_build_object({_STATE_DETAILS})
) END"""
_POLICY = """json_build_object(
    'max_retries', coalesce(r.empirical_policy -> 'max_retries', '0'::jsonb),
    'retry_delay_seconds', CASE WHEN jsonb_typeof(r.empirical_policy -> 'retry_delay_seconds')
        = 'number' THEN (r.empirical_policy ->> 'retry_delay_seconds')::float8 ELSE 0 END,
    'retries', r.empirical_policy -> 'retries',
    'retry_delay', r.empirical_policy -> 'retry_delay',
    'pause_keys', coalesce(nullif(r.empirical_policy -> 'pause_keys', 'null'::jsonb),
        '[]'::jsonb),
    'resuming', coalesce(r.empirical_policy -> 'resuming', 'false'::jsonb),
    'retry_type', r.empirical_policy -> 'retry_type'
)"""
_TERMINAL = ", ".join(f"'{state_type.value}'" for state_type in sorted(TERMINAL_TYPES))
# `now` is the statement's one parameter besides the ids (%(now)s), as in `flow_run_out`.
_ESTIMATED_RUN_TIME = """CASE
    WHEN r.state_type = 'RUNNING' AND r.state_timestamp IS NOT NULL
        THEN r.total_run_time + extract(epoch FROM %(now)s - r.state_timestamp)::float8
    ELSE r.total_run_time END"""
_START_DELTA = f"""CASE
    WHEN r.start_time > r.expected_start_time
        THEN extract(epoch FROM r.start_time - r.expected_start_time)::float8
    WHEN r.start_time IS NULL AND r.expected_start_time < %(now)s
        AND (r.state_type IS NULL OR r.state_type NOT IN ({_TERMINAL}))
        THEN extract(epoch FROM %(now)s - r.expected_start_time)::float8
    ELSE 0 END"""

RUN_JSON = f"""json_build_object(
    'id', r.id, 'created', {_dt("r.created")}, 'updated', {_dt("r.updated")},
    'name', r.name, 'flow_id', r.flow_id, 'state_id', r.state_id,
    'deployment_id', r.deployment_id, 'deployment_version', r.deployment_version,
    'work_queue_id', r.work_queue_id,
    'work_queue_name', CASE WHEN q.id IS NULL THEN r.work_queue_name ELSE q.name END,
    'flow_version', r.flow_version, 'parameters', r.parameters,
    'idempotency_key', r.idempotency_key, 'context', r.context,
    'empirical_policy', {_POLICY},
    'tags', r.tags, 'labels', coalesce(r.labels, '{{}}'::jsonb),
    'parent_task_run_id', r.parent_task_run_id,
    'state_type', r.state_type, 'state_name', r.state_name, 'run_count', r.run_count,
    'expected_start_time', {_dt("r.expected_start_time")},
    'next_scheduled_start_time', {_dt("r.next_scheduled_start_time")},
    'start_time', {_dt("r.start_time")}, 'end_time', {_dt("r.end_time")},
    'total_run_time', r.total_run_time,
    'estimated_run_time', {_ESTIMATED_RUN_TIME},
    'estimated_start_time_delta', {_START_DELTA},
    'auto_scheduled', r.auto_scheduled,
    'infrastructure_document_id', r.infrastructure_document_id,
    'infrastructure_pid', r.infrastructure_pid, 'created_by', r.created_by,
    'work_pool_id', p.id, 'work_pool_name', p.name,
    'state', {_STATE},
    'job_variables', r.job_variables
)"""

_BY_IDS = f"""SELECT coalesce(json_agg({RUN_JSON} ORDER BY page.position), '[]')::text
FROM unnest(%(ids)s::uuid[]) WITH ORDINALITY AS page (id, position)
JOIN flow_run r ON r.id = page.id
LEFT JOIN flow_run_state s ON s.id = r.state_id
LEFT JOIN work_queue q ON q.id = r.work_queue_id
LEFT JOIN work_pool p ON p.id = q.work_pool_id"""


def renders_json() -> bool:
    """Whether this database renders runs itself (PostgreSQL)."""
    return connection.vendor == "postgresql"


def flow_runs_json_by_ids(ids: Sequence[Any], *, now: datetime) -> bytes:
    """The runs of `ids` as a JSON array of FlowRunResponse, in the order of `ids` (ids no
    longer there are skipped): one statement, the document built by PostgreSQL."""
    if not ids:
        return b"[]"
    # Planning this statement takes ~0.6 ms; its text never changes and its plan (one
    # primary-key lookup per id) does not depend on the ids: prepared once per connection.
    with statement_cursor(connection) as cursor:
        cursor.execute(_BY_IDS, {"ids": list(ids), "now": now})
        (text,) = cursor.fetchone()
    return text.encode()
