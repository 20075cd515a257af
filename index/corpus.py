"""Passages behind one interface: in memory for the shipped reviews, columnar and memory-mapped at scale.

The answer path needs a passage by number, a sentence's index terms, and whether a passage opens
its section. A tuple of ``Passage`` objects answers that for a few hundred passages, but building
a million of them (and their sentence terms) at start-up would take minutes. ``ArrayCorpus``
keeps the text in one memory-mapped byte blob with offsets, so opening it costs milliseconds and
each passage is materialised when an answer first touches it.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from index.analysis import terms
from index.corpus_arrays import _ARRAYS, _REVEALS, _check_arrays
from index.model import Passage, Reveal, Section, Sentence, SourceInfo, Topic
from index.persist import load_arrays, save_arrays

logger = logging.getLogger(__name__)
CORPUS_ENTRY = "corpus"
CORPUS_FORMAT = 1
# Bounded caches: an answer touches ~12 passages and their sentences; a busy bot reuses the popular ones.
PASSAGE_CACHE = 8_192
TERMS_CACHE = 65_536


@dataclass(frozen=True, slots=True)
class SourceStats:
    """What one review contributes: its section paths in order, passages and sentences."""

    info: SourceInfo
    sections: tuple[str, ...]
    passages: int
    sentences: int


class Corpus(ABC, Sequence[Passage]):
    """Read-only passages numbered 0..n-1 (a ``Sequence``), plus what ranking sentences needs."""

    @property
    @abstractmethod
    def sentence_count(self) -> int: ...

    @property
    @abstractmethod
    def sources(self) -> tuple[SourceInfo, ...]:
        """Every review, in catalog order (including any that yielded no passage)."""

    @abstractmethod
    def passage(self, index: int) -> Passage: ...

    @abstractmethod
    def sentence_terms(self, sentence: int) -> tuple[str, ...]:
        """Index terms of sentence ``sentence`` (a global sentence index)."""

    @abstractmethod
    def first_in_section(self, index: int) -> bool:
        """True when passage ``index`` opens its section (reviews state a thing first)."""

    @abstractmethod
    def source_stats(self) -> list[SourceStats]: ...

    @overload
    def __getitem__(self, index: int) -> Passage: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Passage]: ...

    def __getitem__(self, index: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(index, slice):
            return tuple(self.passage(i) for i in range(*index.indices(len(self))))
        return self.passage(_position(index, len(self)))


def _position(index: int, length: int) -> int:
    position = index + length if index < 0 else index
    if not 0 <= position < length:
        raise IndexError(f"passage {index} out of range for {length} passages")
    return position


class MemoryCorpus(Corpus):
    """The shipped reviews: a few hundred passages, held as objects, sentence terms precomputed."""

    def __init__(self, passages: Sequence[Passage], sources: Sequence[SourceInfo]) -> None:
        self._passages = tuple(passages)
        self._sources = tuple(sources)
        sentence_terms: list[tuple[str, ...]] = []
        for number, passage in enumerate(self._passages):
            if passage.index != number:
                raise ValueError(f"passage {number} is numbered {passage.index}")
            for sentence in passage.sentences:
                if sentence.index != len(sentence_terms):
                    raise ValueError(f"sentence {len(sentence_terms)} is numbered {sentence.index}")
                sentence_terms.append(tuple(terms(sentence.text)))
        self._sentence_terms = tuple(sentence_terms)

    def __len__(self) -> int:
        return len(self._passages)

    def __iter__(self) -> Iterator[Passage]:
        return iter(self._passages)

    @property
    def sentence_count(self) -> int:
        return len(self._sentence_terms)

    @property
    def sources(self) -> tuple[SourceInfo, ...]:
        return self._sources

    def passage(self, index: int) -> Passage:
        return self._passages[index]

    def sentence_terms(self, sentence: int) -> tuple[str, ...]:
        return self._sentence_terms[sentence]

    def first_in_section(self, index: int) -> bool:
        if index == 0:
            return True
        passage, before = self._passages[index], self._passages[index - 1]
        return before.source.id != passage.source.id or before.section != passage.section

    def source_stats(self) -> list[SourceStats]:
        out = []
        for info in self._sources:
            own = [p for p in self._passages if p.source.id == info.id]
            sections = tuple(dict.fromkeys(p.section.path for p in own))
            out.append(SourceStats(info, sections, len(own), sum(len(p.sentences) for p in own)))
        return out


class ArrayCorpus(Corpus):
    """Columnar passages (usually memory-mapped); ``passage(i)`` builds objects on demand.

    Arrays (S sentences, P passages): ``text`` (uint8, every sentence's UTF-8 bytes back to back)
    and ``sentence_offsets`` (int64, S+1); ``reveal`` (int8, S); ``term_ids`` (int32, each
    sentence's index terms as ids into the ``terms`` table) and ``term_offsets`` (int64, S+1);
    ``passage_sentences`` (int64, P+1 first sentences); ``passage_section`` and ``passage_source``
    (int32, P ids into the small ``sections`` and ``sources`` tables). Sentence terms are stored
    because analysing a sentence on demand costs ~10 µs, a few hundred µs per answer. Safe for
    concurrent readers: the arrays are never written and the caches are ``functools.lru_cache``
    (thread-safe in CPython).
    """

    def __init__(
        self,
        arrays: dict[str, npt.NDArray[Any]],
        sections: Sequence[Section],
        sources: Sequence[SourceInfo],
        term_table: Sequence[str],
    ) -> None:
        """Wrap arrays from ``CorpusWriter`` or ``load``; raises ValueError when they do not fit together."""
        self._arrays = {name: np.asarray(arrays[name]) for name, _ in _ARRAYS}
        self._sections = tuple(sections)
        self._sources = tuple(sources)
        self._term_table = tuple(term_table)
        _check_arrays(self._arrays, len(self._sections), len(self._sources), len(self._term_table))
        self._bytes = self._arrays["text"].data
        self._offsets = self._arrays["sentence_offsets"]
        self._reveal = self._arrays["reveal"]
        self._term_ids = self._arrays["term_ids"]
        self._term_offsets = self._arrays["term_offsets"]
        self._first = self._arrays["passage_sentences"]
        self._section_ids = self._arrays["passage_section"]
        self._source_ids = self._arrays["passage_source"]
        self._n_passages = len(self._first) - 1
        self._n_sentences = len(self._offsets) - 1
        self._cached_passage = lru_cache(maxsize=PASSAGE_CACHE)(self._build_passage)
        self._cached_terms = lru_cache(maxsize=TERMS_CACHE)(self._build_terms)

    # ------------------------------------------------------------------ persistence

    @classmethod
    def from_passages(cls, passages: Iterable[Passage], sources: Sequence[SourceInfo]) -> ArrayCorpus:
        writer = CorpusWriter(sources)
        for passage in passages:
            writer.add_passage(passage)
        return writer.finish()

    def save(self, directory: str | os.PathLike[str], fingerprint: str) -> None:
        """Write the arrays and tables as entry ``corpus`` (atomically, see ``index.persist``)."""
        tables = {
            "sections": [[s.title, list(s.parents), s.topic.value, int(s.reveals)] for s in self._sections],
            "sources": [[s.id, s.title, s.author, s.kind, s.file] for s in self._sources],
            "terms": list(self._term_table),
        }
        meta = {"format": CORPUS_FORMAT, "passages": self._n_passages, "sentences": self._n_sentences}
        save_arrays(directory, CORPUS_ENTRY, self._arrays, meta, fingerprint, texts=tables)

    @classmethod
    def load(cls, directory: str | os.PathLike[str], fingerprint: str) -> ArrayCorpus | None:
        """The saved corpus, memory-mapped; None when missing, stale or damaged (callers rebuild)."""
        loaded = load_arrays(directory, CORPUS_ENTRY, fingerprint)
        if loaded is None:
            return None
        arrays, meta, tables = loaded
        try:
            if meta.get("format") != CORPUS_FORMAT:
                return None
            sections = [
                Section(str(title), tuple(str(p) for p in parents), Topic(topic), _REVEALS[int(reveals)])
                for title, parents, topic, reveals in tables["sections"]
            ]
            sources = [
                SourceInfo(str(i), str(title), None if author is None else str(author), str(kind), str(file))
                for i, title, author, kind, file in tables["sources"]
            ]
            term_table = tables["terms"]
            if not all(isinstance(t, str) for t in term_table):
                raise ValueError("the term table holds a non-string")
            corpus = cls(arrays, sections, sources, term_table)
            if (len(corpus), corpus.sentence_count) != (meta.get("passages"), meta.get("sentences")):
                raise ValueError("corpus counts disagree with the manifest")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            logger.warning("ignoring damaged corpus in %s: %s", directory, exc)
            return None
        return corpus

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return self._n_passages

    def __iter__(self) -> Iterator[Passage]:
        """Every passage, built afresh (a full scan would only flush the cache of hot passages)."""
        for index in range(self._n_passages):
            yield self._build_passage(index)

    @property
    def sentence_count(self) -> int:
        return self._n_sentences

    @property
    def sources(self) -> tuple[SourceInfo, ...]:
        return self._sources

    def passage(self, index: int) -> Passage:
        return self._cached_passage(_position(index, self._n_passages))

    def sentence_text(self, sentence: int) -> str:
        return str(self._bytes[self._offsets[sentence] : self._offsets[sentence + 1]], "utf-8", "replace")

    def sentence_terms(self, sentence: int) -> tuple[str, ...]:
        return self._cached_terms(sentence)

    def first_in_section(self, index: int) -> bool:
        if index == 0:
            return True
        sources, sections = self._source_ids, self._section_ids
        return bool(sources[index - 1] != sources[index] or sections[index - 1] != sections[index])

    def source_stats(self) -> list[SourceStats]:
        n_sources = len(self._sources)
        source_ids = self._source_ids.astype(np.int64)
        passages = np.bincount(source_ids, minlength=n_sources)
        sentences = np.bincount(source_ids, weights=np.diff(self._first), minlength=n_sources)
        pairs = source_ids * max(1, len(self._sections)) + self._section_ids
        _, first_seen = np.unique(pairs, return_index=True)
        first_seen.sort()
        paths: list[list[str]] = [[] for _ in range(n_sources)]
        for source, section in zip(
            self._source_ids[first_seen].tolist(), self._section_ids[first_seen].tolist(), strict=True
        ):
            paths[source].append(self._sections[section].path)
        return [
            SourceStats(info, tuple(dict.fromkeys(paths[i])), int(passages[i]), int(sentences[i]))
            for i, info in enumerate(self._sources)
        ]

    def _build_passage(self, index: int) -> Passage:
        first, last = int(self._first[index]), int(self._first[index + 1])
        offsets = self._offsets[first : last + 1].tolist()
        levels = self._reveal[first:last].tolist()
        blob = self._bytes
        sentences = tuple(
            Sentence(first + k, index, str(blob[offsets[k] : offsets[k + 1]], "utf-8", "replace"), _REVEALS[level])
            for k, level in enumerate(levels)
        )
        section = self._sections[int(self._section_ids[index])]
        return Passage(index, self._sources[int(self._source_ids[index])], section, sentences)

    def _build_terms(self, sentence: int) -> tuple[str, ...]:
        table = self._term_table
        ids = self._term_ids[self._term_offsets[sentence] : self._term_offsets[sentence + 1]].tolist()
        return tuple([table[i] for i in ids])


class CorpusWriter:
    """Appends passages into growable buffers (analysing each sentence); ``finish`` makes an ``ArrayCorpus``."""

    def __init__(self, sources: Sequence[SourceInfo] = ()) -> None:
        self._sources: list[SourceInfo] = []
        self._source_index: dict[str, int] = {}
        for info in sources:
            self.add_source(info)
        self._sections: dict[Section, int] = {}
        self._terms: dict[str, int] = {}
        self._text = bytearray()
        self._offsets = array("q", [0])
        self._reveal = array("b")
        self._term_ids = array("i")
        self._term_offsets = array("q", [0])
        self._first = array("q", [0])
        self._section_ids = array("i")
        self._source_ids = array("i")

    def __len__(self) -> int:
        return len(self._section_ids)

    def add_source(self, info: SourceInfo) -> None:
        """Register a review (passages name it by id); ids are unique, as in the catalog."""
        if info.id in self._source_index:
            raise ValueError(f"duplicate review id {info.id!r}")
        self._source_index[info.id] = len(self._sources)
        self._sources.append(info)

    def add_passage(self, passage: Passage) -> None:
        self.add(passage.source.id, passage.section, [(s.text, s.reveal) for s in passage.sentences])

    def add(self, source_id: str, section: Section, sentences: Sequence[tuple[str, Reveal]]) -> None:
        """Append one passage of review ``source_id``; sentences are numbered on from the last one."""
        if not sentences:
            raise ValueError("a passage needs at least one sentence")
        source = self._source_index[source_id]
        section_id = self._sections.setdefault(section, len(self._sections))
        ids = self._terms
        for text, level in sentences:
            self._text += text.encode("utf-8")
            self._offsets.append(len(self._text))
            self._reveal.append(int(level))
            self._term_ids.extend([ids.setdefault(t, len(ids)) for t in terms(text)])
            self._term_offsets.append(len(self._term_ids))
        self._first.append(len(self._reveal))
        self._section_ids.append(section_id)
        self._source_ids.append(source)

    def finish(self) -> ArrayCorpus:
        buffers: dict[str, bytearray | array[int]] = {
            "text": self._text,
            "sentence_offsets": self._offsets,
            "reveal": self._reveal,
            "term_ids": self._term_ids,
            "term_offsets": self._term_offsets,
            "passage_sentences": self._first,
            "passage_section": self._section_ids,
            "passage_source": self._source_ids,
        }
        arrays = {name: np.frombuffer(buffers[name], dtype=dtype).copy() for name, dtype in _ARRAYS}
        return ArrayCorpus(arrays, list(self._sections), self._sources, list(self._terms))
