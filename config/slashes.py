"""Django's CommonMiddleware, with APPEND_SLASH's redirect for the admin and the UI links only.

Prefect's API paths are exact (a 301 would turn a client's POST into a GET), so a path under
`/api` never redirects; everything else gets Django's usual `/admin` -> `/admin/`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class CommonMiddleware(DjangoCommonMiddleware):
    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if is_api_path(request.path_info):
            return False
        return super().should_redirect_with_slash(request)
