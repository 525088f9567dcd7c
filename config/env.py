"""Typed settings from the environment, and one clear line when a value is wrong.

    with environment() as env:
        workers = env.int("GUNICORN_WORKERS", 4)

Every bad value read in the block is collected; when the block ends the process stops
with one line naming them (`Invalid environment: GUNICORN_WORKERS: Not a valid integer.`)
instead of a traceback from inside the settings. Values are not echoed: they may be
secrets (a DATABASE_URL with its password). An empty variable counts as unset, so
`DATABASE_URL=` means the default database (the SQLite pass of CI runs that way).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from environs import Env, EnvValidationError


class _EmptyIsUnsetEnv(Env):
    def _get_value(self, env_key: str, default: Any) -> Any:
        value = super()._get_value(env_key, default)
        return default if value == "" else value


def _problem(name: str, messages: Any) -> str:
    text = " ".join(messages) if isinstance(messages, list) else str(messages)
    return f"{name}: {text}"


@contextmanager
def environment() -> Iterator[Env]:
    env = _EmptyIsUnsetEnv(eager=False, expand_vars=False)
    yield env
    try:
        env.seal()
    except EnvValidationError as error:
        errors = error.error_messages  # seal() reports {variable: [messages]}
        found = sorted(errors.items()) if isinstance(errors, Mapping) else [("?", errors)]
        problems = " ".join(_problem(name, messages) for name, messages in found)
        raise SystemExit(f"Invalid environment: {problems}") from None
