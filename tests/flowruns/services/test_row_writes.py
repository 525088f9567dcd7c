"""`services.row_writes`: the row `save()` would write, without compiling it each time."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.forms.models import model_to_dict

from flowruns.models import FlowRun
from flowruns.services.row_writes import row_insert, row_update
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
