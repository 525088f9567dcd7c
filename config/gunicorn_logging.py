"""gunicorn's logger, with the access log off when GUNICORN_ACCESS_LOG is `off`.

gunicorn formats an access line for every request whenever a logging configuration is given
(`logconfig_dict`, which `config/gunicorn.conf.py` always gives for the server's line format),
even when no handler will write it: about 8% of a worker's CPU on reads by id. Here the access
log is on exactly when GUNICORN_ACCESS_LOG names a destination (`-` for stdout, the default, or
a file), not when it is `off`.
"""

from __future__ import annotations

from gunicorn import glogging


class ServerLogger(glogging.Logger):
    def _compute_access_log_enabled(self) -> bool:
        return bool(self.cfg.accesslog)
