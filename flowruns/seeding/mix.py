"""What the seeded data looks like: the state mix, tags, messages. Tune the data set here."""

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
HISTORY_SPAN = 90 * DAY

SCHEDULED, PENDING, RUNNING = "SCHEDULED", "PENDING", "RUNNING"
COMPLETED, FAILED, CANCELLED, CRASHED = "COMPLETED", "FAILED", "CANCELLED", "CRASHED"
PAUSED, CANCELLING = "PAUSED", "CANCELLING"

LATE = "LATE"  # a SCHEDULED run whose time has passed (state name "Late")
# Current states. Finished runs accumulate; runs in a live state do not, so those are a
# share of the runs only up to a per-deployment cap (future SCHEDULED: Prefect's scheduler
# keeps at most 100 upcoming runs per deployment). At 1M runs over ~40 deployments that is
# ~4,000 upcoming and ~800 running runs, and >99% finished ones.
LIVE_MIX = (
    # (current state, share of the runs, at most this many per deployment)
    (SCHEDULED, 0.07, 100),
    (LATE, 0.02, 5),
    (RUNNING, 0.025, 20),
    (PENDING, 0.015, 5),
    (PAUSED, 0.005, 2),
    (CANCELLING, 0.005, 2),
)
FINISHED_MIX = ((COMPLETED, 0.85), (FAILED, 0.09), (CANCELLED, 0.035), (CRASHED, 0.025))
# (tag, probability) per group; a run takes at most one tag from each group: 0-3 tags.
TAG_GROUPS = (
    (("env:prod", 0.50), ("env:dev", 0.25), ("env:staging", 0.15)),
    (("team:a", 0.15), ("team:b", 0.15), ("team:c", 0.10), ("team:d", 0.10)),
    (("nightly", 0.15), ("etl", 0.10), ("critical", 0.05), ("ml", 0.05)),
)
TASK_NAMES = ("extract", "transform", "load", "validate", "notify", "aggregate", "train")
FAILURES = (
    "Flow run encountered an exception: ValueError: invalid literal for int()",
    "Flow run encountered an exception: TimeoutError: upstream API did not answer",
    "Flow run encountered an exception: KeyError: 'customer_id'",
)
CRASHES = (
    "Flow run infrastructure exited with non-zero status code 137.",
    "Execution was cancelled by the runtime environment.",
)
LOG_LINES = (
    (20, "Beginning flow run {name!r} for flow {flow!r}"),
    (20, "Processed batch {n} of 40"),
    (20, "Wrote {n}000 rows to the warehouse"),
    (10, "Cache miss for key {n}"),
    (30, "Retrying request after HTTP 503 (attempt {n})"),
    (40, "Validation failed for {n} records"),
)

# The reference workload of the Prefect comparison (bench/compare.py), the same distribution
# as /work/shared/bench/seed_prefect_flow_runs.sql: one state row per run, 10 flows, no
# deployments. State counts are exact (shares of the runs, dealt in random order).
REFERENCE_MIX = (
    (COMPLETED, 0.60),
    (FAILED, 0.15),
    (SCHEDULED, 0.10),
    (CANCELLED, 0.05),
    (CRASHED, 0.05),
    (RUNNING, 0.03),
    (PENDING, 0.02),
)
REFERENCE_FLOWS = tuple(f"seed-flow-{k}" for k in range(10))
REFERENCE_TEAMS = tuple(f"team-{k}" for k in range(10))
REFERENCE_PROD_SHARE = 0.5  # "env:prod", else "env:dev"
REFERENCE_HIGH_SHARE = 0.3  # "priority:high" as a third tag
