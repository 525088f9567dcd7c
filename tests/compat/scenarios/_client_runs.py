"""The client_methods steps that create, read, rename, label and delete flows and flow runs."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from _client_calls import Exercise, attempt, run_view


async def create_and_read(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, label, tag, subject = ex.client, ex.label, ex.tag, ex.subject

    # flows
    flow_id = await c.create_flow(subject)
    again = await c.create_flow_from_name(subject.name)
    read = await c.read_flow(flow_id)
    out["create_flow"] = {"id": str(flow_id), "same_id": again == flow_id}
    out["read_flow"] = {"id": str(read.id), "name": read.name}

    # create / read
    runs = [
        await c.create_flow_run(subject, name=f"{label}-{n}", parameters={"x": i}, tags=[tag])
        for i, n in enumerate(("bravo", "alpha", "charlie"))
    ]
    out["create_flow_run"] = [run_view(run) for run in runs]
    out["read_flow_run"] = run_view(await c.read_flow_run(runs[0].id))
    out["read_flow_run_missing"] = await attempt(c.read_flow_run(uuid4()))
    ex.runs = runs
    return out


async def update(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, label, tag, runs = ex.client, ex.label, ex.tag, ex.runs

    first = runs[0].id
    response = await c.update_flow_run(
        first, name=f"{label}-bravo-renamed", tags=[tag, "extra"], parameters={"x": 9}
    )
    out["update_flow_run"] = {
        "status": response.status_code,
        "after": run_view(await c.read_flow_run(first)),
    }
    response = await c.set_flow_run_name(first, f"{label}-bravo")
    out["set_flow_run_name"] = {
        "status": response.status_code,
        "name": (await c.read_flow_run(first)).name,
    }
    return out


async def update_labels(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, runs = ex.client, ex.runs

    # labels (merged into the existing ones)
    third = runs[2].id
    await c.update_flow_run_labels(third, {"team": "data", "tier": 2})
    await c.update_flow_run_labels(third, {"stage": "test"})
    out["update_flow_run_labels"] = run_view(await c.read_flow_run(third))["labels"]
    return out


async def delete(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, third = ex.client, ex.runs[2].id

    out["delete_flow_run"] = await attempt(c.delete_flow_run(third))
    out["read_deleted"] = await attempt(c.read_flow_run(third))
    out["delete_deleted"] = await attempt(c.delete_flow_run(third))
    return out
