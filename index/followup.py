"""Follow-up questions ("and what about Tommy?") borrow what the previous question asked about."""

from __future__ import annotations

import re

from index.analysis import STOPWORDS, normalise, words

_FOLLOWUP_OPENERS = re.compile(
    r"^(?:and|but|also|so|what about|how about|and what about|and how about|what of|same for|ok and|and for)\b"
)
_SHORT = 3


def merge_followup(previous: str | None, current: str) -> str:
    """The question to answer: ``current``, plus the previous question's topic when it leans on it."""
    if not previous:
        return current
    folded = normalise(current).strip()
    content = [w for w in words(current) if w not in STOPWORDS]
    if not (_FOLLOWUP_OPENERS.match(folded) or len(content) <= _SHORT - 1 or folded.endswith(" too?")):
        return current
    return f"{current} {previous}"
