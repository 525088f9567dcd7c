"""Reading back the events the server emitted."""

from __future__ import annotations

from typing import Any

UNTIL = "2100-01-01T00:00:00Z"  # state timestamps may be a few µs ahead of "now"


def events_of(api, resource_id: str, prefix: str = "prefect.") -> list[dict[str, Any]]:
    body = {
        "filter": {
            "occurred": {"until": UNTIL},
            "resource": {"id": [resource_id]},
            "event": {"prefix": [prefix]},
            "order": "ASC",
        },
        "limit": 50,
    }
    response = api.post("/api/events/filter", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["events"]


def run_events(api, run_id: str) -> list[dict[str, Any]]:
    return events_of(api, f"prefect.flow-run.{run_id}", "prefect.flow-run.")


def states(api, run_id: str) -> list[dict[str, Any]]:
    return api.get(f"/api/flow_run_states/?flow_run_id={run_id}").json()
