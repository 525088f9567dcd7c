"""`selectors.prepared`: compiled once per database, and the same rows and instances as the
querysets they stand for (JSON, datetimes, UUIDs and joins converted as Django converts them,
on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from flowruns.models import Flow, FlowRun
from flowruns.selectors.flow_run_rows import SELECTED
from flowruns.selectors.prepared import PreparedInstances, PreparedRows
from tests.factories import FlowRunFactory, WorkQueueFactory

pytestmark = pytest.mark.django_db


def _rows() -> PreparedRows:
    return PreparedRows(
        lambda key: FlowRun.objects.filter(pk=key).values_list(*SELECTED), FlowRun._meta.pk
    )


def test_rows_equal_the_querysets_rows():
    queue = WorkQueueFactory()
    run = FlowRunFactory(
        parameters={"a": [1, 2.5, None], "b": {"ü": True}},
        tags=["x", "y"],
        labels={"k": "v"},
        work_queue=queue,
        state_type="PENDING",
        with_state=True,
    )
    prepared = _rows()
    expected = list(FlowRun.objects.filter(pk=run.pk).values_list(*SELECTED))
    assert [tuple(row) for row in prepared.rows(run.pk)] == expected
    assert [tuple(row) for row in prepared.rows(str(run.pk))] == expected  # keys as text too
    assert prepared.rows(uuid.uuid4()) == []


def test_compiles_once_then_only_executes():
    runs = [FlowRunFactory(), FlowRunFactory()]
    prepared = _rows()
    with mock.patch.object(PreparedRows, "_compile", wraps=prepared._compile) as compile_:
        for run in runs * 2:
            with CaptureQueriesContext(connection) as captured:
                assert prepared.rows(run.pk)[0][0] == run.pk
            assert len(captured) == 1
    assert compile_.call_count == 1


def test_a_key_that_is_not_a_single_parameter_is_refused():
    prepared = PreparedRows(
        lambda key: Flow.objects.filter(pk=key).exclude(pk=key).values_list("id"), Flow._meta.pk
    )
    with pytest.raises(ValueError, match="once"):
        prepared.rows(uuid.uuid4())


def test_instances_are_models_that_save():
    run = FlowRunFactory(tags=["a"])
    runs = PreparedInstances(FlowRun, lambda key: FlowRun.objects.filter(pk=key))
    found = runs.first(run.pk)
    assert isinstance(found, FlowRun) and found.pk == run.pk and found.tags == ["a"]
    assert found.created == run.created and found.flow_id == run.flow_id
    found.name = "renamed"
    found.save(update_fields=["name"])
    assert FlowRun.objects.get(pk=run.pk).name == "renamed"
    assert runs.first(uuid.uuid4()) is None


def test_a_lock_outside_a_transaction_is_refused_as_django_refuses_it(transactional_db):
    run = FlowRunFactory()
    locked = PreparedInstances(
        FlowRun, lambda key: FlowRun.objects.select_for_update().filter(pk=key)
    )
    with transaction.atomic():
        assert locked.first(run.pk).pk == run.pk  # compiled here, inside a transaction
    if not connection.features.has_select_for_update:  # SQLite: Django drops FOR UPDATE
        assert locked.first(run.pk).pk == run.pk
        return
    with pytest.raises(TransactionManagementError):
        locked.first(run.pk)


@pytest.mark.postgres
def test_a_list_of_keys_is_one_statement_whatever_its_length():
    runs = [FlowRunFactory(tags=[str(i)]) for i in range(4)]
    prepared = PreparedRows(
        lambda ids: FlowRun.objects.filter(id__any_of=ids).values_list(*SELECTED),
        FlowRun._meta.pk,
        many=True,
    )
    statements = set()
    for ids in ([runs[0].pk], [run.pk for run in runs] + [uuid.uuid4()], [str(runs[2].pk)]):
        with CaptureQueriesContext(connection) as captured:
            found = prepared.rows(ids)
        expected = list(FlowRun.objects.filter(id__in=ids).values_list(*SELECTED))
        assert sorted(tuple(row) for row in found) == sorted(expected)
        statements.add(captured[0]["sql"].split(" WHERE ")[0])
        assert "= ANY(" in captured[0]["sql"]
    assert len(statements) == 1
