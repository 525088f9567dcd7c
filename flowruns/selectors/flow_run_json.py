"""Pages of flow runs rendered as Prefect's FlowRunResponse JSON from text PostgreSQL writes.

A page of 200 runs read into Python as values and rendered there (`flow_run_rows`, then
`FlowRunSerializer`) spends about 20 ms of CPU in the web worker: converting ~9,000 column
values, building 200 dicts of 38 keys, and encoding them again. Built by PostgreSQL instead
(`json_build_object` per run) it took ~11 ms, nearly all of it evaluating the ~60
expressions of each run's object (PostgreSQL looks up each argument's output function on
every call); the same rows as plain columns take ~3 ms to read.

So PostgreSQL sends each run's columns as the text it would print anyway (timestamps already
in Prefect's format, jsonb as JSON text, uuids and numbers as they print), psycopg loads every
column as a `str` without converting it, and Python splices the text into the document: a
string is JSON-escaped by the C encoder, a uuid or timestamp quoted, a JSON column copied as
it is. Two values need more than that:

* the state details: copied as stored when they hold exactly Prefect's keys (PostgreSQL
  checks, `?&` and `-`, the state-change path always writes them so); else parsed and filled
  with the defaults, as the serializer does;
* the retry policy: rendered by the serializer's `flow_run_policy_out`, once per distinct
  stored text (a page's runs mostly share a handful of policies).

The document is the same JSON as `flow_run_out` (flowruns/api/serializers/flow_runs.py)
renders, with the same `now` for the estimates; a test renders varied runs both ways and
requires equal answers (tests/flowruns/api/hot_paths/test_database_rendering.py). Numbers
that are floats in Python may print without a fraction here (`0` for `0.0`), and the stored
state details keep PostgreSQL's key order: the same JSON. SQLite keeps the Python renderer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from django.db import connection
from psycopg.types.string import TextLoader

from flowruns.api.serializers.flow_runs import flow_run_policy_out
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
_DETAIL_KEYS = "ARRAY[" + ", ".join(f"'{key}'" for key in STATE_DETAILS_DEFAULTS) + "]"
_DETAILS_COMPLETE = (
    f"s.state_details ?& {_DETAIL_KEYS} AND s.state_details - {_DETAIL_KEYS} = '{{}}'"
)


# How one column's text becomes a JSON value (None is SQL NULL).
def _quoted(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'


def _string(text: str | None) -> str:
    return "null" if text is None else encode_basestring(text)


def _json(text: str | None) -> str:
    return "null" if text is None else text


def _number(text: str | None) -> str:
    return "0" if text is None else text  # `float(total_run_time or 0.0)` in the serializer


def _boolean(text: str | None) -> str:
    return "null" if text is None else ("true" if text == "t" else "false")


_POLICIES: dict[str | None, str] = {}


def _policy(text: str | None) -> str:
    rendered = _POLICIES.get(text)
    if rendered is None:
        rendered = json.dumps(flow_run_policy_out(json.loads(text) if text else None))
        if len(_POLICIES) >= 512:
            _POLICIES.clear()
        _POLICIES[text] = rendered
    return rendered


# (FlowRunResponse key, SQL, how its text becomes JSON), in Prefect's key order. The state,
# an object of its own, is the key whose SQL is None (`_STATE` below).
_RUN: tuple[tuple[str, str | None, Callable[[str | None], str]], ...] = (
    ("id", "r.id", _quoted),
    ("created", _dt("r.created"), _quoted),
    ("updated", _dt("r.updated"), _quoted),
    ("name", "r.name", _string),
    ("flow_id", "r.flow_id", _quoted),
    ("state_id", "r.state_id", _quoted),
    ("deployment_id", "r.deployment_id", _quoted),
    ("deployment_version", "r.deployment_version", _string),
    ("work_queue_id", "r.work_queue_id", _quoted),
    ("work_queue_name", "CASE WHEN q.id IS NULL THEN r.work_queue_name ELSE q.name END", _string),
    ("flow_version", "r.flow_version", _string),
    ("parameters", "r.parameters", _json),
    ("idempotency_key", "r.idempotency_key", _string),
    ("context", "r.context", _json),
    ("empirical_policy", "r.empirical_policy", _policy),
    ("tags", "r.tags", _json),
    ("labels", "coalesce(r.labels, '{}')", _json),
    ("parent_task_run_id", "r.parent_task_run_id", _quoted),
    ("state_type", "r.state_type", _string),
    ("state_name", "r.state_name", _string),
    ("run_count", "r.run_count", _json),
    ("expected_start_time", _dt("r.expected_start_time"), _quoted),
    ("next_scheduled_start_time", _dt("r.next_scheduled_start_time"), _quoted),
    ("start_time", _dt("r.start_time"), _quoted),
    ("end_time", _dt("r.end_time"), _quoted),
    ("total_run_time", "r.total_run_time", _number),
    ("estimated_run_time", _ESTIMATED_RUN_TIME, _number),
    ("estimated_start_time_delta", _START_DELTA, _number),
    ("auto_scheduled", "r.auto_scheduled", _boolean),
    ("infrastructure_document_id", "r.infrastructure_document_id", _quoted),
    ("infrastructure_pid", "r.infrastructure_pid", _string),
    ("created_by", "r.created_by", _json),
    ("work_pool_id", "p.id", _quoted),
    ("work_pool_name", "p.name", _string),
    ("state", None, _json),
    ("job_variables", "r.job_variables", _json),
)
_STATE = ("s.id", "s.type", "s.name", _dt("s.timestamp"), "s.message", "s.data")
_STATE_DETAILS = ("s.state_details", _DETAILS_COMPLETE)

_N_RUN = len(_RUN)
_STATE_AT = next(i for i, (_, sql, _) in enumerate(_RUN) if sql is None)
_PREFIXES = tuple(("{" if i == 0 else ", ") + f'"{key}": ' for i, (key, _, _) in enumerate(_RUN))
_ENCODERS = tuple(encode for _, _, encode in _RUN)

_BY_IDS = f"""SELECT {", ".join(sql or "NULL" for _, sql, _ in _RUN)},
    {", ".join(_STATE)}, {", ".join(_STATE_DETAILS)}
