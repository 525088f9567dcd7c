"""Random two-word run names ("adjective-animal", e.g. "gainful-dinosaur"), made the way
Prefect names unnamed runs: a two-word `coolname` slug, drawn again if it holds a word
Prefect skips."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import cast

import coolname
from coolname import CoolnameConfigT
from coolname.data import config as coolname_config

# The words Prefect never puts in a name (prefect.utilities.names.IGNORE_LIST).
SKIPPED_WORDS = frozenset(
    {
        "sexy", "demonic", "kickass", "heretic", "godlike", "booby", "chubby", "gay", "sloppy",
        "funky", "juicy", "beaver", "curvy", "fat", "flashy", "flat", "thick", "nippy",
    }
)  # fmt: skip


def _two_words(generate: Callable[[int], list[str]]) -> str:
    while True:
        words = generate(2)
        if SKIPPED_WORDS.isdisjoint(words):
            return "-".join(words)


def random_run_name() -> str:
    return _two_words(coolname.generate)


def run_names_from(rng: random.Random) -> Callable[[], str]:
    """`random_run_name`, drawing from `rng` (the seeder's, so `--seed` repeats the names)."""
    config = copy.deepcopy(cast(CoolnameConfigT, coolname_config))  # it is normalised in place
    generator = coolname.RandomGenerator(config, rand=rng)
    return lambda: _two_words(generator.generate)
