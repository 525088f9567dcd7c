"""Development: `manage.py runserver` with DEBUG on unless the environment says otherwise."""

from config.env import environment

from .base import *  # noqa: F403

with environment() as env:
    DEBUG = env.bool("DEBUG", True)
