"""The client_methods step that drives orchestration: set_state with and without force, the
state history, and a pause resumed through the client."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from _client_calls import Exercise, attempt, result_view, run_view
from prefect.states import Cancelling, Completed, Paused, Pending, Running


async def orchestrate(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, runs = ex.client, ex.runs
    first = runs[0].id

    # orchestration, with and without force
    async def propose(run_id: UUID, state: Any, force: bool = False) -> dict[str, Any]:
        return result_view(await c.set_flow_run_state(run_id, state, force=force))

    out["set_flow_run_state"] = {
        "running": await propose(first, Running()),
        "completed": await propose(first, Completed()),
        "completed_to_running": await propose(first, Running()),
        "completed_again": await propose(first, Completed()),
        "cancelling_no_force": await propose(first, Cancelling()),
        "cancelling_force": await propose(first, Cancelling(), force=True),
        "pending_from_pending": await propose(runs[1].id, Pending()),
        "missing_run": await attempt(c.set_flow_run_state(uuid4(), Running())),
    }
    out["after_states"] = run_view(await c.read_flow_run(first))

    # state history
    states = await c.read_flow_run_states(first)
    out["read_flow_run_states"] = [[s.type.value, s.name] for s in states]
    one = await c.read_flow_run_state(states[-1].id)
    out["read_flow_run_state"] = {
        "id": str(one.id),
        "expected_id": str(states[-1].id),
        "type": one.type.value,
        "flow_run_id": str(one.state_details.flow_run_id),
    }
    out["read_flow_run_state_missing"] = await attempt(c.read_flow_run_state(uuid4()))

    # pause, then resume through the client
    second = runs[1].id
    out["pause"] = {
        "running": await propose(second, Running()),
        "paused": await propose(second, Paused(timeout_seconds=300, pause_key="compat")),
    }
    out["resume_flow_run"] = result_view(await c.resume_flow_run(second))
    out["after_resume"] = run_view(await c.read_flow_run(second))
    return out
