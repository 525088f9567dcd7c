"""The `View at ...` link the real client prints for a run leads to the run's admin page
(config/ui_links.py)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def visit(url: str) -> tuple[int, str]:
    """Status and Location of one request, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def test_the_printed_view_at_link_redirects_to_the_runs_admin_page(prefect, compat_server):
    done = prefect.scenario("ui_link.py")
    run_id = done.result["flow_run_id"]
    printed = re.findall(r"View at (\S+)", done.stdout + done.stderr)
    expected = f"{compat_server.url}/runs/flow-run/{run_id}"
    assert expected in printed, done.describe()
    assert done.result["url_for"] == expected

    status, location = visit(expected)
    assert (status, location) == (302, f"/admin/flowruns/flowrun/{run_id}/change/")
    # Signed out, the admin asks for a login and comes back to the run afterwards.
    status, location = visit(compat_server.url + location)
    assert status == 302 and location.startswith("/admin/login/?next=")
    assert run_id in urllib.request.unquote(location)

    # prefect.runtime.flow_run.ui_url uses another path for the same page.
    status, location = visit(done.result["runtime_ui_url"])
    assert (status, location) == (302, f"/admin/flowruns/flowrun/{run_id}/change/")


def test_the_docs_page_of_the_live_server_loads_its_files_from_itself(compat_server):
    """Production settings after `collectstatic` (hashed names): /api/docs/ names only this
    server's files, and each one is served."""
    with urllib.request.urlopen(f"{compat_server.url}/api/docs/", timeout=10) as response:
        html = response.read().decode()
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any("swagger-ui-bundle" in url for url in sources), html
    for url in sources:
        assert url.startswith("/"), url
        assert visit(compat_server.url + url)[0] == 200, url
