from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from access.models import DeletionRecord
from access.services import deletion_record
from flowruns.models import Flow

from . import listeners
from .flow_runs_delete import flow_runs_delete_by_ids


def flow_create(*, name: str, tags: list[str], labels: dict[str, Any] | None) -> tuple[Flow, bool]:
    """Insert-or-get by the unique name: `(flow, created)`. An existing flow is left
    unchanged; a new one is announced to the listeners (`prefect.flow.created`) in the
    inserting transaction."""
    existing = Flow.objects.filter(name=name).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            flow = Flow.objects.create(name=name, tags=tags, labels=labels)
            listeners.flow_created(flow)
            return flow, True
    except IntegrityError:  # another request created it between our read and insert
        return Flow.objects.get(name=name), False


def flow_update(*, flow: Flow, tags: list[str]) -> None:
    flow.tags = tags
    flow.save(update_fields=["tags"])


def flow_delete(*, flow: Flow, batch_size: int = 1000) -> None:
    """Delete a flow with its runs (and everything under them) and its deployments."""
    with transaction.atomic():
        run_ids = list(flow.flow_runs.values_list("id", flat=True))
        for start in range(0, len(run_ids), batch_size):
            flow_runs_delete_by_ids(run_ids[start : start + batch_size])
        deletion_record(kind=DeletionRecord.Kind.FLOW, object_ids=[flow.pk], description=flow.name)
        flow.delete()
