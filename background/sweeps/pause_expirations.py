"""Pause expirations (spec/services.md §3): a PAUSED run whose current state's `pause_timeout`
has passed is failed, forced (MinimalFlowPolicy), with "The flow was paused and never resumed.".

Selection in SQL: PAUSED runs (the `(state_type, id)` index, keyset by id) joined to their
current state, comparing `state_details->>'pause_timeout'` as an instant. The timeout is read
from the state row rather than from a denormalised column on `flow_run`: paused runs are few, so
the join costs nothing, and a column would add a write to every state change and a migration of
the hottest table for one service. The text is compared as a parsed instant, not as a string
(stored values may or may not carry microseconds, so strings do not sort by time); on PostgreSQL
a value that is not an ISO timestamp is treated as no timeout instead of failing the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import F, FloatField, Func

from access.actors import acting_as, service_actor
from config.prefect_settings import parse_bool, parse_seconds, setting_read
from flowruns.models import FlowRun
from flowruns.services.orchestration_types import SetStateOutcome, StateProposal
from flowruns.services.state_codec import details_from_json
from flowruns.services.states import flow_run_set_state_if
from orchestration.states import StateType

from ..conf import settings_cache
from ..sweep import SweepResult
from .passes import BATCH, after_id, pages, runs_each

NAME = "pause_expirations"
MESSAGE = "The flow was paused and never resumed."
PAUSED = StateType.PAUSED.value


@dataclass(frozen=True)
class PauseExpirationsSettings:
    enabled: bool
    interval: timedelta


@settings_cache
def pause_expirations_settings() -> PauseExpirationsSettings:
    prefix = "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_"
    alias = "PREFECT_API_SERVICES_PAUSE_EXPIRATIONS_"
    return PauseExpirationsSettings(
        enabled=setting_read(f"{prefix}ENABLED", True, parse_bool, f"{alias}ENABLED"),
        interval=setting_read(
            f"{prefix}LOOP_SECONDS", timedelta(seconds=5), parse_seconds, f"{alias}LOOP_SECONDS"
        ),
    )


class PauseTimeoutEpoch(Func):
    """A state's `pause_timeout` (its JSON details) as seconds since the epoch; NULL when it
    has none. The argument is the details column itself, so the SQL carries no parameter."""

    output_field = FloatField()
    template = (
        "((julianday(json_extract(%(expressions)s, '$.pause_timeout')) - 2440587.5) * 86400.0)"
    )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        text = "(%(expressions)s ->> 'pause_timeout')"
        template = (
            f"EXTRACT(EPOCH FROM CASE WHEN {text} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}' "
            f"THEN {text}::timestamptz END)"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def _page(now: datetime, cursor: UUID | None) -> list[UUID]:
    expired = (
        FlowRun.objects.filter(state_type=PAUSED)
        .annotate(pause_timeout_epoch=PauseTimeoutEpoch(F("state__state_details")))
        .filter(pause_timeout_epoch__lt=now.timestamp())
    )
    return list(after_id(expired, cursor).values_list("id", flat=True)[:BATCH])


def _has_expired(run: FlowRun, now: datetime) -> bool:
    if run.state_type != PAUSED or run.state is None:
        return False
    timeout = details_from_json(run.state.state_details).get("pause_timeout")
    return timeout is not None and timeout < now


def _fail(run_id: UUID, now: datetime) -> SetStateOutcome | None:
    failed = StateProposal(type=StateType.FAILED.value, name="Failed", message=MESSAGE)
    return flow_run_set_state_if(
        flow_run_id=run_id,
        still=lambda run: _has_expired(run, now),
        state=lambda run: failed,
        force=True,
    )


def sweep(now: datetime) -> SweepResult:
    """Fail every run whose pause timed out by `now`."""
    result = SweepResult()
    with acting_as(service_actor(NAME)):
        for run_ids in pages(lambda cursor: _page(now, cursor)):
            runs_each(result, run_ids, lambda run_id: _fail(run_id, now))
    return result
