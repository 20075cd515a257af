"""How common a word is in general English, for words the reviews never use.

A word missing from three reviews says little when it is common ("win", "next month", "lady"): the
question is still about the book. A rare one ("calculus", "banana") says the question is elsewhere.
The ranks ship as data (``index/data/english-ranks.txt``, built by ``tools/english_ranks.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

from index.errors import BookclubError

RANKS_FILE = "english-ranks.txt"
# log10 of the rank at which a missing word starts to count, and where it counts in full.
_COMMON_BELOW = 2.0
_RARE_FROM = 4.5
_FLOOR = 0.3


@lru_cache(maxsize=1)
def ranks() -> Mapping[str, int]:
    """Word → 1-based frequency rank (read once, on the first question with a word the reviews lack)."""
    try:
        text = resources.files("index").joinpath("data", RANKS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BookclubError(f"the English word list index/data/{RANKS_FILE} is unreadable ({error})") from None
    table: dict[str, int] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            table.setdefault(line.strip(), len(table) + 1)
    return MappingProxyType(table)


def rarity(word: str) -> float:
    """From 0.3 for the commonest words to 1.0 for words past the 30,000th (or not listed)."""
    rank = ranks().get(word)
    if rank is None:
        return 1.0
    share = (math.log10(rank) - _COMMON_BELOW) / (_RARE_FROM - _COMMON_BELOW)
    return min(1.0, max(_FLOOR, share))
