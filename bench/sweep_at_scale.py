#!/usr/bin/env python
"""One full sweep of a background service on a seeded PostgreSQL database, while the API
serves a steady read load: does the sweep slow the API down?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    .venv/bin/python bench/sweep_at_scale.py --service late_runs --due 10000 \\
        [--before-seconds 20] [--concurrency 4] [--workers 2] [--json bench/results/x.json]

1. Makes `--due` runs due for the service (`bench/sweep_due.py`: late_runs moves SCHEDULED
   runs' times an hour back; repossessor adds lapsed leases). On a database seeded with
   `manage.py seed_flow_runs --profile reference --runs N`.
2. Starts the API (gunicorn, production settings, `make serve`'s ASGI worker; bench/servers.py)
   and a load of `--concurrency` clients, each alternating a read by id and the reference
   filter (`env:prod` COMPLETED/FAILED, limit 200), for `--before-seconds`.
3. Runs the service in a separate process (this script with `--sweep-only`): the service is
   resolved through `background.registry.services_all()` and run pass after pass until one
   changes nothing, as `run_services` would over successive intervals, back to back.
4. Reports the sweep's duration, passes and changes, and the API's p50/p99 per request kind
   before and during the sweep. Exit status 1 if a request failed or the sweep changed fewer
   runs than were made due.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

KINDS = ("read", "filter")


@dataclass
class Samples:
    """(finished at, seconds) per request kind, appended by the load threads."""

    by_kind: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS}
    )
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def window(self, kind: str, start: float, end: float) -> dict[str, Any]:
        with self.lock:
            took = sorted(s for at, s in self.by_kind[kind] if start <= at < end)
        if not took:
            return {"requests": 0, "p50_ms": None, "p99_ms": None}

        def ms(p: float) -> float:
            return round(took[max(0, -(-len(took) * p // 100) - 1)] * 1000, 2)

        return {"requests": len(took), "p50_ms": ms(50), "p99_ms": ms(99)}


def load_until(
    stop: threading.Event, target: load.Target, run_ids: list[str], n: int
) -> tuple[Samples, list[threading.Thread]]:
    """`n` clients, each alternating a read by id and the reference filter, until `stop`."""
    samples = Samples()
    calls = {kind: load.variants(kind, "", run_ids)[0].call for kind in KINDS}

    def worker(offset: int) -> None:
        client = load.Client(target, decode=False)
        i = offset
        while not stop.is_set():
            kind = KINDS[i % 2]
            call = calls[kind](i)
            began = time.perf_counter()
            try:
                status, _ = client.request(call.method, call.path, call.body)
                problem = None if status == call.expect else f"{kind}: HTTP {status}"
            except Exception as error:  # counted, never fatal
                problem = f"{kind}: {type(error).__name__}: {error}"
            took = time.perf_counter() - began
            with samples.lock:
                if problem is None:
                    samples.by_kind[kind].append((time.time(), took))
                elif len(samples.errors) < 10:
                    samples.errors.append(problem)
            i += n
        client.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n)]
    for thread in threads:
        thread.start()
    return samples, threads


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()


def sweep_only(service_name: str) -> int:
    django_setup()
    from bench.sweep_due import service_named, sweep_fully

    print(json.dumps(sweep_fully(service_named(service_name))), flush=True)
    return 0


def measure(args: argparse.Namespace) -> dict[str, Any]:
    django_setup()
    from django.utils import timezone

    from bench.servers import Server
    from bench.sweep_due import DUE_MAKERS, service_named

    service_named(args.service)  # fail before any work on an unknown name
    if args.service not in DUE_MAKERS:
        raise SystemExit(f"no way to make runs due for {args.service!r}: {sorted(DUE_MAKERS)}")
    due = DUE_MAKERS[args.service](args.due, timezone.now())
    server = Server("asgi", os.environ["DATABASE_URL"], args.workers)
    server.start()
    try:
        target = server.target()
        run_ids = load.sample_run_ids(load.Client(target, decode=True), 500)
        stop = threading.Event()
        samples, threads = load_until(stop, target, run_ids, args.concurrency)
        before_start = time.time()
        time.sleep(args.before_seconds)
        before_end = time.time()
        command = [sys.executable, __file__, "--sweep-only", "--service", args.service]
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.stop()
    if done.returncode != 0:
        raise SystemExit(f"the sweep failed:\n{done.stderr[-2000:]}")
    sweep = json.loads(done.stdout.strip().splitlines()[-1])
    # "during" is the sweep itself, as the sweeping process timed it (not its start-up).
    sweep_start, sweep_end = sweep["started_at"], sweep["ended_at"]
    return {
        "service": args.service,
        "due": due,
        "sweep": sweep,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "api": {
            kind: {
                "before": samples.window(kind, before_start, before_end),
                "during": samples.window(kind, sweep_start, sweep_end),
            }
            for kind in KINDS
        },
        "errors": samples.errors,
    }


def report(result: dict[str, Any]) -> str:
    sweep = result["sweep"]
    lines = [
        f"{result['service']}: {result['due']:,} due; swept {sweep['changed']:,} in "
        f"{sweep['seconds']:.2f} s ({sweep['passes']} passes, longest "
        f"{sweep['longest_pass_seconds']:.2f} s, {sweep['failed']} failed)",
        f"{'request':<8} {'before p50':>10} {'p99':>8} {'during p50':>11} {'p99':>8}  (ms)",
    ]
    for kind, windows in result["api"].items():
        b, d = windows["before"], windows["during"]
        lines.append(
            f"{kind:<8} {b['p50_ms']!s:>10} {b['p99_ms']!s:>8} {d['p50_ms']!s:>11} "
            f"{d['p99_ms']!s:>8}  ({b['requests']} / {d['requests']} requests)"
        )
    lines += [f"error: {error}" for error in result["errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", required=True, help="a name from services_all()")
    parser.add_argument("--due", type=int, default=10_000, help="runs to make due")
    parser.add_argument("--before-seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--sweep-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sweep_only:
        return sweep_only(args.service)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a seeded PostgreSQL database")
    result = measure(args)
    print(report(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    short = result["sweep"]["changed"] < result["due"]
    return 1 if result["errors"] or short else 0


if __name__ == "__main__":
    sys.exit(main())
