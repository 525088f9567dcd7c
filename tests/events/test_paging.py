"""`POST /api/events/filter` pages and `GET /api/events/filter/next` (spec/events.md
§8.2-8.3): limit rules, totals, absolute signed next-page URLs, 403 on a bad token."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from tests.events.conftest import event_json, store

pytestmark = pytest.mark.django_db


def first_page(api, body=None):
    response = api.post("/api/events/filter", body or {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def stored_events(n: int, *, same_time: bool = False) -> list[dict]:
    now = timezone.now()
    events = [
        event_json(f"e{i}", occurred=now - timedelta(minutes=1 if same_time else n - i))
        for i in range(n)
    ]
    return store(*events)


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["page-token"][0]


def test_limit_defaults_to_50_and_next_page_is_an_absolute_url(api):
    stored_events(51)
    page = first_page(api)
    assert len(page["events"]) == 50
    assert page["total"] == 51
    assert page["next_page"].startswith("http://testserver/api/events/filter/next?page-token=")


def test_a_limit_over_50_is_the_validation_error_prefect_gives(api):
    response = api.post("/api/events/filter", {"limit": 100}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"] == [
        {
            "type": "less_than_equal",
            "loc": ["body", "limit"],
            "msg": "Input should be less than or equal to 50",
            "input": 100,
            "ctx": {"le": 50},
        }
    ]


def test_a_negative_limit_is_refused_and_a_numeric_string_coerced(api):
    response = api.post("/api/events/filter", {"limit": -1}, format="json")
    assert response.json()["exception_detail"][0]["type"] == "greater_than_equal"
    stored_events(3)
    assert len(first_page(api, {"limit": "2"})["events"]) == 2


def test_no_next_page_when_everything_fits(api):
    stored_events(3)
    page = first_page(api, {"limit": 3})
    assert (page["total"], page["next_page"]) == (3, None)
    assert first_page(api, {"filter": None})["total"] == 3


def test_limit_zero_returns_no_events_and_no_next_page(api):
    stored_events(2)
    page = first_page(api, {"limit": 0})
    assert page == {"events": [], "total": 2, "next_page": None}


@pytest.mark.parametrize("same_time", [False, True])
@pytest.mark.parametrize("order", ["DESC", "ASC"])
def test_following_next_page_reads_every_event_once_in_order(api, order, same_time):
    stored = stored_events(7, same_time=same_time)
    page = first_page(api, {"filter": {"order": order}, "limit": 3})
    seen = [e["id"] for e in page["events"]]
    while page["next_page"]:
        response = api.get(page["next_page"])
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 7
        seen += [e["id"] for e in page["events"]]
    assert len(seen) == 7
    assert sorted(seen) == sorted(e["id"] for e in stored)
    occurred = {e["id"]: (e["occurred"], e["id"]) for e in stored}
    assert [occurred[i] for i in seen] == sorted(occurred[i] for i in seen)[
        :: -1 if order == "DESC" else 1
    ]


def test_later_pages_keep_the_first_pages_window(api):
    stored_events(3)
    page = first_page(api, {"limit": 2})
    store(event_json("after the first page"))  # occurred now: after the frozen `until`
    rest = api.get(page["next_page"]).json()
    assert [e["event"] for e in rest["events"]] == ["e0"]
    assert rest["next_page"] is None


def test_distinct_pages_by_resource(api):
    now = timezone.now()
    for run in range(4):
        resource = {"prefect.resource.id": f"prefect.flow-run.{run}"}
        store(
            *(
                event_json(occurred=now - timedelta(minutes=run * 10 + i), resource=resource)
                for i in range(2)
            )
        )
    page = first_page(api, {"filter": {"resource": {"distinct": True}}, "limit": 3})
    assert page["total"] == 4
    rest = api.get(page["next_page"]).json()
    resources = [e["resource"]["prefect.resource.id"] for e in page["events"] + rest["events"]]
    assert resources == [f"prefect.flow-run.{run}" for run in range(4)]


def test_a_tampered_token_is_forbidden(api):
    stored_events(3)
    url = first_page(api, {"limit": 1})["next_page"]
    token = token_of(url)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = api.get("/api/events/filter/next", {"page-token": forged})
    assert (response.status_code, response.json()) == (403, {"detail": "Forbidden"})


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        base64.b64encode(b"not json").decode(),
        base64.b64encode(
            json.dumps({"filter": {}, "count": 9, "page_size": 1, "offset": 1}).encode()
        ).decode(),
        "",
    ],
)
def test_tokens_that_do_not_verify_are_forbidden(api, token):
    response = api.get("/api/events/filter/next", {"page-token": token})
    assert (response.status_code, response.json()) == (403, {"detail": "Forbidden"})


def test_a_missing_token_is_a_query_validation_error(api):
    response = api.get("/api/events/filter/next")
    assert response.status_code == 422
    assert response.json() == {
        "exception_message": "Invalid request received.",
        "exception_detail": [
            {
                "type": "missing",
                "loc": ["query", "page-token"],
                "msg": "Field required",
                "input": None,
            }
        ],
        "request_body": None,
    }


def test_the_page_json_has_prefects_shape(api):
    (event,) = stored_events(1)
    page = first_page(api)
    assert list(page) == ["events", "total", "next_page"]
    assert page["events"] == [event]
    assert list(page["events"][0]) == [
        "occurred",
        "event",
        "resource",
        "related",
        "payload",
        "id",
        "follows",
        "received",
    ]


def test_wrong_methods_are_405(api):
    assert api.get("/api/events/filter").status_code == 405
    assert api.post("/api/events/filter/next").status_code == 405
    assert api.get("/api/events").status_code == 405
