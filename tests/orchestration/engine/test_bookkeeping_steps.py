"""Where the bookkeeping transforms run among the policy's hooks, and which bookkeeping
policy is used (orchestration.md §2.2)."""

from __future__ import annotations

from typing import Any, ClassVar

from orchestration import Abort, Policy, ResponseStatus, StateType, orchestrate
from tests.orchestration.helpers import flow_ctx, make_state, proposal

from .helpers import (
    Log,
    orchestrate_running_to_completed,
    policy_of,
    recording,
    recording_transform,
)

S = StateType


def test_bookkeeping_after_hooks_run_before_policy_after_hooks() -> None:
    log: Log = []
    policy = policy_of(
        recording("Rule", log),
        recording_transform("PolicyTransform", log),
        books=(recording_transform("Books", log),),
    )

    orchestrate_running_to_completed(policy)

    assert log == [
        "Rule.before",
        "PolicyTransform.before:COMPLETED",
        "Books.before:COMPLETED",
        "Books.after:COMPLETED",
        "PolicyTransform.after:COMPLETED",
        "Rule.after",
    ]


def test_transforms_see_the_final_proposal_and_none_when_nothing_is_written() -> None:
    log: Log = []
    policy = policy_of(
        recording("Aborter", log, before=lambda ctx: Abort(reason="no")),
        books=(recording_transform("Books", log),),
    )

    orchestrate_running_to_completed(policy)

    assert "Books.before:None" in log and "Books.after:None" in log


def test_an_explicit_bookkeeping_policy_replaces_the_default() -> None:
    log: Log = []

    class Books(Policy):
        rules: ClassVar[tuple[type[Any], ...]] = (recording_transform("Explicit", log),)

    result = orchestrate(
        flow_ctx(make_state(S.RUNNING), proposal(S.COMPLETED)),
        policy_of(books=(recording_transform("Default", log),)),
        bookkeeping=Books,
    )

    assert result.status is ResponseStatus.ACCEPT
    assert log == ["Explicit.before:COMPLETED", "Explicit.after:COMPLETED"]
