"""`services.row_writes`: the row `save()` would write, without compiling it each time."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from flowruns.filters.bodies import FlowRunQuery
from flowruns.models import FlowRun
from flowruns.selectors.run_counters.count import flow_runs_count_matching
from flowruns.services import orchestrating
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.row_writes import row_insert, row_update
from orchestration.results import OrchestrationResult, ResponseStatus
from tests.factories import FlowFactory

pytestmark = pytest.mark.django_db


def _new_run(**fields) -> FlowRun:
    return FlowRun(flow=FlowFactory(), name="r", parameters={"a": [1, "ü"]}, tags=["t"], **fields)


def test_insert_writes_what_save_writes():
    inserted, saved = _new_run(), _new_run()
    row_insert(inserted)
    saved.save(force_insert=True)
    assert not inserted._state.adding and inserted.updated == inserted.created
    stored = FlowRun.objects.get(pk=inserted.pk)
    assert stored.created == stored.updated == inserted.created
    assert stored.flow_id == inserted.flow_id
    reference = model_to_dict(FlowRun.objects.get(pk=saved.pk), exclude=["flow", "updated"])
    assert model_to_dict(stored, exclude=["flow", "updated"]) == reference


def test_insert_of_a_taken_id_is_an_integrity_error():
    run = _new_run()
    row_insert(run)
    twin = _new_run(id=run.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        row_insert(twin)


def test_update_writes_the_named_columns_and_updated():
    run = _new_run()
    row_insert(run)
    before = run.updated
    run.name, run.run_count, run.tags = "renamed", 3, ["x"]
    row_update(run, ["name", "run_count"])
    stored = FlowRun.objects.get(pk=run.pk)
    assert (stored.name, stored.run_count, stored.tags) == ("renamed", 3, ["t"])
    assert stored.updated == run.updated > before


def test_update_of_a_missing_row_fails():
    run = _new_run(id=uuid.uuid4())
    run._state.adding = False
    with pytest.raises(DatabaseError, match="not updated"):
        row_update(run, ["name"])


def _create(state_type: str = "SCHEDULED") -> FlowRun:
    run, created = flow_run_create(
        flow_id=FlowFactory().id,
        fields={"tags": ["t"], "parameters": {"x": 1}},
        state=StateProposal(type=state_type),
        call=OrchestrationCall(),
    )
    assert created
    return FlowRun.objects.select_related("state").get(pk=run.pk)


def test_a_new_run_is_stored_once_with_its_first_state():
    """On PostgreSQL the run's INSERT waits for its first state and carries it: one
    statement writes both, and the run is never updated (no second row version). SQLite
    inserts the run, then points it at its state."""
    with CaptureQueriesContext(connection) as captured:
        stored = _create()
    assert stored.state is not None and stored.state.type == "SCHEDULED"
    assert (stored.state_type, stored.state_name) == ("SCHEDULED", "Scheduled")
    assert stored.state_timestamp == stored.state.timestamp
    updates = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "flow_run"')
    ]
    if connection.vendor == "postgresql":
        assert updates == []
        assert stored.updated == stored.created
    else:
        assert len(updates) == 1
    assert flow_runs_count_matching(query=FlowRunQuery()) == 1


def test_a_run_whose_first_state_is_rejected_is_still_inserted(monkeypatch):
    """A policy may write no state at creation; the run then goes in on its own, with the
    fields the policy changed."""
    rejected = OrchestrationResult(status=ResponseStatus.REJECT, run_updates={"run_count": 3})
    monkeypatch.setattr(orchestrating, "orchestrate", lambda context, policy: rejected)
    stored = _create()
    assert stored.state is None and stored.state_type is None
    assert stored.run_count == 3
