"""The engine: load the sources once, then answer questions and look up characters."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.analysis import normalise, term, terms, words
from index.answer import WEIGHTS, Hit, Weights, compose
from index.bm25 import Bm25Index
from index.characters import CharacterCard, CharacterIndex
from index.errors import QuestionError
from index.excerpts import Answer
from index.followup import merge_followup
from index.model import Passage, SourceInfo
from index.passages import build_passages
from index.query import Vocabulary, alias_patterns, build_query, proper_nouns, surface_counts
from index.sources import BookSpec, Library, default_sources_dir, load_library
from index.spoilers import RevealClassifier

MAX_QUESTION_CHARS = 500
_WHO_IS = re.compile(
    r"^\s*(?:who|whos|who's|who is)\s*(?:is|was|are|'s)?\s+(?:the\s+)?(?P<name>[^?!.]{1,60}?)\s*[?!.]*\s*$"
)
PASSAGES_CONSIDERED = 12


@dataclass(frozen=True, slots=True)
class SourceStats:
    info: SourceInfo
    sections: tuple[str, ...]
    passages: int
    sentences: int


def clean_question(text: str) -> str:
    """The question as asked, with control characters dropped; a clear error when there is none."""
    if not isinstance(text, str):
        raise QuestionError("A question must be text.")
    cleaned = "".join(ch if ch.isprintable() or ch == " " else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise QuestionError("Ask a question about the book, for example: “What is Hailsham?”")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(cleaned)} characters long; please keep it under {MAX_QUESTION_CHARS}."
        )
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("That doesn't look like a question: it has no words in it.")
    return cleaned


class Engine:
    """Everything needed to answer: passages, the BM25 index, the manifest's rules and characters."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.book: BookSpec = library.book
        self.classifier = RevealClassifier(library.book.spoilers)
        self.passages: tuple[Passage, ...] = build_passages(library.documents, self.classifier)
        self._sentence_terms: tuple[tuple[str, ...], ...] = tuple(
            tuple(terms(s.text)) for p in self.passages for s in p.sentences
        )
        corpus = [terms(f"{p.section.path} {p.text}") for p in self.passages]
        self.index = Bm25Index.build(corpus)
        doc_freq: dict[str, int] = {}
        for tokens in corpus:
            for t in set(tokens):
                doc_freq[t] = doc_freq.get(t, 0) + 1
        texts = [p.text for p in self.passages] + [p.section.path for p in self.passages]
        names = proper_nouns(texts) | {w for c in library.book.characters for w in words(c.name)}
        self.vocabulary = Vocabulary(len(corpus), doc_freq, surface_counts(texts), names)
        self._aliases = alias_patterns(library.book.characters)
        self._name_words = tuple(
            tuple(w for k in (c.name, *c.aliases) for w in words(k) if w not in ("the", "miss"))
            for c in library.book.characters
        )
        self.characters = CharacterIndex(library.book.characters, self.passages)
        self.fingerprint = library.fingerprint
        self.weights: Weights = WEIGHTS

    @classmethod
    def load(cls, root: Path | None = None) -> Engine:
        return cls(load_library(root or default_sources_dir()))

    @property
    def sentence_count(self) -> int:
        return len(self._sentence_terms)

    def ask(self, question: str, *, previous: str | None = None) -> Answer:
        """Answer one question; ``previous`` is the question this one follows up."""
        asked = clean_question(question)
        effective = merge_followup(previous, asked, self._name_words) if previous else asked
        who = _WHO_IS.match(normalise(asked))
        if who is not None:
            card = self.characters.card(who.group("name"))
            if card.found:
                excerpts = card.who + card.more
                return Answer(asked, True, excerpts[:3], excerpts[3:], None, None, 1.0)
        query = build_query(effective, self.vocabulary, self._aliases)
        hits = [Hit(self.passages[h.doc], h.score) for h in self.index.matching(list(query.terms), PASSAGES_CONSIDERED)]
        answer = compose(
            query,
            hits,
            self._terms_of,
            _heading_terms,
            self._first_in_section,
            self.book.disagreements,
            term,
            self.not_covered_message(asked),
            self.weights,
        )
        if effective != asked:
            return Answer(
                asked, answer.answered, answer.excerpts, answer.more, answer.note, answer.not_covered, answer.coverage
            )
        return answer

    def _first_in_section(self, passage: Passage) -> bool:
        if passage.index == 0:
            return True
        before = self.passages[passage.index - 1]
        return before.source.id != passage.source.id or before.section != passage.section

    def _terms_of(self, sentence: int) -> tuple[str, ...]:
        return self._sentence_terms[sentence]

    def not_covered_message(self, question: str) -> str:
        names = ", ".join(c.name.removesuffix(" H.") for c in self.book.characters[:6])
        themes = " and ".join(self.book.themes[:2]) if self.book.themes else "its themes"
        suggestion = ""
        if self.book.suggestions:
            pick = int(hashlib.sha256(question.encode("utf-8")).hexdigest(), 16) % len(self.book.suggestions)
            suggestion = f" Try: “{self.book.suggestions[pick]}”"
        return (
            "The reviews don't cover that. They discuss the plot, the characters "
            f"({names}), themes such as {themes}, and the book's reception and film adaptation."
            f"{suggestion}"
        )

    def character(self, name: str) -> CharacterCard:
        return self.characters.card(name)

    def complete_character(self, text: str, limit: int = 25) -> list[str]:
        return self.characters.complete(text, limit)

    def sources(self) -> list[SourceStats]:
        out = []
        for document in self.library.documents:
            own = [p for p in self.passages if p.source.id == document.info.id]
            sections = tuple(dict.fromkeys(p.section.path for p in own))
            out.append(SourceStats(document.info, sections, len(own), sum(len(p.sentences) for p in own)))
        return out


@lru_cache(maxsize=4096)
def _section_terms(path: str) -> frozenset[str]:
    return frozenset(terms(path))


def _heading_terms(passage: Passage) -> frozenset[str]:
    return _section_terms(passage.section.path)


def engine_passages(engine: Engine) -> Sequence[Passage]:
    return engine.passages
