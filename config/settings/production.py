"""What `make serve` (gunicorn) runs: DEBUG off, everything else from the environment."""

from config.env import environment

from .base import *  # noqa: F403

with environment() as env:
    DEBUG = env.bool("DEBUG", False)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", False)
