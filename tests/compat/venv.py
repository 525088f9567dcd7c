"""The client's own virtualenv, `.venv-compat`, so Prefect's pins never touch `.venv`.

Made on first use and remade when `requirements.txt` changes, exactly as `make compat-venv`
does it: same folder, same stamp file, so either one can create it and the other reuses it.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
VENV = REPO / ".venv-compat"
STAMP = VENV / ".installed-compat"
BIN = VENV / "bin"

VENV_TIMEOUT = 180
INSTALL_TIMEOUT = 1200  # a first install downloads prefect and ~100 dependencies


def _is_fresh() -> bool:
    return (
        STAMP.exists()
        and STAMP.stat().st_mtime >= REQUIREMENTS.stat().st_mtime
        and (BIN / "prefect").exists()
    )


@contextmanager
def _locked() -> Iterator[None]:
    """One installer at a time, whichever pytest or make process gets here first."""
    name = f"prefect-compat-venv-{zlib.crc32(str(REPO).encode()):08x}.lock"
    with open(Path(tempfile.gettempdir()) / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(args: list[str], timeout: float) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}"
            f"\n{done.stderr[-3000:]}"
        )


def ensure_compat_venv() -> Path:
    """The `bin` folder of a virtualenv holding exactly the pinned client (idempotent)."""
    if _is_fresh():
        return BIN
    with _locked():
        if not _is_fresh():
            _run([sys.executable, "-m", "venv", str(VENV)], VENV_TIMEOUT)
            _run(
                [str(BIN / "python"), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
                INSTALL_TIMEOUT,
            )
            STAMP.touch()
    return BIN
