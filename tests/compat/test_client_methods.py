"""Scenario (c): every flow-run method of `get_client(sync_client=True)` and of
`async with get_client()` gets the answer Prefect's server gives, and the server agrees."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

CLIENTS = ["sync", "async"]


@pytest.fixture(scope="module")
def methods(prefect, nonce):
    return prefect.scenario("client_methods.py", nonce, timeout=180).result


@pytest.fixture(params=CLIENTS)
def seen(request, methods):
    return methods[request.param] | {"label": request.param}


def not_found(outcome):
    return outcome.get("raised", {}).get("type") == "ObjectNotFound"


def http_error(outcome, status):
    raised = outcome.get("raised", {})
    return raised.get("type") == "PrefectHTTPStatusError" and raised.get("status") == status


def test_create_flow_is_an_upsert_and_read_flow_returns_it(seen, rest):
    assert seen["create_flow"]["same_id"] is True
    assert seen["read_flow"]["id"] == seen["create_flow"]["id"]
    assert rest.get(f"/flows/{seen['create_flow']['id']}")["name"] == seen["read_flow"]["name"]


def test_create_flow_run_and_read_flow_run(seen, rest):
    created = seen["create_flow_run"]
    assert [run["name"] for run in created] == [
        f"{seen['label']}-{n}" for n in ("bravo", "alpha", "charlie")
    ]
    assert {run["state_type"] for run in created} == {"PENDING"}
    assert [run["parameters"] for run in created] == [{"x": 0}, {"x": 1}, {"x": 2}]
    assert all(run["tags"] == [seen["tag"]] for run in created)
    assert all(run["flow_id"] == seen["create_flow"]["id"] for run in created)
    assert seen["read_flow_run"] == created[0]
    assert not_found(seen["read_flow_run_missing"])


def test_read_flow_runs_filters_sorts_and_pages(seen):
    label = seen["label"]
    a, b, c = (f"{label}-{n}" for n in ("alpha", "bravo", "charlie"))
    found = seen["read_flow_runs"]
    assert found["name_asc"] == [a, b, c]
    assert found["name_desc"] == [c, b, a]
    assert found["limit_offset"] == [b]
    assert found["by_flow_name"] == [a, b, c]
    assert found["by_state"] == [a, b, c]
    assert found["unknown_tag"] == []
    assert found["expected_start_desc"] == [c, a, b]  # newest first
    assert found["name_like"] == [a]  # case-insensitive substring
    assert found["id_any"] == [b, c]
    assert found["id_not_any"] == [a, c]
    assert found["expected_after"] == [a, c]  # bounds are inclusive
    assert found["not_started"] == [a, b, c]
    assert set(found["every_sort"]) == {
        "ID_DESC",
        "START_TIME_ASC",
        "START_TIME_DESC",
        "EXPECTED_START_TIME_ASC",
        "EXPECTED_START_TIME_DESC",
        "NAME_ASC",
        "NAME_DESC",
        "NEXT_SCHEDULED_START_TIME_ASC",
        "END_TIME_DESC",
    }
    assert all(names == [a, b, c] for names in found["every_sort"].values())


def test_count_flow_runs_is_a_bare_integer(seen, rest):
    assert seen["count_flow_runs"] == {"tag": 3, "pending": 3, "all_flows_of_subject": 3}
    body = {"flow_runs": {"tags": {"all_": [seen["tag"]]}}}
    assert rest.post("/flow_runs/count", body) == 2  # the scenario deleted the third at the end


def test_update_flow_run_and_set_flow_run_name(seen):
    update = seen["update_flow_run"]
    assert update["status"] == 204
    assert update["after"]["name"] == f"{seen['label']}-bravo-renamed"
    assert update["after"]["tags"] == sorted([seen["tag"], "extra"])
    assert update["after"]["parameters"] == {"x": 9}
    assert seen["set_flow_run_name"] == {"status": 204, "name": f"{seen['label']}-bravo"}


def test_set_flow_run_state_with_and_without_force(seen):
    results = seen["set_flow_run_state"]

    def summary(key):
        return (results[key]["status"], results[key]["state_type"])

    assert summary("running") == ("ACCEPT", "RUNNING")
    assert summary("completed") == ("ACCEPT", "COMPLETED")
    assert summary("completed_to_running") == ("ACCEPT", "RUNNING")  # results not persisted
    assert summary("completed_again") == ("ACCEPT", "COMPLETED")
    assert summary("cancelling_no_force") == ("ABORT", "COMPLETED")
    assert results["cancelling_no_force"]["reason"] == "Run is already in terminal state COMPLETED."
    assert summary("cancelling_force") == ("ACCEPT", "CANCELLING")
    assert summary("pending_from_pending") == ("ABORT", "PENDING")
    assert not_found(results["missing_run"])
    assert seen["after_states"]["state_type"] == "CANCELLING"
    assert seen["after_states"]["run_count"] == 2


def test_read_flow_run_states_oldest_first_and_one_by_id(seen, rest):
    assert seen["read_flow_run_states"] == [
        ["PENDING", "Pending"],
        ["RUNNING", "Running"],
        ["COMPLETED", "Completed"],
        ["RUNNING", "Running"],
        ["COMPLETED", "Completed"],
        ["CANCELLING", "Cancelling"],
    ]
    one = seen["read_flow_run_state"]
    assert one["id"] == one["expected_id"]
    assert one["type"] == "CANCELLING"
    assert one["flow_run_id"] == seen["run_ids"][0]
    assert not_found(seen["read_flow_run_state_missing"])
    assert rest.get(f"/flow_run_states/{one['id']}")["type"] == "CANCELLING"


def test_resume_flow_run_moves_a_paused_run_to_running(seen, rest):
    assert seen["pause"]["paused"]["status"] == "ACCEPT"
    assert seen["pause"]["paused"]["state_type"] == "PAUSED"
    resumed = seen["resume_flow_run"]
    assert (resumed["status"], resumed["state_type"]) == ("ACCEPT", "RUNNING")
    assert seen["after_resume"]["state_type"] == "RUNNING"


def test_flow_run_inputs_create_read_filter_delete(seen):
    inputs = seen["inputs"]
    assert inputs["read"] == inputs["expected"]  # verbatim, not re-encoded
    assert inputs["filter"] == [
        ["answer", inputs["expected"], "compat"],
        ["answer-two", '"two"', None],
    ]
    assert inputs["filter_exclude"] == ["answer-two"]
    assert inputs["filter_limit"] == ["answer"]
    assert http_error(inputs["duplicate"], 409)
    assert http_error(inputs["unknown_run"], 404)
    assert http_error(inputs["read_deleted"], 404)
    assert http_error(inputs["delete_deleted"], 404)


def test_update_flow_run_labels_merges(seen, rest):
    labels = seen["update_flow_run_labels"]
    assert {k: labels[k] for k in ("team", "tier", "stage")} == {
        "team": "data",
        "tier": 2,
        "stage": "test",
    }
    assert labels["prefect.flow.id"] == seen["create_flow"]["id"]


def test_logs_sent_by_the_client_are_read_back(seen):
    run_id = seen["run_ids"][2]
    assert seen["logs"] == [
        ["compat.client", 20 + i * 10, f"{seen['label']} log {i}", run_id] for i in range(3)
    ]


def test_delete_flow_run(seen, rest):
    assert seen["delete_flow_run"] == {"value": None}
    assert not_found(seen["read_deleted"])
    assert not_found(seen["delete_deleted"])
    assert rest.call("GET", f"/flow_runs/{seen['run_ids'][2]}").status == 404
    assert rest.logs(seen["run_ids"][2]) == []  # its logs go with it, as in Prefect
