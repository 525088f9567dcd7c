"""Exact run counters and history slots, kept by database triggers on `flow_run`.

`layout` fixes the slot width and shard counts; `postgres` and `sqlite` hold each vendor's
trigger and backfill SQL; `install` puts them in place (migration `0007_run_counters`) and
rebuilds the tables from `flow_run` (the `rebuild_run_counters` command). The reads are in
`flowruns.selectors.run_counters`.
"""