FROM unnest(%(ids)s::uuid[]) WITH ORDINALITY AS page (id, position)
JOIN flow_run r ON r.id = page.id
LEFT JOIN flow_run_state s ON s.id = r.state_id
LEFT JOIN work_queue q ON q.id = r.work_queue_id
LEFT JOIN work_pool p ON p.id = q.work_pool_id
ORDER BY page.position"""

# Every column arrives as the text PostgreSQL printed (psycopg's C text loader: no parsing).
_AS_TEXT = ("uuid", "jsonb", "float8", "int4", "bool", "varchar")


def _details(text: str | None, complete: str | None) -> str:
    if text is not None and complete == "t":
        return text
    stored = json.loads(text) if text is not None else None
    details = stored if isinstance(stored, dict) else {}
    return json.dumps(
        {key: details.get(key, default) for key, default in STATE_DETAILS_DEFAULTS.items()}
    )


def _state(row: Sequence[str | None]) -> str:
    state_id, state_type, name, timestamp, message, data, details, complete = row[_N_RUN:]
    if state_id is None:
        return "null"
    return (
        f'{{"id": "{state_id}", "type": {_string(state_type)}, "name": {_string(name)}, '
        f'"timestamp": {_quoted(timestamp)}, "message": {_string(message)}, '
        f'"data": {_json(data)}, "state_details": {_details(details, complete)}}}'
    )


def _run(row: Sequence[str | None]) -> str:
    parts = [
        prefix + encode(value)
        for prefix, encode, value in zip(_PREFIXES, _ENCODERS, row, strict=False)
    ]
    parts[_STATE_AT] = _PREFIXES[_STATE_AT] + _state(row)
    parts.append("}")
    return "".join(parts)


def renders_json() -> bool:
    """Whether this database renders runs itself (PostgreSQL)."""
    return connection.vendor == "postgresql"


def flow_runs_json_by_ids(ids: Sequence[Any], *, now: datetime) -> bytes:
    """The runs of `ids` as a JSON array of FlowRunResponse, in the order of `ids` (ids no
    longer there are skipped): one statement, each run's document spliced from its text."""
    if not ids:
        return b"[]"
    # Planning this statement takes ~0.6 ms; its text never changes and its plan (one
    # primary-key lookup per id) does not depend on the ids: prepared once per connection.
    with statement_cursor(connection) as cursor:
        for name in _AS_TEXT:
            cursor.cursor.adapters.register_loader(name, TextLoader)
        cursor.execute(_BY_IDS, {"ids": list(ids), "now": now})
        rows = cursor.fetchall()
    return ("[" + ", ".join(map(_run, rows)) + "]").encode()
