"""Log level names: shown by the admin, parsed by `delete_logs`."""

from __future__ import annotations

import pytest

from logs_app.levels import level_name, parse_level


@pytest.mark.parametrize(
    ("text", "level"),
    [("DEBUG", 10), ("info", 20), (" Warning ", 30), ("critical", 50), ("25", 25)],
)
def test_a_level_is_a_name_or_a_number(text, level):
    assert parse_level(text) == level


def test_an_unknown_level_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="DEBUG, INFO, WARNING, ERROR, CRITICAL"):
        parse_level("LOUD")


def test_levels_between_the_named_ones_show_as_numbers():
    assert [level_name(n) for n in (10, 40, 25)] == ["DEBUG", "ERROR", "25"]
