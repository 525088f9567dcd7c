"""Documented maximum lengths and counts (README, "Limits"), refused before the database sees
them; at the limit, even in 4-byte characters, every value fits its index on PostgreSQL."""

from __future__ import annotations

import pytest

from flowruns.api.schemas.bounds import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TAGS_BYTES,
    MAX_TASK_KEY_LENGTH,
    MAX_TEXT_LENGTH,
)
from flowruns.models import Flow, FlowRun, TaskRun
from tests.factories import FlowFactory, FlowRunFactory

from .helpers import detail, stored_rows

pytestmark = pytest.mark.django_db

WIDE = "\U0001f600"  # four bytes in UTF-8


def create_run(api, **body):
    if "flow_id" not in body:
        body["flow_id"] = str(FlowFactory().id)
    return api.post("/api/flow_runs/", body, format="json")


@pytest.mark.parametrize("field", ["name", "idempotency_key", "flow_version", "work_queue_name"])
def test_flow_run_text_over_the_limit_is_refused(api, field):
    flow = FlowFactory()
    before = stored_rows()
    response = create_run(api, flow_id=str(flow.id), **{field: "x" * (MAX_TEXT_LENGTH + 1)})
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", field]
    assert error["type"] == "string_too_long"
    assert stored_rows() == before


@pytest.mark.parametrize("field", ["name", "idempotency_key", "flow_version"])
def test_flow_run_text_at_the_limit_in_wide_characters_is_stored(api, field):
    response = create_run(api, **{field: WIDE * MAX_TEXT_LENGTH})
    assert response.status_code == 201, response.content
    assert response.json()[field] == WIDE * MAX_TEXT_LENGTH


def test_flow_names_are_bounded(api):
    response = api.post("/api/flows/", {"name": "f" * (MAX_TEXT_LENGTH + 1)}, format="json")
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", "name"]
    assert not Flow.objects.exists()
    response = api.post("/api/flows/", {"name": WIDE * MAX_TEXT_LENGTH}, format="json")
    assert response.status_code == 201


def test_too_many_tags_are_refused(api):
    response = create_run(api, tags=[f"t{i}" for i in range(MAX_TAGS + 1)])
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", "tags"]
    assert error["type"] == "too_long"
    assert not FlowRun.objects.exists()


def test_a_tag_over_its_length_is_refused(api):
    response = create_run(api, tags=["ok", "t" * (MAX_TAG_LENGTH + 1)])
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", "tags", 1]


def test_tags_over_their_total_size_are_refused(api):
    tag_length = MAX_TAG_LENGTH // 4  # 50 wide characters, 200 bytes each
    count = MAX_TAGS_BYTES // (tag_length * 4) + 1
    response = create_run(api, tags=[WIDE * (tag_length - 1) + str(i) for i in range(count)])
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", "tags"]
    assert f"at most {MAX_TAGS_BYTES:,} bytes" in error["msg"]


def test_tags_at_their_limits_are_stored_and_filterable(api):
    # as many distinct, incompressible tags as fit
    tags = [
        f"{i:03d}" + "".join(chr(0x4E00 + (i * 37 + j) % 5000) for j in range(11))
        for i in range(50)
    ]
    assert sum(len(t.encode()) for t in tags) <= MAX_TAGS_BYTES
    response = create_run(api, tags=tags)
    assert response.status_code == 201, response.content
    FlowRunFactory()  # without the tags
    body = {"flow_runs": {"tags": {"all_": tags[:2]}}}
    assert api.post("/api/flow_runs/count", body, format="json").json() == 1


def test_task_keys_are_bounded_together(api):
    run = FlowRunFactory()
    body = {
        "flow_run_id": str(run.id),
        "task_key": "k" * (MAX_TASK_KEY_LENGTH + 1),
        "dynamic_key": "0",
    }
    response = api.post("/api/task_runs/", body, format="json")
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", "task_key"]
    assert not TaskRun.objects.exists()
    wide = WIDE * MAX_TASK_KEY_LENGTH
    body.update(task_key=wide, dynamic_key=wide)
    assert api.post("/api/task_runs/", body, format="json").status_code == 201
