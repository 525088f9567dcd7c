"""EventFilters over the corpus and the events each must select. Used twice: against SQL
(`test_filters`) and against the in-memory matcher (`test_matching`), so both implement the
same semantics. `$id:<key>` stands for a corpus event's id, `$ago:<minutes>` for a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.events.corpus import RUN_A

ALL = {
    "a_completed",
    "b_failed",
    "task_running",
    "a_heartbeat",
    "custom_x",
    "custom_y",
    "c_old",
    "upper",
    "weird",
}
FLOW_RUN_EVENTS = {"a_completed", "b_failed", "a_heartbeat", "c_old"}

CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("no criteria", {}, ALL),
    (
        "explicit nulls everywhere",
        {
            "occurred": None,
            "event": None,
            "resource": None,
            "related": None,
            "any_resource": None,
            "id": None,
            "text": None,
            "order": None,
        },
        ALL,
    ),
    # --- event names -------------------------------------------------------------------
    ("prefix", {"event": {"prefix": ["prefect.flow-run"]}}, FLOW_RUN_EVENTS),
    ("prefix is case-sensitive", {"event": {"prefix": ["Prefect."]}}, {"upper"}),
    ("empty prefix list", {"event": {"prefix": []}}, ALL),
    (
        "several prefixes",
        {"event": {"prefix": ["custom.", "weird"]}},
        {"custom_x", "custom_y", "weird"},
    ),
    (
        "exclude prefix",
        {"event": {"exclude_prefix": ["prefect."]}},
        {"custom_x", "custom_y", "upper", "weird"},
    ),
    ("name", {"event": {"name": ["prefect.flow-run.Completed"]}}, {"a_completed", "c_old"}),
    ("exclude name", {"event": {"exclude_name": ["custom.event"]}}, ALL - {"custom_x", "custom_y"}),
    (
        "prefix minus a name",
        {"event": {"prefix": ["prefect.flow-run"], "exclude_name": ["prefect.flow-run.heartbeat"]}},
        {"a_completed", "b_failed", "c_old"},
    ),
    ("prefix with LIKE characters is literal", {"event": {"prefix": ["weird%_"]}}, {"weird"}),
    ("underscore is not a wildcard in a prefix", {"event": {"prefix": ["weird_"]}}, set()),
    ("star is not a wildcard in a prefix", {"event": {"prefix": ["prefect.*"]}}, set()),
    # --- primary resource --------------------------------------------------------------
    ("resource id", {"resource": {"id": [RUN_A]}}, {"a_completed", "a_heartbeat"}),
    ("resource id prefix", {"resource": {"id_prefix": ["prefect.flow-run."]}}, FLOW_RUN_EVENTS),
    ("empty resource lists", {"resource": {"id": [], "id_prefix": [], "labels": {}}}, ALL),
    (
        "label wildcard",
        {"resource": {"labels": {"prefect.resource.name": "ban*"}}},
        {"a_completed"},
    ),
    (
        "label negation skips events without the label",
        {"resource": {"labels": {"prefect.resource.name": "!banana-prawn"}}},
        {"b_failed", "task_running"},
    ),
    (
        "label list is any of",
        {"resource": {"labels": {"prefect.resource.name": ["Apple", "add-???"]}}},
        {"b_failed", "task_running"},
    ),
    (
        "labels are case-sensitive",
        {"resource": {"labels": {"prefect.resource.name": "apple"}}},
        set(),
    ),
    ("primary labels only", {"resource": {"labels": {"env": "prod"}}}, {"custom_x"}),
    ("an empty label list matches nothing", {"resource": {"labels": {"env": []}}}, set()),
    (
        "every label must match",
        {"resource": {"labels": {"env": "prod", "team": "data"}}},
        {"custom_x"},
    ),
    ("one label failing fails", {"resource": {"labels": {"env": "prod", "team": "x"}}}, set()),
    (
        "id label with wildcard",
        {"resource": {"labels": {"prefect.resource.id": "prefect.flow-run.*"}}},
        FLOW_RUN_EVENTS,
    ),
    (
        "negated id label",
        {"resource": {"labels": {"prefect.resource.id": "!prefect.flow-run.*"}}},
        ALL - FLOW_RUN_EVENTS,
    ),
    (
        "empty id label list matches nothing",
        {"resource": {"labels": {"prefect.resource.id": []}}},
        set(),
    ),
    ("star and question mark", {"resource": {"labels": {"label": "50?_off?"}}}, {"weird"}),
    ("percent and brackets are literal", {"resource": {"labels": {"label": "5%"}}}, set()),
    ("literal brackets", {"resource": {"labels": {"prefect.resource.id": "w%_*[1]"}}}, {"weird"}),
    # --- related -------------------------------------------------------------------------
    (
        "related id",
        {"related": {"id": ["prefect.tag.db"]}},
        {"a_completed", "b_failed", "task_running"},
    ),
    ("related role", {"related": {"role": ["flow-run"]}}, {"task_running"}),
    ("related never matches the primary", {"related": {"id": [RUN_A]}}, {"task_running"}),
    (
        "related criteria hold for one resource",
        {"related": {"role": ["tag"], "id": ["prefect.flow.f1"]}},
        set(),
    ),
    (
        "resources in roles",
        {"related": {"resources_in_roles": [["prefect.flow.f1", "flow"]]}},
        {"a_completed", "task_running", "a_heartbeat"},
    ),
    (
        "resources in roles needs the pair",
        {"related": {"resources_in_roles": [["prefect.flow.f1", "tag"]]}},
        set(),
    ),
    (
        "related labels",
        {"related": {"labels": {"prefect.resource.name": "etl"}}},
        {"a_completed", "task_running", "a_heartbeat"},
    ),
    (
        "related role label is exact",
        {"related": {"labels": {"prefect.resource.role": "deployment"}}},
        {"c_old"},
    ),
    (
        "related role label has no wildcards",
        {"related": {"labels": {"prefect.resource.role": "deploy*"}}},
        set(),
    ),
    (
        "related custom label",
        {"related": {"labels": {"prefect.work-pool.type": "proc*"}}},
        {"c_old"},
    ),
    ("related label not primary", {"related": {"labels": {"env": "prod"}}}, {"custom_y"}),
    (
        "a list of related filters is ANDed",
        {"related": [{"id": ["prefect.tag.db"]}, {"id": ["prefect.tag.prod"]}]},
        {"a_completed"},
    ),
    ("empty related filter", {"related": {}}, ALL),
    (
        "related with empty lists",
        {"related": {"id": [], "role": [], "resources_in_roles": []}},
        ALL,
    ),
    # --- any resource ----------------------------------------------------------------------
    (
        "any resource id",
        {"any_resource": {"id": [RUN_A]}},
        {"a_completed", "task_running", "a_heartbeat"},
    ),
    ("any resource id prefix", {"any_resource": {"id_prefix": ["prefect.deployment."]}}, {"c_old"}),
    (
        "any resource role label",
        {"any_resource": {"labels": {"prefect.resource.role": "flow-run"}}},
        {"task_running"},
    ),
    (
        "the primary's role is empty",
        {"any_resource": {"labels": {"prefect.resource.role": ""}}},
        ALL,
    ),
    ("any resource label", {"any_resource": {"labels": {"env": "prod"}}}, {"custom_x", "custom_y"}),
    (
        "any resource list is ANDed",
        {"any_resource": [{"id": [RUN_A]}, {"id_prefix": ["prefect.task-run."]}]},
        {"task_running"},
    ),
    (
        "any resource labels on one resource",
        {
            "any_resource": {
                "labels": {"prefect.resource.id": "*.f1", "prefect.resource.name": "etl"}
            }
        },
        {"a_completed", "task_running", "a_heartbeat"},
    ),
    (
        "any resource labels split across resources",
        {
            "any_resource": {
                "labels": {"prefect.resource.id": "prefect.tag.db", "prefect.resource.name": "etl"}
            }
        },
        set(),
    ),
    # --- ids, text, time ------------------------------------------------------------------
    ("ids", {"id": {"id": ["$id:custom_x", "$id:weird"]}}, {"custom_x", "weird"}),
    ("empty id list", {"id": {"id": []}}, ALL),
    ("text", {"text": {"query": "timeout"}}, {"b_failed"}),
    ("text ignores case", {"text": {"query": "TIMEOUT"}}, {"b_failed"}),
    ("text non-ascii", {"text": {"query": "café"}}, {"custom_x"}),
    ("text folds non-ascii case", {"text": {"query": "école"}}, {"custom_x"}),
    ("text terms are ORed", {"text": {"query": "apple banana"}}, {"a_completed", "b_failed"}),
    (
        "text exclusion",
        {"text": {"query": "-db"}},
        ALL - {"a_completed", "b_failed", "task_running"},
    ),
    (
        "text bang exclusion",
        {"text": {"query": "!db"}},
        ALL - {"a_completed", "b_failed", "task_running"},
    ),
    ("text phrase", {"text": {"query": '"connection timeout"'}}, {"b_failed"}),
    ("text required terms", {"text": {"query": "+prod +data"}}, {"custom_x"}),
    ("text percent is literal", {"text": {"query": "50%_"}}, {"weird"}),
    ("empty text", {"text": {"query": "  "}}, ALL),
    ("since", {"occurred": {"since": "$ago:1440"}}, ALL - {"c_old"}),
    ("until", {"occurred": {"until": "$ago:45"}}, {"a_completed", "c_old"}),
    (
        "window",
        {"occurred": {"since": "$ago:45", "until": "$ago:15"}},
        {"b_failed", "task_running", "a_heartbeat"},
    ),
    (
        "everything at once",
        {
            "occurred": {"since": "$ago:1440"},
            "event": {"prefix": ["prefect."], "exclude_name": ["prefect.flow-run.heartbeat"]},
            "any_resource": {"id": [RUN_A]},
            "related": {"role": ["flow"]},
            "text": {"query": "etl"},
        },
        {"a_completed", "task_running"},
    ),
]


def resolve(value: Any, stored: dict[str, dict[str, Any]]) -> Any:
    """Replace `$id:<key>` and `$ago:<minutes>` placeholders."""
    if isinstance(value, dict):
        return {k: resolve(v, stored) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, stored) for v in value]
    if isinstance(value, str) and value.startswith("$id:"):
        return stored[value[4:]]["id"]
    if isinstance(value, str) and value.startswith("$ago:"):
        return (timezone.now() - timedelta(minutes=float(value[5:]))).isoformat()
    return value


def case_params() -> list[Any]:
    return [pytest.param(filter, expected, id=name) for name, filter, expected in CASES]
