from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from .encoding import jsonable


class RenderedJSON(bytes):
    """A body already encoded as JSON (by PostgreSQL: `flowruns.selectors.flow_run_json`);
    the renderer sends it as it is."""


def dumps(data: Any) -> bytes:
    if type(data) is RenderedJSON:
        return data
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=jsonable).encode()


class PrefectJSONRenderer(BaseRenderer):
    """Compact UTF-8 JSON. Unlike DRF's renderer, `None` is rendered as `null` (Prefect answers
    `null` to input and log creation); 204 responses stay empty."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        return dumps(data)
