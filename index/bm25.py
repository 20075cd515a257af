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

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DocArray = npt.NDArray[np.int32]

# Called with (stage, done, total) while building; total is 0 when unknown.
BuildProgress = Callable[[str, int, int], None]

FORMAT_VERSION = 1
_PROGRESS_EVERY = 10_000
# Cost model (nanoseconds, measured on numpy 2.x) that picks a query plan; see ``_pruned``.
_NS_LOOKUP_RARE = 25.0  # one (candidate, rare term) binary-search lookup
_NS_LOOKUP_COMMON = 6.0  # one (candidate, common term) tf-column lookup
_NS_ACCUMULATE = 8.0  # one posting added into the scratch accumulator
_NS_EXHAUSTIVE = 4.0  # one posting through np.bincount
_NS_PER_DOC = 1.5  # one document of the exhaustive path's dense pass
_NS_FIXED_EXHAUSTIVE = 15_000.0  # the exhaustive path's fixed cost
_NS_FIXED_RARE = 60_000.0  # the rare-terms-first path's fixed cost
# Relative margin that keeps float rounding (two summation orders of a few positive weights)
# from ever pruning a document that could still reach θ.
_SLACK = 1e-9
# Below this size, sorting is cheaper than deduplicating through the scratch buffer.
_SORT_MAX = 512
# Rare terms are accumulated up front when their postings number at most this share of the
# corpus plus this constant; otherwise a plan is chosen from exactly scored seeds.
_RARE_FIRST_MAX_SHARE = 0.1
_RARE_FIRST_MIN = 2048
# Terms in at least this fraction of documents get a dense tf column (cheap random access).
DENSE_FRACTION = 1 / 16

_ARRAY_NAMES = (
    "indptr",
    "docs",
    "weights",
    "tfs",
    "impact_docs",
    "impact_neg_weights",
    "idf",
    "doc_len",
    "length_norm",
    "dense_row",
    "dense_tf",
    "max_weight",
)


class Hit(NamedTuple):
    """One ranked document."""

    doc: int
    score: float


