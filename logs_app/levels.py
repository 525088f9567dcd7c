"""Log level names: the one table the admin shows and the commands parse."""

from __future__ import annotations

LEVELS: dict[int, str] = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
LEVEL_NUMBERS: dict[str, int] = {name: number for number, name in LEVELS.items()}


def level_name(level: int) -> str:
    """`INFO` for 20; a level between the named ones is shown as its number."""
    return LEVELS.get(level, str(level))


def parse_level(text: str) -> int:
    """A level given as a number (`20`) or a name (`INFO`, any case)."""
    value = text.strip().upper()
    if value in LEVEL_NUMBERS:
        return LEVEL_NUMBERS[value]
    if value.lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"Invalid level {text!r}: use a number or one of {', '.join(LEVEL_NUMBERS)}")
