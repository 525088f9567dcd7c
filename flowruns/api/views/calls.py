from __future__ import annotations

from typing import Any

from flowruns.services.orchestration_types import OrchestrationCall


def orchestration_call(view: Any) -> OrchestrationCall:
    """The API version and client version the base view read from the request headers."""
    return OrchestrationCall(
        api_version=getattr(view, "api_version", None),
        client_version=getattr(view, "client_version", None),
    )
