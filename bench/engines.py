"""The retrieval engines under test, behind one small interface, each fed the same token lists."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from index.bm25 import Bm25Index


class Engine(Protocol):
    """Build once, then answer token-list queries with the top k document ids (best first)."""

    name: str

    def build(self, corpus: list[list[str]]) -> None: ...

    def query(self, tokens: list[str], k: int) -> list[int]: ...


def _top_from_scores(scores: np.ndarray, k: int) -> np.ndarray:
    """The usual dense-scores top-k: np.argpartition (the part that is timed)."""
    k = min(k, len(scores))
    if k == len(scores):
        return np.arange(len(scores))
    return np.argpartition(-scores, k - 1)[:k]


class Ours:
    """index.bm25.Bm25Index.top_k."""

    name = "ours"

    def __init__(self) -> None:
        self.index: Bm25Index | None = None

    def build(self, corpus: list[list[str]]) -> None:
        self.index = Bm25Index.build(corpus)

    def query(self, tokens: list[str], k: int) -> list[int]:
        assert self.index is not None
        return [hit.doc for hit in self.index.top_k(tokens, k)]


class RankBm25:
    """rank-bm25's BM25Okapi.get_scores + np.argpartition (the definition of the score)."""

    name = "rank_bm25"

    def __init__(self) -> None:
        self.model: Any = None
        self.last_scores: np.ndarray | None = None

    def build(self, corpus: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        self.model = BM25Okapi(corpus)

    def query(self, tokens: list[str], k: int) -> list[int]:
        scores = self.model.get_scores(tokens)
        top = _top_from_scores(scores, k)
        self.last_scores = scores
        return top.tolist()

    def ordered(self, k: int) -> list[int]:
        """The reference top k: a stable full sort of the last scores (argpartition picks
        arbitrarily among ties at the boundary, so its set is not comparable)."""
        assert self.last_scores is not None
        scores = self.last_scores
        order = np.lexsort((np.arange(len(scores)), -scores))[:k]
        return [int(i) for i in order]


class Bm25sScores:
    """bm25s (numpy backend, Robertson idf) get_scores + np.argpartition, on the same tokens."""

    name = "bm25s"

    def __init__(self) -> None:
        self.model: Any = None

    def build(self, corpus: list[list[str]]) -> None:
        os.environ.setdefault("DISABLE_TQDM", "1")
        import bm25s

        self.model = bm25s.BM25(method="robertson", k1=1.5, b=0.75)
        self.model.index(corpus, show_progress=False)

    def query(self, tokens: list[str], k: int) -> list[int]:
        known = [token for token in tokens if token in self.model.vocab_dict]
        if not known:
            return list(range(k))
        scores = self.model.get_scores(known)
        return _top_from_scores(scores, k).tolist()


class Bm25sRetrieve(Bm25sScores):
    """bm25s's own retrieve() top-k (numpy backend), for information."""

    name = "bm25s_retrieve"

    def query(self, tokens: list[str], k: int) -> list[int]:
        known = [token for token in tokens if token in self.model.vocab_dict]
        if not known:
            return list(range(k))
        docs, _scores = self.model.retrieve([known], k=k, show_progress=False, n_threads=0)
        return [int(doc) for doc in docs[0]]


class Tantivy:
    """tantivy-py: tokens joined by spaces, whitespace tokenizer, OR of term queries, top k."""

    name = "tantivy"

    def __init__(self) -> None:
        self.index: Any = None
        self.searcher: Any = None
        self.schema: Any = None
        self.ids: list[int] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def build(self, corpus: list[list[str]]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
        builder.add_integer_field("id", stored=False, fast=True, indexed=False)
        self.schema = builder.build()
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-tantivy-")
        self.index = tantivy.Index(self.schema, path=self._tmp.name)
        writer = self.index.writer(heap_size=1_000_000_000, num_threads=1)
        for number, doc in enumerate(corpus):
            writer.add_document(tantivy.Document(body=" ".join(doc), id=number))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, tokens: list[str], k: int) -> list[int]:
        import tantivy

        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "body", token)) for token in tokens]
        hits = self.searcher.search(tantivy.Query.boolean_query(clauses), k, count=False).hits
        return [address.doc for _score, address in hits]


ENGINES: dict[str, Callable[[], Engine]] = {
    "ours": Ours,
    "rank_bm25": RankBm25,
    "bm25s": Bm25sScores,
    "bm25s_retrieve": Bm25sRetrieve,
    "tantivy": Tantivy,
}
