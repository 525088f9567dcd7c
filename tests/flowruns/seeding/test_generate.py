"""The seeder's row generation, without a database."""

import random
import uuid

from flowruns.seeding.bookkeeping import bookkeeping
from flowruns.seeding.generate import RunFactory
from flowruns.seeding.histories import Step
from flowruns.seeding.rows import RUN_COLUMNS, DeploymentSpec, FlowSpec

NOW = 1_800_000_000_000_000  # µs


def flows():
    deployment = DeploymentSpec(uuid.UUID(int=1), "1.0", uuid.UUID(int=2), "default")
    return [
        FlowSpec(uuid.UUID(int=3), "etl", ("a", "b"), (deployment,), ("{}",)),
        FlowSpec(uuid.UUID(int=4), "report", ("c",), (), ("{}",)),
    ]


def generate(seed, runs=300):
    factory = RunFactory(
        flows=flows(),
        now_us=NOW,
        states_per_run=3,
        task_runs_per_run=2,
        logs_per_run=2,
        rng=random.Random(seed),
        total_runs=runs,
    )
    return list(factory.batches(runs, 100, {}))


def test_the_same_seed_gives_the_same_rows():
    assert generate(7) == generate(7)
    assert generate(7)[0].runs != generate(8)[0].runs


def test_every_run_points_at_its_last_stored_state():
    for batch in generate(7):
        latest = {}
        for state in batch.states:  # (id, created, updated, type, timestamp, name, ..., run)
            if state[-1] not in latest or state[4] > latest[state[-1]][4]:
                latest[state[-1]] = state
        for run in batch.runs:
            row = dict(zip(RUN_COLUMNS, run, strict=True))
            state = latest[row["id"]]
            assert (row["state_id"], row["state_type"], row["state_name"]) == (
                state[0],
                state[3],
                state[5],
            )


def test_bookkeeping_follows_a_retried_run():
    books = bookkeeping(
        [
            Step("SCHEDULED", "Scheduled", 0, 100, None),
            Step("PENDING", "Pending", 110, None, None),
            Step("RUNNING", "Running", 120, None, None),
            Step("SCHEDULED", "AwaitingRetry", 150, 160, "boom"),
            Step("RUNNING", "Retrying", 170, None, None),
            Step("COMPLETED", "Completed", 200, None, None),
        ]
    )
    assert (books.run_count, books.start, books.end) == (2, 120, 200)
    assert (books.expected_start, books.next_scheduled_start) == (100, None)
    assert books.run_time == (150 - 120) + (200 - 170)


def test_bookkeeping_sees_only_the_stored_tail():
    books = bookkeeping(
        [Step("RUNNING", "Retrying", 170, None, None), Step("FAILED", "Failed", 200, None, "x")]
    )
    assert (books.run_count, books.start, books.end, books.expected_start) == (1, 170, 200, 170)
    assert books.run_time == 30


def test_a_scheduled_run_keeps_its_next_scheduled_start():
    books = bookkeeping([Step("SCHEDULED", "Scheduled", 0, 500, None)])
    assert (books.next_scheduled_start, books.expected_start, books.end) == (500, 500, None)
