"""Text analysis shared by indexing and questions: normalise, tokenise, stem, drop stopwords, fold synonyms.

Synonyms are folded to one canonical stem on both sides, so rank-bm25 sees one term and its
scores stay exact (query expansion would double-count documents that use both words).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import Stemmer

from index.lexicon import EXACT_STOPWORDS, PHRASES, SPELLING, STOPWORDS, SYNONYM_GROUPS

_TYPOGRAPHY = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "—": " ",
        "–": " ",
        "‒": " ",
        "―": " ",
        "…": " ",
        "\u00a0": " ",
        "\u200b": "",
        "\u200d": "",
        "\ufeff": "",
    }
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

_STEMMER_LOCAL = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """PyStemmer objects are not thread-safe; the bot analyses from worker threads."""
    stemmer: Stemmer.Stemmer | None = getattr(_STEMMER_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("english")
        _STEMMER_LOCAL.stemmer = stemmer
    return stemmer


def normalise(text: str) -> str:
    """Typography folded to ASCII punctuation, case folded, compatibility forms unified."""
    return unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()


def _trie_pattern(alternatives: Iterable[str]) -> str:
    """One regex alternation shaped as a prefix tree, longest match first: a flat alternation of
    ~300 phrases tries each at every position (a fifth of building the engine; this is 4× faster)."""
    trie: dict[str, Any] = {}
    for text in alternatives:
        node = trie
        for char in text:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


_PHRASE_PATTERN = re.compile(r"(?<![a-z0-9])(" + _trie_pattern(a for a, _ in PHRASES) + r")(?![a-z0-9])")
_PHRASE_MAP = dict(PHRASES)
# Where the member is in the book ("60 pages in") says nothing about what they ask.
_PROGRESS = re.compile(r"\b\d+ (?:pages?|chapters?|chs?) (?:in|into it|deep)\b")


def words(text: str) -> list[str]:
    """Lower-case word tokens with possessives dropped ("ruth's" → "ruth")."""
    return list(_words(text))


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    # Cached: building the engine tokenises each listed question twice (its terms, then the
    # vocabulary's word counts); a tenth of a cold `bookclub ask` with ~3,900 listed.
    out = []
    folded = _PHRASE_PATTERN.sub(lambda m: _PHRASE_MAP[m.group(1)], _PROGRESS.sub(" ", normalise(text)))
    for token in _TOKEN.findall(folded):
        if token.endswith("'s"):
            token = token[:-2]
        out.append(SPELLING.get(token, token))
    return tuple(out)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


@lru_cache(maxsize=1)
def _synonyms() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        canonical = stem(group[0])
        for word in group:
            for part in word.split():
                table.setdefault(stem(part), canonical)
    return table


@lru_cache(maxsize=1)
def _listed() -> Mapping[str, str]:
    """Each listed word's own group, for words whose stems collide ("original" and "originates" → "origin")."""
    return {part: stem(group[0]) for group in SYNONYM_GROUPS for word in group for part in word.split()}


def term(word: str) -> str:
    """The index term of one word: its group's if it is listed, else stemmed and folded to a group."""
    listed = _listed().get(word)
    if listed is not None:
        return listed
    stemmed = stem(word)
    return _synonyms().get(stemmed, stemmed)


def terms(text: str) -> list[str]:
    """Index terms of a text, in order, stopwords out."""
    return [term(w) for w in _words(text) if is_content(w)]


def terms_of(words_: Iterable[str]) -> list[str]:
    return [term(w) for w in words_ if is_content(w)]


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in STOPWORDS)


def is_stopword(word: str) -> bool:
    """A function word or question chatter, in any inflection ("explain", "explained", "explains")."""
    return word in STOPWORDS or word in EXACT_STOPWORDS or stem(word) in _stop_stems()


@lru_cache(maxsize=65536)
def is_content(word: str) -> bool:
    """Worth indexing and searching: not a stopword, and not a stray letter."""
    return (len(word) > 1 or word.isdigit()) and not is_stopword(word)
