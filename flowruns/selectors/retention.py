"""What `delete_flow_runs` selects, and its dry-run counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from flowruns.filters.compile import flow_run_filter_q
from flowruns.filters.schemas import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
    StateType,
)
from flowruns.models import Deployment, Flow, FlowRun
from orchestration.states import TERMINAL_TYPES

from .flow_run_criteria import as_uuid, deployment_q, ended_before_q, flow_names_q

# In the state types' declared order: COMPLETED, FAILED, CANCELLED, CRASHED.
TERMINAL: tuple[str, ...] = tuple(t.value for t in StateType if t.value in TERMINAL_TYPES)


def state_filter(types: list[StateType]) -> FlowRunFilterState:
    return FlowRunFilterState(type=FlowRunFilterStateType(any_=types))


@dataclass(frozen=True)
class FlowRunSelection:
    """What `delete_flow_runs` deletes.

    State types: the given ones; with none given, terminal runs only (COMPLETED, FAILED,
    CANCELLED, CRASHED) unless `include_active`, which selects every state (and runs with no
    state at all).
    """

    cutoff: datetime | None = None
    state_types: tuple[str, ...] = ()
    include_active: bool = False
    flow_names: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def has_selector(self) -> bool:
        return bool(
            self.cutoff or self.state_types or self.flow_names or self.deployments or self.tags
        )

    @property
    def effective_state_types(self) -> tuple[str, ...] | None:
        """The state types selected; None means every state (and no state)."""
        if self.state_types:
            return self.state_types
        return None if self.include_active else TERMINAL

    def q(self) -> Q:
        types = self.effective_state_types
        state_types = None if types is None else [StateType(t) for t in types]
        runs = FlowRunFilter(
            state=None if state_types is None else state_filter(state_types),
            tags=FlowRunFilterTags(all_=list(self.tags)) if self.tags else None,
        )
        q = flow_run_filter_q(flow_runs=runs)
        if self.flow_names:
            q &= flow_names_q(self.flow_names)
        for deployment in self.deployments:
            q &= deployment_q(deployment)
        if self.cutoff is not None:
            q &= ended_before_q(self.cutoff)
        return q


def flow_runs_count_by_state_type(where: Q) -> dict[str, int]:
    """Matching runs per state type (`"(none)"` for runs without a state), for dry runs."""
    rows = (
        FlowRun.objects.filter(where).order_by().values_list("state_type").annotate(n=Count("pk"))
    )
    return {state_type or "(none)": n for state_type, n in rows}


def flow_run_selection_unknowns(selection: FlowRunSelection) -> list[str]:
    """The selection's flows and deployments that do not exist, as `--flow 'etl': no such
    flow` phrases: a typo in a selector would otherwise select nothing without a word."""
    known_flows = set(
        Flow.objects.filter(name__in=selection.flow_names).values_list("name", flat=True)
    )
    unknown = [
        f"--flow {name!r}: no such flow" for name in selection.flow_names if name not in known_flows
    ]
    for value in selection.deployments:
        deployment_id = as_uuid(value)
        if deployment_id is not None:
            found = Deployment.objects.filter(pk=deployment_id)
        else:
            flow_name, _, name = value.rpartition("/")
            found = Deployment.objects.filter(name=name)
            if flow_name:
                found = found.filter(flow__name=flow_name)
        if not found.exists():
            unknown.append(f"--deployment {value!r}: no such deployment")
    return unknown
