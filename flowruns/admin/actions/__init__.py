"""Flow-run admin actions: cancel, mark failed, retry, reschedule, force a state, delete.

Every action first shows a confirmation page summarising what it will change (how many runs,
from which states to what); nothing happens until it is confirmed. State changes go through
`flow_run_set_state` (the API's `set_state` service), one run (one transaction) at a time;
deletion through `flow_runs_delete` (the API's and the commands' service). Outcomes are
reported grouped ("3 now Cancelling", "2 left alone, still Completed (…)"), and every change
is written to the admin history (`LogEntry`), so "Recent actions" and each run's History
show who did what.
"""

from .definitions import (
    FLOW_RUN_ACTIONS,
    cancel_flow_runs,
    delete_flow_runs,
    force_flow_run_state,
    mark_flow_runs_failed,
    reschedule_flow_runs,
    retry_flow_runs,
)

__all__ = [
    "FLOW_RUN_ACTIONS",
    "cancel_flow_runs",
    "delete_flow_runs",
    "force_flow_run_state",
    "mark_flow_runs_failed",
    "reschedule_flow_runs",
    "retry_flow_runs",
]
