"""The admin dashboard (and the pages an operator opens from it) at size, over HTTP.

Starts `make serve`'s server (gunicorn, ASGI worker, production settings) on a free loopback
port against DATABASE_URL, logs in as a benchmark superuser, and times each page N times
after a warm-up: p50, p90, p99 and the largest response. Seed first, e.g.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_dashboard_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_flow_runs --profile reference --runs 1000000
    .venv/bin/python bench/dashboard.py --requests 100 --json bench/results/dashboard-1m.json

It adds (once) a demo run with a state history and 12 task runs, for the run page, and a
`bench-operator` superuser. Nothing else in the database is changed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

USER, PASSWORD = "bench-operator", "bench-operator-pw"
DEMO_RUN = "dashboard-demo-run"


def prepare() -> str:
    """The superuser and the demo run (idempotent); returns the demo run's id."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.utils import timezone

    from flowruns.models import Flow, FlowRun, FlowRunState, TaskRun

    if not User.objects.filter(username=USER).exists():
        User.objects.create_superuser(USER, "bench@example.com", PASSWORD)
    existing = FlowRun.objects.filter(name=DEMO_RUN).first()
    if existing is not None:
        return str(existing.pk)
    now = timezone.now()
    start = now - timedelta(minutes=12)
    flow, _ = Flow.objects.get_or_create(name="nightly-etl")
    run = FlowRun.objects.create(
        flow=flow,
        name=DEMO_RUN,
        expected_start_time=start - timedelta(seconds=20),
        start_time=start,
        end_time=start + timedelta(minutes=9),
        state_type="FAILED",
        state_name="Failed",
        state_timestamp=start + timedelta(minutes=9),
        run_count=1,
        total_run_time=540.0,
        tags=["team-3", "env:prod"],
    )
    history = [
        ("SCHEDULED", "Scheduled", -20),
        ("PENDING", "Pending", -5),
        ("RUNNING", "Running", 0),
        ("FAILED", "Failed", 540),
    ]
    for kind, name, offset in history:
        state = FlowRunState.objects.create(
            flow_run=run,
            type=kind,
            name=name,
            timestamp=start + timedelta(seconds=offset),
            state_details={"flow_run_id": str(run.id)},
        )
    run.state = state
    run.save(update_fields=["state"])
    steps = [("extract", 0, 95, "COMPLETED"), ("validate", 95, 130, "COMPLETED")]
    steps += [(f"transform-{k}", 130 + 20 * k, 260 + 35 * k, "COMPLETED") for k in range(8)]
    steps += [("load", 420, 530, "FAILED"), ("notify", 531, 540, "CANCELLED")]
    for i, (name, begin, end, kind) in enumerate(steps):
        TaskRun.objects.create(
            flow_run=run,
            task_key=name,
            dynamic_key="0",
            name=f"{name}-{i}",
            state_type=kind,
            state_name=kind.capitalize(),
            start_time=start + timedelta(seconds=begin),
            end_time=start + timedelta(seconds=end),
            expected_start_time=start + timedelta(seconds=begin),
            total_run_time=float(end - begin),
        )
    return str(run.pk)


def login(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD, "next": "/admin/"}
    ).encode()
    request = urllib.request.Request(
        f"{base}/admin/login/", data=body, headers={"Referer": f"{base}/admin/login/"}
    )
    landing = opener.open(request).read().decode()
    if 'id="dashboard"' not in landing:
        raise SystemExit("login failed or the dashboard is missing")
    return opener


def time_page(opener: Any, url: str, requests: int, warmup: int) -> dict[str, Any]:
    for _ in range(warmup):
        opener.open(url).read()
    times, size = [], 0
    for _ in range(requests):
        began = time.perf_counter()
        body = opener.open(url).read()
        times.append((time.perf_counter() - began) * 1000)
        size = max(size, len(body))
    times.sort()

    def pct(p: float) -> float:
        return round(times[min(len(times) - 1, int(p * len(times)))], 1)

    return {
        "requests": requests,
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "max_ms": round(times[-1], 1),
        "bytes": size,
    }


def in_process(pages: dict[str, str], requests: int, warmup: int) -> dict[str, Any]:
    """The same pages through Django's test client in this process: wall time, this
    process's CPU time and the SQL time per request. On a shared, busy machine the CPU and
    SQL figures say what the page costs; the wall time also says how long it waited."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username=USER))
    results: dict[str, Any] = {}
    for label, path in pages.items():
        for _ in range(warmup):
            client.get(path)
        wall, cpu, sql, queries = [], [], [], 0
        for _ in range(requests):
            began, began_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
            sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            queries = len(captured.captured_queries)
            assert response.status_code == 200, (path, response.status_code)
        results[label] = {
            "requests": requests,
            "wall_p50_ms": round(statistics.median(wall), 1),
            "wall_p99_ms": round(sorted(wall)[min(len(wall) - 1, int(0.99 * len(wall)))], 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "sql_p50_ms": round(statistics.median(sql), 1),
            "queries": queries,
        }
        print(f"{label:34} " + "  ".join(f"{k}={v}" for k, v in results[label].items()))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument(
        "--in-process", action="store_true", help="also time the pages in-process (CPU, SQL)"
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a seeded PostgreSQL database")
    demo = prepare()
    from bench.servers import Server
    from flowruns.models import FlowRun

    runs = FlowRun.objects.count() if FlowRun.objects.count() < 100_000 else None
    load_before = os.getloadavg()[0]  # the machine's own load: a busy box inflates every figure
    server = Server("asgi", database_url, args.workers)
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        opener = login(base)
        pages = {
            "dashboard (24 h)": "/admin/",
            "dashboard (7 d)": "/admin/?range=7d",
            "flow-run list (default: recent)": "/admin/flowruns/flowrun/",
            "run page with timeline": f"/admin/flowruns/flowrun/{demo}/change/",
        }
        results = {}
        for label, path in pages.items():
            results[label] = time_page(opener, base + path, args.requests, args.warmup)
            print(f"{label:34} " + "  ".join(f"{k}={v}" for k, v in results[label].items()))
    finally:
        server.stop()
    inproc = in_process(pages, args.requests, args.warmup) if args.in_process else None
    if args.json:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'flow_run'")
            estimate = cursor.fetchone()[0]
        Path(args.json).write_text(
            json.dumps(
                {
                    "flow_runs": runs or estimate,
                    "workers": args.workers,
                    "load_average_1m_before": load_before,
                    "load_average_1m_after": os.getloadavg()[0],
                    "pages": results,
                    "in_process": inproc,
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
