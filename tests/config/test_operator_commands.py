"""Commands that cannot surprise: destructive ones ask first (`--no-input` skips the question,
no terminal refuses), a selector that matches nothing says so and changes nothing, and
`--help` shows every option's default (`config/cli.py`)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command, load_command_class
from django.utils import timezone

from access.models import APIKey
from access.services import api_key_create
from events.models import Event
from flowruns.models import FlowRun, StateType
from flowruns.models.run_counters import FlowRunCount
from logs_app.models import Log
from tests.events.conftest import event_json, store, tag
from tests.factories import DeploymentFactory, FlowFactory, FlowRunFactory, LogFactory
from tests.terminal import Terminal

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
COMMANDS = {
    "delete_flow_runs": "flowruns",
    "delete_logs": "logs_app",
    "delete_events": "events",
    "seed_flow_runs": "flowruns",
    "verify_run_counters": "flowruns",
    "api_key": "access",
    "run_services": "background",
}


def at_terminal(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    """Run as from an interactive shell where the operator types `typed`."""
    monkeypatch.setattr("sys.stdin", Terminal(typed))


def not_at_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as from cron or a pipe."""
    monkeypatch.setattr("sys.stdin", StringIO("yes\n"))


def command(name: str, *args: str, **options: Any) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def ended_run(flow_name: str = "etl", days_ago: float = 40, **fields: Any) -> FlowRun:
    return FlowRunFactory.create(
        flow=FlowFactory.create(name=flow_name) if flow_name else FlowFactory.create(),
        state_type=StateType.COMPLETED,
        end_time=timezone.now() - days_ago * DAY,
        **fields,
    )


# --- delete_flow_runs ---------------------------------------------------------------------


def test_delete_flow_runs_asks_and_deletes_on_yes(monkeypatch):
    ended_run()
    ended_run("other")
    at_terminal(monkeypatch, "yes\n")
    out = command("delete_flow_runs", "--all")
    assert (
        "This will delete 2 flow runs (COMPLETED 2) with their states, inputs, task runs "
        "and logs.\nType 'yes' to continue" in out
    )
    assert "Deleted 2 flow runs" in out
    assert not FlowRun.objects.exists()


@pytest.mark.parametrize("typed", ["no\n", "y\n", "\n", ""])
def test_delete_flow_runs_anything_but_yes_deletes_nothing(monkeypatch, typed):
    ended_run()
    at_terminal(monkeypatch, typed)
    out = command("delete_flow_runs", "--all")
    assert "Cancelled; nothing was changed." in out
    assert FlowRun.objects.count() == 1


def test_delete_flow_runs_without_a_terminal_refuses_instead_of_deleting(monkeypatch):
    ended_run()
    not_at_terminal(monkeypatch)
    with pytest.raises(CommandError, match=r"1 flow runs .*Pass --no-input"):
        command("delete_flow_runs", "--all")
    assert FlowRun.objects.count() == 1


@pytest.mark.parametrize("flag", ["--no-input", "--noinput"])
def test_delete_flow_runs_no_input_deletes_without_asking(monkeypatch, flag):
    ended_run()
    not_at_terminal(monkeypatch)
    out = command("delete_flow_runs", "--all", flag)
    assert "Type 'yes'" not in out
    assert not FlowRun.objects.exists()


def test_delete_flow_runs_unknown_flow_says_so_and_changes_nothing(monkeypatch):
    ended_run("etl")
    at_terminal(monkeypatch, "yes\n")
    with pytest.raises(CommandError, match=r"Nothing deleted: --flow 'elt': no such flow"):
        command("delete_flow_runs", "--flow", "elt", "--include-active")
    with pytest.raises(CommandError, match="no such flow"):
        command("delete_flow_runs", "--flow", "elt", "--dry-run")
    assert FlowRun.objects.count() == 1


@pytest.mark.parametrize(
    "value", ["nightly", "etl/nightly", "00000000-0000-0000-0000-000000000001"]
)
def test_delete_flow_runs_unknown_deployment_says_so_and_changes_nothing(monkeypatch, value):
    flow = FlowFactory.create(name="etl")
    DeploymentFactory.create(flow=FlowFactory.create(name="other"), name="nightly")
    at_terminal(monkeypatch, "yes\n")
    ended_run("", deployment_id=DeploymentFactory.create(flow=flow, name="hourly").pk)
    if value == "nightly":  # exists (under another flow): a valid selector
        out = command("delete_flow_runs", "--deployment", value)
        assert "No flow runs match; nothing deleted." in out
    else:
        with pytest.raises(CommandError, match=f"--deployment '{value}': no such deployment"):
            command("delete_flow_runs", "--deployment", value)
    assert FlowRun.objects.count() == 1


