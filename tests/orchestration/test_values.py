"""Value types: ids, states, versions, the empirical policy, the in-memory slot store."""

from __future__ import annotations

import time
from uuid import uuid4

import pytest

from orchestration import FlowRunPolicy, InMemorySlots, State, StateType, TaskRunPolicy, uuid7
from orchestration.states import (
    STATE_DETAILS_KEYS,
    TERMINAL_TYPES,
    default_state_details,
    default_state_name,
    has_persisted_data,
    new_state,
)
from orchestration.versions import client_supports_leases, parse_api_version, version_key
from tests.orchestration.helpers import DEPLOYMENT_ID, NOW

S = StateType


# -- ids -------------------------------------------------------------------------------------


def test_uuid7_has_version_7_and_the_rfc_variant() -> None:
    value = uuid7()

    assert value.version == 7
    assert value.variant == "specified in RFC 4122"


def test_uuid7_embeds_the_current_unix_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000

    assert before <= value.int >> 80 <= after + 1


def test_uuid7_is_strictly_increasing_within_a_process() -> None:
    values = [uuid7() for _ in range(20_000)]

    assert values == sorted(values)
    assert len(set(values)) == len(values)


# -- states ----------------------------------------------------------------------------------


def test_there_are_nine_state_types_and_four_terminal_ones() -> None:
    assert [t.value for t in StateType] == [
        "SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED",
        "CANCELLED", "CRASHED", "PAUSED", "CANCELLING",
    ]  # fmt: skip
    assert {S.COMPLETED, S.FAILED, S.CANCELLED, S.CRASHED} == TERMINAL_TYPES


@pytest.mark.parametrize(
    ("state_type", "name"),
    [(S.CANCELLING, "Cancelling"), (S.SCHEDULED, "Scheduled"), (S.CRASHED, "Crashed")],
)
def test_default_names_are_title_cased(state_type: StateType, name: str) -> None:
    assert default_state_name(state_type) == name
    assert new_state(state_type, timestamp=NOW).name == name


def test_state_details_have_all_eighteen_keys_in_wire_order_with_defaults() -> None:
    details = default_state_details()

    assert tuple(details) == STATE_DETAILS_KEYS
    assert len(STATE_DETAILS_KEYS) == 18
    assert STATE_DETAILS_KEYS[0] == "flow_run_id"
    assert STATE_DETAILS_KEYS[-1] == "deployment_concurrency_lease_id"
    assert {k: v for k, v in details.items() if v is not None} == {
        "deferred": False,
        "untrackable_result": False,
        "pause_reschedule": False,
    }


def test_a_state_completes_partial_details_and_keeps_them_read_only() -> None:
    state = State(
        id=uuid7(), type=S.PAUSED, name="Paused", timestamp=NOW, state_details={"pause_key": "k"}
    )

    assert state.detail("pause_key") == "k"
    assert state.detail("pause_reschedule") is False
    assert tuple(state.state_details) == STATE_DETAILS_KEYS
    with pytest.raises(TypeError):
        state.state_details["pause_key"] = "other"  # type: ignore[index]


def test_with_details_returns_a_changed_copy_of_the_same_state() -> None:
    state = new_state(S.SCHEDULED, timestamp=NOW)

    changed = state.with_details(scheduled_time=NOW)

    assert changed.id == state.id
    assert changed.detail("scheduled_time") == NOW
    assert state.detail("scheduled_time") is None


def test_with_details_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown state_details keys"):
        new_state(S.RUNNING, timestamp=NOW).with_details(schedueld_time=NOW)


def test_new_states_get_fresh_time_ordered_ids() -> None:
    first, second = new_state(S.RUNNING, timestamp=NOW), new_state(S.RUNNING, timestamp=NOW)

    assert first.id.version == 7
    assert first.id < second.id


@pytest.mark.parametrize(
    ("data", "persisted"),
    [
        ({"type": "reference", "storage_key": "x"}, True),
        ({"storage_key": "x", "serializer": "json"}, True),
        ({"type": "unpersisted"}, False),
        ({}, False),
        (None, False),
        ("text", False),
        ([{"type": "reference"}], False),
        (42, False),
    ],
)
def test_only_non_empty_mappings_not_marked_unpersisted_count_as_persisted(
    data: object, persisted: bool
) -> None:
    assert has_persisted_data(data) is persisted


# -- versions --------------------------------------------------------------------------------


def test_api_versions_parse_to_tuples() -> None:
    assert parse_api_version("0.8.4") == (0, 8, 4)
    assert parse_api_version(" 1.10.0 ") == (1, 10, 0)


