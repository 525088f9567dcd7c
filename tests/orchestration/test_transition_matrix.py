"""The verified CoreFlowPolicy matrix of orchestration.md §5.1, cell by cell.

Each run is first created the way the API does it (initial state applied with the force
policy), then the proposal goes through CoreFlowPolicy. A cell is checked for status,
whether a state is written, the resulting state type, the reason and run_count.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import DeploymentFacts, FlowRunPolicy, ResponseStatus, StateType
from tests.orchestration.helpers import DEPLOYMENT_ID, FlowRunSimulator, flow_run

S = StateType
TARGETS = [S.SCHEDULED, S.PENDING, S.RUNNING, S.COMPLETED, S.FAILED, S.CANCELLED, S.CRASHED]
TARGETS += [S.PAUSED, S.CANCELLING]

# Columns follow TARGETS. A = accepted, Ab = aborted, Rn = rejected writing nothing,
# R4 = rejected with a new CANCELLED state; the number is the footnote giving the reason.
MATRIX = {
    None: "A    A    A    A    A    A  A    Ab1  A",
    S.SCHEDULED: "A    A    A    A    A    A  A    Rn3  R4",
    S.PENDING: "A    Ab5  A    A    A    A  A    Rn3  A",
    S.RUNNING: "A    Ab5  A    A    A    A  A    A    A",
    S.COMPLETED: "Ab8  A    A    A    A    A  Ab9  Ab9  Ab9",
    S.FAILED: "Ab8  A    A    A    A    A  Ab9  Ab9  Ab9",
    S.CANCELLED: "Ab8  Ab5  A    A    A    A  Ab9  Ab9  Ab9",
    S.CRASHED: "Ab8  A    A    A    A    A  Ab9  Ab9  Ab9",
    S.PAUSED: "A    Rn11 A    A    A    A  A    Rn3  Rn11",
    S.CANCELLING: "Rn12 Rn12 Rn12 Rn12 Rn12 A  Rn12 Rn12 Rn12",
}


def footnote_reason(note: str, current: StateType | None, target: StateType) -> str:
    reasons = {
        "1": "Cannot pause flows with no state.",
        "3": "Cannot pause flows that are not currently running.",
        "4": "Scheduled flow run has no infrastructure to terminate.",
        "5": f"This run is in a {current} state and cannot transition to a PENDING state.",
        "8": "Cannot reschedule a run without an associated deployment.",
        "9": f"Run is already in terminal state {current}.",
        "11": (
            f"This run cannot transition to the StateType.{target} state "
            "from the StateType.PAUSED state."
        ),
        "12": "Cannot transition flows that are cancelling to a state other than Cancelled.",
    }
    return reasons[note]


def cells() -> list[tuple[StateType | None, StateType, str]]:
    return [
        (current, target, code)
        for current, row in MATRIX.items()
        for target, code in zip(TARGETS, row.split(), strict=True)
    ]


def cell_id(cell: tuple[StateType | None, StateType, str]) -> str:
    current, target, code = cell
    return f"{current or 'None'}->{target}:{code}"


def created_run(current: StateType | None, with_deployment: bool) -> FlowRunSimulator:
    run = flow_run(deployment_id=DEPLOYMENT_ID) if with_deployment else flow_run()
    deployment = DeploymentFacts(exists=True) if with_deployment else None
    sim = FlowRunSimulator(run=run, deployment=deployment)
    if current is not None:
        sim.create(current)
    return sim


@pytest.mark.parametrize("with_deployment", [False, True], ids=["no-deployment", "deployment"])
@pytest.mark.parametrize("cell", cells(), ids=cell_id)
def test_core_policy_matches_the_verified_matrix(
    cell: tuple[StateType | None, StateType, str], with_deployment: bool
) -> None:
    current, target, code = cell
    if with_deployment and code == "Ab8":
        code = "A"  # the only cells a deployment changes (footnote 8)
    sim = created_run(current, with_deployment)
    run_count_before = sim.run.run_count
    state_before = sim.state

    result = sim.propose(target)

    kind = code.rstrip("0123456789")
    note = code[len(kind) :]
    expected_status = {
        "A": ResponseStatus.ACCEPT,
        "Ab": ResponseStatus.ABORT,
        "Rn": ResponseStatus.REJECT,
        "R": ResponseStatus.REJECT,
    }[kind]
    assert result.status is expected_status
    if kind == "A":
        assert result.reason is None
        assert result.state is not None and result.state.type is target
    elif kind == "R":
        assert result.state is not None and result.state.type is StateType.CANCELLED
        assert result.reason == footnote_reason(note, current, target)
    else:
        assert result.state is None, "nothing may be written"
        assert sim.state is state_before
        assert result.reason == footnote_reason(note, current, target)

    ran_again = kind == "A" and target is StateType.RUNNING
    assert sim.run.run_count == run_count_before + (1 if ran_again else 0)


# -- the footnoted variants ----------------------------------------------------------------


def test_scheduled_run_waits_when_scheduled_time_is_in_the_future() -> None:
    sim = created_run(None, False)
    sim.create(StateType.SCHEDULED, scheduled_time=sim.now + timedelta(seconds=90))

    result = sim.propose(StateType.RUNNING)

    assert result.status is ResponseStatus.WAIT
    assert result.state is None
    assert result.delay_seconds == 89  # one second passed since creation
    assert result.reason == "Scheduled time is in the future"
    assert sim.run.run_count == 0


def test_pending_run_waits_for_the_scheduled_time_it_inherited() -> None:
    sim = created_run(None, False)
    sim.create(StateType.SCHEDULED, scheduled_time=sim.now + timedelta(seconds=30))
    assert sim.propose(StateType.PENDING).status is ResponseStatus.ACCEPT

    result = sim.propose(StateType.RUNNING)

    assert result.status is ResponseStatus.WAIT
    assert result.delay_seconds == 28


def test_scheduled_run_with_infrastructure_pid_goes_to_cancelling() -> None:
    sim = FlowRunSimulator(run=flow_run(infrastructure_pid="4242"))
    sim.create(StateType.SCHEDULED)

    result = sim.propose(StateType.CANCELLING)

    assert result.status is ResponseStatus.ACCEPT
    assert result.state is not None and result.state.type is StateType.CANCELLING


def test_pending_to_a_named_pending_substate_is_accepted() -> None:
    sim = created_run(None, False)
    sim.create(StateType.SCHEDULED)
    sim.propose(StateType.PENDING)
    scheduled_time = sim.state.detail("scheduled_time") if sim.state else None

    result = sim.propose(StateType.PENDING, name="Submitting")

    assert result.status is ResponseStatus.ACCEPT
    assert result.state is not None
    assert result.state.name == "Submitting"
    assert result.state.detail("scheduled_time") == scheduled_time


def test_running_to_failed_with_retries_left_is_rejected_to_awaiting_retry() -> None:
    sim = FlowRunSimulator(run=flow_run(empirical_policy=FlowRunPolicy(retries=1)))
    sim.create(StateType.RUNNING)

    result = sim.propose(StateType.FAILED)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Retrying"
    assert result.state is not None
    assert (result.state.type, result.state.name) == (StateType.SCHEDULED, "AwaitingRetry")


PERSISTED = {"type": "reference", "storage_key": "/results/abc"}


@pytest.mark.parametrize("target", [S.SCHEDULED, S.PENDING, S.RUNNING])
def test_completed_with_persisted_result_cannot_run_again(target: StateType) -> None:
    sim = FlowRunSimulator(run=flow_run(deployment_id=DEPLOYMENT_ID))
    sim.create(StateType.COMPLETED, data=PERSISTED)

    result = sim.propose(target)

    assert result.status is ResponseStatus.REJECT
    assert result.state is None
    assert result.reason == "Run is already COMPLETED."


def test_completed_with_persisted_result_cannot_be_overwritten_without_one() -> None:
    sim = created_run(None, False)
    sim.create(StateType.COMPLETED, data=PERSISTED)

    result = sim.propose(StateType.COMPLETED)

    assert result.status is ResponseStatus.REJECT
    assert result.state is None
    assert result.reason == (
        "Cannot overwrite a COMPLETED state that carries persisted result data "
        "with one that does not."
    )


def test_completed_with_persisted_result_can_be_replaced_by_another_persisted_one() -> None:
    sim = created_run(None, False)
    sim.create(StateType.COMPLETED, data=PERSISTED)

    result = sim.propose(StateType.COMPLETED, data={"type": "reference", "storage_key": "/b"})

    assert result.status is ResponseStatus.ACCEPT


@pytest.mark.parametrize("data", [{"type": "unpersisted"}, 42, [1, 2], {}])
def test_completed_without_persisted_result_can_run_again(data: object) -> None:
    sim = created_run(None, False)
    sim.create(StateType.COMPLETED, data=data)

    assert sim.propose(StateType.RUNNING).status is ResponseStatus.ACCEPT
