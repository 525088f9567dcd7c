from __future__ import annotations

import re
from uuid import UUID

from django.db import IntegrityError, transaction

from access.models import DeletionRecord
from access.services import deletion_record
from flowruns.errors import DetailError
from flowruns.models import FlowRun, FlowRunInput

INPUT_KEY = re.compile(r"^[a-z0-9-]*$")


def flow_run_input_create(
    *, flow_run_id: UUID, key: str, value: str, sender: str | None
) -> FlowRunInput:
    if not FlowRun.objects.filter(pk=flow_run_id).exists():
        raise DetailError(404, "Flow run not found")
    try:
        with transaction.atomic():
            return FlowRunInput.objects.create(
                flow_run_id=flow_run_id, key=key, value=value, sender=sender
            )
    except IntegrityError as exc:
        if FlowRunInput.objects.filter(flow_run_id=flow_run_id, key=key).exists():
            raise DetailError(409, "A flow run input with this key already exists.") from exc
        raise DetailError(404, "Flow run not found") from exc  # the run was deleted meanwhile


def flow_run_input_delete(*, flow_run_id: UUID, key: str) -> bool:
    with transaction.atomic():
        rows = FlowRunInput.objects.filter(flow_run_id=flow_run_id, key=key)
        ids = list(rows.values_list("id", flat=True))
        if not ids:
            return False
        rows.delete()
        deletion_record(
            kind=DeletionRecord.Kind.FLOW_RUN_INPUT,
            object_ids=ids,
            description=f"flow run {flow_run_id}, key {key!r}",
        )
    return True
