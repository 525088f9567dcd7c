""" "The same SQL through psycopg": what our server's queries cost without the HTTP, Django and
serialisation around them (bench/compare.py).

Each read shape's request is run once in-process through the real URL routing, view and
serializer (Django's test client, against our database), and every statement it runs is
captured with its parameters. Then the statements are replayed straight through psycopg, the
way Django's backend sends them (client-side binding, jsonb loaded as text, UTC session),
fetching every row; one "request" is all of a request's statements in order.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from bench.http_client import Call
from bench.load import Result

Statement = tuple[str, Any]


@dataclass
class Captured:
    shape: str
    requests: list[list[Statement]]  # the statements of request i, i < the shape's period
    status: int


class OurSql:
    def __init__(self, database_url: str) -> None:
        os.environ["DATABASE_URL"] = database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
        os.environ.setdefault("SECRET_KEY", "bench-compare")
        import django

        django.setup()
        import psycopg
        from django.conf import settings
        from psycopg.types.string import TextLoader

        # The server's own session settings (`-c jit=off`), so the SQL runs as it does there.
        options = settings.DATABASES["default"].get("OPTIONS", {}).get("options", "")
        self.connection = psycopg.connect(
            database_url.replace("postgres://", "postgresql://", 1),
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            options=options,
        )
        self.connection.adapters.register_loader("jsonb", TextLoader)
        self.connection.execute("SET TIME ZONE 'UTC'")

    def capture(self, shape: str, calls: list[Call]) -> Captured:
        from django.db import connection
        from django.test import Client

        # The production settings allow only the bind address's names (not "testserver").
        client = Client(HTTP_HOST="127.0.0.1")
        requests: list[list[Statement]] = []
        status = 0
        for call in calls:
            statements: list[Statement] = []

            def keep(execute, sql, params, many, context, statements=statements):
                statements.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(keep):
                path = "/api" + call.path
                if call.method == "GET":
                    response = client.get(path)
                else:
                    body = call.body.decode() if call.body else "{}"
                    response = client.post(path, body, content_type="application/json")
            status = response.status_code
            if status >= 400 or not statements:
                raise RuntimeError(
                    f"{shape}: capturing {call.method} {call.path} answered {status} after "
                    f"{len(statements)} statements: {response.content[:200]!r}"
                )
            requests.append(statements)
        connection.close()
        return Captured(shape, requests, status)

    def run(self, captured: Captured, *, requests: int, seconds: float) -> Result:
        """Replay the captured requests in rotation, bounded by count and time."""
        result = Result("sql", captured.shape)
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        cursor = self.connection.cursor()
        for i in range(requests):
            if time.monotonic() >= deadline:
                break
            statements = captured.requests[i % len(captured.requests)]
            began = time.perf_counter()
            try:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()
            except Exception as error:  # counted, like an HTTP error
                result.errors += 1
                if len(result.error_samples) < 3:
                    result.error_samples.append(f"{type(error).__name__}: {error}"[:300])
                continue
            finally:
                result.requests += 1
            result.latencies.append(time.perf_counter() - began)
        result.elapsed = time.monotonic() - started
        cursor.close()
        return result

    def close(self) -> None:
        self.connection.close()


def describe(captured: Captured) -> dict[str, Any]:
    """For the JSON report: the first request's statements (SQL text, parameters as text)."""
    first = captured.requests[0] if captured.requests else []
    return {
        "http_status": captured.status,
        "statements_per_request": [len(r) for r in captured.requests],
        "statements": [
            {"sql": sql, "params": json.loads(json.dumps(params, default=str))}
            for sql, params in first
        ],
    }
