"""`/flow_runs/history`: one entry per bucket, its states already in wire form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flowruns.api.wire.encoding import dt
from flowruns.selectors.history import Bucket


def history_out(buckets: Iterable[Bucket]) -> list[dict[str, Any]]:
    return [
        {
            "interval_start": dt(bucket.interval_start),
            "interval_end": dt(bucket.interval_end),
            "states": bucket.states,
        }
        for bucket in buckets
    ]