class Bm25Index:
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
        missing = [name for name in _ARRAY_NAMES if name not in arrays]
        if missing:
            raise ValueError(f"index arrays missing: {', '.join(missing)}")
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
        n_postings = int(self._indptr[-1]) if len(self._indptr) else -1
        expected = {
            "indptr": (n_terms + 1, np.int64),
            "docs": (n_postings + n_terms, np.int32),
            "weights": (n_postings + n_terms, np.float64),
            "tfs": (n_postings, None),
            "impact_docs": (n_postings, np.int32),
            "impact_neg_weights": (n_postings, np.float64),
            "idf": (n_terms, np.float64),
            "doc_len": (len(self._doc_len), np.int64),
            "length_norm": (len(self._doc_len), np.float64),
            "dense_row": (n_terms, np.int32),
            "max_weight": (n_terms, np.float64),
        }
        for name, (length, dtype) in expected.items():
            array = np.asarray(arrays[name])
            if array.ndim != 1 or len(array) != length or (dtype is not None and array.dtype != dtype):
                raise ValueError(f"index array {name!r} has shape {array.shape} / {array.dtype}")
        n_dense = int(self._dense_row.max(initial=-1)) + 1
        if self._dense_tf.shape != (n_dense, len(self._doc_len)) or self._dense_tf.dtype.kind != "u":
            raise ValueError(f"index array 'dense_tf' has shape {self._dense_tf.shape}")
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
        _check_params(k1, b, epsilon)
        n_docs = len(corpus)
        if n_docs == 0:
            raise ValueError("cannot build a BM25 index over an empty corpus")
        if not any(len(doc) for doc in corpus):
            raise ValueError(
                "cannot build a BM25 index when every document is empty "
                "(rank-bm25 would divide by an average document length of 0)"
            )
        if b == 1 and not all(len(doc) for doc in corpus):
            raise ValueError("b == 1 with an empty document makes rank-bm25 score NaN (0/0)")
        model = BM25Okapi(_checked_docs(corpus, progress, n_docs), k1=k1, b=b, epsilon=epsilon)
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
        doc_freqs: list[dict[str, int]] = model.doc_freqs
        idf_map: dict[str, float] = model.idf
        k1 = float(model.k1)
        b = float(model.b)
        avgdl = float(model.avgdl)
        n_docs = len(doc_freqs)
        if n_docs == 0 or not idf_map or not avgdl > 0:
            raise ValueError("rank-bm25 model has no terms; cannot derive an index")
        terms = list(idf_map)  # first-appearance order, as rank-bm25 summed the idfs
        if not all(isinstance(term, str) for term in terms):
            raise TypeError("terms must be str")
        n_terms = len(terms)
        vocab = dict(zip(terms, range(n_terms), strict=True))
        _report(progress, "postings", 0, 4)

        per_doc = np.fromiter(map(len, doc_freqs), dtype=np.int64, count=n_docs)
        n_postings = int(per_doc.sum())
        term_ids = np.fromiter(map(vocab.__getitem__, chain.from_iterable(doc_freqs)), dtype=np.int64, count=n_postings)
        tfs = np.fromiter(chain.from_iterable(freqs.values() for freqs in doc_freqs), dtype=np.int64, count=n_postings)
        doc_ids = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)
        del per_doc
        _report(progress, "postings", 1, 4)

        # Group by term; doc ids are already ascending, and the key is unique, so any sort works.
        order = np.argsort(term_ids * n_docs + doc_ids)
        term_ids = term_ids[order]
        doc_ids = doc_ids[order]
        tfs = tfs[order]
        del order
        _report(progress, "postings", 2, 4)

        doc_len = np.asarray(model.doc_len, dtype=np.int64)
        # Exactly rank-bm25's expressions, elementwise, in its evaluation order.
        length_norm = k1 * (1 - b + b * doc_len / avgdl)
        if not (np.all(np.isfinite(length_norm)) and np.all(length_norm > 0)):
            raise ValueError("these k1/b make rank-bm25 divide by zero for some document")
        idf = np.array([idf_map[term] for term in terms], dtype=np.float64)
        # rank-bm25 multiplies by ``idf or 0``; only -0.0 would differ, and it turns into 0.
        idf_used = np.array([float(idf_map[term] or 0) for term in terms], dtype=np.float64)
        weights = idf_used[term_ids] * (tfs * (k1 + 1) / (tfs + length_norm[doc_ids]))

        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=n_terms), out=indptr[1:])
        # Impact order: weight descending, ties by doc ascending (stable over doc order).
        impact = np.lexsort((-weights, term_ids))
        impact_docs = doc_ids[impact].astype(np.int32)
        impact_neg_weights = -weights[impact]
        del impact
        _report(progress, "postings", 3, 4)

        slots = np.arange(n_postings, dtype=np.int64) + term_ids
        docs = np.full(n_postings + n_terms, -1, dtype=np.int32)
        docs[slots] = doc_ids
        sentinel_weights = np.zeros(n_postings + n_terms, dtype=np.float64)
        sentinel_weights[slots] = weights
        del slots, weights

        term_df = np.diff(indptr)
        is_dense = term_df >= dense_fraction * n_docs
        dense_row = np.full(n_terms, -1, dtype=np.int32)
        dense_row[is_dense] = np.arange(int(is_dense.sum()), dtype=np.int32)
        posting_row = dense_row[term_ids]
        in_dense = posting_row >= 0
        max_tf = int(tfs.max()) if n_postings else 0
        tf_dtype = np.uint8 if max_tf < 2**8 else np.uint16 if max_tf < 2**16 else np.uint32
        dense_tf = np.zeros((int(is_dense.sum()), n_docs), dtype=tf_dtype)
        dense_tf[posting_row[in_dense], doc_ids[in_dense]] = tfs[in_dense]
        del posting_row, in_dense, doc_ids, term_ids
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": indptr,
            "docs": docs,
            "weights": sentinel_weights,
            "tfs": tfs.astype(tf_dtype),
            "impact_docs": impact_docs,
            "impact_neg_weights": impact_neg_weights,
            "idf": idf,
            "doc_len": doc_len,
            "length_norm": length_norm,
            "dense_row": dense_row,
            "dense_tf": dense_tf,
            "max_weight": -impact_neg_weights[indptr[:-1]],
        }
        _report(progress, "postings", 4, 4)
        return cls(
            terms=terms,
            arrays=arrays,
            k1=k1,
            b=b,
            epsilon=float(model.epsilon),
            avgdl=avgdl,
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

    # ------------------------------------------------------------------ internals

    def _term_ids(self, query: Sequence[str]) -> list[int]:
        """Known query terms as ids, in query order, duplicates kept (they count again)."""
        if isinstance(query, str):
            raise TypeError("query must be a sequence of tokens, not a str")
        get = self._vocab.get
        return [tid for tid in map(get, query) if tid is not None]

    def _segments(self, term_ids: Iterable[int]) -> tuple[list[DocArray], list[FloatArray]]:
        """Doc-ordered postings (without sentinels) of each term, in the given order."""
        indptr = self._indptr
        docs = self._docs
        weights = self._weights
        doc_parts: list[DocArray] = []
        weight_parts: list[FloatArray] = []
        for tid in term_ids:
            start = int(indptr[tid]) + tid
            stop = int(indptr[tid + 1]) + tid
            doc_parts.append(docs[start:stop])
            weight_parts.append(weights[start:stop])
        return doc_parts, weight_parts

    def _full_scores(self, occurrences: list[int]) -> FloatArray:
        """All N scores: bincount adds in input order, i.e. per document in query-term order."""
        idf = self._idf
        scoring = [tid for tid in occurrences if idf[tid] != 0]
        if not scoring:
            return np.zeros(self._n_docs, dtype=np.float64)
        doc_parts, weight_parts = self._segments(scoring)
        docs = np.concatenate(doc_parts).astype(np.intp)
        weights = np.concatenate(weight_parts)
        return cast(FloatArray, np.bincount(docs, weights, minlength=self._n_docs))

    def _exhaustive_matching(self, occurrences: list[int], k: int, floor: float | None = None) -> list[Hit]:
        """Score every posting of the query terms, for queries pruning cannot help.

        ``floor``, when given, is a known lower bound on the k-th best score of a query whose
        weights are all positive; it keeps the selection small.
        """
        scores = self._full_scores(occurrences)
        idf = self._idf
        distinct = list(dict.fromkeys(occurrences))
        if floor is not None:
            candidates = (scores >= floor).nonzero()[0]
        elif all(idf[tid] > 0 for tid in distinct):
            # A sum of positive weights is positive, so "matches" is "scores above 0".
            candidates = (scores > 0).nonzero()[0]
        else:
            mask = np.zeros(self._n_docs, dtype=np.bool_)
            for part in self._segments(distinct)[0]:
                mask[part] = True
            candidates = mask.nonzero()[0]
        return _select(candidates, scores[candidates], k)

    def _query_terms(self, occurrences: list[int]) -> tuple[_Terms | None, bool]:
        """Weighted terms of a query; (None, _) when a negative idf forbids pruning.

        The bool says whether the query also has idf-0 terms, whose documents match with 0.0.
        """
        distinct = list(dict.fromkeys(occurrences))
        info = self._term_info[distinct].tolist()
        ids: list[int] = []
        rows_info: list[list[float]] = []
        has_zero = False
        for tid, row in zip(distinct, info, strict=True):
            if row[3] > 0:
                ids.append(tid)
                rows_info.append(row)
            elif row[3] < 0:
                return None, has_zero
            else:
                has_zero = True
        if not ids:
            return None, has_zero
        return _Terms(ids, occurrences, rows_info), has_zero

    def _dense_contributions(self, terms: _Terms, rows: list[int], candidates: DocArray) -> FloatArray:
        """Weights of common-term ``rows`` for ``candidates``, from tf columns.

        Same expression, elementwise, as the stored weights (and rank-bm25); a missing term
        has tf 0 and so weight 0.0.
        """
        dense_of = terms.dense_of
        index = candidates.astype(np.intp)
        norm = self._length_norm.take(index)
        if len(rows) == 1:
            tf1 = self._dense_tf[dense_of[rows[0]]].take(index)
            return cast(FloatArray, (terms.idf_of[rows[0]] * (tf1 * (self._k1 + 1) / (tf1 + norm)))[None, :])
        # Row-wise take: much faster than a broadcast 2-D fancy index.
        tf = np.empty((len(rows), len(index)), dtype=self._dense_tf.dtype)
        for slot, row in enumerate(rows):
            self._dense_tf[dense_of[row]].take(index, out=tf[slot])
        ratio = tf * (self._k1 + 1) / (tf + norm)
        idf = np.array([terms.idf_of[row] for row in rows])
        return cast(FloatArray, idf[:, None] * ratio)

    def _score(
        self,
        candidates: DocArray,
        terms: _Terms,
        contributions: FloatArray | None = None,
        filled: Sequence[int] = (),
    ) -> FloatArray:
        """Exact scores of distinct ``candidates`` (int32): contributions summed in query order.

        Rare terms are looked up by binary search in their doc-ordered postings (the sentinel
        after each segment keeps every position valid), common ones through their tf columns.
        ``contributions`` (rows × candidates) may arrive with the ``filled`` rows already
        holding exact weights. np.add.reduce over axis 0 adds the rows sequentially.
        """
        sparse = [row for row in terms.sparse if row not in filled]
        dense = [row for row in terms.dense if row not in filled]
        found: FloatArray | None = None
        if sparse:
            docs = self._docs
            starts = terms.starts
            dfs = terms.dfs
            positions = np.empty((len(sparse), len(candidates)), dtype=np.intp)
            for slot, row in enumerate(sparse):
                start = starts[row]
                positions[slot] = docs[start : start + dfs[row]].searchsorted(candidates)
            positions += np.array([starts[row] for row in sparse], dtype=np.intp)[:, None]
            found = np.where(docs.take(positions) == candidates, self._weights.take(positions), 0.0)
        if contributions is None and not filled and found is not None and not dense:
            contributions = found  # only rare rows, already in row order
        else:
            if contributions is None:
                contributions = np.empty((len(terms.ids), len(candidates)), dtype=np.float64)
            if found is not None:
                contributions[sparse] = found
            if dense:
                contributions[dense] = self._dense_contributions(terms, dense, candidates)
        if terms.repeated:
            contributions = contributions[terms.rows]
        return cast(FloatArray, np.add.reduce(contributions, axis=0))

    def _scratch(self) -> FloatArray:
        """This thread's zeroed accumulator of n_docs floats (users restore the zeros)."""
        local = self._local
        scratch: FloatArray | None = getattr(local, "scratch", None)
        if scratch is None:
            scratch = np.zeros(self._n_docs, dtype=np.float64)
            local.scratch = scratch
        return scratch

    def _distinct(self, docs: DocArray) -> DocArray:
        """Distinct doc ids: by sorting when few, else in O(n) through the scratch buffer."""
        if len(docs) <= _SORT_MAX:
            return _union([docs])
        index = docs.astype(np.intp)
        marks = np.arange(len(index), dtype=np.float64)
        scratch = self._scratch()
        try:
            scratch[index] = marks  # with repeats the last write wins...
            last = scratch.take(index) == marks  # ...so exactly one entry per doc matches
        finally:
            scratch[index] = 0.0
        return cast(DocArray, docs[last])

    def _pruned(self, occurrences: list[int], k: int) -> list[Hit] | None:
        """Top k matching documents, or None when only the exhaustive path can answer.

        Handles queries whose weighted terms all have positive idf (idf-0 terms only add
        zero-score matches, which matter only when fewer than k documents score above 0).
        """
        terms, has_zero = self._query_terms(occurrences)
        if terms is None:
            return None
        if len(terms.rows) == 1:  # one weighted occurrence: its impact order is the answer
            low, df = terms.lows[0], terms.dfs[0]
            if df < k and has_zero:
                return None
            stop = low + min(k, df)
            return _hits(self._impact_docs[low:stop], -self._impact_neg_weights[low:stop])
        # Any term's k-th impact weight is a lower bound on θ (k docs score at least that).
        floor = max(
            -float(self._impact_neg_weights[low + k - 1]) if df >= k else 0.0
            for low, df in zip(terms.lows, terms.dfs, strict=True)
        )
        exhaustive_ns = (
            _NS_FIXED_EXHAUSTIVE
            + _NS_EXHAUSTIVE * sum(terms.dfs[row] for row in terms.rows)
            + _NS_PER_DOC * self._n_docs
        )
        rare_postings = sum(terms.dfs[row] for row in terms.sparse)
        rare_ns = _NS_FIXED_RARE + _NS_ACCUMULATE * rare_postings
        if floor > 0 and exhaustive_ns <= rare_ns:
            return self._exhaustive_matching(occurrences, k, floor=floor)
        if terms.sparse and rare_postings <= _RARE_FIRST_MAX_SHARE * self._n_docs + _RARE_FIRST_MIN:
            hits = self._rare_first(terms, k, floor)
            if hits is not None:
                return hits
        return self._planned(terms, occurrences, k, has_zero)

    def _rare_first(self, terms: _Terms, k: int, floor: float) -> list[Hit] | None:
        """Accumulate every posting of the rare terms, add the common terms' weights from tf
        columns, and exact-score only the ~k best; None when fewer than k docs have a rare term.

        A document without any rare term scores at most the common terms' maxima; when that
        bound is not below θ, allowances on the common terms' impact lists cover those.
        """
        docs = self._docs
        weights = self._weights
        starts = terms.starts
        dfs = terms.dfs
        multiplicity = terms.multiplicity
        sparse = terms.sparse
        single = len(sparse) == 1
        if single:
            row = sparse[0]
            segment = slice(starts[row], starts[row] + dfs[row])
            touched = docs[segment]
            own = partial = weights[segment]  # this term's exact weights, reused below
            if multiplicity[row] > 1:
                partial = partial * multiplicity[row]
        else:
            # Entries of a document that several rare terms share all carry its full partial
            # sum; they are deduplicated once filtering has made them few.
            touched, partial = self._accumulate(terms, sparse)
            own = partial
        dense = terms.dense
        common: FloatArray | None = None
        if dense:
            common_max = sum(terms.max_weight[row] * multiplicity[row] for row in dense)
            keep = (partial >= floor - common_max - _slack(floor)).nonzero()[0]
            if len(keep) < len(partial):
                touched = touched.take(keep)
                partial = partial.take(keep)
                own = own.take(keep)
            # Exact per-term weights (the same expression as the postings), reused for scoring.
            common = self._dense_contributions(terms, dense, touched)
            weighted = common
            if terms.repeated:
                weighted = common * np.array([multiplicity[row] for row in dense])[:, None]
            approx = partial + np.add.reduce(weighted, axis=0)
        else:
            approx = partial
        chosen = (approx >= floor - _slack(floor)).nonzero()[0]
        if not single:
            chosen = chosen.take(self._first_positions(touched.take(chosen)))
        if len(chosen) < k:
            return None
        chosen_approx = approx.take(chosen)
        level = _kth_largest(chosen_approx, k)
        chosen = chosen[chosen_approx >= level - _slack(level)]
        candidates = touched.take(chosen)
        # Rows whose exact weights are already at hand: the common terms' and a lone rare one's.
        contributions = np.empty((len(dfs), len(chosen)), dtype=np.float64)
        filled: list[int] = []
        if common is not None:
            contributions[dense] = common.take(chosen, axis=1)
            filled.extend(dense)
        if single:
            contributions[sparse[0]] = own.take(chosen)
            filled.append(sparse[0])
        scores = self._score(candidates, terms, contributions, filled)
        order = np.lexsort((candidates, -scores))
        theta = float(scores[order[k - 1]])
        common_bound = [terms.max_weight[row] if terms.dense_of[row] >= 0 else 0.0 for row in range(len(dfs))]
        if _ordered_sum(common_bound, terms.rows) < theta:
            order = order[:k]
            return _hits(candidates.take(order), scores.take(order))
        # Documents with only common terms might still rank: allowances on those terms' impact
        # lists (Σ < θ) leave out only documents scoring below θ.
        allowance = [0.0] * len(dfs)
        left = theta * (1.0 - _SLACK)
        for row in terms.by_df:
            if terms.dense_of[row] >= 0:
                give = min(terms.max_weight[row], left / multiplicity[row])
                allowance[row] = give
                left = max(0.0, left - give * multiplicity[row])
        if not _ordered_sum(allowance, terms.rows) < theta:
            return None
        parts = [candidates]
        extra = 0
        for row in dense:
            low = terms.lows[row]
            stop = int(self._impact_neg_weights[low : low + dfs[row]].searchsorted(-allowance[row]))
            parts.append(self._impact_docs[low : low + stop])
            extra += stop
        if extra * terms.lookup_ns > _NS_EXHAUSTIVE * sum(dfs[row] for row in terms.rows):
            return None
        candidates = self._distinct(np.concatenate(parts))
        return _select(candidates, self._score(candidates, terms), k, floor=theta)

    def _accumulate(self, terms: _Terms, rows: list[int]) -> tuple[DocArray, FloatArray]:
        """Concatenated postings of ``rows`` (repeats of a document included) and, per entry,
        the sum of those terms' weights for its document (in no particular order: these sums
        only filter, exact scores come from ``_score``)."""
        docs = self._docs
        weights = self._weights
        starts = terms.starts
        dfs = terms.dfs
        doc_parts = []
        weight_parts = []
        for row in rows:
            segment = slice(starts[row], starts[row] + dfs[row])
            doc_parts.append(docs[segment])
            count = terms.multiplicity[row]
            weight_parts.append(weights[segment] if count == 1 else weights[segment] * count)
        touched = np.concatenate(doc_parts)
        index = touched.astype(np.intp)
        scratch = self._scratch()
        try:
            np.add.at(scratch, index, np.concatenate(weight_parts))
            return touched, scratch.take(index)
        finally:
            scratch[index] = 0.0

    def _planned(self, terms: _Terms, occurrences: list[int], k: int, has_zero: bool) -> list[Hit] | None:
        """Seeds (the top k postings of every term, scored exactly) give θ, a lower bound on the
        answer's k-th score. Then the cheapest (by a measured cost model) of three certified
        plans runs: allowances on impact-ordered prefixes, accumulating the terms whose maximum
        weights do not fit under θ, or scoring every posting.
        """
        lows = terms.lows
        dfs = terms.dfs
        rows = terms.rows
        impact_docs = self._impact_docs
        neg_weights = self._impact_neg_weights
        depths = [min(k, df) for df in dfs]
        seeds = _union([impact_docs[low : low + d] for low, d in zip(lows, depths, strict=True)])
        seed_scores = self._score(seeds, terms)
        if depths == dfs:  # every posting was seen: the seeds are the whole matching set
            if len(seeds) < k and has_zero:
                return None
            return _select(seeds, seed_scores, k)
        # Some term has more than k postings, so there are at least k seeds.
        theta = _kth_largest(seed_scores, k)
        # A document outside every seed prefix has, per term, weight <= the next impact weight.
        nexts = [-float(neg_weights[low + d]) if d < df else 0.0 for low, d, df in zip(lows, depths, dfs, strict=True)]
        if _ordered_sum(nexts, rows) < theta:
            return _select(seeds, seed_scores, k)

        multiplicity = terms.multiplicity
        budget = theta * (1.0 - _SLACK)
        # Plan A: allowances (Σ < θ), most common terms first since skipping them is cheapest;
        # every posting heavier than its term's allowance becomes a candidate.
        allowance = [0.0] * len(dfs)
        left = budget
        for row in terms.by_df:
            give = min(nexts[row], left / multiplicity[row])
            allowance[row] = give
            left = max(0.0, left - give * multiplicity[row])
        stops = [
            int(neg_weights[low : low + df].searchsorted(-allowance[row], side="left"))
            if allowance[row] < nexts[row]
            else depth
            for row, (low, depth, df) in enumerate(zip(lows, depths, dfs, strict=True))
        ]
        plan_a = math.inf
        if _ordered_sum(allowance, rows) < theta:
            plan_a = (len(seeds) + sum(stops) - sum(depths)) * terms.lookup_ns
        # Plan B: skip the most common terms while their maximum weights sum below θ; a
        # document needs the other terms' weights to reach θ, so accumulate those fully.
        skipped = [False] * len(dfs)
        skip_total = 0.0
        for row in terms.by_df:
            total = skip_total + terms.max_weight[row] * multiplicity[row]
            if total < budget:
                skipped[row] = True
                skip_total = total
        plan_b = math.inf
        skip_bound = [terms.max_weight[row] if skipped[row] else 0.0 for row in range(len(dfs))]
        if _ordered_sum(skip_bound, rows) < theta:
            plan_b = _NS_ACCUMULATE * sum(dfs[row] for row in rows if not skipped[row])
        # Plan C: every posting.
        plan_c = _NS_EXHAUSTIVE * sum(dfs[row] for row in rows) + _NS_PER_DOC * self._n_docs

        if plan_a <= plan_b and plan_a <= plan_c:
            parts = [seeds]
            for low, depth, stop in zip(lows, depths, stops, strict=True):
                if stop > depth:
                    parts.append(impact_docs[low + depth : low + stop])
            candidates = self._distinct(np.concatenate(parts))
        elif plan_b <= plan_c:
            candidates = self._accumulated(terms, k, theta, skip_total, skipped)
        else:
            return self._exhaustive_matching(occurrences, k, floor=theta)
        # Certified: any other document scores below θ <= the k-th best candidate.
        return _select(candidates, self._score(candidates, terms), k, floor=theta)

    def _accumulated(self, terms: _Terms, k: int, theta: float, skip_total: float, skipped: list[bool]) -> DocArray:
        """The few documents that can still reach θ, found by adding up the non-skipped terms.

        A document's score is at least its partial sum over those terms (weights are
        positive) and at most that plus ``skip_total``, so partial sums below
        θ - skip_total rule it out. The survivors' approximate full scores (partial plus
        the skipped terms' actual weights, summed in another order, so within a few ulps)
        then pick the ~k documents worth scoring exactly.
        """
        docs = self._docs
        weights = self._weights
        starts = terms.starts
        dfs = terms.dfs
        threshold = theta - skip_total - _slack(theta)
        kept = [row for row in range(len(dfs)) if not skipped[row]]
        if len(kept) == 1:
            row = kept[0]
            segment = slice(starts[row], starts[row] + dfs[row])
            partial = weights[segment]
            if terms.multiplicity[row] > 1:
                partial = partial * terms.multiplicity[row]
            keep = partial >= threshold
            survivors = docs[segment][keep]
            partial = partial[keep]
        else:
            touched, partial = self._accumulate(terms, kept)
            keep = partial >= threshold
            survivors = touched[keep]
            partial = partial[keep]
            first = self._first_positions(survivors)
            survivors = survivors[first]
            partial = partial[first]
        approx = partial
        for row in range(len(dfs)):
            if skipped[row]:
                extra = self._row_weights(terms, row, survivors)
                if terms.multiplicity[row] > 1:
                    extra = extra * terms.multiplicity[row]
                approx = approx + extra
        keep = approx >= theta - _slack(theta)
        survivors = survivors[keep]
        approx = approx[keep]
        if len(approx) > 4 * k:
            level = _kth_largest(approx, k)
            survivors = survivors[approx >= level - _slack(level)]
        return survivors

    def _row_weights(self, terms: _Terms, row: int, candidates: DocArray) -> FloatArray:
        """One term's weights for ``candidates`` (0.0 where absent)."""
        dense = terms.dense_of[row]
        if dense >= 0:
            index = candidates.astype(np.intp)
            tf = self._dense_tf[dense].take(index)
            ratio = tf * (self._k1 + 1) / (tf + self._length_norm.take(index))
            return cast(FloatArray, terms.idf_of[row] * ratio)
        start = terms.starts[row]
        positions = self._docs[start : start + terms.dfs[row]].searchsorted(candidates) + start
        return np.where(self._docs.take(positions) == candidates, self._weights.take(positions), 0.0)

    def _first_positions(self, docs: DocArray) -> IntArray:
        """Positions of one entry per distinct doc id (sorting when few, else via scratch)."""
        if len(docs) <= _SORT_MAX:
            order = np.argsort(docs, kind="stable")
            ordered = docs[order]
            first = np.empty(len(ordered), dtype=np.bool_)
            first[:1] = True
            np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            return order[first]
        index = docs.astype(np.intp)
        marks = np.arange(len(index), dtype=np.float64)
        scratch = self._scratch()
        try:
            scratch[index] = marks  # with repeats the last write wins...
            last = scratch.take(index) == marks  # ...so exactly one entry per doc matches
        finally:
            scratch[index] = 0.0
        return cast(IntArray, last.nonzero()[0])


class _Terms:
    """The weighted (positive idf) terms of one query, in first-occurrence order ("rows")."""

    __slots__ = (
        "dense",
        "dense_of",
        "dfs",
        "idf_of",
        "ids",
        "lows",
        "max_weight",
        "multiplicity",
        "repeated",
        "rows",
        "sparse",
        "starts",
    )

    def __init__(self, ids: list[int], occurrences: list[int], info: list[list[float]]) -> None:
        self.ids = ids
        count = len(ids)
        if len(occurrences) == count:  # each occurrence is a distinct weighted term
            self.rows = list(range(count))
            self.multiplicity = [1] * count
            self.repeated = False
        else:
            row_of = {tid: row for row, tid in enumerate(ids)}
            # Row of each weighted occurrence, in query order (repeats count again).
            self.rows = [row_of[tid] for tid in occurrences if tid in row_of]
            self.multiplicity = [0] * count
            for row in self.rows:
                self.multiplicity[row] += 1
            self.repeated = len(self.rows) != count
        lows: list[int] = []
        dfs: list[int] = []
        starts: list[int] = []
        max_weight: list[float] = []
        idf_of: list[float] = []
        dense_of: list[int] = []
        sparse: list[int] = []
        dense: list[int] = []
        self.lows, self.dfs, self.starts, self.max_weight = lows, dfs, starts, max_weight
        self.idf_of, self.dense_of, self.sparse, self.dense = idf_of, dense_of, sparse, dense
        for row, (tid, (low, df, weight, idf, dense_row)) in enumerate(zip(ids, info, strict=True)):
            low_int = int(low)
            lows.append(low_int)
            dfs.append(int(df))
            starts.append(low_int + tid)
            max_weight.append(weight)
            idf_of.append(idf)
            dense_int = int(dense_row)
            dense_of.append(dense_int)
            (dense if dense_int >= 0 else sparse).append(row)

    @property
    def by_df(self) -> list[int]:
        """Rows by descending document frequency (most common first)."""
        return sorted(range(len(self.ids)), key=self.dfs.__getitem__, reverse=True)

    @property
    def lookup_ns(self) -> float:
        """Estimated cost of scoring one candidate exactly."""
        return _NS_LOOKUP_RARE * len(self.sparse) + _NS_LOOKUP_COMMON * len(self.dense)


# ---------------------------------------------------------------------- helpers


def _check_params(k1: float, b: float, epsilon: float) -> None:
    """Reject parameters where rank-bm25's arithmetic yields NaN or infinities."""
    if not (math.isfinite(k1) and k1 > 0):
        raise ValueError(f"k1 must be a finite number > 0, got {k1!r}")
    if not (math.isfinite(b) and 0 <= b <= 1):
        raise ValueError(f"b must be in [0, 1], got {b!r}")
    if not math.isfinite(epsilon):
        raise ValueError(f"epsilon must be finite, got {epsilon!r}")


def _check_k(k: int) -> int:
    value = int(k)
    if value < 0:
        raise ValueError(f"k must be >= 0, got {k!r}")
    return value


def _report(progress: BuildProgress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _checked_docs(
    corpus: Sequence[Sequence[str]], progress: BuildProgress | None, total: int
) -> Iterator[Sequence[str]]:
    """Feed rank-bm25 the documents, rejecting str documents and reporting progress."""
    for number, doc in enumerate(corpus):
        if isinstance(doc, str):
            raise TypeError(f"document {number} is a str; pass a sequence of tokens")
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress("counting", number, total)
        yield doc
    _report(progress, "counting", total, total)


def _plain(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A base-class view with the canonical dtype instance.

    np.memmap slicing runs Python-level hooks on every query, and arrays whose dtype object
    is a copy (as unpickling makes) miss numpy's fast paths (np.add.at is ~25x slower).
    """
    array = np.asarray(array)
    return array.view(type=np.ndarray, dtype=np.dtype(array.dtype.str))


def _slack(value: float) -> float:
    """Margin covering the rounding gap between two summation orders of a few positive floats."""
    return abs(value) * _SLACK + 1e-300


def _kth_largest(values: FloatArray, k: int) -> float:
    part = values.copy()
    part.partition(len(part) - k)
    return float(part[len(part) - k])


def _union(parts: list[DocArray]) -> DocArray:
    """Sorted distinct doc ids (np.unique is several times slower on small arrays)."""
    merged = np.sort(np.concatenate(parts)) if len(parts) > 1 else np.sort(parts[0])
    if len(merged) < 2:
        return merged
    keep = np.empty(len(merged), dtype=np.bool_)
    keep[0] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


def _ordered_sum(values: list[float], rows: list[int]) -> float:
    """Float sum of per-term values over query occurrences, in query order (as scores are summed)."""
    total = 0.0
    for row in rows:
        total += values[row]
    return total


def _hits(docs: npt.NDArray[Any], scores: FloatArray) -> list[Hit]:
    return list(map(Hit._make, zip(docs.tolist(), scores.tolist(), strict=True)))


def _select(docs: npt.NDArray[Any] | None, scores: FloatArray, k: int, floor: float | None = None) -> list[Hit]:
    """First k of a stable descending sort of ``scores`` (ties: lower doc first).

    ``docs`` are distinct doc ids in any order (None: 0..n-1). ``floor``, when given, is known
    to be at most the k-th best score, so everything below it can be dropped first.
    """
    if floor is not None:
        keep = scores >= floor
        scores = scores[keep]
        docs = keep.nonzero()[0] if docs is None else docs[keep]
    if len(scores) > max(k, _SORT_MAX):
        # Keep the strictly better ones and, of the ties at the k-th value, the lowest docs.
        kth = _kth_largest(scores, k)
        better = (scores > kth).nonzero()[0]
        ties = (scores == kth).nonzero()[0]
        if docs is not None:
            ties = ties[np.argsort(docs[ties], kind="stable")]
        chosen = np.concatenate((better, ties[: k - len(better)]))
        scores = scores[chosen]
        docs = chosen if docs is None else docs[chosen]
    if docs is None:
        order = np.argsort(-scores, kind="stable")[:k]
        return _hits(order, scores[order])
    order = np.lexsort((docs, -scores))[:k]
    return _hits(docs[order], scores[order])
