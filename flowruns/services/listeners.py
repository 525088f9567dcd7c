"""Callbacks other apps register to hear of what this app's services have just written.

The `events` app depends on this one: its recorder writes task runs through these services,
its server events read these models. The state-write path must still emit an event for every
flow-run state it writes, and flow-run creation must replay task-run events that arrived
before the run. Importing `events` from here would close an import cycle, and Django signals
would hide from a reader of the service that anything else happens (and invite logic into
receivers). So this module keeps one explicit list of plain functions per moment, filled
once by `EventsConfig.ready()`, and the services call them in so many words.

Listeners run synchronously in the writer's transaction, in registration order, and nothing
is swallowed: a listener that fails rolls the write back with it, so the state and its event
commit together or not at all. With no listener registered (the `events` app not
installed), the calls do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestration.states import State

# (run, previous state or None, the state just written and made current)
StateWritten = Callable[[Any, State | None, State], object]
FlowCreated = Callable[[Any], object]
FlowRunCreated = Callable[[Any], object]

_flow_run_state_written: list[StateWritten] = []
_flow_created: list[FlowCreated] = []
_flow_run_created: list[FlowRunCreated] = []


def _add(listeners: list[Any], listener: Any) -> None:
    if listener not in listeners:
        listeners.append(listener)


def listen_flow_run_state_written(listener: StateWritten) -> None:
    """Call `listener(run, previous, state)` after every flow-run state the write path
    inserts and makes current; `run` is saved by then (its run count is the new one)."""
    _add(_flow_run_state_written, listener)


def listen_flow_created(listener: FlowCreated) -> None:
    """Call `listener(flow)` when `flow_create` has inserted a new flow."""
    _add(_flow_created, listener)


def listen_flow_run_created(listener: FlowRunCreated) -> None:
    """Call `listener(flow_run)` when a new flow run whose id was given by the caller and its
    initial state are inserted (a run whose id the server generated is not announced:
    nothing can have referred to it yet)."""
    _add(_flow_run_created, listener)


def flow_run_state_written(run: Any, previous: State | None, state: State) -> None:
    for listener in _flow_run_state_written:
        listener(run, previous, state)


def task_run_state_written(run: Any, previous: State | None, state: State) -> None:
    """Task-run states are announced to nobody: the server emits no task-run events
    (spec/events.md §7.2); clients send their own."""


def flow_created(flow: Any) -> None:
    for listener in _flow_created:
        listener(flow)


def flow_run_created(flow_run: Any) -> None:
    for listener in _flow_run_created:
        listener(flow_run)
