"""Which rules run for a transition, which are skipped after a rejection, and which are
cleaned up when a later rule overturns them (orchestration.md §2.2)."""

from __future__ import annotations

from orchestration import Abort, ResponseStatus, StateType, Wait
from orchestration.rules import state_types

from .helpers import Log, orchestrate_running_to_completed, policy_of, recording, reject_to

S = StateType


def test_rules_are_selected_by_the_intended_transition_only() -> None:
    log: Log = []
    policy = policy_of(
        recording("Matching", log, from_states=state_types(S.RUNNING)),
        recording("WrongFrom", log, from_states=state_types(S.PENDING)),
        recording("WrongTo", log, to_states=state_types(S.FAILED)),
    )

    orchestrate_running_to_completed(policy)

    assert log == ["Matching.before", "Matching.after"]


def test_a_rule_matching_only_the_changed_proposal_never_runs() -> None:
    log: Log = []
    policy = policy_of(
        recording("Rejecter", log, before=reject_to(S.FAILED)),
        recording("OnlyFailed", log, to_states=state_types(S.FAILED)),
    )

    result = orchestrate_running_to_completed(policy)

    assert result.state.type is S.FAILED
    assert "OnlyFailed.before" not in log


def test_rules_after_a_type_changing_rejection_are_skipped_and_the_first_rejection_wins() -> None:
    log: Log = []
    policy = policy_of(
        recording("First", log, before=reject_to(None)),
        recording("Second", log, before=reject_to(S.CRASHED)),
    )

    result = orchestrate_running_to_completed(policy)

    assert (result.status, result.reason, result.state) == (ResponseStatus.REJECT, "to None", None)
    assert log == ["First.before", "First.after"]


def test_a_rejection_to_the_same_type_keeps_later_rules_valid_and_the_last_status_wins() -> None:
    log: Log = []
    policy = policy_of(
        recording("SameType", log, before=reject_to(S.COMPLETED)),
        recording("Waiter", log, before=lambda ctx: Wait(delay_seconds=3, reason="later")),
    )

    result = orchestrate_running_to_completed(policy)

    assert (result.status, result.delay_seconds, result.reason) == (ResponseStatus.WAIT, 3, "later")
    assert result.state is None
    assert log == ["SameType.before", "Waiter.before", "Waiter.after", "SameType.cleanup"]


def test_rules_overturned_by_a_later_rule_are_cleaned_up_in_reverse_order() -> None:
    log: Log = []
    policy = policy_of(
        recording("A", log),
        recording("B", log),
        recording("Aborter", log, before=lambda ctx: Abort(reason="stop")),
        recording("Never", log),
    )

    result = orchestrate_running_to_completed(policy)

    assert (result.status, result.reason) == (ResponseStatus.ABORT, "stop")
    assert log == [
        "A.before",
        "B.before",
        "Aborter.before",
        "Aborter.after",
        "B.cleanup",
        "A.cleanup",
    ]


def test_a_rule_whose_own_rejection_leaves_its_to_set_gets_neither_hook() -> None:
    log: Log = []
    policy = policy_of(
        recording("Narrow", log, to_states=state_types(S.COMPLETED), before=reject_to(None)),
    )

    result = orchestrate_running_to_completed(policy)

    assert result.status is ResponseStatus.REJECT
    assert log == ["Narrow.before"]
