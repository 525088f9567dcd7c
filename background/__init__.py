"""The background services (spec/services.md): periodic sweeps that keep runs from staying stuck.

Each service is a plain function `sweep(now) -> SweepResult` (`background.sweeps.*`) that finds
its candidates in bounded, keyset-paged batches and changes each run through the one state-write
path (`flowruns.services.states`), re-checking the selection under the run's row lock. The
registry (`background.registry`) names them with their interval and switch; `manage.py
run_services` runs them, one active process at a time.
"""
