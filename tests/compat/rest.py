"""A tiny JSON client for asserting server state across processes (urllib: httpx is not in
the server's virtualenv, and DRF's test client only reaches an in-process app)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

TIMEOUT = 30
T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    text: str


@dataclass(frozen=True)
class Rest:
    base: str  # e.g. http://127.0.0.1:4321/api
    authorization: str | None = None  # an Authorization header for servers with auth on

    def call(self, method: str, path: str, body: Any = None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.authorization is not None:
            request.add_header("Authorization", self.authorization)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return Reply(status, parsed, text)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        reply = self.call(method, path, body)
        assert 200 <= reply.status < 300, f"{method} {path} -> {reply.status}: {reply.text[:2000]}"
        return reply.body

    def get(self, path: str) -> Any:
        return self.ok("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.ok("POST", path, {} if body is None else body)

    # Shortcuts for what the tests look at most.
    def flow_run(self, run_id: str) -> dict[str, Any]:
        return self.get(f"/flow_runs/{run_id}")

    def states(self, run_id: str) -> list[dict[str, Any]]:
        return self.get(f"/flow_run_states/?flow_run_id={run_id}")

    def task_runs(self, flow_run_id: str) -> list[dict[str, Any]]:
        return self.post("/task_runs/filter", {"flow_runs": {"id": {"any_": [flow_run_id]}}})

    def task_run_states(self, task_run_id: str) -> list[dict[str, Any]]:
        return self.get(f"/task_run_states/?task_run_id={task_run_id}")

    def logs(self, run_id: str) -> list[dict[str, Any]]:
        """Every log of a run, oldest first, page by page."""
        out: list[dict[str, Any]] = []
        while True:
            page = self.post(
                "/logs/filter",
                {
                    "logs": {"flow_run_id": {"any_": [run_id]}},
                    "sort": "TIMESTAMP_ASC",
                    "limit": 200,
                    "offset": len(out),
                },
            )
            out.extend(page)
            if len(page) < 200:
                return out

    def create_run(self, flow_name: str, **fields: Any) -> dict[str, Any]:
        flow = self.post("/flows/", {"name": flow_name})
        return self.post("/flow_runs/", {"flow_id": flow["id"], **fields})

    def set_state(self, run_id: str, state_type: str, force: bool = False) -> dict[str, Any]:
        body = {"state": {"type": state_type}, "force": force}
        return self.post(f"/flow_runs/{run_id}/set_state", body)


def eventually(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 15.0) -> T:
    """`read()` again until `done` says yes or `timeout` seconds have passed; the last value.

    For what the server derives from the client's events: the client sends them on its own
    schedule (a background worker, flushed when the process exits) and the server ingests
    them asynchronously, so they may land a moment after the client has finished."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)
