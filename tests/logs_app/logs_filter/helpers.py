"""Shared by the `POST /api/logs/filter` tests."""

from __future__ import annotations


def filter_logs(api, body=None):
    return api.post("/api/logs/filter", body, format="json")


def messages(response):
    assert response.status_code == 200, response.content
    return [log["message"] for log in response.json()]


def matching(api, log_filter):
    return set(messages(filter_logs(api, {"logs": log_filter})))
