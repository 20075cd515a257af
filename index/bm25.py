"""Exact BM25 over an inverted index.

rank-bm25's ``BM25Okapi`` defines the score (its floats, its idf floor); this module builds that
model, then derives postings from its state so a query touches only documents that contain a
query term, and returns the same float64 scores bit for bit.

Why the arithmetic matches: ``BM25Okapi.get_scores`` adds, for each query term in order,
``idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))`` to a zeroed float64 array. Each
posting's weight here is that same expression evaluated elementwise by numpy in the same order, and
scores are sums of weights in query-term order starting from 0.0. Adding the ±0.0 that a
non-containing document receives never changes a float, so skipping it changes nothing.

Why ``top_k`` is fast yet exact: weights are positive for all but tiny corpora, so a document's
score is at least any partial sum of its weights and at most that plus the other terms' maximum
weights (float addition is monotone). Every term's postings are also kept sorted by weight
("impact order"), so its k-th weight is a free lower bound on the answer's k-th score θ. The
common case accumulates every posting of the query's rare terms (a per-thread scratch array),
adds the common terms' weights from small dense tf columns, and scores exactly only the ~k
documents that can still reach θ; documents holding only common terms are ruled out by their
maximum weights, or covered through their impact lists. Other queries score the top k postings of
every term exactly to get θ, then run the cheapest certified plan by a measured cost model:
allowances on the impact lists (Σ < θ, so no unread document can reach θ), accumulating only the
terms whose maximum weights do not fit under θ, or an exhaustive ``bincount`` over the query
terms' postings. Pruning keeps a relative slack of 1e-9, far above any summation-order rounding,
so it never drops a document that ties or beats the k-th; the returned scores are always the
exact query-order sums.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from index.bm25_arrays import DENSE_FRACTION as DENSE_FRACTION  # re-exported, as are BuildProgress and Hit
from index.bm25_arrays import BuildProgress as BuildProgress
from index.bm25_arrays import _plain, check_layout, derive_arrays, rank_bm25_model
from index.bm25_prune import Bm25Pruning
from index.bm25_select import DocArray, FloatArray, IntArray, _check_k, _select
from index.bm25_select import Hit as Hit  # re-exported: callers import Hit with the index

FORMAT_VERSION = 1


class Bm25Index(Bm25Pruning):
    """Read-only BM25 index; safe to query from several threads (queries allocate their own scratch).

    Layout (V terms, N docs, P postings), all numpy arrays:
      indptr[V+1]            term t's postings are [indptr[t], indptr[t+1]) in the impact arrays;
                             in ``docs``/``weights`` they start at indptr[t] + t, followed by a
                             sentinel (doc -1, weight 0.0) so a searchsorted position is always valid.
      docs, weights[P+V]     doc-ordered postings (int32 doc ids, float64 weights).
      tfs[P]                 term frequencies, doc-ordered (without sentinels).
      impact_docs[P]         postings ordered by weight descending, ties by doc ascending.
      impact_neg_weights[P]  the negated weights in that order (ascending, for searchsorted).
      idf[V]                 rank-bm25's floored idf.
      doc_len[N]             document lengths.
      length_norm[N]         k1 * (1 - b + b * doc_len / avgdl), rank-bm25's per-doc term.
      dense_row[V]           row of term t in dense_tf, or -1; common terms (df >= N/16) get
                             one so random access is a gather, not a binary search.
      dense_tf[R, N]         term frequencies of those terms for every document.
    """

    __slots__ = (
        "_average_idf",
        "_avgdl",
        "_b",
        "_dense_row",
        "_dense_tf",
        "_doc_len",
        "_docs",
        "_epsilon",
        "_idf",
        "_impact_docs",
        "_impact_neg_weights",
        "_indptr",
        "_k1",
        "_length_norm",
        "_local",
        "_max_weight",
        "_n_docs",
        "_term_info",
        "_terms",
        "_tfs",
        "_vocab",
        "_weights",
    )

    def __init__(
        self,
        *,
        terms: list[str],
        arrays: Mapping[str, npt.NDArray[Any]],
        k1: float,
        b: float,
        epsilon: float,
        avgdl: float,
        average_idf: float,
        vocab: dict[str, int] | None = None,
    ) -> None:
        """Wrap prebuilt arrays (from ``build`` or a persisted index); validates shapes, not content."""
        check_layout(arrays, len(terms))
        self._indptr = cast(IntArray, _plain(arrays["indptr"]))
        self._docs = cast(DocArray, _plain(arrays["docs"]))
        self._weights = cast(FloatArray, _plain(arrays["weights"]))
        self._tfs = _plain(arrays["tfs"])
        self._impact_docs = cast(DocArray, _plain(arrays["impact_docs"]))
        self._impact_neg_weights = cast(FloatArray, _plain(arrays["impact_neg_weights"]))
        self._idf = cast(FloatArray, _plain(arrays["idf"]))
        self._doc_len = cast(IntArray, _plain(arrays["doc_len"]))
        self._length_norm = cast(FloatArray, _plain(arrays["length_norm"]))
        self._dense_row = cast(npt.NDArray[np.int32], _plain(arrays["dense_row"]))
        self._dense_tf = _plain(arrays["dense_tf"])
        self._local = threading.local()
        self._term_info = np.empty((0, 5), dtype=np.float64)
        n_terms = len(terms)
        self._terms = terms
        self._vocab = vocab if vocab is not None else dict(zip(terms, range(n_terms), strict=True))
        if len(self._vocab) != n_terms:
            raise ValueError("index vocabulary has duplicate terms")
        if n_terms and int(np.diff(self._indptr).min()) < 1:
            raise ValueError("index has a term without postings")
        # One row per term, fetched with a single gather per query: first impact slot,
        # document frequency, largest weight, idf, dense tf row (or -1). All exact in float64.
        self._max_weight = cast(FloatArray, _plain(arrays["max_weight"]))
        self._term_info = np.column_stack(
            (self._indptr[:-1], np.diff(self._indptr), self._max_weight, self._idf, self._dense_row)
        ).astype(np.float64)
        self._n_docs = len(self._doc_len)
        self._k1 = float(k1)
        self._b = float(b)
        self._epsilon = float(epsilon)
        self._avgdl = float(avgdl)
        self._average_idf = float(average_idf)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        corpus: Sequence[Sequence[str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        progress: BuildProgress | None = None,
        dense_fraction: float = DENSE_FRACTION,
    ) -> Bm25Index:
        """Build rank-bm25's BM25Okapi on ``corpus`` and derive the postings from its state.

        Raises ValueError for corpora or parameters where rank-bm25 would divide by zero or
        produce NaN (no documents, only empty documents, k1 <= 0, b outside [0, 1], or b == 1
        with an empty document), and TypeError when a document is a str (a common slip that
        would silently index characters).
        """
        model = rank_bm25_model(corpus, k1, b, epsilon, progress)
        return cls.from_rank_bm25(model, progress=progress, dense_fraction=dense_fraction)

    @classmethod
    def from_rank_bm25(
        cls,
        model: Any,
        *,
        progress: BuildProgress | None = None,
        dense_fraction: float = DENSE_FRACTION,
    ) -> Bm25Index:
        """Derive the index from a built ``BM25Okapi`` (its doc_freqs, idf, doc_len, avgdl, k1, b).

        ``dense_fraction`` only trades memory for speed: terms in at least that fraction of
        documents get a tf column (0 gives every term one, > 1 none); scores do not change.
        """
        terms, vocab, arrays = derive_arrays(model, progress, dense_fraction)
        return cls(
            terms=terms,
            arrays=arrays,
            k1=float(model.k1),
            b=float(model.b),
            epsilon=float(model.epsilon),
            avgdl=float(model.avgdl),
            average_idf=float(model.average_idf),
            vocab=vocab,
        )

    # ------------------------------------------------------------------ state for persistence

    def to_arrays(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any], list[str]]:
        """Arrays, scalar metadata and the vocabulary (term id order), for ``index.persist``."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": self._indptr,
            "docs": self._docs,
            "weights": self._weights,
            "tfs": self._tfs,
            "impact_docs": self._impact_docs,
            "impact_neg_weights": self._impact_neg_weights,
            "idf": self._idf,
            "doc_len": self._doc_len,
            "length_norm": self._length_norm,
            "dense_row": self._dense_row,
            "dense_tf": self._dense_tf,
            "max_weight": self._max_weight,
        }
        meta: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "k1": self._k1,
            "b": self._b,
            "epsilon": self._epsilon,
            "avgdl": self._avgdl,
            "average_idf": self._average_idf,
            "n_docs": self._n_docs,
            "n_terms": len(self._terms),
        }
        return arrays, meta, self._terms

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any], terms: list[str]
    ) -> Bm25Index:
        """Inverse of ``to_arrays``; raises ValueError when the pieces do not fit together."""
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported BM25 index format {meta.get('format')!r}")
        try:
            index = cls(
                terms=terms,
                arrays=arrays,
                k1=float(meta["k1"]),
                b=float(meta["b"]),
                epsilon=float(meta["epsilon"]),
                avgdl=float(meta["avgdl"]),
                average_idf=float(meta["average_idf"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad BM25 index metadata: {exc}") from exc
        if index.n_docs != meta.get("n_docs"):
            raise ValueError("BM25 index metadata disagrees with its arrays")
        return index

    def prefetch(self) -> None:
        """Fault in every page of memory-mapped arrays now, rather than during the first queries.

        Reads one value per 4 KiB page (about 0.1-0.3 s per GB when the OS has the files
        cached); a no-op in effect for in-memory arrays.
        """
        for array in (
            self._docs,
            self._weights,
            self._impact_docs,
            self._impact_neg_weights,
            self._dense_tf,
            self._length_norm,
            self._indptr,
            self._idf,
            self._max_weight,
            self._dense_row,
            self._doc_len,
        ):
            flat = array.reshape(-1)
            if flat.size:
                np.add.reduce(flat[:: max(1, 4096 // flat.itemsize)], dtype=np.float64)

    # ------------------------------------------------------------------ small accessors

    @property
    def n_docs(self) -> int:
        """Number of documents in the corpus."""
        return self._n_docs

    @property
    def n_terms(self) -> int:
        """Vocabulary size."""
        return len(self._terms)

    @property
    def n_postings(self) -> int:
        """Number of (term, document) pairs."""
        return int(self._indptr[-1])

    @property
    def k1(self) -> float:
        return self._k1

    @property
    def b(self) -> float:
        return self._b

    @property
    def epsilon(self) -> float:
        return self._epsilon

    @property
    def avgdl(self) -> float:
        return self._avgdl

    @property
    def average_idf(self) -> float:
        """rank-bm25's mean raw idf (before flooring); the floor is epsilon times this."""
        return self._average_idf

    def idf(self, term: str) -> float | None:
        """rank-bm25's (floored) idf for ``term``, or None when the corpus never uses it."""
        tid = self._vocab.get(term)
        return None if tid is None else float(self._idf[tid])

    def doc_freq(self, term: str) -> int:
        """Number of documents containing ``term`` (0 when unknown)."""
        tid = self._vocab.get(term)
        if tid is None:
            return 0
        return int(self._indptr[tid + 1] - self._indptr[tid])

    def doc_len(self, doc: int) -> int:
        """Length of document ``doc`` in tokens."""
        return int(self._doc_len[self._check_doc(doc)])

    def term_freqs(self, doc: int) -> dict[str, int]:
        """Term → frequency for one document; scans all postings (slow path, for explanations)."""
        doc = self._check_doc(doc)
        slots = (self._docs == doc).nonzero()[0]
        # Term t's slots start at indptr[t] + t (one sentinel after each earlier term).
        slot_starts = self._indptr[:-1] + np.arange(len(self._terms), dtype=np.int64)
        term_ids = np.searchsorted(slot_starts, slots, side="right") - 1
        # Slot s of term t holds posting s - t (one sentinel per earlier term).
        tfs = self._tfs[slots - term_ids]
        terms = self._terms
        return {terms[t]: tf for t, tf in zip(term_ids.tolist(), tfs.tolist(), strict=True)}

    def _check_doc(self, doc: int) -> int:
        index = int(doc)
        if not 0 <= index < self._n_docs:
            raise IndexError(f"document {doc} out of range for {self._n_docs} documents")
        return index

    # ------------------------------------------------------------------ scoring

    def get_scores(self, query: Sequence[str]) -> FloatArray:
        """Scores of every document, bitwise equal to ``BM25Okapi(corpus).get_scores(query)``."""
        return self._full_scores(self._term_ids(query))

    def top_k(self, query: Sequence[str], k: int) -> list[Hit]:
        """The first k of a stable sort of ``get_scores`` by descending score (ties: lower doc first).

        Documents without any query term score 0.0 and take part, so this returns min(k, n_docs)
        hits; documents with negative scores (possible only in tiny corpora) come after them.
        """
        k = _check_k(k)
        if k == 0:
            return []
        occurrences = self._term_ids(query)
        if occurrences:
            hits = self._pruned(occurrences, k)
            if hits is not None and len(hits) == k and hits[-1].score > 0:
                return hits
        scores = self._full_scores(occurrences)
        return _select(None, scores, k)

    def matching(self, query: Sequence[str], k: int) -> list[Hit]:
        """Like ``top_k`` but only over documents containing at least one query term.

        A hit scores 0.0 only through terms whose idf is 0, and below 0 only through negative
        floored idf (tiny corpora). Returns fewer than k hits when fewer documents match.
        """
        k = _check_k(k)
        if k == 0:
            return []
        occurrences = self._term_ids(query)
        if not occurrences:
            return []
        hits = self._pruned(occurrences, k)
        if hits is None:
            hits = self._exhaustive_matching(occurrences, k)
        return hits
