"""Runs the real client (scenario scripts and the `prefect` CLI) in `.venv-compat`.

Each process gets `PREFECT_API_URL`, a throwaway `PREFECT_HOME`, no ephemeral server, and the
client's defaults for everything else (version check, CSRF support and logging to the API on).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .venv import REPO

SCENARIOS = Path(__file__).with_name("scenarios")
MARKER = "COMPAT-RESULT "
DEFAULT_TIMEOUT = 120


@dataclass(frozen=True)
class Finished:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def result(self) -> Any:
        """The JSON a scenario printed on its COMPAT-RESULT line."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER) :])
        raise AssertionError(f"no result from {self.args}:\n{self.describe()}")

    def describe(self) -> str:
        return (
            f"exit {self.returncode}\n--- stdout\n{self.stdout[-4000:]}"
            f"\n--- stderr\n{self.stderr[-6000:]}"
        )

    def warnings(self) -> list[str]:
        """The client's WARNING and ERROR log lines (its own console format)."""
        out = self.stdout + "\n" + self.stderr
        return [line for line in out.splitlines() if "| WARNING |" in line or "| ERROR " in line]


@dataclass(frozen=True)
class Client:
    bin: Path
    api_url: str
    home: Path
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. PREFECT_API_KEY

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DJANGO_"))}
        for name in ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            keep.pop(name, None)
        keep.update(
            PREFECT_API_URL=self.api_url,
            PREFECT_HOME=str(self.home),
            PREFECT_SERVER_ALLOW_EPHEMERAL_MODE="false",
            COLUMNS="200",  # wide enough that the CLI's tables never cut a name or an id
            PYTHONUNBUFFERED="1",
            PYTHONIOENCODING="utf-8",
        )
        keep.update(self.extra_env)
        return keep

    def _command(self, script: str, *args: str) -> list[str]:
        return [str(self.bin / "python"), str(SCENARIOS / script), *args]

    def run(self, args: list[str], timeout: float = DEFAULT_TIMEOUT) -> Finished:
        try:
            done = subprocess.run(
                args,
                cwd=REPO,
                env=self.env(),
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            output = f"{_text(exc.stdout)}\n{_text(exc.stderr)}"
            raise AssertionError(f"{args} did not finish within {timeout}s:\n{output}") from exc
        return Finished(args, done.returncode, done.stdout, done.stderr)

    def scenario(self, script: str, *args: str, timeout: float = DEFAULT_TIMEOUT) -> Finished:
        done = self.run(self._command(script, *args), timeout)
        assert done.returncode == 0, f"{script} failed:\n{done.describe()}"
        return done

    def start_scenario(self, script: str, *args: str, log_dir: Path) -> Background:
        """A scenario that keeps running (a paused flow) while the test does other things."""
        stdout = open(log_dir / f"{script}.out", "w+", encoding="utf-8")  # noqa: SIM115
        stderr = open(log_dir / f"{script}.err", "w+", encoding="utf-8")  # noqa: SIM115
        process = subprocess.Popen(
            self._command(script, *args),
            cwd=REPO,
            env=self.env(),
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        return Background(self._command(script, *args), process, stdout, stderr)

    def prefect(self, *args: str, timeout: float = 60) -> Finished:
        return self.run([str(self.bin / "prefect"), "--no-prompt", *args], timeout)


@dataclass
class Background:
    args: list[str]
    process: subprocess.Popen[bytes]
    stdout: Any
    stderr: Any

    def wait(self, timeout: float) -> Finished:
        try:
            self.process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        self.stop()
        self.stdout.seek(0)
        self.stderr.seek(0)
        out, err = self.stdout.read(), self.stderr.read()
        done = Finished(self.args, self.process.returncode, out, err)
        self.stdout.close()
        self.stderr.close()
        if timed_out:
            raise AssertionError(
                f"{self.args} did not finish within {timeout}s:\n{done.describe()}"
            )
        return done

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""
