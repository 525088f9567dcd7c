import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from config.startup_objects import startup_objects_frozen

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018  (the URLconf now, not in the first request)
startup_objects_frozen()
