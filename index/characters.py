"""Character lookup tolerant of aliases and typos, and cards that say who someone is, as the reviews say it."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index.analysis import normalise
from index.excerpts import Excerpt
from index.fuzzy import allowed_typos, distance
from index.model import Passage, Reveal, Topic
from index.sources import CharacterSpec

_NON_WORD = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")
WHO_COUNT = 2
MORE_COUNT = 3


def _key(text: str) -> str:
    return _NON_WORD.sub(" ", normalise(text)).strip()


def _asked_key(text: str) -> str:
    """A typed name's key, possessive dropped: "Ruth's" (and a mistyped "Ruht's") is Ruth."""
    return _key(_POSSESSIVE.sub("", normalise(text)))


@dataclass(frozen=True, slots=True)
class CharacterCard:
    query: str
    found: bool
    name: str | None
    aliases: tuple[str, ...]
    who: tuple[Excerpt, ...]
    more: tuple[Excerpt, ...]
    appears_with: tuple[str, ...]
    suggestions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Character:
    spec: CharacterSpec
    keys: tuple[str, ...]
    mention: re.Pattern[str]
    who: tuple[re.Pattern[str], ...]


class CharacterIndex:
    """Names and aliases → characters; sentences that mention each one.

    Finding the mentions scans every sentence, which takes seconds on a large corpus; it runs on
    the first card (under a lock), so building the index, resolving names and autocomplete stay
    instant and an engine starts fast.
    """

    def __init__(self, specs: Sequence[CharacterSpec], passages: Sequence[Passage]) -> None:
        self._characters: list[_Character] = []
        for spec in specs:
            keys = tuple(dict.fromkeys(_key(k) for k in (spec.name, *spec.aliases) if _key(k)))
            names = sorted(
                {_key(spec.name), *(_key(a) for a in spec.aliases if not a.lower().startswith("the "))},
                key=len,
                reverse=True,
            )
            mention = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(n) for n in names if n) + r")(?![a-z0-9])")
            who = tuple(re.compile(r"(?<![a-z0-9])" + re.escape(_key(w))) for w in spec.who)
            self._characters.append(_Character(spec, keys, mention, who))
        self._passages = passages
        self._mentions: dict[str, list[tuple[Passage, int]]] | None = None
        self._lock = threading.Lock()

    def _mention_table(self) -> dict[str, list[tuple[Passage, int]]]:
        with self._lock:
            if self._mentions is None:
                mentions: dict[str, list[tuple[Passage, int]]] = {c.spec.name: [] for c in self._characters}
                for passage in self._passages:
                    for position, sentence in enumerate(passage.sentences):
                        folded = _key(sentence.text)
                        for character in self._characters:
                            if character.mention.search(folded):
                                mentions[character.spec.name].append((passage, position))
                self._mentions = mentions
            return self._mentions

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.spec.name for c in self._characters)

    def _resolve(self, query: str) -> tuple[_Character | None, list[str]]:
        key = _asked_key(query)
        if key.startswith("the ") and all(key not in c.keys for c in self._characters):
            key = key[4:]
        if not key:
            return None, list(self.names)
        exact = self._exact(key)
        if exact is not None:
            return exact, []
        scored: list[tuple[int, int, str, _Character]] = []
        for order, character in enumerate(self._characters):
            best = min(distance(key, k, max(2, allowed_typos(key))) for k in character.keys)
            scored.append((best, order, character.spec.name, character))
        scored.sort(key=lambda item: (item[0], item[1]))
        top = scored[0]
        if top[0] <= allowed_typos(key) and (len(scored) < 2 or scored[1][0] > top[0]):
            return top[3], []
        close = [name for dist, _, name, _ in scored if dist <= max(2, allowed_typos(key))]
        prefix = [c.spec.name for c in self._characters if any(k.startswith(key) for k in c.keys)]
        suggestions = list(dict.fromkeys([*prefix, *close]))
        return None, suggestions or [c.spec.name for c in self._characters[:3]]

    def _exact(self, key: str) -> _Character | None:
        """A name as members write it: an alias, a title and name together ("Madame Marie Claude"),
        or a short name missing its last letter ("Rut")."""
        for character in self._characters:
            if key in character.keys:
                return character
        words = set(key.split())
        if len(words) > 1:
            # Every word belongs to one character's names: their title with another of their names.
            owners = [c for c in self._characters if words <= {w for k in c.keys for w in k.split()}]
            if len(owners) == 1:
                return owners[0]
        if len(key) == 3:
            owners = [c for c in self._characters if any(len(k) == 4 and k.startswith(key) for k in c.keys)]
            if len(owners) == 1:
                return owners[0]
        return None

    def complete(self, text: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: prefix and alias matches first, then fuzzy ones."""
        key = _asked_key(text)
        if not key:
            return list(self.names)[:limit]
        ranked: list[tuple[int, int, str]] = []
        for order, character in enumerate(self._characters):
            if any(k.startswith(key) for k in character.keys):
                rank = 0
            elif any(key in k for k in character.keys):
                rank = 1
            else:
                best = min(distance(key, k[: len(key) + 1], 2) for k in character.keys)
                if best > max(1, allowed_typos(key)):
                    continue
                rank = 2 + best
            ranked.append((rank, order, character.spec.name))
        ranked.sort()
        return [name for _, _, name in ranked][:limit]

    def card(self, query: str) -> CharacterCard:
        character, suggestions = self._resolve(query)
        if character is None:
            return CharacterCard(query, False, None, (), (), (), (), tuple(suggestions[:5]))
        scored = sorted(
            ((self._who_score(character, p, i), p.index, i, p) for p, i in self._mention_table()[character.spec.name]),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        excerpts = [Excerpt(p, (p.sentences[i],), round(score, 6), 1.0) for score, _, i, p in scored]
        who, more = tuple(excerpts[:WHO_COUNT]), tuple(excerpts[WHO_COUNT : WHO_COUNT + MORE_COUNT])
        together: Counter[str] = Counter()
        for other in self._characters:
            if other is character:
                continue
            for excerpt in excerpts:
                if other.mention.search(_key(excerpt.text)):
                    together[other.spec.name] += 1
        appears = tuple(name for name, _ in together.most_common(3))
        return CharacterCard(query, True, character.spec.name, character.spec.aliases, who, more, appears, ())

    @staticmethod
    def _who_score(character: _Character, passage: Passage, position: int) -> float:
        sentence = passage.sentences[position]
        folded = _key(sentence.text)
        score = 0.0
        match = character.mention.search(folded)
        if match is not None and match.start() == 0:
            score += 1.0
            rest = sentence.text.split(":", 1)
            if len(rest) == 2 and len(rest[0]) <= 30:
                score += 3.0
            if re.match(r"^[\w .’']+?(?:,\s+(?:a|an|the|her|his)\b| is\b| was\b)", normalise(sentence.text)):
                score += 2.0
        score += sum(1.5 for pattern in character.who if pattern.search(folded))
        if passage.section.topic is Topic.CHARACTERS:
            score += 2.0
        if sentence.reveal <= Reveal.PART_1:
            score += 1.0
        elif sentence.reveal >= Reveal.PART_2:
            score -= 1.5  # say who someone is without what happens to them, where the reviews allow
        if len(sentence.text) > 260:
            score -= 1.0
        return score
