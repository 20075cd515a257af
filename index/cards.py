"""Character cards saved with an engine, so an opened engine answers "who is…" without scanning.

A live card scans every sentence for mentions and ranks them all, which takes seconds on a large
corpus. A card depends only on the character (not on how the name was typed), so the engine
computes each one when it is saved and an opened engine serves them from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from index.characters import CharacterCard, CharacterIndex
from index.corpus import Corpus
from index.excerpts import Excerpt
from index.sources import CharacterSpec


class CharacterLookup(Protocol):
    """Character cards and autocomplete (a live ``CharacterIndex`` or cards saved with the engine)."""

    @property
    def names(self) -> tuple[str, ...]: ...

    def card(self, query: str) -> CharacterCard: ...

    def complete(self, text: str, limit: int = 25) -> list[str]: ...


class StoredCharacters:
    """Character cards computed when the engine was saved.

    A live card scans every sentence for mentions and ranks them all, which takes seconds on a
    large corpus; a card depends only on the character, so it is computed once, at save time.
    """

    def __init__(self, specs: Sequence[CharacterSpec], cards: Sequence[Any], corpus: Corpus) -> None:
        """Raises ValueError, KeyError, TypeError or IndexError when ``cards`` do not fit ``corpus``."""
        self._lookup = CharacterIndex(specs, ())
        self._live = CharacterIndex(specs, corpus)
        self._cards: dict[str, tuple[tuple[Excerpt, ...], tuple[Excerpt, ...], tuple[str, ...]]] = {}
        for card in cards:
            who = tuple(_excerpt(corpus, item) for item in card["who"])
            more = tuple(_excerpt(corpus, item) for item in card["more"])
            self._cards[str(card["name"])] = (who, more, tuple(str(n) for n in card["appears_with"]))

    @property
    def names(self) -> tuple[str, ...]:
        return self._lookup.names

    def complete(self, text: str, limit: int = 25) -> list[str]:
        return self._lookup.complete(text, limit)

    def card(self, query: str) -> CharacterCard:
        found = self._lookup.card(query)
        if not found.found or found.name is None:
            return found
        stored = self._cards.get(found.name)
        if stored is None:
            return self._live.card(query)
        who, more, appears = stored
        return CharacterCard(query, True, found.name, found.aliases, who, more, appears, ())


def card_json(card: CharacterCard) -> dict[str, Any] | None:
    if not card.found or card.name is None:
        return None

    def rows(excerpts: Sequence[Excerpt]) -> list[list[Any]]:
        return [[e.passage.index, [s.index for s in e.sentences], e.score, e.coverage] for e in excerpts]

    return {"name": card.name, "who": rows(card.who), "more": rows(card.more), "appears_with": list(card.appears_with)}


def _excerpt(corpus: Corpus, item: Sequence[Any]) -> Excerpt:
    passage_index, sentence_ids, score, coverage = item
    passage = corpus.passage(int(passage_index))
    first = passage.sentences[0].index
    positions = [int(s) - first for s in sentence_ids]
    if not positions or min(positions) < 0:
        raise IndexError("a saved card cites a sentence outside its passage")
    return Excerpt(passage, tuple(passage.sentences[p] for p in positions), float(score), float(coverage))
