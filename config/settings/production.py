"""What `make serve` (gunicorn) runs: DEBUG off, everything else from the environment.

It refuses the public development SECRET_KEY (`make serve` writes a local one to
var/secret_key once). Behind a TLS-terminating proxy, SECURE_PROXY_SSL_HEADER
(`HTTP_X_FORWARDED_PROTO,https`) turns on secure cookies, HSTS and the HTTPS redirect (health
and ready exempt); without it the server speaks plain HTTP, where those would lock the admin
out, and `check --deploy` is told so (SILENCED_SYSTEM_CHECKS below).
"""

from config.env import environment
from config.security import proxy_ssl_header

from .base import *  # noqa: F403
from .base import DEV_SECRET_KEY, SECRET_KEY, SILENCED_SYSTEM_CHECKS

if SECRET_KEY == DEV_SECRET_KEY:
    raise SystemExit(
        "Refusing to start with the public development SECRET_KEY: set SECRET_KEY, or run "
        "`make serve` once (it writes a random key to var/secret_key, mode 600)."
    )

with environment() as env:
    DEBUG = env.bool("DEBUG", False)
    _proxy_header = env.str("SECURE_PROXY_SSL_HEADER", None)
    try:
        SECURE_PROXY_SSL_HEADER = proxy_ssl_header(_proxy_header) if _proxy_header else None
    except ValueError as error:
        raise SystemExit(f"Invalid environment: SECURE_PROXY_SSL_HEADER: {error}") from None
    _tls = SECURE_PROXY_SSL_HEADER is not None
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", _tls)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", _tls)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000 if _tls else 0)
    # Both reach beyond this server (every subdomain; browsers' preload lists): opt-in.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)

# A load balancer's plain-HTTP probes must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^api/health$", r"^api/ready$"]
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,
    "security.W005",  # HSTS includeSubDomains: opt-in (SECURE_HSTS_INCLUDE_SUBDOMAINS)
    "security.W021",  # HSTS preload: opt-in (SECURE_HSTS_PRELOAD)
]
if not _tls:
    # Plain HTTP (no TLS proxy declared): HSTS, the HTTPS redirect and secure cookies do not
    # apply; set SECURE_PROXY_SSL_HEADER behind a TLS proxy and they are on (and checked).
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]
