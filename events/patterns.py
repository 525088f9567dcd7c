"""Label patterns (spec/events.md §8.1): `*` matches any run of characters, `?` exactly one,
a leading `!` negates; everything else is literal and case-sensitive.

The same pattern is translated three ways, one per matcher: a PostgreSQL `LIKE` pattern, a
SQLite `GLOB` pattern (SQLite's `LIKE` ignores ASCII case), and a Python regex for
`events.matching`. Prefect's in-memory matcher used `fnmatch`, where `[...]` is a character
class; here, as in Prefect's SQL, brackets are literal.
"""

from __future__ import annotations

import re
from functools import lru_cache


def split_negation(pattern: str) -> tuple[bool, str]:
    """(negated, the pattern without its `!`)."""
    if pattern.startswith("!"):
        return True, pattern[1:]
    return False, pattern


def to_like(pattern: str, *, wildcards: bool = True) -> str:
    """A `LIKE` pattern (default escape character `\\`)."""
    out = []
    for char in pattern:
        if char in "\\%_":
            out.append("\\" + char)
        elif wildcards and char == "*":
            out.append("%")
        elif wildcards and char == "?":
            out.append("_")
        else:
            out.append(char)
    return "".join(out)


def to_glob(pattern: str, *, wildcards: bool = True) -> str:
    """A SQLite `GLOB` pattern: literal `*`, `?` and `[` go in brackets."""
    out = []
    for char in pattern:
        if char == "[" or (not wildcards and char in "*?"):
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=1024)
def to_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(body, re.DOTALL)


def matches(pattern: str, value: str | None) -> bool:
    """Does the label value match the pattern? A missing label never matches, even `!x`."""
    if value is None:
        return False
    negated, body = split_negation(pattern)
    found = to_regex(body).fullmatch(value) is not None
    return found != negated
