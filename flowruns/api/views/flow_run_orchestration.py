"""Proposing states: `/flow_runs/{id}/set_state` and `/flow_runs/bulk_set_state`."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.orchestration import BulkSetStateBody, ResumeBody, SetStateBody
from flowruns.api.serializers.orchestration import details_out, orchestration_result_out
from flowruns.api.wire.body import field_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.compile import flow_run_filter_q
from flowruns.selectors.flow_run_queries import flow_run_ids
from flowruns.services.resume import flow_run_resume
from flowruns.services.states import flow_run_set_state

from .calls import orchestration_call

logger = logging.getLogger(__name__)


class FlowRunOrchestrationViewSet(PrefectViewSet):
    @extend_schema(
        request=SetStateBody,
        responses={
            200: r.OrchestrationResultOut,
            201: r.OrchestrationResultOut,
            404: r.ExceptionMessage,
            422: r.ValidationErrorResponse,
        },
    )
    def set_state(self, request: Request, id: UUID) -> Response:
        """201 when this request wrote a state row (accepted, or rejected with a replacement
        such as AwaitingRetry); 200 otherwise. Clients branch on `status`, not the code."""
        body = field_body(request, SetStateBody)
        outcome = flow_run_set_state(
            flow_run_id=id,
            state=body.state.to_proposal(),
            force=body.force,
            call=orchestration_call(self),
        )
        return Response(orchestration_result_out(outcome), status=201 if outcome.written else 200)

    @extend_schema(
        request=BulkSetStateBody,
        responses={200: r.BulkSetStateResponse, 422: r.ValidationErrorResponse},
    )
    def bulk_set_state(self, request: Request) -> Response:
        """Each selected run is orchestrated in its own transaction; a failure for one run is
        reported as an ABORT entry for it and the others go on."""
        body = field_body(request, BulkSetStateBody)
        ids = flow_run_ids(where=flow_run_filter_q(flow_runs=body.flow_runs), limit=body.limit)
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
                results.append(
                    {
                        "flow_run_id": str(run_id),
                        "status": "ABORT",
                        "state": None,
                        "details": details_out("ABORT", str(exc), None),
                    }
                )
                continue
            result = orchestration_result_out(outcome)
            results.append(
                {
                    "flow_run_id": str(run_id),
                    "status": result["status"],
                    "state": result["state"],
                    "details": result["details"],
                }
            )
        return Response({"results": results})

    @extend_schema(
        request=ResumeBody,
        responses={
            200: r.OrchestrationResultOut,
            201: r.OrchestrationResultOut,
            404: r.ErrorDetail,
            422: r.ValidationErrorResponse,
        },
    )
    def resume(self, request: Request, id: UUID) -> Response:
        body = field_body(request, ResumeBody)
        outcome = flow_run_resume(
            flow_run_id=id, run_input=body.run_input, call=orchestration_call(self)
        )
        return Response(orchestration_result_out(outcome), status=201 if outcome.written else 200)
