"""The two kinds of policy step: rules (selected by transition) and transforms (always run).

A `Rule` declares the state types it applies to. The engine selects it only when the
intended transition (current type → proposed type, computed once per call) is in
FROM_STATES x TO_STATES, skips it if an earlier rule already changed the transition, and
afterwards calls `after_transition` if the outcome it saw still stands or `cleanup` if a
later rule changed it (orchestration.md §2.2).

A `Transform` does bookkeeping: its hooks always run, whatever the transition, and it can
edit the proposal and the run but never refuse a transition.

Both are instantiated once per orchestration call, so a hook may keep what it needs for a
later hook on `self` (a pause key, the policy before a reset, a lease it acquired).
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from orchestration.context import RunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Accept, Decision, Update
from orchestration.states import TERMINAL_TYPES, StateType

# Steps consume contexts, so they are contravariant in the run type: a rule written for
# any run (`Rule[RunFacts]`) can sit in a flow policy or a task policy.
RunC = TypeVar("RunC", bound=RunFacts, contravariant=True)

StateTypes = frozenset[StateType | None]

ALL_STATES: StateTypes = frozenset([*StateType, None])
TERMINAL_STATES: StateTypes = frozenset(TERMINAL_TYPES)
# States in which a run holds its deployment-concurrency slot.
SLOT_HOLDING_STATES: StateTypes = frozenset(
    {StateType.PENDING, StateType.RUNNING, StateType.CANCELLING}
)


def state_types(*types: StateType | None) -> StateTypes:
    """A FROM/TO set from the given types (None meaning "no state")."""
    return frozenset(types)


class Rule(Generic[RunC]):
    """An orchestration rule. Subclasses set FROM_STATES/TO_STATES and override hooks."""

    FROM_STATES: ClassVar[StateTypes] = ALL_STATES
    TO_STATES: ClassVar[StateTypes] = ALL_STATES

    @classmethod
    def applies_to(cls, from_type: StateType | None, to_type: StateType | None) -> bool:
        return from_type in cls.FROM_STATES and to_type in cls.TO_STATES

    def before_transition(self, ctx: TransitionContext[RunC]) -> Decision:
        """Decide on the proposal (`ctx.proposal`) before anything is written."""
        return ACCEPT

    def after_transition(self, ctx: TransitionContext[RunC]) -> Update:
        """Follow-up once the outcome this rule saw stands (`ctx.proposed_state` is final)."""
        return NO_CHANGE

    def cleanup(self, ctx: TransitionContext[RunC]) -> Update:
        """Undo what `before_transition` did, because a later rule changed the outcome."""
        return NO_CHANGE


class Transform(Generic[RunC]):
    """A bookkeeping step that runs on every transition and cannot refuse one."""

    def before_transition(self, ctx: TransitionContext[RunC]) -> Accept:
        """Edit the proposal or the run. The proposal may be None here (nothing will be
        written); most transforms then do nothing."""
        return ACCEPT

    def after_transition(self, ctx: TransitionContext[RunC]) -> Update:
        return NO_CHANGE
