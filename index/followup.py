"""Follow-up questions ("and what about Tommy?") borrow what the previous question asked about."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.analysis import is_stopword, normalise, words

_FOLLOWUP_OPENERS = re.compile(
    r"^(?:and|but|also|so|what about|how about|and what about|and how about|what of|same for|ok and|and for)\b"
)
_SHORT = 3
# A short question that asks in full ("where is the novel set?") stands alone; one that points back
# ("does she die?", "why?") or is a bare fragment ("tommy?") leans on the one before.
_ASKS_IN_FULL = re.compile(r"^(?:who|what|where|when|why|how|which|is|are|was|were|does|do|did|can|could)\b")
_POINTS_BACK = re.compile(r"\b(?:he|she|they|it|him|her|them|his|hers|their|its|that|this|those|these|one)\b")


def merge_followup(previous: str | None, current: str, names: Sequence[Sequence[str]] = ()) -> str:
    """The question to answer: ``current``, plus the previous question's topic when it leans on it.

    ``names`` are the characters' name words: when the follow-up names someone, the previous
    question's people are dropped ("what happens to Ruth?" → "and Tommy?" asks about Tommy only).
    """
    if not previous:
        return current
    folded = normalise(current).strip()
    content = [w for w in words(current) if not is_stopword(w)]
    opens = _FOLLOWUP_OPENERS.match(folded)
    if not (opens or len(content) <= _SHORT - 1 or folded.endswith(" too?")):
        return current
    if content and not opens and _ASKS_IN_FULL.match(folded) and not _POINTS_BACK.search(folded):
        return current
    current_words = set(words(current))
    named_now = any(set(n) & current_words for n in names)
    kept = words(previous)
    if named_now:
        people = {w for n in names for w in n}
        kept = [w for w in kept if w not in people]
    return f"{current} {' '.join(kept)}"
