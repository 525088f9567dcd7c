"""The operator's side of the server: Django admin pages for flows, deployments, flow runs
(with orchestration actions), task runs and inputs. Logs are in `logs_app.admin`; work pools,
queues and workers in `work_pools.admin`. Importing this package registers every model admin.

Every list is built for big tables: no full-table COUNT (`pagination`), no sidebar filter that
scans a table for its options (`filters`), select_related for every foreign key shown, and
read-only detail pages; state changes go through `flow_run_set_state` (`actions`).
"""

from . import deployments, flow_runs, flows, inputs, run_counters, task_runs

__all__ = [
    "deployments",
    "flow_runs",
    "flows",
    "inputs",
    "run_counters",
    "task_runs",
]
