"""Rounds of a benchmark's child process run in each checkout of this repository, the
checkouts' order alternating by round: the loop `inprocess.py`, `render_ab.py` and
`history_checkouts.py` share.

A child is the calling script run again with `--child --database-url URL --checkout x=.` and
the script's own arguments, from the checkout's folder with it as `PYTHONPATH`, so every import
is that checkout's; `python -P` keeps the script's own folder off the path (`bench/dashboard.py`
would hide the `dashboard` app). It prints its measurements as one JSON object on its last
line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Measured = dict[str, Any]


def checkout_rounds(
    script: str,
    *,
    checkouts: list[str],
    database_url: str,
    rounds: int,
    child_args: list[str],
    show: Callable[[int, str, Measured], None],
) -> dict[str, list[Measured]]:
    """Per checkout name (`NAME=PATH` items), its children's measurements, one per round."""
    pairs = [item.split("=", 1) for item in checkouts]
    results: dict[str, list[Measured]] = {name: [] for name, _ in pairs}
    for round_no in range(rounds):
        for name, path in pairs if round_no % 2 == 0 else pairs[::-1]:
            root = str(Path(path).resolve())
            env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": root,
                   "LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore",
                   "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
            command = [sys.executable, "-P", str(Path(script).resolve()), "--child",
                       "--database-url", database_url, "--checkout", "x=.",
                       *child_args]  # fmt: skip
            done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr[-2000:]}")
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            results[name].append(measured)
            show(round_no, name, measured)
    return results
