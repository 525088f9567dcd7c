"""Documented maximum sizes of request values (README, "Limits"), checked in the request body
before the database sees them: a value over one is a 422 naming its field.

PostgreSQL refuses an index entry over 2,704 bytes (a third of a page), so every text that an
index holds (names, keys, versions, the tags a covering index includes) is bounded well below
that, for any mix of 1- to 4-byte UTF-8 characters. Counts and offsets are bounded so that no
arithmetic on them leaves a 64-bit integer, and durations so that `now + duration` stays a
datetime.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

MAX_INTEGER = 2**31 - 1  # offset and page
MAX_TEXT_LENGTH = 500  # characters of an indexed name, key or version (≤ 2,000 bytes)
MAX_TASK_KEY_LENGTH = 300  # task_key and dynamic_key share one unique index entry
MAX_TAGS = 50
MAX_TAG_LENGTH = 200
MAX_TAGS_BYTES = 2000  # all of a run's tags together, UTF-8
MAX_DURATION_SECONDS = 10 * 365 * 24 * 3600  # ten years
MAX_JITTER_FACTOR = 100


def _tags_fit(tags: list[str]) -> list[str]:
    size = sum(len(tag.encode("utf-8")) for tag in tags)
    if size > MAX_TAGS_BYTES:
        raise ValueError(f"Tags may take at most {MAX_TAGS_BYTES:,} bytes together, not {size:,}")
    return tags


Offset = Annotated[int, Field(ge=0, le=MAX_INTEGER)]
Page = Annotated[int, Field(ge=1, le=MAX_INTEGER)]
IndexedText = Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]
TaskKey = Annotated[str, Field(max_length=MAX_TASK_KEY_LENGTH)]
Tag = Annotated[str, Field(max_length=MAX_TAG_LENGTH)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_tags_fit)]
Seconds = Annotated[float, Field(ge=-MAX_DURATION_SECONDS, le=MAX_DURATION_SECONDS)]
WholeSeconds = Annotated[int, Field(ge=-MAX_DURATION_SECONDS, le=MAX_DURATION_SECONDS)]
JitterFactor = Annotated[float, Field(le=MAX_JITTER_FACTOR)]
