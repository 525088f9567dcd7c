"""The confirmation end to end: `manage.py delete_flow_runs` in its own process, once on a real
pseudo-terminal (asks; `no` keeps the runs) and once from cron-like stdin (refuses)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def manage_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        VAR_DIR=str(database.parent),
    )
    return env


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


def on_a_terminal(env: dict[str, str], args: list[str], typed: bytes) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; type `typed` once asked."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=REPO,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 120
    answered = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process ended and closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Type 'yes'" in output:
            os.write(leader, typed)
            answered = True
    process.wait(timeout=30)
    os.close(leader)
    return process.returncode, output.decode(errors="replace")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("tty") / "db.sqlite3"
    env = manage_env(database)
    assert manage(env, "migrate", "--noinput", "-v", "0").returncode == 0
    done = manage(env, "seed_flow_runs", "--runs", "30", "--flows", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr
    return env


def count(env: dict[str, str]) -> str:
    done = manage(env, "delete_flow_runs", "--all", "--include-active", "--dry-run")
    return done.stdout.splitlines()[0]


def test_on_a_terminal_it_asks_and_no_keeps_the_runs(seeded):
    before = count(seeded)
    code, output = on_a_terminal(
        seeded, ["delete_flow_runs", "--all", "--include-active"], typed=b"no\n"
    )
    assert code == 0, output
    assert "This will delete 30 flow runs (" in output
    assert "Cancelled; nothing was changed." in output
    assert (
        count(seeded)
        == before
        == "Dry run: would delete 30 flow runs (with their states, inputs, task runs and logs)."
    )


def test_from_cron_it_refuses_without_no_input(seeded):
    done = manage(seeded, "delete_flow_runs", "--all", "--include-active", stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "Not a terminal: cannot ask for confirmation. Pass --no-input" in done.stderr
    assert "would delete 30 flow runs" in count(seeded)
