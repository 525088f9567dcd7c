"""What a rule's decision hands on: an edited proposal, run updates and effects
(orchestration.md §2.2)."""

from __future__ import annotations

from orchestration import (
    Abort,
    Accept,
    Decision,
    Effect,
    FlowRunFacts,
    FlowRunPolicy,
    Reject,
    TransitionContext,
)
from orchestration.rules import Rule

from .helpers import orchestrate_running_to_completed, policy_of, recording


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
