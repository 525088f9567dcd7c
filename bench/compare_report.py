"""Turning the rounds of the Prefect comparison into medians, ratios and tables."""

from __future__ import annotations

import statistics
from typing import Any

THROUGHPUT_GROUPS = {"read", "write"}  # goal: >= 3x Prefect's requests/s
THROUGHPUT_GOAL, LATENCY_GOAL, SQL_GOAL = 3.0, 10.0, 2.0


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians across rounds of each round's p50/p90/p99 and req/s."""
    return {
        "rounds": len(rounds),
        "requests": sum(r["requests"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        **{key: median([r[key] for r in rounds]) for key in ("p50_ms", "p90_ms", "p99_ms", "rps")},
    }


def ratios(group: str, ours: dict[str, Any], prefect: dict[str, Any]) -> dict[str, Any]:
    speedup = _div(prefect["p50_ms"], ours["p50_ms"])
    rps = _div(ours["rps"], prefect["rps"])
    if group in THROUGHPUT_GROUPS:
        goal, met = f">= {THROUGHPUT_GOAL:g}x req/s", rps is not None and rps >= THROUGHPUT_GOAL
    else:
        goal, met = f">= {LATENCY_GOAL:g}x p50", speedup is not None and speedup >= LATENCY_GOAL
    if ours["errors"]:
        met = False
    return {"p50_speedup": speedup, "rps_ratio": rps, "goal": goal, "met": met}


def _div(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def markdown(cells: list[dict[str, Any]]) -> str:
    lines = [
        "| shape | c | ours p50 | p90 | p99 | req/s | Prefect p50 | p90 | p99 | req/s "
        "| p50 speed-up | req/s ratio | goal | met |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|:-:|",
    ]
    for cell in cells:
        o, p, r = cell["ours"], cell["prefect"], cell["ratios"]
        errors = ""
        if o["errors"] or p["errors"]:
            errors = f" (errors: ours {o['errors']}, Prefect {p['errors']})"
        lines.append(
            f"| {cell['shape']}{errors} | {cell['concurrency']} "
            f"| {_num(o['p50_ms'])} | {_num(o['p90_ms'])} | {_num(o['p99_ms'])} | {_num(o['rps'])} "
            f"| {_num(p['p50_ms'])} | {_num(p['p90_ms'])} | {_num(p['p99_ms'])} | {_num(p['rps'])} "
            f"| {_ratio(r['p50_speedup'])} | {_ratio(r['rps_ratio'])} | {r['goal']} "
            f"| {'yes' if r['met'] else 'no'} |"
        )
    return "\n".join(lines)


def sql_markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| shape | statements | ours HTTP p50 (c=1) | same SQL via psycopg p50 | HTTP / SQL "
        "| met (<= 2x) |",
        "|---|--:|--:|--:|--:|:-:|",
    ]
    for row in rows:
        ratio = _div(row["http_p50_ms"], row["sql_p50_ms"])
        met = ratio is not None and ratio <= SQL_GOAL
        lines.append(
            f"| {row['shape']} | {row['statements']} | {_num(row['http_p50_ms'], 2)} "
            f"| {_num(row['sql_p50_ms'], 2)} | {_ratio(ratio)} | {'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def memory_markdown(memory: dict[str, list[dict[str, Any]]]) -> str:
    lines = ["| server | process | role | RSS MiB | PSS MiB |", "|---|--:|---|--:|--:|"]
    for server, processes in memory.items():
        for proc in processes:
            role = "worker" if proc["worker"] else "parent"
            lines.append(
                f"| {server} | {proc['pid']} | {role} | {proc['rss_kb'] / 1024:.0f} "
                f"| {proc['pss_kb'] / 1024:.0f} |"
            )
    return "\n".join(lines)


def answers_markdown(checks: list[dict[str, Any]]) -> str:
    same = sum(1 for c in checks if c["same"])
    lines = [f"Same answers: {same} of {len(checks)} requests compared."]
    for check in checks:
        if not check["same"]:
            lines.append(f"* MISMATCH {check['shape']} #{check['i']}: {check['detail']}")
    return "\n".join(lines)
