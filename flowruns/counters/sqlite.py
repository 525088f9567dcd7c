"""SQLite: row triggers (SQLite has no statement-level ones, and one writer at a time).

Each trigger adds the run's old row with -1 and its new row with +1 to every key it belongs to:
an INSERT of the key's row with zero counts when it is missing, then an UPDATE of the counts
(SQLite's UNIQUE treats NULLs as distinct, so ON CONFLICT cannot be the upsert here; `IS`
compares NULL keys as equal). Trigger bodies cannot use CTEs, hence the repeated terms.
"""

from __future__ import annotations

from .layout import (
    COUNT_TABLE,
    HISTORY_LEVELS,
    HISTORY_SUMS,
    TAG_TABLE,
    HistoryLevel,
    tables_of,
)
from .postgres import COLUMNS
from .terms import history_terms, slot_of


def micros(column: str) -> str:
    """Django stores `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC); as `run_metrics.EpochMicros`."""
    return (
        f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
        f" + COALESCE(CAST(NULLIF(substr({column}, 21, 6), '') AS INTEGER), 0))"
    )


def _same_state(r: str, table: str = "") -> str:
    prefix = f"{table}." if table else ""
    return f"{prefix}state_type IS {r}.state_type AND {prefix}state_name IS {r}.state_name"


def _count(r: str, sign: str) -> list[str]:
    where = f"{_same_state(r)} AND flow_id = {r}.flow_id AND shard = 0"
    return [
        f"INSERT INTO {COUNT_TABLE} (state_type, state_name, flow_id, shard, n)"
        f" SELECT {r}.state_type, {r}.state_name, {r}.flow_id, 0, 0"
        f" WHERE NOT EXISTS (SELECT 1 FROM {COUNT_TABLE} WHERE {where})",
        f"UPDATE {COUNT_TABLE} SET n = n + ({sign}) WHERE {where}",
    ]


def _tags(r: str, sign: str) -> list[str]:
    """Distinct text values of `json_each(tags)`: what the SQLite tag filter matches."""
    return [
        f"INSERT INTO {TAG_TABLE} (tag, state_type, state_name, shard, n)"
        f" SELECT DISTINCT j.value, {r}.state_type, {r}.state_name, 0, 0"
        f" FROM json_each({r}.tags) AS j WHERE j.type = 'text' AND NOT EXISTS"
        f" (SELECT 1 FROM {TAG_TABLE} AS c WHERE c.tag = j.value"
        f" AND {_same_state(r, 'c')} AND c.shard = 0)",
        f"UPDATE {TAG_TABLE} SET n = n + ({sign}) WHERE {_same_state(r)} AND shard = 0"
        f" AND tag IN (SELECT j.value FROM json_each({r}.tags) AS j WHERE j.type = 'text')",
    ]


def _history(r: str, sign: str, level: HistoryLevel) -> list[str]:
    table, unit = level
    slot = slot_of(micros(f"{r}.expected_start_time"), unit)
    # In the UPDATE the slot row's own `slot` column is the run's slot.
    terms = history_terms("x", micros, "max", unit)
    row = {
        name: term.replace("x.slot", f"{table}.slot").replace("x.", f"{r}.")
        for name, term in terms.items()
    }
    where = (
        f"{r}.expected_start_time IS NOT NULL AND slot = {slot} AND {_same_state(r)} AND shard = 0"
    )
    zeros = ", ".join("0" for _ in HISTORY_SUMS)
    updates = ", ".join(f"{s} = {s} + ({sign}) * ({row[s]})" for s in HISTORY_SUMS)
    return [
        f"INSERT INTO {table} (slot, state_type, state_name, shard,"
        f" {', '.join(HISTORY_SUMS)}) SELECT {slot}, {r}.state_type, {r}.state_name, 0, {zeros}"
        f" WHERE {r}.expected_start_time IS NOT NULL AND NOT EXISTS"
        f" (SELECT 1 FROM {table} WHERE {where})",
        f"UPDATE {table} SET {updates} WHERE {where}",
    ]


def _apply(r: str, sign: str, levels: tuple[HistoryLevel, ...]) -> list[str]:
    history = [statement for level in levels for statement in _history(r, sign, level)]
    return [*_count(r, sign), *_tags(r, sign), *history]


def _empty_when_no_runs(levels: tuple[HistoryLevel, ...]) -> list[str]:
    return [f"DELETE FROM {t} WHERE NOT EXISTS (SELECT 1 FROM flow_run)" for t in tables_of(levels)]


def _trigger(event: str, body: list[str], when: str = "") -> str:
    return (
        f"CREATE TRIGGER flow_run_counters_{event} AFTER {event.upper()} ON flow_run"
        f"{when} BEGIN {'; '.join(body)}; END"
    )


def install_statements(levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
    return [
        f"CREATE INDEX IF NOT EXISTS {COUNT_TABLE}_key ON {COUNT_TABLE}"
        " (flow_id, state_type, state_name)",
        f"CREATE INDEX IF NOT EXISTS {TAG_TABLE}_key ON {TAG_TABLE} (tag, state_type, state_name)",
        *(
            f"CREATE INDEX IF NOT EXISTS {table}_key ON {table} (slot, state_type, state_name)"
            for table, _ in levels
        ),
        _trigger("insert", _apply("NEW", "1", levels)),
        # Once no run is left the counters are empty too, whatever order a flush deleted the
        # tables in (a counter table emptied before `flow_run` would otherwise go negative).
        _trigger("delete", [*_apply("OLD", "-1", levels), *_empty_when_no_runs(levels)]),
        _trigger(
            "update",
            [*_apply("OLD", "-1", levels), *_apply("NEW", "1", levels)],
            f" WHEN {changed}",
        ),
    ]


def uninstall_statements(levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS flow_run_counters_{e}" for e in ("insert", "update", "delete")),
        *(f"DROP INDEX IF EXISTS {table}_key" for table in tables_of(levels)),
    ]


def _history_rebuild(level: HistoryLevel) -> str:
    table, unit = level
    terms = history_terms("r", micros, "max", unit)
    sums = ", ".join(f"SUM({terms[s]})" for s in HISTORY_SUMS)
    slot = slot_of(micros("f.expected_start_time"), unit)
    return (
        f"INSERT INTO {table} (slot, state_type, state_name, shard,"
        f" {', '.join(HISTORY_SUMS)}) SELECT r.slot, r.state_type, r.state_name, 0, {sums}"
        f" FROM (SELECT f.*, {slot} AS slot FROM flow_run AS f"
        " WHERE f.expected_start_time IS NOT NULL) AS r GROUP BY 1, 2, 3"
    )


def rebuild_statements(levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS) -> list[str]:
    return [
        *(f"DELETE FROM {table}" for table in tables_of(levels)),
        f"INSERT INTO {COUNT_TABLE} (state_type, state_name, flow_id, shard, n)"
        " SELECT state_type, state_name, flow_id, 0, COUNT(*) FROM flow_run"
        " GROUP BY state_type, state_name, flow_id",
        f"INSERT INTO {TAG_TABLE} (tag, state_type, state_name, shard, n)"
        " SELECT j.value, r.state_type, r.state_name, 0, COUNT(DISTINCT r.id)"
        " FROM flow_run AS r, json_each(r.tags) AS j WHERE j.type = 'text' GROUP BY 1, 2, 3",
        *(_history_rebuild(level) for level in levels),
    ]
