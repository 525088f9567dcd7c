"""Prefect's filter language on Django (spec/api.md §4, §5, §7.4).

* `schemas` — pydantic request models (`FlowRunFilter`, ...), validation only;
* `compile` — models → `Q` (`flow_run_filter_q`, `task_run_filter_q`, `flow_filter_q`,
  `log_filter_q`), built from the criteria in `operators` and the lookups in `lookups`;
* `bodies` — field-body models holding the filter keys of a request (`FlowRunQuery.q()`, ...);
* `sorting` — sort enums and their `order_by` expressions;
* `limits` — the `limit` rule; `types` — `UTCDateTime`; `filtersets` — django-filter sets for
  the plain GET list endpoints.
"""
