"""Building what an engine answers from: the BM25 index and typo words, and the fingerprint saved engines carry.

Split from ``engine`` so the answering code and the build-once code can be read apart.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.analysis import terms, words
from index.bm25 import Bm25Index, BuildProgress
from index.corpus import CORPUS_FORMAT, Corpus
from index.expansion import NO_EXPANSIONS, Expansions
from index.lexicon import SYNONYM_GROUPS
from index.query import LONG_WORD, proper_nouns, surface_counts
from index.sources import CharacterSpec

ENGINE_FORMAT = 1
# Modules whose code shapes what a saved engine holds (sentences, reveals, terms, index, typo
# words): editing one makes saved engines stale, so their bytes are part of the fingerprint.
_BUILD_MODULES = (
    "analysis", "bm25", "bm25_arrays", "corpus", "corpus_arrays", "expansion", "indexing", "lexicon", "model",
    "passages", "query", "sources", "spoilers",
)
_TEXT_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class TypoWords:
    """What typo correction may correct towards: names and long surface words (with counts), and names."""

    counts: Mapping[str, int]
    names: frozenset[str]



def build_index(
    corpus: Corpus,
    characters: Sequence[CharacterSpec],
    progress: BuildProgress | None,
    expansions: Expansions = NO_EXPANSIONS,
    asked: Sequence[str] = (),
) -> tuple[Bm25Index, TypoWords, Expansions]:
    """BM25 over each passage's heading, text and its sentences' questions, and the typo words, in
    one pass over the corpus; the expansions come back knowing which of their words no review uses."""
    documents: list[list[str]] = []
    spoken: set[str] = set()
    counts: Counter[str] = Counter()
    names: set[str] = set()
    texts: list[str] = []
    total = len(corpus)
    for passage in corpus:
        text, path = passage.text, passage.section.path
        document = terms(f"{path} {text}")
        if expansions:
            spoken.update(document)
            for sentence in passage.sentences:
                document.extend(expansions.terms(sentence.index))
        documents.append(document)
        texts += (text, path)
        if len(texts) >= _TEXT_CHUNK:
            counts.update(surface_counts(texts))
            names |= proper_nouns(texts)
            texts.clear()
            if progress is not None:
                progress("analyse", len(documents), total)
    counts.update(surface_counts(texts))
    names |= proper_nouns(texts)
    # Words members use for what the reviews say ("narrating", "react") are worth correcting towards.
    counts.update(surface_counts(asked))
    # So are the curated synonyms: "narating" is a typo of "narrating" even where no review says it.
    counts.update({w: 1 for group in SYNONYM_GROUPS for w in group if " " not in w and w not in counts})
    names |= {w for c in characters for w in words(c.name)}
    if progress is not None:
        progress("analyse", total, total)
    index = Bm25Index.build(documents, progress=progress)
    kept = {w: c for w, c in counts.items() if w in names or len(w) >= LONG_WORD}
    return index, TypoWords(kept, frozenset(names)), expansions.unspoken(spoken) if expansions else expansions


def stored_fingerprint(content: str) -> str:
    """What a saved engine is keyed by: the content's fingerprint plus the code that built it."""
    digest = hashlib.sha256(
        f"bookclub-engine/{ENGINE_FORMAT}/{CORPUS_FORMAT}/{unicodedata.unidata_version}/{content}".encode()
    )
    here = Path(__file__).resolve().parent
    for name in _BUILD_MODULES:
        try:
            digest.update((here / f"{name}.py").read_bytes())
        except OSError:
            digest.update(f"unreadable {name}".encode())
    return digest.hexdigest()


class IndexDocFreq(Mapping[str, int]):
    """Document frequencies read from the BM25 index, so the vocabulary keeps no copy of them."""

    def __init__(self, index: Bm25Index) -> None:
        self._index = index

    def __getitem__(self, term_: str) -> int:
        frequency = self._index.doc_freq(term_)
        if frequency == 0:
            raise KeyError(term_)
        return frequency

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.to_arrays()[2])

    def __len__(self) -> int:
        return self._index.n_terms