def test_delete_flow_runs_matching_nothing_says_so_without_asking(monkeypatch):
    ended_run(days_ago=1)
    not_at_terminal(monkeypatch)  # would refuse if it asked
    out = command("delete_flow_runs", "--older-than", "30d")
    assert out.strip() == "No flow runs match; nothing deleted."
    assert FlowRun.objects.count() == 1
    # With --no-input nothing is counted ahead (cron pays nothing extra): the summary says 0.
    out = command("delete_flow_runs", "--older-than", "30d", "--no-input")
    assert "Deleted 0 flow runs in 0 batches" in out


# --- delete_logs --------------------------------------------------------------------------


def old_log(level: int) -> Log:
    return LogFactory.create(timestamp=timezone.now() - 40 * DAY, level=level)


def test_delete_logs_asks_with_level_names(monkeypatch):
    old_log(10)
    old_log(10)
    old_log(40)
    at_terminal(monkeypatch, "no\n")
    out = command("delete_logs", "--older-than", "30d")
    assert "This will delete 3 logs (DEBUG 2, ERROR 1)." in out
    assert Log.objects.count() == 3
    at_terminal(monkeypatch, "yes\n")
    command("delete_logs", "--older-than", "30d")
    assert not Log.objects.exists()


def test_delete_logs_accepts_level_names(monkeypatch):
    old_log(10)
    old_log(20)
    old_log(30)
    out = command("delete_logs", "--level-below", "warning", "--dry-run")
    assert re.search(r"DEBUG +1\n", out) and re.search(r"INFO +1\n", out)
    assert "WARNING" not in out
    command("delete_logs", "--max-level", "INFO", "--no-input")
    assert list(Log.objects.values_list("level", flat=True)) == [30]
    with pytest.raises(CommandError, match="Invalid level 'LOUD'"):
        command("delete_logs", "--max-level", "LOUD", "--no-input")


def test_delete_logs_without_a_terminal_refuses(monkeypatch):
    old_log(20)
    not_at_terminal(monkeypatch)
    with pytest.raises(CommandError, match="Pass --no-input"):
        command("delete_logs", "--all")
    assert Log.objects.count() == 1


# --- delete_events ------------------------------------------------------------------------


def test_delete_events_asks_before_deleting(monkeypatch):
    store(event_json("old", occurred=timezone.now() - 30 * DAY, related=[tag("t")]))
    store(event_json("new", occurred=timezone.now(), related=[tag("t")]))
    not_at_terminal(monkeypatch)
    with pytest.raises(CommandError, match=r"older than 7 days.*Pass --no-input"):
        command("delete_events")
    at_terminal(monkeypatch, "no\n")
    assert "Cancelled" in command("delete_events")
    assert Event.objects.count() == 2
    at_terminal(monkeypatch, "yes\n")
    command("delete_events")
    assert list(Event.objects.values_list("event", flat=True)) == ["new"]


def test_delete_events_with_nothing_to_delete_does_not_ask(monkeypatch):
    store(event_json("new", occurred=timezone.now(), related=[tag("t")]))
    not_at_terminal(monkeypatch)
    out = command("delete_events")
    assert "Deleted 0 events" in out
    assert Event.objects.count() == 1


# --- seed_flow_runs -----------------------------------------------------------------------


