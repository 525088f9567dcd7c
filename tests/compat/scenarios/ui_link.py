"""Scenario: the link the client prints for a run (`View at http://HOST/runs/flow-run/<id>`).

Usage: ui_link.py. Runs one flow in-process; the client logs its UI link on the console.
Prints one COMPAT-RESULT line: the run's id and the UI URL the client derives (url_for).
"""

from __future__ import annotations

from _common import emit
from prefect import flow
from prefect.runtime import flow_run
from prefect.utilities.urls import url_for


@flow(name="compat-ui-link")
def linked() -> dict[str, str | None]:
    return {"flow_run_id": flow_run.id, "runtime_ui_url": flow_run.ui_url}


result = linked()
emit({**result, "url_for": url_for("flow-run", obj_id=result["flow_run_id"])})
