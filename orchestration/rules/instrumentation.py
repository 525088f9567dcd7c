"""Where Prefect emits its `prefect.flow-run.<state name>` events."""

from __future__ import annotations

from orchestration.context import FlowRunFacts
from orchestration.rules.base import Transform


class InstrumentFlowRunStateTransitions(Transform[FlowRunFacts]):
    """R16, a no-op hook. Events (and any metrics) are emitted by the service once the
    transaction commits, which is safer than Prefect's emit-before-commit and invisible to
    clients. The step keeps its slot in the policies so a custom policy can replace it with
    one that does its own instrumentation from `after_transition` (where
    `ctx.proposed_state` is the state written, or None when nothing was)."""
