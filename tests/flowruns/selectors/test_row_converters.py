"""The cheaper JSON converter gives what `JSONField.from_db_value` gives, for any text, and
`values_rows` the rows of Django's own `values_list`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from flowruns.models import FlowRun
from flowruns.selectors.flow_run_rows import SELECTED
from flowruns.selectors.row_converters import query_converters, values_rows
from tests.factories import FlowRunFactory

TEXTS = [
    '{"a": 1, "b": [true, false, null]}',
    '{"z":1,"a":2}',
    "[1, 2.5, -0.0, 1e-07, 1e+300, 12345678901234567890123]",
    '"naïve ✓ \\u00e9 \\ud83d\\ude00 \\n"',
    "0",
    "NaN",
    "-Infinity",
    " 1",
    "1 ",
    "\ufeff{}",
    '{"a":1}x',
    "",
    "nul",
    "{",
]


def _json_converter():
    compiler = FlowRun.objects.values_list("parameters").query.get_compiler(using="default")
    compiler.as_sql()
    ((_, (fast,), expression),) = query_converters(compiler)
    field = FlowRun._meta.get_field("parameters")
    return fast, field, expression


@pytest.mark.parametrize("text", TEXTS)
def test_json_converter_gives_what_django_gives(text):
    fast, field, expression = _json_converter()
    expected = field.from_db_value(text, expression, connection)
    got = fast(text, expression, connection)
    assert repr(got) == repr(expected)
    assert type(got) is type(expected)


def test_json_converter_passes_none_and_non_text_on():
    fast, _field, expression = _json_converter()
    assert fast(None, expression, connection) is None
    assert fast(b'{"a": 1}', expression, connection) == {"a": 1}


@pytest.mark.django_db
def test_values_rows_are_djangos_rows_in_one_statement():
    for i in range(5):
        FlowRunFactory(parameters={"i": i, "big": 2**70, "s": "ü"}, tags=[f"t{i}"], labels=None)
    queryset = FlowRun.objects.order_by("name").values_list(*SELECTED)
    with CaptureQueriesContext(connection) as queries:
        rows = values_rows(queryset)
    assert len(queries) == 1
    assert [tuple(row) for row in rows] == list(queryset)
    assert rows[4][RUN_PARAMETERS] == {"i": 4, "big": 2**70, "s": "ü"}


@pytest.mark.django_db
def test_a_filter_that_matches_nothing_sends_nothing():
    FlowRunFactory()
    with CaptureQueriesContext(connection) as queries:
        assert values_rows(FlowRun.objects.filter(Q(id__in=[])).values_list("id")) == []
    assert len(queries) == 0


RUN_PARAMETERS = SELECTED.index("parameters")
