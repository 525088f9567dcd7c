"""The rule lifecycle of orchestration.md §2.2, with recording rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import pytest

from orchestration import (
    Abort,
    Accept,
    Decision,
    Effect,
    FlowRunFacts,
    FlowRunPolicy,
    OrchestrationError,
    Policy,
    Reject,
    ResponseStatus,
    StateType,
    TransitionContext,
    Update,
    Wait,
    orchestrate,
)
from orchestration.decisions import NO_CHANGE
from orchestration.rules import ALL_STATES, Rule, Transform, state_types
from tests.orchestration.helpers import NOW, flow_ctx, flow_run, make_state, proposal

S = StateType
Log = list[str]
Hook = Callable[[TransitionContext[FlowRunFacts]], Decision]


def recording(
    name: str,
    log: Log,
    *,
    from_states: frozenset[StateType | None] = ALL_STATES,
    to_states: frozenset[StateType | None] = ALL_STATES,
    before: Hook | None = None,
) -> type[Rule[FlowRunFacts]]:
    """A rule class that logs every hook it gets and decides with `before`."""

    class Recording(Rule[FlowRunFacts]):
        FROM_STATES = from_states
        TO_STATES = to_states

        def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
            log.append(f"{name}.before")
            return Accept() if before is None else before(ctx)

        def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            log.append(f"{name}.after")
            return NO_CHANGE

        def cleanup(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            log.append(f"{name}.cleanup")
            return NO_CHANGE

    Recording.__name__ = name
    return Recording


def recording_transform(name: str, log: Log) -> type[Transform[FlowRunFacts]]:
    class Recording(Transform[FlowRunFacts]):
        def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Accept:
            log.append(f"{name}.before:{ctx.proposed_type}")
            return Accept()

        def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            log.append(f"{name}.after:{ctx.proposed_type}")
            return NO_CHANGE

    Recording.__name__ = name
    return Recording


def policy_of(*steps: type[Any], books: tuple[type[Any], ...] = ()) -> type[Policy]:
    class Books(Policy):
        rules = books

    class Composed(Policy):
        rules = steps
        bookkeeping = Books

    return Composed


def reject_to(state_type: StateType | None) -> Hook:
    def decide(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        state = None if state_type is None else proposal(state_type)
        return Reject(state=state, reason=f"to {state_type}")

    return decide


def orchestrate_running_to_completed(policy: type[Policy]) -> Any:
    return orchestrate(flow_ctx(make_state(S.RUNNING), proposal(S.COMPLETED)), policy)


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


def test_accept_may_edit_the_proposal_for_later_rules() -> None:
    seen: list[str] = []

    def rename(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        return Accept(state=ctx.proposal.renamed("Renamed"))

    def look(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        seen.append(ctx.proposal.name)
        return Accept()

    policy = policy_of(recording("R", [], before=rename), recording("L", [], before=look))

    result = orchestrate_running_to_completed(policy)

    assert seen == ["Renamed"]
    assert result.state.name == "Renamed"


def test_run_updates_are_visible_to_later_rules_and_reported_once() -> None:
    seen: list[int] = []

    def bump(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        return Accept(run={"run_count": ctx.run.run_count + 10})

    def look(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        seen.append(ctx.run.run_count)
        return Accept()

    policy = policy_of(recording("Bump", [], before=bump), recording("Look", [], before=look))

    result = orchestrate_running_to_completed(policy)

    assert seen == [10]
    assert result.run_updates == {"run_count": 10}


def test_run_updates_are_reported_even_when_nothing_is_written() -> None:
    class SetResumingAndReject(Rule[FlowRunFacts]):
        def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
            return Reject(
                state=None,
                reason="no",
                run={"empirical_policy": FlowRunPolicy(resuming=True)},
            )

    result = orchestrate_running_to_completed(policy_of(SetResumingAndReject))

    assert result.state is None
    assert result.run_updates == {"empirical_policy": FlowRunPolicy(resuming=True)}


def test_effects_of_an_overturned_rule_are_dropped() -> None:
    class Marker(Effect):
        pass

    def request(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        return Accept(effects=(Marker(),))

    kept = orchestrate_running_to_completed(policy_of(recording("Req", [], before=request)))
    dropped = orchestrate_running_to_completed(
        policy_of(
            recording("Req", [], before=request),
            recording("Abort", [], before=lambda ctx: Abort(reason="x")),
        )
    )

    assert kept.effects == (Marker(),)
    assert dropped.effects == ()


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
