"""`/api/docs/` works without internet (Swagger UI from our static files, drf-spectacular-
sidecar), and what it shows is written for API users, not for the code's maintainers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

# What only a maintainer would write: our module names, layer names, internal helpers, notes.
INTERNAL = re.compile(
    r"\b(selectors?|services?|TODO|FIXME|XXX|wire\.\w+|request\.data|"
    r"queryset|viewset|serializer|docstring|flowruns|logs_app|orchestration\.|"
    r"\w+\.py|schema generator|pydantic|django)\b",
    re.IGNORECASE,
)


def docs_page(client: Client) -> str:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_the_docs_page_loads_only_local_files(client: Client) -> None:
    html = docs_page(client)
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert sources, html
    for url in sources:
        assert not re.match(r"^(https?:)?//", url), f"/api/docs/ loads {url} from outside"
    scripts = [url for url in sources if url.endswith(".js")]
    assert any("swagger-ui-bundle" in url for url in scripts)
    # Every file it names is one we serve.
    for url in sources:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    # Nor does the inline script fetch anything from outside.
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def descriptions(schema: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for key in ("summary", "description"):
                if operation.get(key):
                    found.append((f"{method.upper()} {path} {key}", operation[key]))
    found.append(("info", schema["info"].get("description", "")))
    return found


def test_operation_descriptions_are_written_for_users(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    leaks = [(where, text) for where, text in descriptions(schema) if INTERNAL.search(text)]
    assert not leaks, "\n".join(f"{where}: {text!r}" for where, text in leaks)
    assert len(descriptions(schema)) > 20  # they exist, and are checked


def test_a_class_docstring_never_becomes_a_description(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    texts = [text for _, text in descriptions(schema)]
    assert not any("Bodies are read by" in text for text in texts)
    assert not any("What differs between the two kinds of run" in text for text in texts)


@pytest.mark.parametrize(
    "internal",
    [
        "Reads the run with `flowruns.selectors.flow_run_get`.",
        "Calls the service that writes the state.",
        "TODO: paginate",
        "Bodies are read by `wire.body`, never through `request.data`.",
        "(`queryset` is for the schema generator only.)",
    ],
)
def test_the_check_catches_internal_text(internal: str) -> None:
    assert INTERNAL.search(internal)


def test_every_operation_says_what_it_does(client: Client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    silent = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not (operation.get("summary") or operation.get("description"))
    ]
    assert not silent, silent
