"""What the command tests share."""

from __future__ import annotations

from io import StringIO


class Terminal(StringIO):
    """Captured output that says it is a terminal, as an interactive shell's would."""

    def isatty(self) -> bool:
        return True
