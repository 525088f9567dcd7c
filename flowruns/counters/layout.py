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

# Concurrent writers spread over this many rows per key (PostgreSQL backend pid modulo it).
COUNT_SHARDS = 8
HISTORY_SHARDS = 4

RUNNING = StateType.RUNNING.value
TERMINAL = tuple(sorted(t.value for t in TERMINAL_TYPES))

COUNT_TABLE = "flow_run_count"
TAG_TABLE = "flow_run_tag_count"
HISTORY_TABLE = "flow_run_history_slot"
TABLES = (COUNT_TABLE, TAG_TABLE, HISTORY_TABLE)

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
