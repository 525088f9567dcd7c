import sys

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import defaults

from config.slashes import is_api_path
from flowruns.api.wire.unavailable import response_for

urlpatterns = [
    path("api/", include("flowruns.api.urls")),
    path("api/", include("events.api.urls")),
    path("api/", include("variables.api.urls")),
    path("api/", include("work_pools.api.urls")),
    path("api/", include("deployments.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("config.ui_links")),  # Prefect's UI links ("View at ...") -> the admin
]


def _is_api(request: HttpRequest) -> bool:
    return is_api_path(request.path)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database outage in a view or a
    # middleware outside DRF is a 503 with one log line, as in DRF's exception handler.
    unavailable = response_for(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    if _is_api(request):
        return JsonResponse({"exception_message": "Internal Server Error"}, status=500)
    return defaults.server_error(request)
