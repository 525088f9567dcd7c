"""IncrementFlowRunCount and RemoveResumingIndicator: which RUNNING counts a run
(GlobalFlowPolicy)."""

from __future__ import annotations

import pytest

from orchestration import FlowRunPolicy, StateType
from orchestration.rules import IncrementFlowRunCount, RemoveResumingIndicator
from tests.orchestration.helpers import flow_ctx, flow_run, make_state, proposal

S = StateType


@pytest.mark.parametrize("current_type", [None, S.PENDING, S.RUNNING, S.PAUSED, S.FAILED])
def test_every_running_counts_a_run(current_type: StateType | None) -> None:
    current = None if current_type is None else make_state(current_type)
    ctx = flow_ctx(current, proposal(S.RUNNING), run=flow_run(run_count=4))

    assert IncrementFlowRunCount().before_transition(ctx).run == {"run_count": 5}


def test_a_resume_flagged_as_resuming_is_not_counted() -> None:
    ctx = flow_ctx(
        make_state(S.PENDING),
        proposal(S.RUNNING),
        run=flow_run(run_count=4, empirical_policy=FlowRunPolicy(resuming=True)),
    )

    assert IncrementFlowRunCount().before_transition(ctx).run == {}


def test_old_api_versions_count_even_resumes() -> None:
    ctx = flow_ctx(
        make_state(S.PENDING),
        proposal(S.RUNNING),
        run=flow_run(run_count=4, empirical_policy=FlowRunPolicy(resuming=True)),
        api_version=(0, 8, 3),
    )

    assert IncrementFlowRunCount().before_transition(ctx).run == {"run_count": 5}


@pytest.mark.parametrize(
    ("proposed_type", "cleared"),
    [
        (S.RUNNING, True),
        (S.COMPLETED, True),
        (S.CRASHED, True),
        (S.SCHEDULED, False),
        (S.PENDING, False),
    ],
)
def test_resuming_flag_is_cleared_by_running_or_terminal_states(
    proposed_type: StateType, cleared: bool
) -> None:
    ctx = flow_ctx(
        make_state(S.PAUSED),
        proposal(proposed_type),
        run=flow_run(empirical_policy=FlowRunPolicy(resuming=True)),
    )

    decision = RemoveResumingIndicator().before_transition(ctx)

    assert ("empirical_policy" in decision.run) is cleared
    if cleared:
        assert decision.run["empirical_policy"] == FlowRunPolicy(resuming=False)
