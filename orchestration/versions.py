"""Version gates (orchestration.md §3.4): the API version header and the client version.

The API version arrives as `X-PREFECT-API-VERSION: x.y.z`; the service parses it with
`parse_api_version` (malformed → HTTP 400) and passes the tuple in the context. The client
version comes from the `User-Agent` (`prefect/<version> (API …)`) and stays a string: one
gate compares it by exact text, the other by release order (`client_supports_leases`).
"""

from __future__ import annotations

import re
import sys

ApiVersion = tuple[int, int, int]

# The api-version from which pause/resume metadata exists (R3, R15, G13, G14).
PAUSE_BOOKKEEPING_API_VERSION: ApiVersion = (0, 8, 4)
# Below this api-version a flow retry also resets the run's failed task runs (R15).
LEGACY_TASK_RETRY_API_VERSION: ApiVersion = (0, 8, 3)
# Workers of these exact versions managed deployment concurrency themselves (R8).
WORKER_VERSIONS_MANAGING_DEPLOYMENT_CONCURRENCY: frozenset[str] = frozenset(
    {"3.0.0rc20", "3.0.0", "3.0.1", "3.0.2", "3.0.3"}
)
# The first client version that renews deployment-concurrency leases (R7, R9).
MIN_CLIENT_VERSION_FOR_LEASES = "3.4.11"

_API_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\.(\d+)\s*$")
_VERSION = re.compile(
    r"""^\s*v?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre>a|alpha|b|beta|c|rc|pre|preview)[-_.]?(?P<pre_n>\d*))?
    (?:[-_.]?(?P<post>post|rev|r)[-_.]?(?P<post_n>\d*))?
    (?:[-_.]?(?P<dev>dev)[-_.]?(?P<dev_n>\d*))?
    (?:\+[a-z0-9._-]+)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}

VersionKey = tuple[tuple[int, ...], tuple[int, int], int, int]


def parse_api_version(text: str) -> ApiVersion:
    """`"0.8.4"` → `(0, 8, 4)`; anything else raises ValueError (the service answers 400)."""
    match = _API_VERSION.match(text)
    if match is None:
        raise ValueError(f"Invalid X-PREFECT-API-VERSION header format: {text!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def version_key(text: str) -> VersionKey | None:
    """A sortable key for a PEP 440-style version string, or None if it is not one.

    Enough of PEP 440 for the gates here: `3.4.11.dev2 < 3.4.11rc1 < 3.4.11 < 3.4.11.post1`;
    local labels (`+g1234`) are ignored.
    """
    match = _VERSION.match(text)
    if match is None:
        return None
    release = tuple(int(part) for part in match["release"].split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    pre = match["pre"]
    if pre is not None:
        phase = (_PRE_RANK[pre.lower()], int(match["pre_n"] or 0))
    elif match["dev"] is not None and match["post"] is None:
        phase = (-1, 0)  # a bare dev release sorts before every pre-release
    else:
        phase = (3, 0)  # final release
    post = int(match["post_n"] or 0) if match["post"] is not None else -1
    dev = int(match["dev_n"] or 0) if match["dev"] is not None else sys.maxsize
    return release, phase, post, dev


def client_supports_leases(client_version: str | None) -> bool:
    """Whether the client renews deployment-concurrency leases (version ≥ 3.4.11).

    A missing client version counts as old (Prefect treats it as 2.0.0). An unparseable one
    also counts as old, where Prefect would fail the request with a 500.
    """
    if client_version is None:
        return False
    key = version_key(client_version)
    minimum = version_key(MIN_CLIENT_VERSION_FOR_LEASES)
    return key is not None and minimum is not None and key >= minimum


def tracks_pauses(api_version: ApiVersion | None) -> bool:
    """Whether pause/resume metadata is reset and honoured (api-version absent or ≥ 0.8.4)."""
    return api_version is None or api_version >= PAUSE_BOOKKEEPING_API_VERSION


def resets_task_runs_on_flow_retry(api_version: ApiVersion | None) -> bool:
    """Whether a flow retry must also reset failed task runs (api-version < 0.8.3)."""
    return api_version is not None and api_version < LEGACY_TASK_RETRY_API_VERSION
