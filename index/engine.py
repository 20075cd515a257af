"""The engine: passages, the BM25 index and the manifest's rules; answers questions and looks up characters.

The shipped reviews build an engine in well under a second (``Engine.load``). A large corpus is
built once and saved (``save``), then opened memory-mapped in milliseconds (``open``): the
corpus, the BM25 index, the typo-correction words and the character cards are all persisted, so
an opened engine answers exactly as the one that was saved.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.analysis import normalise, term, terms, words
from index.answer import WEIGHTS, Hit, Weights, compose, disagreement
from index.bm25 import Bm25Index, BuildProgress
from index.bm25 import Hit as Bm25Hit
from index.cards import CharacterLookup, StoredCharacters, card_json
from index.characters import CharacterCard, CharacterIndex
from index.corpus import ArrayCorpus, Corpus, MemoryCorpus
from index.corpus import SourceStats as SourceStats
from index.english import ranks as english_ranks
from index.errors import BookclubError, QuestionError
from index.excerpts import Answer
from index.expansion import NO_EXPANSIONS, Expansions, expand
from index.followup import merge_followup
from index.frames import asks_author, character_asked
from index.indexing import ENGINE_FORMAT, IndexDocFreq, TypoWords, build_index, stored_fingerprint
from index.model import Passage
from index.passages import build_passages
from index.persist import PROGRESS_MIN_DOCS, StderrProgress, load_arrays, load_index, save_arrays, save_index
from index.query import Vocabulary, alias_patterns, build_query
from index.sources import BookSpec, Library, default_sources_dir, load_library
from index.spoilers import RevealClassifier

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
PASSAGES_CONSIDERED = 12
# Kinds of place any book's reviews name; the manifest adds the book's own ("Hailsham", "Norfolk").
PLACE_NOUNS = (
    "school", "cottage", "cottages", "centre", "centres", "center", "centers", "hospital", "farm", "town",
    "village", "city", "country", "countryside", "coast", "road", "house", "england", "britain",
)
# Where the reviews are known to disagree, look deeper so every review that speaks can be quoted.
PASSAGES_CONSIDERED_DISAGREEING = 16
MATCHING_CACHE = 4_096
ENGINE_ENTRY = "engine"


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
    """Everything needed to answer: passages, the BM25 index, the manifest's rules and characters.

    Read-only once built, so one engine serves many threads (the bot asks from worker threads).
    Answers are computed one at a time: they are pure Python under the GIL, so running several
    at once gains nothing and multiplies GIL hand-offs, each of which can delay the bot's event
    loop by a switch interval (5 ms); threads waiting for the lock do not hold the GIL.
    """

    book: BookSpec
    classifier: RevealClassifier
    passages: Corpus
    index: Bm25Index
    typo_words: TypoWords
    vocabulary: Vocabulary
    characters: CharacterLookup
    expansions: Expansions
    fingerprint: str
    weights: Weights
    _library: Library | None

    def __init__(self, library: Library) -> None:
        """Build from loaded sources: split and classify passages, index them (as ``from_library``)."""
        classifier = RevealClassifier(library.book.spoilers)
        corpus = MemoryCorpus(build_passages(library.documents, classifier), [d.info for d in library.documents])
        expansions = expand(library.documents, corpus, library.asked)
        asked = [q for document in library.documents for spec in document.asked for q in spec.questions]
        asked += [item.question for file in library.asked for item in file.questions]
        index, typo_words, expansions = build_index(corpus, library.book.characters, None, expansions, asked)
        self._assemble(
            library.book, corpus, index, typo_words, library.fingerprint, classifier=classifier, expansions=expansions
        )
        self._library = library

    def _assemble(
        self,
        book: BookSpec,
        corpus: Corpus,
        index: Bm25Index,
        typo_words: TypoWords,
        fingerprint: str,
        *,
        classifier: RevealClassifier | None = None,
        characters: CharacterLookup | None = None,
        expansions: Expansions = NO_EXPANSIONS,
    ) -> None:
        self._library = None
        self.book = book
        self.classifier = classifier or RevealClassifier(book.spoilers)
        self.passages = corpus
        self.index = index
        self.typo_words = typo_words
        self.vocabulary = Vocabulary(
            index.n_docs, IndexDocFreq(index), typo_words.counts, typo_words.names, expansions.foreign
        )
        self.expansions = expansions.weighed(self.vocabulary.weight)
        self._aliases = alias_patterns(book.characters)
        self._name_words = tuple(
            tuple(w for k in (c.name, *c.aliases) for w in words(k) if w not in ("the", "miss"))
            for c in book.characters
        )
        self.characters = characters or CharacterIndex(book.characters, corpus)
        self.fingerprint = fingerprint
        self.weights = WEIGHTS
        self._place_terms = frozenset(terms(" ".join((*book.places, *PLACE_NOUNS))))
        self._busy = threading.Lock()
        # The index never changes, so ranked passages can be reused: every whole-book question
        # ("tell me about it") asks for the same very common terms, ~15 ms of postings at 1M.
        self._matching = lru_cache(maxsize=MATCHING_CACHE)(self._match)

    # ------------------------------------------------------------------ building, saving, opening

    @classmethod
    def load(cls, root: Path | None = None) -> Engine:
        """Build from the sources folder (the shipped one by default)."""
        return cls(load_library(root or default_sources_dir()))

    @classmethod
    def from_library(cls, library: Library) -> Engine:
        return cls(library)

    @classmethod
    def from_corpus(
        cls,
        corpus: Corpus,
        book: BookSpec,
        fingerprint: str,
        *,
        progress: BuildProgress | None = None,
        quiet: bool = False,
    ) -> Engine:
        """Index any corpus (e.g. a large ``ArrayCorpus``) under ``book``'s rules; no source files.

        ``fingerprint`` identifies the corpus content. Large corpora get a stderr progress line
        unless ``quiet``.
        """
        if progress is None and not quiet and len(corpus) > PROGRESS_MIN_DOCS:
            progress = StderrProgress("engine")
        index, typo_words, _ = build_index(corpus, book.characters, progress)
        engine = cls.__new__(cls)
        engine._assemble(book, corpus, index, typo_words, fingerprint)
        return engine

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Persist everything ``open`` needs under ``directory``; each entry is written atomically.

        The ``engine`` entry goes last and names the fingerprint, so a reader sees all parts of
        one build or rebuilds.
        """
        stored = stored_fingerprint(self.fingerprint)
        corpus = self.passages
        if not isinstance(corpus, ArrayCorpus):
            corpus = ArrayCorpus.from_passages(corpus, corpus.sources)
        corpus.save(directory, stored)
        save_index(self.index, directory, stored)
        cards = [card_json(self.characters.card(name)) for name in self.characters.names]
        texts: dict[str, Any] = {
            "book": self.book.model_dump(mode="json"),
            "typo_words": dict(self.typo_words.counts),
            "names": sorted(self.typo_words.names),
            "cards": [card for card in cards if card is not None],
            "expansions": self.expansions.to_json(),
        }
        meta = {"format": ENGINE_FORMAT, "passages": len(corpus), "content": self.fingerprint}
        save_arrays(directory, ENGINE_ENTRY, {}, meta, stored, texts=texts)

    @classmethod
    def open(cls, directory: str | os.PathLike[str], fingerprint: str) -> Engine | None:
        """The engine saved under ``directory`` for content ``fingerprint``, memory-mapped.

        None when it is missing, stale (another corpus or another version of the code that
        built it) or damaged: the caller rebuilds.
        """
        stored = stored_fingerprint(fingerprint)
        loaded = load_arrays(directory, ENGINE_ENTRY, stored)
        if loaded is None:
            return None
        _, meta, texts = loaded
        try:
            if meta.get("format") != ENGINE_FORMAT:
                return None
            book = BookSpec.model_validate(texts["book"])
            counts = {str(word): int(count) for word, count in texts["typo_words"].items()}
            typo_words = TypoWords(counts, frozenset(str(name) for name in texts["names"]))
            corpus = ArrayCorpus.load(directory, stored)
            index = load_index(directory, stored)
            if corpus is None or index is None:
                return None
            if index.n_docs != len(corpus) or meta.get("passages") != len(corpus):
                raise ValueError("the saved index and corpus differ in size")
            characters = StoredCharacters(book.characters, texts["cards"], corpus)
            expansions = Expansions.from_json(texts.get("expansions", {}))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            logger.warning("ignoring damaged engine in %s: %s", directory, exc)
            return None
        engine = cls.__new__(cls)
        engine._assemble(book, corpus, index, typo_words, fingerprint, characters=characters, expansions=expansions)
        return engine

    @classmethod
    def load_cached(cls, root: Path | None, cache_dir: str | os.PathLike[str]) -> Engine:
        """Open the engine saved in ``cache_dir`` for these sources, or build it and save it there.

        A failed save is logged, not raised: the built engine still answers.
        """
        library = load_library(root or default_sources_dir())
        engine = cls.open(cache_dir, library.fingerprint)
        if engine is None:
            engine = cls(library)
            try:
                engine.save(cache_dir)
            except OSError as exc:
                logger.warning("could not save the engine to %s: %s", cache_dir, exc)
        engine._library = library
        return engine

    @property
    def library(self) -> Library:
        """The loaded sources; an engine opened from a saved index alone has none."""
        if self._library is None:
            raise BookclubError("This engine was opened from a saved index; its source files are not loaded.")
        return self._library

    @property
    def sentence_count(self) -> int:
        return self.passages.sentence_count

    # ------------------------------------------------------------------ answering

    def ask(self, question: str, *, previous: str | None = None) -> Answer:
        """Answer one question; ``previous`` is the question this one follows up."""
        asked = clean_question(question)
        with self._busy:
            return self._answer(asked, previous)

    def warm(self) -> None:
        """Build what the first questions would otherwise build lazily: the typo-correction index,
        the English word ranks and, for a live character index, the character mentions."""
        with self._busy:
            self.vocabulary.correct("warmup")
            english_ranks()
            for name in self.characters.names[:1]:
                self.characters.card(name)

    def _answer(self, asked: str, previous: str | None) -> Answer:
        effective = merge_followup(previous, asked, self._name_words) if previous else asked
        folded = normalise(asked)
        name = character_asked(folded)
        if name is not None:
            card = self.characters.card(name)
            if card.found:
                excerpts = card.who + card.more
                return Answer(asked, True, excerpts[:3], excerpts[3:], None, None, 1.0)
        if asks_author(folded):
            effective = f"{effective} {self.book.author}"
        query = build_query(effective, self.vocabulary, self._aliases)
        corpus = self.passages
        wide = disagreement(query, self.book.disagreements, term) is not None
        matches = self._matching(query.terms, PASSAGES_CONSIDERED_DISAGREEING if wide else PASSAGES_CONSIDERED)
        answer = compose(
            query,
            [Hit(corpus.passage(h.doc), h.score) for h in matches],
            corpus.sentence_terms,
            _heading_terms,
            self._first_in_section,
            self.book.disagreements,
            term,
            self.not_covered_message(asked),
            self.weights,
            self._place_terms,
            self.expansions,
        )
        if effective != asked:
            return Answer(
                asked, answer.answered, answer.excerpts, answer.more, answer.note, answer.not_covered, answer.coverage
            )
        return answer

    def _match(self, query_terms: tuple[str, ...], depth: int) -> tuple[Bm25Hit, ...]:
        return tuple(self.index.matching(list(query_terms), depth))

    def _first_in_section(self, passage: Passage) -> bool:
        return self.passages.first_in_section(passage.index)

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
        with self._busy:
            return self.characters.card(name)

    def complete_character(self, text: str, limit: int = 25) -> list[str]:
        return self.characters.complete(text, limit)

    def sources(self) -> list[SourceStats]:
        return self.passages.source_stats()


@lru_cache(maxsize=4096)
def _section_terms(path: str) -> frozenset[str]:
    return frozenset(terms(path))


def _heading_terms(passage: Passage) -> frozenset[str]:
    return _section_terms(passage.section.path)
