"""`orchestrate`: run a policy over one proposed transition and say what to write.

The lifecycle follows Prefect's (orchestration.md §2.2), made explicit:

1. The intended transition (current type, proposed type) is computed once. A rule is
   selected if that pair is in its FROM x TO; transforms are always selected.
2. Entry, in policy order then bookkeeping order. A selected rule whose transition no
   longer matches (an earlier rule rejected, waited or aborted and so changed the proposed
   type) is skipped for good. Otherwise its `before_transition` runs and its decision is
   applied at once; the status and reason are those of the last decision that set one.
3. The final proposal is what will be written (the engine writes nothing itself).
4. Exit, in exact reverse order. A rule that ran gets `after_transition` if the proposed
   type is still the one it expects (its own rejection updates what it expects, and if
   that new type is outside its TO_STATES it gets neither hook), else `cleanup`.
   Transforms always get `after_transition`, so bookkeeping after-hooks run before the
   policy rules' after-hooks.

Prefect's commit step sits between entry and exit; here the service writes after
`orchestrate` returns, inside the same transaction, so a failed write rolls back
everything the hooks did through the slot store too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from orchestration.context import TransitionContext
from orchestration.decisions import Abort, Accept, Effect, Reject, Update, Wait
from orchestration.policies import Policy
from orchestration.results import OrchestrationError, OrchestrationResult, ResponseStatus
from orchestration.rules.base import Rule, Transform
from orchestration.states import State, StateType

__all__ = ["OrchestrationError", "OrchestrationResult", "ResponseStatus", "orchestrate"]


Step = Rule[Any] | Transform[Any]


@dataclass
class _Entered:
    step: Step
    expects: StateType | None
    effects: list[Effect]


def _name(step: Step) -> str:
    return type(step).__name__


class _Orchestration:
    """The mutable state of one call: the evolving context, status and entered steps."""

    def __init__(self, ctx: TransitionContext[Any]) -> None:
        self.ctx = ctx
        self.intended = (ctx.initial_type, ctx.proposed_type)
        self.status = ResponseStatus.ACCEPT
        self.reason: str | None = None
        self.delay_seconds: int | None = None
        self.entered: list[_Entered] = []
        self.after_effects: list[Effect] = []

    # -- entry ---------------------------------------------------------------------------

    def enter(self, step: Step) -> None:
        if isinstance(step, Rule):
            if (self.ctx.initial_type, self.ctx.proposed_type) != self.intended:
                return  # invalid: an earlier rule changed the transition
            entry = _Entered(step, expects=self.intended[1], effects=[])
        else:
            entry = _Entered(step, expects=None, effects=[])
        try:
            decision = step.before_transition(self.ctx)
            self.apply_decision(entry, decision)
        except Exception as exc:
            self.unwind_after_error(exc)
            raise OrchestrationError(_name(step), "before_transition", exc) from exc
        self.entered.append(entry)

    def apply_decision(self, entry: _Entered, decision: Update) -> None:
        if isinstance(entry.step, Transform) and not isinstance(decision, Accept):
            raise ValueError("a transform can only accept")
        if isinstance(decision, Accept):
            if decision.state is not None:
                if decision.state.type is not self.ctx.proposed_type:
                    raise ValueError("Accept may edit the proposal but not change its type")
                self.ctx = dataclasses.replace(self.ctx, proposed_state=decision.state)
        elif isinstance(decision, Reject):
            if decision.state is None and self.ctx.initial_state is None:
                raise ValueError(
                    "The current run has no state and this transition cannot be rejected "
                    "without providing a new state."
                )
            self.settle(entry, decision.state, ResponseStatus.REJECT, decision.reason)
        elif isinstance(decision, Wait):
            self.settle(entry, None, ResponseStatus.WAIT, decision.reason)
            self.delay_seconds = decision.delay_seconds
        elif isinstance(decision, Abort):
            self.settle(entry, None, ResponseStatus.ABORT, decision.reason)
        self.update_run(decision.run)
        entry.effects.extend(decision.effects)

    def settle(
        self, entry: _Entered, state: State | None, status: ResponseStatus, reason: str
    ) -> None:
        """Replace the proposal; the deciding rule now expects the new type, so it does not
        count its own decision as a later change."""
        self.ctx = dataclasses.replace(self.ctx, proposed_state=state)
        entry.expects = None if state is None else state.type
        self.status, self.reason, self.delay_seconds = status, reason, None

    def update_run(self, updates: Mapping[str, Any]) -> None:
        if updates:
            self.ctx = dataclasses.replace(
                self.ctx, run=dataclasses.replace(self.ctx.run, **updates)
            )

    def unwind_after_error(self, exc: Exception) -> None:
        """As in Prefect: an error nulls the proposal, so every rule that already ran has
        had its outcome changed and gets `cleanup` (e.g. to give back a slot)."""
        self.ctx = dataclasses.replace(self.ctx, proposed_state=None)
        for entry in reversed(self.entered):
            step = entry.step
            expects = entry.expects
            if isinstance(step, Rule) and expects is not None and expects in type(step).TO_STATES:
                try:
                    step.cleanup(self.ctx)
                except Exception as cleanup_exc:  # the first error is the one to report
                    exc.add_note(f"cleanup of {_name(step)} also failed: {cleanup_exc!r}")

    # -- exit ----------------------------------------------------------------------------

    def exit(self) -> None:
        for entry in reversed(self.entered):
            step = entry.step
            hook: Callable[[TransitionContext[Any]], Update]
            if isinstance(step, Transform):
                hook = step.after_transition
            elif entry.expects not in type(step).TO_STATES:
                continue  # its own decision left its TO set: neither hook runs
            elif entry.expects is not self.ctx.proposed_type:
                hook = step.cleanup
                entry.effects.clear()  # its outcome was overturned
            else:
                hook = step.after_transition
            try:
                update = hook(self.ctx)
                self.update_run(update.run)
            except Exception as exc:
                raise OrchestrationError(_name(step), hook.__name__, exc) from exc
            self.after_effects.extend(update.effects)

    def result(self, original: TransitionContext[Any]) -> OrchestrationResult:
        before, after = original.run, self.ctx.run
        changed = {
            f.name: getattr(after, f.name)
            for f in dataclasses.fields(after)
            if getattr(after, f.name) != getattr(before, f.name)
        }
        effects = [effect for entry in self.entered for effect in entry.effects]
        return OrchestrationResult(
            status=self.status,
            reason=self.reason,
            delay_seconds=self.delay_seconds,
            state=self.ctx.proposed_state,
            run_updates=MappingProxyType(changed),
            effects=(*effects, *self.after_effects),
        )


def orchestrate(
    ctx: TransitionContext[Any],
    policy: type[Policy],
    bookkeeping: type[Policy] | None = None,
) -> OrchestrationResult:
    """Run `policy` (then `bookkeeping`, by default `policy.bookkeeping`) over
    `ctx.proposed_state` and return what the service must write.

    Raises OrchestrationError when a step fails; nothing of the call may then be kept.
    """
    if ctx.proposed_state is None:
        raise ValueError("orchestrate() needs a proposed state")
    books = bookkeeping if bookkeeping is not None else policy.bookkeeping
    steps = (*policy.rules, *(books.rules if books is not None else ()))
    call = _Orchestration(ctx)
    for step_class in steps:
        if issubclass(step_class, Rule) and not step_class.applies_to(*call.intended):
            continue
        call.enter(step_class())
    call.exit()
    return call.result(ctx)
