"""The OpenAPI generator's view inspector (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

An operation's description is what its `extend_schema(description=...)` says, else the
docstring of the method that answers it. A view class's docstring is never used: it explains
the class to whoever maintains it (and drf-spectacular would copy a base class's docstring
into every route that inherits it).
"""

from __future__ import annotations

import inspect

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_description(self) -> str:  # type: ignore[override]
        name = getattr(self.view, "action", None) or self.method.lower()
        method = getattr(self.view, name, None)
        doc = inspect.getdoc(method) if method is not None else None
        return "\n".join(line.rstrip() for line in (doc or "").rstrip().split("\n"))
