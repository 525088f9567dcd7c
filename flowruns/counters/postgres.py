"""PostgreSQL: statement-level AFTER triggers with transition tables.

One trigger per event (a trigger with transition tables handles one event). Each aggregates
the rows its statement touched into signed deltas per key, so a bulk delete of a million runs
is a few hundred upserts, and upserts them in key order (two statements never wait on each
other's rows in opposite orders). A statement's deltas go to the shard of its connection
(backend pid modulo the shard count), so concurrent writers rarely share a row. An update that
changes none of the counted columns (a heartbeat, a rename) returns before any upsert.
TRUNCATE of `flow_run` empties the counters too (the seeder truncates, then COPYs).
"""

from __future__ import annotations

from .layout import (
    COUNT_KEY,
    COUNT_SHARDS,
    COUNT_TABLE,
    HISTORY_KEY,
    HISTORY_LEVELS,
    HISTORY_SHARDS,
    HISTORY_SUMS,
    TAG_KEY,
    TAG_TABLE,
    HistoryLevel,
    tables_of,
)
from .terms import history_terms, slot_of

COLUMNS = (
    "flow_id",
    "state_type",
    "state_name",
    "tags",
    "expected_start_time",
    "start_time",
    "state_timestamp",
    "total_run_time",
)
_COLS = ", ".join(COLUMNS)
EVENTS = ("insert", "update", "delete")
FLOW_RUN_SOURCE = f"SELECT {_COLS}, 1 AS sign FROM flow_run"


def micros(column: str) -> str:
    return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"


def _source(event: str) -> str:
    new = f"SELECT {_COLS}, 1 AS sign FROM new_rows"
    old = f"SELECT {_COLS}, -1 AS sign FROM old_rows"
    return {"insert": new, "delete": old, "update": f"{old} UNION ALL {new}"}[event]


def _upsert(table: str, key: tuple[str, ...], sums: tuple[str, ...]) -> str:
    columns = ", ".join((*key, "shard", *sums))
    updates = ", ".join(f"{s} = c.{s} + EXCLUDED.{s}" for s in sums)
    return (
        f"INSERT INTO {table} AS c ({columns}) SELECT * FROM agg"
        f" ON CONFLICT ({', '.join(key)}, shard) DO UPDATE SET {updates}"
    )


def count_sql(source: str, shard: str) -> str:
    key = ", ".join(COUNT_KEY)
    return (
        f"WITH d AS ({source}), agg AS (SELECT {key}, {shard}, SUM(sign) FROM d"
        f" GROUP BY {key} HAVING SUM(sign) <> 0 ORDER BY {key}) "
        + _upsert(COUNT_TABLE, COUNT_KEY, ("n",))
    )


def tag_sql(source: str, shard: str) -> str:
    """A run counts once per distinct string in its `tags` array: what `tags @> '["t"]'`
    matches."""
    return (
        f"WITH d AS ({source}), agg AS ("
        f"SELECT t.tag, d.state_type, d.state_name, {shard}, SUM(d.sign) FROM d"
        " CROSS JOIN LATERAL (SELECT DISTINCT e.value #>> '{}' AS tag FROM jsonb_array_elements("
        "CASE WHEN jsonb_typeof(d.tags) = 'array' THEN d.tags ELSE '[]'::jsonb END) AS e"
        " WHERE jsonb_typeof(e.value) = 'string') AS t"
        " GROUP BY 1, 2, 3 HAVING SUM(d.sign) <> 0 ORDER BY 1, 2, 3) "
        + _upsert(TAG_TABLE, TAG_KEY, ("n",))
    )


def history_sql(source: str, shard: str, level: HistoryLevel) -> str:
    table, unit = level
    terms = history_terms("h", micros, "GREATEST", unit)
    key = ", ".join(HISTORY_KEY)
    sums = ", ".join(f"SUM(h.sign * ({terms[s]}))" for s in HISTORY_SUMS)
    nonzero = " OR ".join(f"SUM(h.sign * ({terms[s]})) <> 0" for s in HISTORY_SUMS)
    return (
        f"WITH d AS ({source}), h AS (SELECT d.*,"
        f" {slot_of(micros('d.expected_start_time'), unit)}"
        " AS slot FROM d WHERE d.expected_start_time IS NOT NULL),"
        f" agg AS (SELECT {key}, {shard}, {sums} FROM h GROUP BY {key}"
        f" HAVING {nonzero} ORDER BY {key}) " + _upsert(table, HISTORY_KEY, HISTORY_SUMS)
    )


