"""`manage.py run_services`: run the background services (README, "Background services").

Runs until SIGTERM/SIGINT (the current pass finishes, the lock is released, exit 0). Several
copies may run: one is active, the others stand by and take over when it dies. `--once` runs
one pass of each enabled service and exits (1 if a pass raised); when another process is
active it says so and exits 0 without doing anything: that process is doing the work.
"""

from __future__ import annotations

import os
import signal
import socket
from argparse import SUPPRESS, ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import CommandError

from background import registry
from background.conf import runner_settings
from background.leader import leadership_for
from background.records import Process
from background.runner import Runner
from config.cli import OperatorCommand


class Command(OperatorCommand):
    help = "Run the background services (late runs, pause expirations, cleanup, ...)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="run one pass of each enabled service, then exit (for cron and tests)",
        )
        parser.add_argument(
            "--service",
            action="append",
            metavar="NAME",
            dest="names",
            help="only this service (repeatable; default: every enabled service)",
        )
        # Set by `make serve` (config/services_process.py): stop when that process is gone.
        parser.add_argument("--parent-pid", type=int, help=SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        services = registry.services_all()
        names = options["names"]
        if names:
            known = {service.name for service in services}
            unknown = sorted(set(names) - known)
            if unknown:
                raise CommandError(
                    f"Unknown service {', '.join(unknown)}; known: {', '.join(sorted(known))}"
                )
            services = [service for service in services if service.name in names]
            for service in services:
                if not service.enabled:
                    self.stderr.write(f"Service {service.name} is disabled: skipped.")
        runner = Runner(
            services=services,
            leadership=leadership_for(),
            process=Process(host=socket.gethostname(), pid=os.getpid()),
            retry=runner_settings().leader_retry,
            parent_pid=options["parent_pid"],
        )
        if options["once"]:
            self.run_once(runner)
            return
        self.stop_on_signals(runner)
        runner.run_forever()

    def run_once(self, runner: Runner) -> None:
        outcomes = runner.run_once()
        if outcomes is None:
            self.stdout.write("Another run_services is active; nothing done.")
            return
        failed = [outcome.service for outcome in outcomes if outcome.error]
        for outcome in outcomes:
            result = outcome.result
            self.stdout.write(
                f"{outcome.service}: examined {result.examined}, changed {result.changed}, "
                f"failed {result.failed} ({outcome.duration_ms} ms)"
                + (" - the pass raised" if outcome.error else "")
            )
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)} (tracebacks above)")

    @staticmethod
    def stop_on_signals(runner: Runner) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            runner.stop.set()
            # A second signal of the same kind ends the process at once.
            signal.signal(signum, signal.SIG_DFL)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