@pytest.mark.parametrize("text", ["0.8", "0.8.4.1", "v0.8.4", "abc", ""])
def test_malformed_api_versions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="X-PREFECT-API-VERSION"):
        parse_api_version(text)


@pytest.mark.parametrize(
    "ordered",
    [
        ["3.4.11.dev2", "3.4.11a1", "3.4.11rc1", "3.4.11", "3.4.11.post1", "3.4.12"],
        ["2.0.0", "3.0.0rc20", "3.0.0", "3.0.3", "3.4.10", "3.10.0"],
    ],
)
def test_client_versions_sort_as_pep_440(ordered: list[str]) -> None:
    keys = [version_key(v) for v in ordered]

    assert None not in keys
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("client", "supported"),
    [
        (None, False),
        ("3.4.10", False),
        ("3.4.11rc1", False),
        ("3.4.11", True),
        ("3.4.11+g1234abc", True),
        ("3.6.0.dev3", True),
        ("not a version", False),
    ],
)
def test_only_clients_from_3_4_11_renew_leases(client: str | None, supported: bool) -> None:
    assert client_supports_leases(client) is supported


# -- empirical policy ------------------------------------------------------------------------


def test_flow_run_policy_round_trips_through_json() -> None:
    raw = {
        "max_retries": 0,
        "retry_delay_seconds": 0,
        "retries": 2,
        "retry_delay": 5,
        "pause_keys": ["a", "b"],
        "resuming": True,
        "retry_type": "in_process",
    }

    policy = FlowRunPolicy.from_json(raw)

    assert policy.pause_keys == ("a", "b")
    assert policy.as_json() == raw


def test_flow_run_policy_defaults_from_empty_json() -> None:
    assert FlowRunPolicy.from_json({}) == FlowRunPolicy()
    assert FlowRunPolicy.from_json(None).as_json()["pause_keys"] == []


def test_deprecated_policy_fields_fill_empty_new_ones() -> None:
    policy = FlowRunPolicy.from_json({"max_retries": 3, "retry_delay_seconds": 10.0, "x": 1})

    assert (policy.retries, policy.retry_delay) == (3, 10)


def test_deprecated_policy_fields_do_not_override_new_ones() -> None:
    policy = FlowRunPolicy.from_json(
        {"max_retries": 3, "retries": 1, "retry_delay_seconds": 10, "retry_delay": 2}
    )

    assert (policy.retries, policy.retry_delay) == (1, 2)


def test_pause_keys_behave_as_a_set() -> None:
    policy = FlowRunPolicy.from_json({"pause_keys": ["a", "a", "b"]})

    assert policy.pause_keys == ("a", "b")
    assert policy.with_pause_key("a") is policy
    assert policy.with_pause_key("c").pause_keys == ("a", "b", "c")


@pytest.mark.parametrize(
    ("delay", "run_count", "expected"),
    [(None, 1, 0), (7, 3, 7), ((1, 2, 3), 1, 1), ((1, 2, 3), 3, 3), ((1, 2, 3), 9, 3)],
)
def test_task_retry_delay_per_attempt(delay: object, run_count: int, expected: float) -> None:
    policy = TaskRunPolicy.from_json(
        {"retry_delay": list(delay) if isinstance(delay, tuple) else delay}
    )

    assert policy.delay_for_attempt(run_count) == expected


def test_task_run_policy_round_trips_through_json() -> None:
    raw = {
        "max_retries": 0,
        "retry_delay_seconds": 0,
        "retries": 3,
        "retry_delay": [1, 10],
        "retry_jitter_factor": 0.5,
    }

    assert TaskRunPolicy.from_json(raw).as_json() == raw


# -- the in-memory slot store ------------------------------------------------------------


def test_in_memory_slots_count_leases_against_the_limit() -> None:
    slots = InMemorySlots({DEPLOYMENT_ID: 2})
    first, second = (
        slots.try_acquire(DEPLOYMENT_ID, uuid4()),
        slots.try_acquire(DEPLOYMENT_ID, uuid4()),
    )

    assert first is not None and second is not None
    assert slots.try_acquire(DEPLOYMENT_ID, uuid4()) is None
    slots.release(first)
    slots.release(first)  # idempotent
    assert slots.active(DEPLOYMENT_ID) == 1
    assert slots.renew(second) and not slots.renew(first)
    assert slots.try_acquire(DEPLOYMENT_ID, uuid4()) is not None
