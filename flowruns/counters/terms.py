"""Per-run SQL terms of a history slot row, written once for both vendors.

`history_terms(r, ...)` gives, for the run in row alias `r` (whose `r.slot` is its slot), the
value each column of `flow_run_history_slot` gains when that run enters the slot. They mirror
`flowruns.selectors.run_metrics` exactly: see `FlowRunHistorySlot` for what each sum means.
"""

from __future__ import annotations

from collections.abc import Callable

from .layout import RUNNING, SLOT_MICROS, TERMINAL, sql_list

Micros = Callable[[str], str]  # SQL of a datetime column -> its exact epoch microseconds


def slot_of(micros_sql: str, unit: int = SLOT_MICROS) -> str:
    """The slot (of `unit` microseconds) holding an instant: floor division, exact for
    instants before 1970 too."""
    s = unit
    return f"(({micros_sql}) - ((({micros_sql}) % {s}) + {s}) % {s}) / {s}"


def history_terms(r: str, micros: Micros, greatest: str, unit: int = SLOT_MICROS) -> dict[str, str]:
    t0 = f"({r}.slot * {unit})"
    trt_us = f"CAST(round({r}.total_run_time * 1000000) AS BIGINT)"
    live = f"{r}.state_type = '{RUNNING}' AND {r}.state_timestamp IS NOT NULL"
    linear = f"{live} AND {r}.total_run_time >= 0"
    waiting = (
        f"{r}.start_time IS NULL AND ({r}.state_type IS NULL"
        f" OR {r}.state_type NOT IN ({sql_list(TERMINAL)}))"
    )
    late = f"{r}.start_time IS NOT NULL AND {r}.start_time > {r}.expected_start_time"
    expected = micros(f"{r}.expected_start_time")
    return {
        "n": "1",
        "run_time_us": (
            f"CASE WHEN {live} THEN 0"
            f" ELSE CAST(round({greatest}(0, {r}.total_run_time) * 1000000) AS BIGINT) END"
        ),
        "running_n": f"CASE WHEN {linear} THEN 1 ELSE 0 END",
        "running_base_us": (
            f"CASE WHEN {linear}"
            f" THEN {trt_us} - ({micros(f'{r}.state_timestamp')} - {t0}) ELSE 0 END"
        ),
        "irregular_n": f"CASE WHEN {live} AND {r}.total_run_time < 0 THEN 1 ELSE 0 END",
        "late_us": f"CASE WHEN {late} THEN {micros(f'{r}.start_time')} - {expected} ELSE 0 END",
        "waiting_n": f"CASE WHEN {waiting} THEN 1 ELSE 0 END",
        "waiting_base_us": f"CASE WHEN {waiting} THEN {t0} - {expected} ELSE 0 END",
    }
