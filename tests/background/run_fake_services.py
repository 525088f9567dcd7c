"""`manage.py run_services` with one fake service that appends its process id to a file, for
the tests that run real processes (leadership, takeover, signals).

Environment: FAKE_SERVICE_FILE (required), FAKE_SERVICE_SECONDS (interval, default 0.2),
DATABASE_URL and DJANGO_SETTINGS_MODULE as for manage.py. Arguments go to run_services.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from background import registry
    from background.sweep import Service, SweepResult

    path = os.environ["FAKE_SERVICE_FILE"]
    every = timedelta(seconds=float(os.environ.get("FAKE_SERVICE_SECONDS", "0.2")))

    def count(now: datetime) -> SweepResult:
        with open(path, "a") as out:
            out.write(f"{os.getpid()}\n")
        return SweepResult(examined=1, changed=1, notes=[f"counted by {os.getpid()}"])

    registry.services_all = lambda: [Service("counting", every, True, count)]  # type: ignore[method-assign]
    execute_from_command_line(["manage.py", "run_services", *sys.argv[1:]])


if __name__ == "__main__":
    main()
