"""The real client's `Variable.set/get/unset` and `prefect variable ...` against the live server
(concurrency.md §6.4)."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

VALUE = {"retries": 3, "hosts": ["a", "b"], "ratio": 0.5, "on": True, "none": None}


@pytest.fixture(scope="module")
def calls(prefect, nonce) -> dict:
    return prefect.scenario("variables.py", nonce).result


def test_set_then_get_round_trips_a_json_value(calls, nonce):
    stored = calls["set"]["ok"]
    assert (stored["name"], stored["value"], stored["tags"]) == (
        f"compat-var-{nonce}",
        VALUE,
        ["compat"],
    )
    assert calls["get"] == {"ok": VALUE}


def test_get_of_a_missing_variable_gives_the_default(calls):
    assert calls["missing_default"] == {"ok": 3}


def test_set_of_an_existing_name_needs_overwrite(calls):
    assert calls["set_again"]["error"]["type"] == "ValueError"
    assert calls["overwrite"] == {"ok": "replaced"}
    assert calls["get_overwritten"] == {"ok": "replaced"}


def test_unset_deletes_once(calls):
    assert (calls["unset"], calls["unset_again"]) == ({"ok": True}, {"ok": False})
    assert calls["get_after_unset"] == {"ok": "fallback"}


def test_the_cli_sets_gets_lists_and_unsets(prefect, rest, nonce):
    name = f"cli-var-{nonce}"
    done = prefect.prefect("variable", "set", name, '{"a": [1, 2]}', "--tag", "t1")
    assert done.returncode == 0, done.describe()
    assert rest.get(f"/variables/name/{name}")["value"] == {"a": [1, 2]}

    got = prefect.prefect("variable", "get", name)
    assert got.returncode == 0, got.describe()
    assert json.loads(got.stdout) == {"a": [1, 2]}

    again = prefect.prefect("variable", "set", name, "42")
    assert again.returncode == 1
    replaced = prefect.prefect("variable", "set", name, "42", "--overwrite")
    assert replaced.returncode == 0, replaced.describe()
    assert rest.get(f"/variables/name/{name}")["value"] == 42

    listed = prefect.prefect("variable", "ls", "--output", "json")
    assert listed.returncode == 0, listed.describe()
    shown = {v["name"]: v for v in json.loads(listed.stdout)}
    assert (shown[name]["value"], shown[name]["tags"]) == (42, [])

    unset = prefect.prefect("variable", "unset", name)
    assert unset.returncode == 0, unset.describe()
    missing = prefect.prefect("variable", "get", name)
    assert missing.returncode == 1
    assert f"Variable '{name}' not found." in missing.stdout + missing.stderr
