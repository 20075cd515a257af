"""How common a word is in general English, for words the reviews never use.

A word missing from three reviews says little when it is common ("win", "next month", "lady"): the
question is still about the book. A rare one ("calculus", "banana") says the question is elsewhere.
The ranks ship as data (``index/data/english-ranks.txt``, built by ``tools/english_ranks.py``).
"""

from __future__ import annotations

import math
import re
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


# Only everyday words are corrected towards, and only words English does not already list are corrected.
CORRECT_TOWARDS = 20_000
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_RUN = re.compile(r"(\w)\1{2,}")


def correct(word: str) -> str | None:
    """The commonest listed English word one edit away from an unlisted one ("genuinly" → "genuinely"), if any."""
    table = ranks()
    if len(word) < 4 or not word.isalpha() or word in table:
        return None
    # Drawn-out chat spellings first: "sooo" is "so", "realllly" is "really".
    if _RUN.search(word):
        listed = [(table[c], c) for c in {_RUN.sub(r"\1\1", word), _RUN.sub(r"\1", word)} if c in table]
        if listed:
            return min(listed)[1]
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    known = [(table[e], e) for e in edits if table.get(e, CORRECT_TOWARDS + 1) <= CORRECT_TOWARDS]
    return min(known)[1] if known else None
