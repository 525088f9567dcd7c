"""pytest: the database comes from DATABASE_URL (PostgreSQL in CI) or an in-memory SQLite
(Django's default test database for SQLite)."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key")

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # type: ignore[assignment]  # WhiteNoise serves nothing in tests; avoids the "no directory" warning
# Authentication is off unless a test turns it on (a developer's exported variable must not).
PREFECT_SERVER_API_AUTH_STRING = ""
API_AUTH_REQUIRED = False
