"""Per-state branches: which filters they apply to, and pages identical to the plain query's
(same rows, same order, ties by id) for many filters, sorts and offsets, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from flowruns.filters.bodies import FlowRunQuery
from flowruns.filters.sorting import FlowRunSort, flow_run_ordering
from flowruns.models import FlowRun
from flowruns.selectors.flow_run_queries import flow_runs_page
from flowruns.selectors.state_branches import branch_plan, pinned_values
from tests.factories import FlowFactory, FlowRunFactory

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NINE_MINUTES_IN = T0 + timedelta(minutes=9)
FINISHED = ["COMPLETED", "FAILED"]
STATES = ["COMPLETED", "COMPLETED", "FAILED", "SCHEDULED", "RUNNING", "CRASHED", "PENDING"]


def where(body: dict[str, Any]) -> Q:
    return FlowRunQuery.model_validate(body).q()


# ---- which filters pin state types ---------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "pinned"),
    [
        ({"flow_runs": {"state": {"type": {"any_": FINISHED}}}}, FINISHED),
        (
            {"flow_runs": {"tags": {"all_": ["team-1"]}, "state": {"type": {"any_": FINISHED}}}},
            FINISHED,
        ),
        ({"flow_runs": {"state": {"type": {"any_": ["FAILED", "COMPLETED"]}}}}, FINISHED),
        (
            {
                "flows": {"name": {"any_": ["etl"]}},
                "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}},
            },
            ["RUNNING"],
        ),
        ({"flow_runs": {"state": {"type": {"any_": []}}}}, []),
        (
            {"flow_runs": {"state": {"type": {"any_": FINISHED, "not_any_": ["FAILED"]}}}},
            FINISHED,
        ),
    ],
)
def test_a_filter_that_requires_a_state_type_pins_those_types(body, pinned):
    assert pinned_values(where(body)) == pinned


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"flow_runs": {"tags": {"all_": ["team-1"]}}},
        {"flow_runs": {"state": {"type": {"not_any_": ["SCHEDULED"]}}}},
        {"flow_runs": {"state": {"name": {"any_": ["Late"]}}}},
        {
            "flow_runs": {
                "operator": "or_",
                "tags": {"all_": ["team-1"]},
                "state": {"type": {"any_": FINISHED}},
            }
        },
        {
            "flow_runs": {
                "state": {
                    "operator": "or_",
                    "type": {"any_": FINISHED},
                    "name": {"any_": ["Late"]},
                }
            }
        },
        {"task_runs": {"state": {"type": {"any_": ["FAILED"]}}}},
    ],
)
def test_a_filter_that_lets_any_state_type_through_pins_nothing(body):
    assert pinned_values(where(body)) is None


def test_pins_from_several_conditions_intersect():
    api = where({"flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}}}})
    admin = Q(state_type__in=["FAILED", "CRASHED", "RUNNING"])
    assert pinned_values(api & admin) == ["CRASHED", "FAILED"]
    assert pinned_values(api & Q(state_type="FAILED")) == ["FAILED"]
    nested = Q(Q(Q(state_type__in=["COMPLETED", "FAILED"]), Q(tags=[])), Q(state_type="FAILED"))
    assert pinned_values(nested) == ["FAILED"]


E_DESC, S_DESC = FlowRunSort.EXPECTED_START_TIME_DESC, FlowRunSort.START_TIME_DESC
BY_NAME = {"flow_runs": {"state": {"name": {"any_": ["Late", "Failed"]}}}}


def test_state_names_pin_the_name_column_for_the_expected_start_sorts():
    assert pinned_values(where(BY_NAME), "state_name") == ["Failed", "Late"]
    assert branch_plan(where(BY_NAME), E_DESC) == ("state_name", ["Failed", "Late"])
    assert branch_plan(where(BY_NAME), FlowRunSort.EXPECTED_START_TIME_ASC) is not None
    assert branch_plan(where(BY_NAME), S_DESC) is None  # no name-led start-time index


def test_a_pinned_state_type_is_preferred_to_a_pinned_name():
    body = {"flow_runs": {"state": {"type": {"any_": ["FAILED"]}, "name": {"any_": ["Failed"]}}}}
    assert branch_plan(where(body), E_DESC) == ("state_type", ["FAILED"])
    assert branch_plan(where(body), S_DESC) == ("state_type", ["FAILED"])


def test_more_than_ten_values_are_read_in_one_walk():
    names = [f"Custom {i}" for i in range(11)]
    body = {"flow_runs": {"state": {"name": {"any_": names}}}}
    assert branch_plan(where(body), E_DESC) is None
    assert branch_plan(where({"flow_runs": {"state": {"name": {"any_": names[:10]}}}}), E_DESC)


# ---- the same pages as the plain query -----------------------------------------------------
@pytest.fixture
def runs() -> None:
    """60 runs over two flows and six state types, with tied and missing sort keys."""
    flows = [FlowFactory.create(name="etl"), FlowFactory.create(name="report")]
    for i in range(60):
        expected = None if i % 17 == 0 else T0 + timedelta(minutes=(i * 7) % 25)
        started = None if i % 3 == 0 else T0 + timedelta(minutes=(i * 5) % 20)
        state_type = STATES[i % len(STATES)]
        late = {"state_name": "Late"} if state_type == "SCHEDULED" and i % 2 else {}
        FlowRunFactory.create(
            flow=flows[i % 2],
            name=f"run-{i % 9}",
            state_type=state_type,
            tags=[f"team-{i % 3}"] + (["prod"] if i % 4 else []),
            expected_start_time=expected,
            start_time=started,
            end_time=None if started is None else started + timedelta(minutes=i % 4),
            with_state=True,
            **late,
        )


TYPE, NAME = "state_type", "state_name"
# Each filter with the column it pins (None: it pins nothing, or pins an empty set)
FILTERS: list[tuple[dict[str, Any], str | None]] = [
    ({"flow_runs": {"state": {"type": {"any_": FINISHED}}}}, TYPE),
    ({"flow_runs": {"tags": {"all_": ["team-1"]}, "state": {"type": {"any_": FINISHED}}}}, TYPE),
    ({"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}, TYPE),
    (
        {
            "flow_runs": {
                "state": {"type": {"any_": ["SCHEDULED", "PENDING", "RUNNING", "CRASHED"]}}
            }
        },
        TYPE,
    ),
    ({"flow_runs": {"state": {"type": {"any_": FINISHED, "not_any_": ["FAILED"]}}}}, TYPE),
    ({"flow_runs": {"name": {"like_": "n-1"}, "state": {"type": {"any_": FINISHED}}}}, TYPE),
    (
        {
            "flows": {"name": {"any_": ["etl"]}},
            "flow_runs": {"state": {"type": {"any_": FINISHED}}},
        },
        TYPE,
    ),
    (
        {
            "flow_runs": {
                "start_time": {"after_": T0.isoformat(), "before_": NINE_MINUTES_IN.isoformat()},
                "state": {"type": {"any_": ["COMPLETED", "RUNNING"]}},
            }
        },
        TYPE,
    ),
    ({"flow_runs": {"state": {"type": {"any_": ["PAUSED", "FAILED"]}}}}, TYPE),
    ({"flow_runs": {"state": {"type": {"any_": []}}}}, None),
    (BY_NAME, NAME),
    ({"flow_runs": {"tags": {"all_": ["team-0"]}, "state": {"name": {"any_": ["Late"]}}}}, NAME),
    ({}, None),
    ({"flow_runs": {"tags": {"all_": ["prod"]}}}, None),
]
# The sorts an index serves along each pinned column (the test's own statement of the design)
INDEXED_SORTS = {
    TYPE: {
        FlowRunSort.EXPECTED_START_TIME_DESC,
        FlowRunSort.EXPECTED_START_TIME_ASC,
        FlowRunSort.START_TIME_DESC,
        FlowRunSort.START_TIME_ASC,
        FlowRunSort.ID_DESC,
    },
    NAME: {FlowRunSort.EXPECTED_START_TIME_DESC, FlowRunSort.EXPECTED_START_TIME_ASC},
}
PAGES = [(5, 0), (7, 3), (10, 25), (200, 0), (3, 1000)]


def plain_page(q: Q, sort: FlowRunSort, limit: int, offset: int) -> list[Any]:
    ordered = FlowRun.objects.filter(q).order_by(*flow_run_ordering(sort))
    return list(ordered.values_list("id", flat=True)[offset : offset + limit])


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(FlowRunSort))
def test_pages_are_the_plain_querys_rows_in_its_order(runs, sort):
    compared = 0
    for body, pins in FILTERS:
        q = where(body)
        for limit, offset in PAGES:
            with CaptureQueriesContext(connection) as queries:
                page = flow_runs_page(where=q, sort=sort, limit=limit, offset=offset)
            expected = plain_page(q, sort, limit, offset)
            assert [run.id for run in page] == expected, (body, limit, offset)
            branched = any("AS page" in query["sql"] for query in queries.captured_queries)
            assert branched == (pins is not None and sort in INDEXED_SORTS[pins]), body
            compared += len(expected)
    assert compared > 200  # the pages are not all empty


@pytest.mark.django_db
def test_a_branched_page_loads_the_full_rows(runs):
    q = where({"flow_runs": {"tags": {"all_": ["team-2"]}, "state": {"type": {"any_": FINISHED}}}})
    page = flow_runs_page(where=q, sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=4, offset=1)
    assert len(page) == 4
    for row in page:
        run = FlowRun.objects.select_related("state").get(id=row.id)
        assert (row.name, row.tags, row.state_type) == (run.name, run.tags, run.state_type)
        assert row.state.id == run.state.id and row.state.type == run.state_type
