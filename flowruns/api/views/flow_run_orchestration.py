"""Proposing states: `/flow_runs/{id}/set_state`, `/flow_runs/bulk_set_state` and resume."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.orchestration import BulkSetStateBody, ResumeBody
from flowruns.api.serializers.orchestration import bulk_abort_out, bulk_result_out
from flowruns.api.wire.body import field_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.selectors.flow_run_queries import flow_run_ids
from flowruns.services.resume import flow_run_resume
from flowruns.services.states import flow_run_set_state

from .calls import orchestration_call
from .routes import ORCHESTRATED, orchestration_response, set_state_route

logger = logging.getLogger(__name__)


class FlowRunOrchestrationViewSet(PrefectViewSet):
    set_state = set_state_route(flow_run_set_state, "flow_run_id")

    @extend_schema(
        request=BulkSetStateBody, responses=r.answers({200: r.BulkSetStateResponse}, 422)
    )
    def bulk_set_state(self, request: Request) -> Response:
        """Each selected run is orchestrated in its own transaction; a failure for one run is
        reported as an ABORT entry for it and the others go on."""
        body = field_body(request, BulkSetStateBody)
        ids = flow_run_ids(where=body.q(), limit=body.limit)
        proposal = body.state.to_proposal()
        call = orchestration_call(self)
        results: list[dict[str, Any]] = []
        for run_id in ids:
            try:
                outcome = flow_run_set_state(
                    flow_run_id=run_id, state=proposal, force=body.force, call=call
                )
            except Exception as exc:
                logger.warning("bulk_set_state failed for %s: %s", run_id, exc)
                results.append(bulk_abort_out(run_id, exc))
            else:
                results.append(bulk_result_out(run_id, outcome))
        return Response({"results": results})

    @extend_schema(request=ResumeBody, responses=r.answers(ORCHESTRATED, 404, 422))
    def resume(self, request: Request, id: UUID) -> Response:
        """Resume a paused flow run, with input when the pause asked for it."""
        body = field_body(request, ResumeBody)
        call = orchestration_call(self)
        return orchestration_response(
            flow_run_resume(flow_run_id=id, run_input=body.run_input, call=call)
        )
