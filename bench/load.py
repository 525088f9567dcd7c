#!/usr/bin/env python
"""HTTP load against a running server on this machine (loopback only; see bench/README.md).

    .venv/bin/python bench/load.py --url http://127.0.0.1:4200/api [--scenario all]
        [--requests 2000] [--concurrency 8] [--duration 60] [--json bench/results/x.json]

Scenarios (each variant is run and reported on its own, bounded by --requests and
--duration, whichever comes first): read, filter, count, paginate, create. `create` runs
last because it adds runs (tagged `bench:load`). Only the standard library: one keep-alive
`http.client` connection per worker thread. Latency percentiles are over successful
requests; a response with another status (or, with --check-body, a malformed body) is an
error. Exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.http_client import (
    Call,
    Client,
    Target,
    encode,
    loopback_target,
)

PROD_FINISHED = {
    "flow_runs": {
        "tags": {"all_": ["env:prod"]},
        "state": {"type": {"any_": ["COMPLETED", "FAILED"]}},
    }
}
SCENARIOS = ("read", "filter", "count", "paginate", "create")
MAX_CONCURRENCY = 64
MAX_REQUESTS = 100_000
MAX_DURATION = 600.0


# ---- target -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    scenario: str
    name: str
    call: Callable[[int], Call]  # the i-th request


def _is_run_list(body: Any) -> bool:
    return isinstance(body, list) and len(body) <= 200


def _is_int(body: Any) -> bool:
    return isinstance(body, int)


def _is_page(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("results"), list) and "count" in body


def variants(scenario: str, flow_id: str, run_ids: list[str]) -> list[Variant]:
    if scenario == "create":

        def create(i: int) -> Call:
            body = {"flow_id": flow_id, "tags": ["bench:load", "env:dev"], "parameters": {"i": i}}
            return Call("POST", "/flow_runs/", encode(body), 201, lambda b: "id" in b)

        return [Variant("create", "create", create)]
    if scenario == "read":

        def read(i: int) -> Call:
            run_id = run_ids[i % len(run_ids)]
            return Call("GET", f"/flow_runs/{run_id}", None, 200, lambda b: b["id"] == run_id)

        return [Variant("read", "read", read)]
    if scenario == "filter":
        default = encode({"limit": 200, **PROD_FINISHED})
        by_start = encode({"limit": 200, "sort": "START_TIME_DESC", **PROD_FINISHED})
        return [
            Variant(
                "filter",
                "filter tags+state ID_DESC",
                fixed("/flow_runs/filter", default, _is_run_list),
            ),
            Variant(
                "filter",
                "filter tags+state START_TIME_DESC",
                fixed("/flow_runs/filter", by_start, _is_run_list),
            ),
        ]
    if scenario == "count":
        return [
            Variant(
                "count",
                "count tags+state",
                fixed("/flow_runs/count", encode(PROD_FINISHED), _is_int),
            ),
            Variant("count", "count all", fixed("/flow_runs/count", b"{}", _is_int)),
        ]
    if scenario == "paginate":
        return [
            Variant(
                "paginate",
                f"paginate tags+state page {page}",
                fixed(
                    "/flow_runs/paginate",
                    encode({"limit": 200, "page": page, **PROD_FINISHED}),
                    lambda b, page=page: _is_page(b) and b["page"] == page,
                ),
            )
            for page in (1, 50)
        ]
    raise ValueError(scenario)


def fixed(path: str, body: bytes, check: Callable[[Any], bool]) -> Callable[[int], Call]:
    call = Call("POST", path, body, 200, check)
    return lambda i: call


# ---- running --------------------------------------------------------------------------------
@dataclass
class Result:
    scenario: str
    name: str
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    error_samples: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def summary(self) -> dict[str, Any]:
        def ms(seconds: float | None) -> float | None:
            return None if seconds is None else round(seconds * 1000, 2)

        return {
            "scenario": self.scenario,
            "name": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.elapsed, 3),
            "rps": round(self.requests / self.elapsed, 1) if self.elapsed else None,
            "p50_ms": ms(self.percentile(50)),
            "p90_ms": ms(self.percentile(90)),
            "p99_ms": ms(self.percentile(99)),
            "max_ms": ms(max(self.latencies)) if self.latencies else None,
            "error_samples": self.error_samples,
        }


def run_variant(variant: Variant, target: Target, args: argparse.Namespace) -> Result:
    result = Result(variant.scenario, variant.name)
    lock = threading.Lock()

    # One connection per client thread for the warm-up and the recorded requests alike: a
    # server with several worker processes is warmed where it is then measured (a new
    # connection may land on another worker, whose database connection is still cold).
    clients = [Client(target, decode=args.check_body) for _ in range(args.concurrency)]

    def phase(count: int, record: bool, deadline: float) -> None:
        counter = itertools.count()

        def worker(client: Client) -> None:
            latencies: list[float] = []
            requests = errors = 0
            samples: list[str] = []
            while (i := next(counter)) < count and time.monotonic() < deadline:
                call = variant.call(i)
                started = time.perf_counter()
                try:
                    status, data = client.request(call.method, call.path, call.body)
                    problem = None if status == call.expect else f"HTTP {status}: {data[:200]!r}"
                    if problem is None and args.check_body and not _body_ok(call, data):
                        problem = f"unexpected body: {data[:200]!r}"
                except Exception as error:  # every failure is counted, none is fatal
                    problem = f"{type(error).__name__}: {error}"
                elapsed = time.perf_counter() - started
                requests += 1
                if problem is None:
                    latencies.append(elapsed)
                else:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(problem)
            if record:
                with lock:
                    result.requests += requests
                    result.errors += errors
                    result.latencies.extend(latencies)
                    result.error_samples.extend(samples[: 5 - len(result.error_samples)])

        threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    if args.warmup:
        phase(args.warmup, False, time.monotonic() + min(args.duration, 30))
    started = time.monotonic()
    phase(args.requests, True, started + args.duration)
    result.elapsed = time.monotonic() - started
    for client in clients:
        client.close()
    return result


def _body_ok(call: Call, data: bytes) -> bool:
    try:
        return bool(call.check(json.loads(data)))
    except (ValueError, KeyError, TypeError):
        return False


def sample_run_ids(client: Client, wanted: int) -> list[str]:
    """Ids spread over the table (ID_DESC over random uuid4 ids is a random sample)."""
    ids: list[str] = []
    offset = 0
    while len(ids) < wanted:
        status, data = client.request(
            "POST", "/flow_runs/filter", encode({"limit": 200, "offset": offset})
        )
        if status != 200:
            return ids
        page = [run["id"] for run in json.loads(data)]
        ids.extend(page)
        if len(page) < 200:
            break
        offset += 5000
    return ids[:wanted]


# ---- output ---------------------------------------------------------------------------------
def _cell(value: float | None) -> str:
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


def table(results: list[Result]) -> str:
    header = (
        f"{'scenario':<36} {'requests':>8} {'errors':>6} {'req/s':>8} "
        f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        s = result.summary()
        lines.append(
            f"{result.name:<36} {s['requests']:>8} {s['errors']:>6} {_cell(s['rps'])} "
            f"{_cell(s['p50_ms'])} {_cell(s['p90_ms'])} {_cell(s['p99_ms'])} {_cell(s['max_ms'])}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:4200/api", help="API root (loopback)")
    parser.add_argument(
        "--scenario", default="all", help=f"all, or a comma list of: {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--requests", type=int, default=2000, help="per variant (max 100000)")
    parser.add_argument("--concurrency", type=int, default=8, help="worker threads (max 64)")
    parser.add_argument("--duration", type=float, default=60, help="seconds per variant, max")
    parser.add_argument("--warmup", type=int, default=16, help="unrecorded requests per variant")
    parser.add_argument("--timeout", type=float, default=30, help="per request, seconds")
    parser.add_argument("--sample", type=int, default=1000, help="run ids to read (sampled)")
    parser.add_argument("--check-body", action="store_true", help="parse and check every body")
    parser.add_argument("--no-gzip", action="store_true", help="do not send Accept-Encoding")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    chosen = SCENARIOS if args.scenario == "all" else tuple(args.scenario.split(","))
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {SCENARIOS} or all")
    args.scenarios = [s for s in SCENARIOS if s in chosen]
    if not (1 <= args.concurrency <= MAX_CONCURRENCY and 1 <= args.requests <= MAX_REQUESTS):
        parser.error(f"1 <= --concurrency <= {MAX_CONCURRENCY}, 1 <= --requests <= {MAX_REQUESTS}")
    if not 0 < args.duration <= MAX_DURATION or args.warmup < 0:
        parser.error(f"0 < --duration <= {MAX_DURATION:.0f} and --warmup >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    target = loopback_target(args.url, use_gzip=not args.no_gzip, timeout=args.timeout)
    setup = Client(target, decode=True)
    try:
        version = setup.json("GET", "/version")
    except OSError as error:
        raise SystemExit(f"cannot reach {args.url}: {error}") from error
    flow = setup.json("POST", "/flows/", {"name": "bench-load"}, expect=(200, 201))
    run_ids: list[str] = []
    if "read" in args.scenarios:
        run_ids = sample_run_ids(setup, args.sample)
        if not run_ids:  # no /filter yet, or an empty database: read runs made here
            print("no runs to sample via /flow_runs/filter; creating 50 to read", file=sys.stderr)
            body = {"flow_id": flow["id"], "tags": ["bench:load"]}
            run_ids = [
                setup.json("POST", "/flow_runs/", body, expect=(201,))["id"] for _ in range(50)
            ]
    try:
        total_runs = setup.json("POST", "/flow_runs/count", {})
    except SystemExit:
        total_runs = None
    setup.close()
    print(
        f"{args.url}  server API {version}  runs in database: {total_runs}  "
        f"concurrency {args.concurrency}, up to {args.requests} requests or "
        f"{args.duration:g}s per variant",
        flush=True,
    )

    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    results = []
    for scenario in args.scenarios:
        for variant in variants(scenario, flow["id"], run_ids):
            result = run_variant(variant, target, args)
            results.append(result)
            print(table([result]).splitlines()[-1], flush=True)
    print()
    print(table(results))
    for result in results:
        for sample in result.error_samples:
            print(f"  {result.name}: {sample}")
    if args.json:
        document = {
            "started_at": started_at,
            "url": args.url,
            "server_api_version": version,
            "runs_in_database": total_runs,
            "concurrency": args.concurrency,
            "requests_per_variant": args.requests,
            "duration_limit_s": args.duration,
            "warmup": args.warmup,
            "gzip": not args.no_gzip,
            "check_body": args.check_body,
            "client": f"python {platform.python_version()} on {platform.node()}",
            "results": [r.summary() for r in results],
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "w") as out:
            json.dump(document, out, indent=2)
        print(f"wrote {args.json}")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
