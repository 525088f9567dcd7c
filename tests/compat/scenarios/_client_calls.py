"""How the client_methods steps call the client and record what came back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from _common import describe
from prefect.client.schemas.objects import FlowRun


@dataclass
class Exercise:
    """One client's pass through the steps: the client, its label and tag, the flow the runs
    belong to, and the three runs the first step creates."""

    client: Any
    label: str
    tag: str
    subject: Any
    runs: list[FlowRun] = field(default_factory=list)


class Awaitable_:
    """Lets the steps `await` a SyncPrefectClient's methods like the async client's."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


async def attempt(call: Awaitable[Any]) -> dict[str, Any]:
    try:
        value = await call
    except Exception as exc:
        return {"raised": describe(exc)}
    return {"value": value}


def run_view(run: FlowRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "flow_id": str(run.flow_id),
        "name": run.name,
        "state_type": run.state.type.value if run.state else None,
        "state_name": run.state.name if run.state else None,
        "tags": sorted(run.tags),
        "parameters": run.parameters,
        "labels": dict(run.labels or {}),
        "run_count": run.run_count,
    }


def result_view(result: Any) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "state_type": result.state.type.value if result.state else None,
        "state_name": result.state.name if result.state else None,
        "details_type": getattr(result.details, "type", None),
        "reason": getattr(result.details, "reason", None),
    }
