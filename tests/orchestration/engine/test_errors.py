"""Errors in rules and misuse of the engine are OrchestrationErrors that name the step
(orchestration.md §2.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from orchestration import (
    Abort,
    Accept,
    Decision,
    FlowRunFacts,
    OrchestrationError,
    StateType,
    TransitionContext,
    Update,
    orchestrate,
)
from orchestration.rules import Rule, Transform
from tests.orchestration.helpers import NOW, flow_ctx, flow_run, proposal

from .helpers import Log, orchestrate_running_to_completed, policy_of, recording, reject_to

S = StateType


class Boom(RuntimeError):
    pass


def test_an_error_in_a_rule_names_the_rule_and_cleans_up_the_others() -> None:
    log: Log = []

    def explode(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        raise Boom("kaput")

    policy = policy_of(recording("Earlier", log), recording("Exploding", log, before=explode))

    with pytest.raises(OrchestrationError) as caught:
        orchestrate_running_to_completed(policy)

    assert str(caught.value) == ("Aborting orchestration due to error in Exploding: !Boom('kaput')")
    assert caught.value.step == "Exploding"
    assert isinstance(caught.value.__cause__, Boom)
    assert log == ["Earlier.before", "Exploding.before", "Earlier.cleanup"]


def test_an_error_in_an_after_hook_is_reported_with_the_hook() -> None:
    class BrokenAfter(Rule[FlowRunFacts]):
        def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            raise Boom("late")

    with pytest.raises(OrchestrationError) as caught:
        orchestrate_running_to_completed(policy_of(BrokenAfter))

    assert (caught.value.step, caught.value.hook) == ("BrokenAfter", "after_transition")


def test_a_null_rejection_of_a_run_without_state_is_an_error() -> None:
    policy = policy_of(recording("Nuller", [], before=reject_to(None)))

    with pytest.raises(
        OrchestrationError, match="cannot be rejected without providing a new state"
    ):
        orchestrate(flow_ctx(None, proposal(S.PENDING)), policy)


def test_accept_cannot_change_the_proposed_type() -> None:
    policy = policy_of(recording("Sneaky", [], before=lambda ctx: Accept(state=proposal(S.FAILED))))

    with pytest.raises(OrchestrationError, match="Sneaky"):
        orchestrate_running_to_completed(policy)


def test_a_transform_cannot_refuse_a_transition() -> None:
    class RefusingTransform(Transform[FlowRunFacts]):
        def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Any:
            return Abort(reason="not allowed")

    with pytest.raises(OrchestrationError, match="RefusingTransform"):
        orchestrate_running_to_completed(policy_of(RefusingTransform))


def test_updating_an_unknown_run_field_is_an_error() -> None:
    policy = policy_of(recording("Typo", [], before=lambda ctx: Accept(run={"run_cuont": 1})))

    with pytest.raises(OrchestrationError, match="Typo"):
        orchestrate_running_to_completed(policy)


def test_orchestrate_needs_a_proposal() -> None:
    ctx = TransitionContext(run=flow_run(), initial_state=None, proposed_state=None, now=NOW)

    with pytest.raises(ValueError, match="needs a proposed state"):
        orchestrate(ctx, policy_of())


def test_the_context_needs_an_aware_clock() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TransitionContext(
            run=flow_run(), initial_state=None, proposed_state=None, now=datetime(2026, 1, 1)
        )