def _changed_check() -> str:
    old = ", ".join(f"o.{c}" for c in COLUMNS)
    new = ", ".join(f"n.{c}" for c in COLUMNS)
    return (
        "IF NOT EXISTS (SELECT 1 FROM old_rows AS o JOIN new_rows AS n USING (id)"
        f" WHERE ({old}) IS DISTINCT FROM ({new})) THEN RETURN NULL; END IF;"
    )


def _function(event: str, levels: tuple[HistoryLevel, ...]) -> str:
    source = _source(event)
    check = _changed_check() if event == "update" else ""
    history_shard = f"mod(pg_backend_pid(), {HISTORY_SHARDS})::smallint"
    return (
        f"CREATE OR REPLACE FUNCTION flow_run_counters_{event}() RETURNS trigger"
        " LANGUAGE plpgsql AS $fn$ BEGIN "
        f"{check} "
        f"{count_sql(source, f'mod(pg_backend_pid(), {COUNT_SHARDS})::smallint')}; "
        f"{tag_sql(source, f'mod(pg_backend_pid(), {COUNT_SHARDS})::smallint')}; "
        + "".join(f"{history_sql(source, history_shard, level)}; " for level in levels)
        + "RETURN NULL; END $fn$"
    )


def _trigger(event: str) -> str:
    referencing = {
        "insert": "NEW TABLE AS new_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
    }[event]
    return (
        f"CREATE TRIGGER flow_run_counters_{event} AFTER {event.upper()} ON flow_run"
        f" REFERENCING {referencing} FOR EACH STATEMENT"
        f" EXECUTE FUNCTION flow_run_counters_{event}()"
    )


def install_statements(levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS) -> list[str]:
    keys = {COUNT_TABLE: COUNT_KEY, TAG_TABLE: TAG_KEY} | {t: HISTORY_KEY for t, _ in levels}
    statements = [
        f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_key ON {table}"
        f" ({', '.join(key)}, shard) NULLS NOT DISTINCT"
        for table, key in keys.items()
    ]
    for event in EVENTS:
        statements += [_function(event, levels), _trigger(event)]
    statements += [
        "CREATE OR REPLACE FUNCTION flow_run_counters_truncate() RETURNS trigger"
        " LANGUAGE plpgsql AS $fn$ BEGIN "
        # DELETE, not TRUNCATE: Django's flush truncates these tables in the same statement.
        + " ".join(f"DELETE FROM {table};" for table in tables_of(levels))
        + " RETURN NULL; END $fn$",
        "CREATE TRIGGER flow_run_counters_truncate AFTER TRUNCATE ON flow_run"
        " FOR EACH STATEMENT EXECUTE FUNCTION flow_run_counters_truncate()",
    ]
    return statements


def uninstall_statements(levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS) -> list[str]:
    statements = []
    for event in (*EVENTS, "truncate"):
        statements += [
            f"DROP TRIGGER IF EXISTS flow_run_counters_{event} ON flow_run",
            f"DROP FUNCTION IF EXISTS flow_run_counters_{event}()",
        ]
    return statements + [f"DROP INDEX IF EXISTS {table}_key" for table in tables_of(levels)]


def rebuild_statements(levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS) -> list[str]:
    """Empty the counters and count every run again, with writers locked out meanwhile."""
    tables = ", ".join(tables_of(levels))
    return [
        "LOCK TABLE flow_run IN SHARE MODE",
        f"TRUNCATE {tables}",
        count_sql(FLOW_RUN_SOURCE, "0::smallint"),
        tag_sql(FLOW_RUN_SOURCE, "0::smallint"),
        *(history_sql(FLOW_RUN_SOURCE, "0::smallint", level) for level in levels),
        f"ANALYZE {tables}",
    ]
