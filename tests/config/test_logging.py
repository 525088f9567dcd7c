"""Quiet, useful logs: refusals the client causes are not warnings, every line has a time and
a level, and a 500 is one record whose request id the response carries."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from gunicorn import glogging

from config.gunicorn_logging import ServerLogger
from flowruns.api.views import flows as flow_views

pytestmark = pytest.mark.django_db

GUNICORN_CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def test_every_line_has_a_timestamp_and_a_level():
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    record = logging.LogRecord("flowruns", logging.INFO, __file__, 1, "hello", None, None)
    line = formatter.format(record)
    assert line.endswith(f"INFO [{record.process}] flowruns: hello")
    assert line[:4].isdigit() and line[10] == " "  # 2026-12-06 08:00:00,123


def test_gunicorns_own_lines_have_them_too():
    conf = runpy.run_path(str(GUNICORN_CONF))["logconfig_dict"]
    fmt = conf["formatters"]["plain"]["format"]
    assert "%(asctime)s" in fmt and "%(levelname)s" in fmt
    assert {h["formatter"] for h in conf["handlers"].values()} == {"plain"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/csrf-token?client=abc", 422),  # every client run asks; CSRF protection is off
        ("/api/flows/00000000-0000-4000-8000-000000000000", 404),
        ("/api/no-such-route", 404),
    ],
)
def test_expected_refusals_are_not_warnings(caplog, path, status):
    with caplog.at_level(logging.INFO):
        response = Client().get(path)
    assert response.status_code == status
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_500_is_one_record_with_the_request_id_of_the_response(caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(flow_views, "flow_get", broken)
    with caplog.at_level(logging.INFO):
        response = Client().get("/api/flows/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 500
    assert response.json() == {"exception_message": "Internal Server Error"}
    request_id = response["X-Request-ID"]
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1
    (record,) = errors
    assert request_id in record.getMessage()
    assert "GET /api/flows/" in record.getMessage()
    assert record.exc_info[1].args == ("boom",)


def test_a_proxys_request_id_is_kept(monkeypatch):
    monkeypatch.setattr(flow_views, "flow_get", lambda *a, **k: 1 / 0)
    response = Client().get(
        "/api/flows/00000000-0000-4000-8000-000000000000", HTTP_X_REQUEST_ID="abc-123"
    )
    assert response.status_code == 500
    assert response["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize(
    ("accesslog", "enabled"), [("-", True), ("/tmp/access.log", True), (None, False)]
)
def test_access_lines_are_formatted_only_when_there_is_an_access_log(accesslog, enabled):
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["logger_class"] == "config.gunicorn_logging.ServerLogger"
    cfg = SimpleNamespace(
        accesslog=accesslog,
        logconfig=None,
        logconfig_dict=conf["logconfig_dict"],
        logconfig_json=None,
        syslog=False,
    )
    ours, theirs = ServerLogger.__new__(ServerLogger), glogging.Logger.__new__(glogging.Logger)
    ours.cfg = theirs.cfg = cfg
    assert ours._compute_access_log_enabled() is enabled
    # gunicorn's own logger formats a line per request whenever logconfig_dict is given.
    assert theirs._compute_access_log_enabled() is True


@pytest.mark.parametrize(
    ("value", "accesslog"),
    [("", "-"), ("-", "-"), ("a.log", "a.log"), ("off", None), ("OFF", None)],
)
def test_the_access_log_is_stdout_a_file_or_off(monkeypatch, value, accesslog):
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", value)
    assert runpy.run_path(str(GUNICORN_CONF))["accesslog"] == accesslog
