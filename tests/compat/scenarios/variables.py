"""Scenario: `prefect.variables.Variable` against the server.

Usage: variables.py NONCE. Prints one COMPAT-RESULT line with what each call returned (or
the error it raised), in the order the calls were made.
"""

from __future__ import annotations

import sys
from typing import Any

from _common import describe, emit
from prefect.variables import Variable

NONCE = sys.argv[1]
NAME = f"compat-var-{NONCE}"
VALUE = {"retries": 3, "hosts": ["a", "b"], "ratio": 0.5, "on": True, "none": None}


def attempt(call: Any) -> Any:
    try:
        return {"ok": call()}
    except Exception as exc:  # the client's own error, reported to the test
        return {"error": describe(exc)}


result = {
    "set": attempt(lambda: Variable.set(NAME, VALUE, tags=["compat"]).model_dump(mode="json")),
    "get": attempt(lambda: Variable.get(NAME)),
    "missing_default": attempt(lambda: Variable.get(f"missing-{NONCE}", default=3)),
    "set_again": attempt(lambda: Variable.set(NAME, "other")),
    "overwrite": attempt(lambda: Variable.set(NAME, "replaced", overwrite=True).value),
    "get_overwritten": attempt(lambda: Variable.get(NAME)),
    "unset": attempt(lambda: Variable.unset(NAME)),
    "unset_again": attempt(lambda: Variable.unset(NAME)),
    "get_after_unset": attempt(lambda: Variable.get(NAME, default="fallback")),
}
emit(result)