def seed(**options: Any) -> str:
    return command("seed_flow_runs", runs=5, flows=1, seed=7, **options)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seed_refuses_to_drop_indexes_under_existing_runs():
    ended_run()
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("seed_flow_runs", runs=5, stdout=StringIO(), stderr=err)
    assert "already holds 1 flow runs" in err.getvalue()
    assert "--keep-indexes" in err.getvalue() and "--truncate" in err.getvalue()
    assert FlowRun.objects.count() == 1
    seed(keep_indexes=True)
    assert FlowRun.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_seed_truncate_asks_before_emptying_the_tables(monkeypatch):
    ended_run()
    at_terminal(monkeypatch, "no\n")
    out = seed(truncate=True)
    assert "This will delete every flow run (1)" in out and "Cancelled" in out
    assert FlowRun.objects.count() == 1
    not_at_terminal(monkeypatch)
    with pytest.raises(CommandError, match="Pass --no-input"):
        seed(truncate=True)
    at_terminal(monkeypatch, "yes\n")
    seed(truncate=True)
    assert FlowRun.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_seed_into_an_empty_database_does_not_ask(monkeypatch):
    not_at_terminal(monkeypatch)
    seed(truncate=True)
    assert FlowRun.objects.count() == 5


# --- verify_run_counters, api_key ---------------------------------------------------------


def test_verify_run_counters_asks_before_rebuilding(monkeypatch):
    ended_run()
    FlowRunCount.objects.update(n=99)
    at_terminal(monkeypatch, "no\n")
    assert "Cancelled" in command("verify_run_counters", "--rebuild")
    assert set(FlowRunCount.objects.values_list("n", flat=True)) == {99}
    not_at_terminal(monkeypatch)
    with pytest.raises(CommandError, match="Pass --no-input"):
        command("verify_run_counters", "--rebuild")
    assert "run counters are exact" not in command("verify_run_counters", "--rebuild", "--no-input")
    assert "run counters are exact" in command("verify_run_counters")


def test_api_key_revoke_asks_and_a_typo_revokes_nothing(monkeypatch):
    user = User.objects.create(username="ci")
    row, _ = api_key_create(user=user, name="laptop", expiry_date=None)
    with pytest.raises(CommandError, match="No API key with prefix 'nope'; nothing revoked"):
        command("api_key", "revoke", row.prefix, "nope", "--no-input")
    at_terminal(monkeypatch, "no\n")
    out = command("api_key", "revoke", row.prefix)
    assert f"This will revoke 1 API key(s) for good: {row.prefix} ('laptop' of ci)." in out
    assert not APIKey.objects.get().revoked
    at_terminal(monkeypatch, "yes\n")
    command("api_key", "revoke", row.prefix)
    assert APIKey.objects.get().revoked


def test_api_key_list_of_an_unknown_user_says_so():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        command("api_key", "list", "--user", "nobody")
    assert command("api_key", "list").strip() == "No API keys."


# --- --help -------------------------------------------------------------------------------


def helps(name: str) -> list[tuple[Any, str]]:
    """(parser, help text) of the command and of each of its subcommands."""
    parser = load_command_class(COMMANDS[name], name).create_parser("manage.py", name)
    parsers = [parser]
    for action in parser._actions:
        if isinstance(getattr(action, "choices", None), dict):
            parsers += list(action.choices.values())
    return [(p, re.sub(r"\s+", " ", p.format_help())) for p in parsers]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_shows_every_default(name):
    checked = 0
    for parser, text in helps(name):
        for action in parser._actions:
            meaningful = action.default not in (None, False, True, [], "==SUPPRESS==")
            if not action.option_strings or not meaningful or action.dest == "help":
                continue
            if action.dest in {"verbosity"}:  # Django's own option
                continue
            checked += 1
            if "default" in (action.help or ""):  # says it in its own words
                continue
            shown = re.escape(str(action.default))
            assert re.search(rf"\(default:? {shown}\)", text), (name, action.dest)
    if name in {"delete_flow_runs", "delete_logs", "seed_flow_runs"}:
        assert checked


@pytest.mark.parametrize(
    "name", ["delete_flow_runs", "delete_logs", "delete_events", "seed_flow_runs"]
)
def test_destructive_commands_offer_no_input(name):
    (_, text), *_ = helps(name)
    assert "--no-input, --noinput" in text


def test_seed_help_names_the_shape_defaults():
    (_, text), *_ = helps("seed_flow_runs")
    for phrase in ("(default 20)", "(default 3)", "(default: 1000)", "(default: 10000)"):
        assert phrase in text


class _Interrupted(Terminal):
    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


def test_ctrl_c_at_the_question_cancels(monkeypatch):
    ended_run()
    monkeypatch.setattr("sys.stdin", _Interrupted())
    out = command("delete_flow_runs", "--all")
    assert out.endswith("Cancelled; nothing was changed.\n")
    assert FlowRun.objects.count() == 1
