"""Do both servers give the same answers? Every read shape is sent to ours and to Prefect
and the answers compared (bench/compare.py, step 3)."""

from __future__ import annotations

import json
from typing import Any

from bench import compare_setup as setup
from bench.compare_shapes import Facts, Shape, canonical
from bench.http_client import Client


def same_answers(
    shapes: list[Shape], sides: dict[str, tuple[Client, Facts]], mirrored: bool
) -> list:
    checks = []
    for shape in shapes:
        if shape.answer is None:
            continue
        for i in range(min(shape.period, 3)):
            answers = {}
            for label, (client, facts) in sides.items():
                call = shape.build(facts)(i)
                status, data = client.request(call.method, call.path, call.body)
                answers[label] = (status, json.loads(data) if status == 200 else data[:300])
            (s1, a1), (s2, a2) = answers["ours"], answers["prefect"]
            if s1 != 200 or s2 != 200:
                same, detail = s1 == s2, f"HTTP ours {s1}, Prefect {s2}: {a1!r:.200} / {a2!r:.200}"
            elif not mirrored and not isinstance(a1, int):
                same, detail = True, "not compared: different rows (--ours-data profile)"
            elif not mirrored:
                same = abs(a1 - a2) <= 4 * max(a1, a2, 1) ** 0.5  # sampling noise
                detail = f"counts ours {a1}, Prefect {a2} (different rows: within 4 sqrt(n)?)"
            else:
                n1, n2 = shape.answer(a1), shape.answer(a2)
                same, detail = n1 == n2, "" if n1 == n2 else _difference(n1, n2)
            check = {"shape": shape.name, "i": i, "same": same, "detail": detail}
            if mirrored and shape.group == "read" and s1 == s2 == 200:
                check["other_fields_differing"] = _wire_differences(a1, a2)
            checks.append(check)
            if not same:
                setup.say(f"MISMATCH {shape.name} #{i}: {detail}")
    return checks


def _wire_differences(ours: dict, prefect: dict) -> list[str]:
    """Fields of a run's JSON that differ beyond the compared ones (information only; the
    estimates move with the clock between the two requests)."""
    volatile = {"estimated_run_time", "estimated_start_time_delta"}
    keys = (set(ours) | set(prefect)) - volatile
    return sorted(k for k in keys if canonical(ours.get(k)) != canonical(prefect.get(k)))


def _difference(ours: Any, prefect: Any) -> str:
    if isinstance(ours, list) and isinstance(prefect, list):
        extra = len(set(map(canonical, ours)) - set(map(canonical, prefect)))
        first = next(
            (k for k, (a, b) in enumerate(zip(ours, prefect, strict=False)) if a != b), None
        )
        at = "" if first is None else f": {str(ours[first])[:160]} / {str(prefect[first])[:160]}"
        return (
            f"lists of {len(ours)} (ours) and {len(prefect)} (Prefect); {extra} of ours not in "
            f"Prefect's; first difference at index {first}{at}"
        )
    if isinstance(ours, dict) and isinstance(prefect, dict):
        keys = sorted(k for k in set(ours) | set(prefect) if ours.get(k) != prefect.get(k))
        return "; ".join(
            f"{k}: {str(ours.get(k))[:120]} / {str(prefect.get(k))[:120]}" for k in keys
        )
    return f"{str(ours)[:200]} / {str(prefect)[:200]}"
