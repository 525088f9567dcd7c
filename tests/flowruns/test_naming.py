import random
import re

import pytest

from flowruns.naming import SKIPPED_WORDS, random_run_name, run_names_from

# Prefect's shape for unnamed runs: two lowercase words joined by "-" ("gainful-dinosaur").
PREFECT_SLUG = re.compile(r"[a-z]+-[a-z]+")


def test_random_run_names_are_two_lowercase_words_and_vary():
    names = {random_run_name() for _ in range(200)}
    assert all(PREFECT_SLUG.fullmatch(name) for name in names)
    assert len(names) > 150


def test_names_never_hold_a_word_prefect_skips():
    words = {word for _ in range(2000) for word in random_run_name().split("-")}
    assert not words & SKIPPED_WORDS


@pytest.mark.parametrize("seed", [0, 7])
def test_names_from_a_seeded_rng_repeat(seed):
    first, second = run_names_from(random.Random(seed)), run_names_from(random.Random(seed))
    names = [first() for _ in range(20)]
    assert names == [second() for _ in range(20)]
    assert all(PREFECT_SLUG.fullmatch(name) for name in names)
