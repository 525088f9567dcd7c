"""What the management commands share so that none of them can surprise an operator.

- `OperatorCommand`: `--help` shows every option's default (`(default: 1000)`).
- `add_no_input_argument` and `confirmed`: a destructive command says what it is about to do
  and waits for `yes`, as Django's `flush` does; `--no-input` (or `--noinput`) skips the
  question. Asked with no terminal to answer on (cron, a pipe), it refuses instead of hanging
  or going ahead.
"""

from __future__ import annotations

import sys
from argparse import SUPPRESS, Action, ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter


class DefaultsHelpFormatter(DjangoHelpFormatter):
    """Django's formatter, plus `(default: X)` after every option that has a real default.

    Flags (`store_true`), options without a default (None) and help that already names its
    default are left as they are.
    """

    def _get_help_string(self, action: Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            action.help == SUPPRESS
            or "default" in text
            or default in (None, SUPPRESS, False, True, [], ())
            or not action.option_strings
        ):
            return action.help
        shown = ", ".join(map(str, default)) if isinstance(default, list | tuple) else default
        return f"{text} (default: {shown})".lstrip()


class OperatorCommand(BaseCommand):
    """A command whose `--help` shows its options' defaults."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)


def add_no_input_argument(parser: ArgumentParser) -> None:
    """Django's `--no-input`/`--noinput` (dest `interactive`)."""
    parser.add_argument(
        "--no-input",
        "--noinput",
        action="store_false",
        dest="interactive",
        help="do not ask for confirmation (for scripts and cron)",
    )


def stdin_is_terminal() -> bool:
    isatty = getattr(sys.stdin, "isatty", None)
    return bool(isatty and isatty())


def confirmed(command: BaseCommand, options: dict[str, Any], *, question: str) -> bool:
    """True when the command may go ahead: `--no-input`, or `yes` typed at the prompt.

    `question` says what will happen ("This will delete 1,584 flow runs (...)."). Without a
    terminal on stdin the command cannot ask: a `CommandError` says to pass `--no-input`.
    Any answer but `yes` (or end of input) prints "Cancelled" and returns False.
    """
    if not options.get("interactive", True):
        return True
    if not stdin_is_terminal():
        raise CommandError(
            f"{question} Not a terminal: cannot ask for confirmation. "
            "Pass --no-input to go ahead without asking; nothing was changed."
        )
    command.stdout.write(f"{question}\nType 'yes' to continue, or 'no' to cancel: ", ending="")
    command.stdout.flush()
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:  # Ctrl-C at the question: a cancel, not a traceback
        answer = ""
        command.stdout.write("")
    if answer.strip().lower() == "yes":
        return True
    command.stdout.write("Cancelled; nothing was changed.")
    return False
