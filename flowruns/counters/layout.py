"""The fixed shape of the counter tables, shared by the triggers and the readers.

Changing a value here changes what the triggers write: it needs a migration that reinstalls
the triggers and rebuilds the tables (`flowruns.counters.install`).
"""

from __future__ import annotations

from orchestration.states import TERMINAL_TYPES, StateType

# /history slots: runs are summed per 10 minutes of expected start time. Narrower slots mean
# fewer raw rows at the ragged edges of a requested interval, wider ones fewer slot rows.
SLOT_SECONDS = 600
SLOT_MICROS = SLOT_SECONDS * 1_000_000
# The same sums per hour: a bucket's aligned middle is read from hours, its ragged hours from
# slots (an hour holds SLOTS_PER_HOUR slots; hours and slots both start at the epoch).
HOUR_MICROS = 3600 * 1_000_000
SLOTS_PER_HOUR = HOUR_MICROS // SLOT_MICROS

# Concurrent writers spread over this many rows per key (PostgreSQL backend pid modulo it).
COUNT_SHARDS = 8
HISTORY_SHARDS = 4

RUNNING = StateType.RUNNING.value
TERMINAL = tuple(sorted(t.value for t in TERMINAL_TYPES))

COUNT_TABLE = "flow_run_count"
TAG_TABLE = "flow_run_tag_count"
HISTORY_TABLE = "flow_run_history_slot"
HOUR_TABLE = "flow_run_history_hour"
TABLES = (COUNT_TABLE, TAG_TABLE, HISTORY_TABLE, HOUR_TABLE)

# History levels, finest first: (table, unit in microseconds). Both have the columns
# HISTORY_KEY + shard + HISTORY_SUMS, with `slot` the index of the unit since the epoch.
HistoryLevel = tuple[str, int]
SLOT_LEVEL: HistoryLevel = (HISTORY_TABLE, SLOT_MICROS)
HOUR_LEVEL: HistoryLevel = (HOUR_TABLE, HOUR_MICROS)
HISTORY_LEVELS: tuple[HistoryLevel, ...] = (SLOT_LEVEL, HOUR_LEVEL)


def tables_of(levels: tuple[HistoryLevel, ...]) -> tuple[str, ...]:
    """The counter tables in use with these history levels (older migrations install fewer)."""
    return (COUNT_TABLE, TAG_TABLE, *(table for table, _ in levels))


COUNT_KEY = ("state_type", "state_name", "flow_id")
TAG_KEY = ("tag", "state_type", "state_name")
HISTORY_KEY = ("slot", "state_type", "state_name")
HISTORY_SUMS = (
    "n",
    "run_time_us",
    "running_n",
    "running_base_us",
    "irregular_n",
    "late_us",
    "waiting_n",
    "waiting_base_us",
)


def sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)
