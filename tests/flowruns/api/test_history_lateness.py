"""/flow_runs/history, /flow_runs/lateness and /flow_runs/bulk_delete."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from flowruns.models import FlowRun, FlowRunState
from tests.factories import FlowRunFactory, WorkPoolFactory, WorkQueueFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def run_at(when, state_type="COMPLETED", **fields):
    fields.setdefault("start_time", when)
    fields.setdefault("state_name", state_type.title())
    return FlowRunFactory(expected_start_time=when, state_type=state_type, **fields)


def history(api, **body):
    body.setdefault("history_start", "2026-03-01T00:00:00Z")
    body.setdefault("history_end", "2026-03-01T03:00:00Z")
    body.setdefault("history_interval_seconds", 3600)
    return api.post("/api/flow_runs/history", body, format="json")


def test_history_buckets_runs_by_expected_start_with_state_sums(api):
    run_at(T0, total_run_time=10.0)
    run_at(T0 + timedelta(minutes=59, seconds=59), total_run_time=5.0)
    run_at(T0 + HOUR, "FAILED", total_run_time=2.0)  # exactly on an edge: second bucket
    run_at(T0 + HOUR + timedelta(minutes=5), "COMPLETED", total_run_time=1.0)
    run_at(T0 - timedelta(seconds=1))  # before the range
    run_at(T0 + 3 * HOUR)  # at the end: outside the last bucket
    FlowRunFactory(expected_start_time=None, state_type="PENDING")  # never counted

    response = history(api)

    assert response.status_code == 200
    assert response.json() == [
        {
            "interval_start": "2026-03-01T00:00:00Z",
            "interval_end": "2026-03-01T01:00:00Z",
            "states": [
                {
                    "state_type": "COMPLETED",
                    "state_name": "Completed",
                    "count_runs": 2,
                    "sum_estimated_run_time": 15.0,
                    "sum_estimated_lateness": 0.0,
                }
            ],
        },
        {
            "interval_start": "2026-03-01T01:00:00Z",
            "interval_end": "2026-03-01T02:00:00Z",
            "states": [
                {
                    "state_type": "COMPLETED",
                    "state_name": "Completed",
                    "count_runs": 1,
                    "sum_estimated_run_time": 1.0,
                    "sum_estimated_lateness": 0.0,
                },
                {
                    "state_type": "FAILED",
                    "state_name": "Failed",
                    "count_runs": 1,
                    "sum_estimated_run_time": 2.0,
                    "sum_estimated_lateness": 0.0,
                },
            ],
        },
        {
            "interval_start": "2026-03-01T02:00:00Z",
            "interval_end": "2026-03-01T03:00:00Z",
            "states": [],
        },
    ]


def test_history_sums_lateness_of_late_starts(api):
    run_at(T0, start_time=T0 + timedelta(seconds=30))
    run_at(T0 + timedelta(minutes=1), start_time=T0 + timedelta(minutes=1, seconds=12.5))
    states = history(api).json()[0]["states"]
    assert states[0]["sum_estimated_lateness"] == pytest.approx(42.5)


def test_history_estimates_running_runs_live(api):
    now = timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0)
    FlowRunFactory(
        expected_start_time=start,
        start_time=start,
        state_type="RUNNING",
        state_name="Running",
        state_timestamp=now - timedelta(seconds=60),
        total_run_time=10.0,
    )
    body = {
        "history_start": start.isoformat(),
        "history_end": (start + HOUR).isoformat(),
        "history_interval_seconds": 3600,
    }
    states = api.post("/api/flow_runs/history", body, format="json").json()[0]["states"]
    assert states[0]["count_runs"] == 1
    assert 69.0 < states[0]["sum_estimated_run_time"] < 80.0


def test_history_last_bucket_may_end_after_history_end(api):
    body = {
        "history_start": "2026-03-01T00:00:00Z",
        "history_end": "2026-03-02T00:30:00Z",
        "history_interval_seconds": 86400,
    }
    buckets = api.post("/api/flow_runs/history", body, format="json").json()
    assert [(b["interval_start"], b["interval_end"]) for b in buckets] == [
        ("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"),
        ("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"),
    ]


def test_history_returns_at_most_500_buckets(api):
    buckets = history(api, history_end="2026-03-02T00:00:00Z", history_interval_seconds=60)
    assert len(buckets.json()) == 500
    assert buckets.json()[-1]["interval_start"] == "2026-03-01T08:19:00Z"


def test_history_with_end_before_start_is_empty(api):
    assert history(api, history_end="2026-02-28T00:00:00Z").json() == []


def test_history_interval_below_one_second_is_rejected(api):
    response = history(api, history_interval_seconds=0.5)
    assert response.status_code == 422
    assert response.json() == {"detail": "History interval must not be less than 1 second."}


def test_history_requires_its_three_fields(api):
    response = api.post("/api/flow_runs/history", {}, format="json")
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["exception_detail"]]
    assert ["body", "history_start"] in locs
    assert ["body", "history_interval_seconds"] in locs


def test_history_applies_filters_with_the_work_queues_key(api):
    queue = WorkQueueFactory(work_pool=WorkPoolFactory(), name="fast")
    run_at(T0, work_queue=queue)
    run_at(T0)
    body = {"work_queues": {"name": {"any_": ["fast"]}}}
    assert history(api, **body).json()[0]["states"][0]["count_runs"] == 1
    body = {"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}}
    assert history(api, **body).json()[0]["states"] == []


def test_lateness_averages_over_matching_runs(api):
    run_at(T0, start_time=T0 + timedelta(seconds=2))
    run_at(T0, start_time=T0 + timedelta(seconds=5))
    run_at(T0, start_time=T0, tags=["on-time"])
    assert api.post("/api/flow_runs/lateness").json() == pytest.approx(7 / 3)
    body = {"flow_runs": {"tags": {"all_": ["on-time"]}}}
    value = api.post("/api/flow_runs/lateness", body, format="json").json()
    assert value == 0.0
    assert isinstance(value, float)


def test_lateness_of_a_waiting_run_grows_until_it_starts(api):
    FlowRunFactory(
        expected_start_time=timezone.now() - timedelta(seconds=30),
        start_time=None,
        state_type="SCHEDULED",
    )
    assert 29.0 < api.post("/api/flow_runs/lateness").json() < 40.0


def test_lateness_with_no_matching_runs_is_null(api):
    assert api.post("/api/flow_runs/lateness").json() is None


def test_bulk_delete_removes_matching_runs_and_everything_under_them(api):
    doomed = [
        FlowRunFactory(tags=["old"], state_type="COMPLETED", with_state=True) for _ in range(3)
    ]
    kept = FlowRunFactory(tags=["new"], state_type="COMPLETED", with_state=True)
    body = {"flow_runs": {"tags": {"all_": ["old"]}}}
    response = api.post("/api/flow_runs/bulk_delete", body, format="json")
    assert response.status_code == 200
    assert sorted(response.json()["deleted"]) == sorted(str(r.id) for r in doomed)
    assert list(FlowRun.objects.values_list("id", flat=True)) == [kept.id]
    assert not FlowRunState.objects.exclude(flow_run=kept).exists()


def test_bulk_delete_honours_the_limit_and_its_bounds(api):
    for _ in range(3):
        FlowRunFactory()
    response = api.post("/api/flow_runs/bulk_delete", {"limit": 2}, format="json")
    assert len(response.json()["deleted"]) == 2
    assert FlowRun.objects.count() == 1
    for limit, error in ((0, "greater_than_equal"), (51, "less_than_equal")):
        response = api.post("/api/flow_runs/bulk_delete", {"limit": limit}, format="json")
        assert response.status_code == 422
        assert response.json()["exception_detail"][0]["type"] == error


def test_bulk_delete_with_no_match_deletes_nothing(api):
    FlowRunFactory(tags=["x"])
    body = {"flow_runs": {"tags": {"all_": ["nope"]}}}
    assert api.post("/api/flow_runs/bulk_delete", body, format="json").json() == {"deleted": []}
    assert FlowRun.objects.count() == 1
