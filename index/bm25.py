"""Exact BM25 over an inverted index.

rank-bm25's ``BM25Okapi`` defines the score (its floats, its idf floor); this module builds that
model, then derives postings from its state so a query touches only documents that contain a
query term, and returns the same float64 scores bit for bit.

Why the arithmetic matches: ``BM25Okapi.get_scores`` adds, for each query term in order,
``idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))`` to a zeroed float64 array. Each
posting's weight here is that same expression evaluated elementwise by numpy in the same order, and
scores are sums of weights in query-term order starting from 0.0. Adding the ±0.0 that a
non-containing document receives never changes a float, so skipping it changes nothing.

Why ``top_k`` is fast yet exact: each term also keeps its postings sorted by weight ("impact
order"). A query first scores the top few postings of every term; the k-th best of those exact
scores is a lower bound θ on the final k-th score. Each term t is then given an allowance a_t with
Σ a_t < θ, and only postings heavier than a_t are scored. A document outside every such prefix
scores at most the float sum of the allowances (float addition is monotone), so it cannot reach the
top k. Queries where that would not save work fall back to an exhaustive ``bincount`` that still
only reads the query terms' postings.
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
# Cost model (nanoseconds) used to choose between the pruned and the exhaustive query paths.
_NS_PER_RANDOM_ACCESS = 30.0
_NS_PER_POSTING = 6.0
_NS_PER_DOC = 1.5
# The allowances are kept this far (relatively) below θ so rounding cannot make their sum reach it.
_ALLOWANCE_SLACK = 1e-9
# Pruning rounds before giving up, and how much deeper each round reads the uncovered terms.
_MAX_ROUNDS = 5
# Finish at once when the certified candidate set needs at most this many extra lookups.
_FINISH_LOOKUPS = 8192
_DEEPEN = 4
# Rare-term partial sums are pre-filtered by a lower bound on θ above this many documents.
_PREFILTER_MIN = 256
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
        "_avgdl",
        "_average_idf",
        "_b",
        "_doc_len",
        "_docs",
        "_epsilon",
        "_idf",
        "_impact_docs",
        "_impact_neg_weights",
        "_indptr",
        "_k1",
        "_length_norm",
        "_dense_row",
        "_dense_tf",
        "_local",
        "_n_docs",
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
        # Plain ndarray views: np.memmap slicing goes through Python-level hooks on every query.
        self._indptr = cast(IntArray, np.asarray(arrays["indptr"]).view(np.ndarray))
        self._docs = cast(DocArray, np.asarray(arrays["docs"]).view(np.ndarray))
        self._weights = cast(FloatArray, np.asarray(arrays["weights"]).view(np.ndarray))
        self._tfs = np.asarray(arrays["tfs"]).view(np.ndarray)
        self._impact_docs = cast(DocArray, np.asarray(arrays["impact_docs"]).view(np.ndarray))
        self._impact_neg_weights = cast(
            FloatArray, np.asarray(arrays["impact_neg_weights"]).view(np.ndarray)
        )
        self._idf = cast(FloatArray, np.asarray(arrays["idf"]).view(np.ndarray))
        self._doc_len = cast(IntArray, np.asarray(arrays["doc_len"]).view(np.ndarray))
        self._length_norm = cast(FloatArray, np.asarray(arrays["length_norm"]).view(np.ndarray))
        self._dense_row = cast(npt.NDArray[np.int32], np.asarray(arrays["dense_row"]).view(np.ndarray))
        self._dense_tf = np.asarray(arrays["dense_tf"]).view(np.ndarray)
        self._local = threading.local()
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
        term_ids = np.fromiter(
            map(vocab.__getitem__, chain.from_iterable(doc_freqs)), dtype=np.int64, count=n_postings
        )
        tfs = np.fromiter(
            chain.from_iterable(freqs.values() for freqs in doc_freqs), dtype=np.int64, count=n_postings
        )
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
        slots = np.flatnonzero(self._docs == doc)
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
        return np.bincount(docs, weights, minlength=self._n_docs)

    def _exhaustive_matching(self, occurrences: list[int], k: int) -> list[Hit]:
        """Score every posting of the query terms; used when pruning cannot help."""
        scores = self._full_scores(occurrences)
        idf = self._idf
        distinct = list(dict.fromkeys(occurrences))
        if all(idf[tid] > 0 for tid in distinct):
            # A sum of positive weights is positive, so "matches" is "scores above 0".
            candidates = np.flatnonzero(scores > 0)
        else:
            mask = np.zeros(self._n_docs, dtype=np.bool_)
            for part in self._segments(distinct)[0]:
                mask[part] = True
            candidates = np.flatnonzero(mask)
        return _select(candidates, scores[candidates], k)

    def _query_terms(self, occurrences: list[int]) -> tuple[_Terms | None, bool]:
        """Weighted terms of a query; (None, _) when a negative idf forbids pruning.

        The bool says whether the query also has idf-0 terms, whose documents match with 0.0.
        """
        indptr = self._indptr
        idf = self._idf
        dense_row = self._dense_row
        ids: list[int] = []
        has_zero = False
        for tid in dict.fromkeys(occurrences):
            value = idf[tid]
            if value > 0:
                ids.append(tid)
            elif value < 0:
                return None, has_zero
            else:
                has_zero = True
        if not ids:
            return None, has_zero
        return _Terms(ids, occurrences, indptr, idf, dense_row, self._impact_neg_weights), has_zero

    def _dense_contributions(self, terms: _Terms, candidates: DocArray) -> FloatArray:
        """Weights of the common terms for ``candidates``, from tf columns.

        Same expression, elementwise, as the stored weights (and rank-bm25); a missing term
        has tf 0 and so weight 0.0.
        """
        tf = self._dense_tf[terms.dense_rows, candidates]
        ratio = tf * (self._k1 + 1) / (tf + self._length_norm[candidates])
        return cast(FloatArray, terms.dense_idf * ratio)

    def _score(self, candidates: DocArray, terms: _Terms) -> FloatArray:
        """Exact scores of sorted ``candidates`` (int32): contributions summed in query order.

        Rare terms are looked up by binary search in their doc-ordered postings, common ones
        through their tf columns; np.add.reduce over axis 0 adds the rows sequentially.
        """
        sparse = terms.sparse
        if sparse:
            docs = self._docs
            starts = terms.starts
            dfs = terms.dfs
            positions = np.empty((len(sparse), len(candidates)), dtype=np.intp)
            for slot, row in enumerate(sparse):
                start = starts[row]
                positions[slot] = docs[start : start + dfs[row]].searchsorted(candidates)
            positions += terms.sparse_starts
            found = np.where(docs[positions] == candidates, self._weights[positions], 0.0)
        if not terms.dense:
            contributions = found
        elif not sparse:
            contributions = self._dense_contributions(terms, candidates)
        else:
            contributions = np.empty((len(terms.ids), len(candidates)), dtype=np.float64)
            contributions[sparse] = found
            contributions[terms.dense] = self._dense_contributions(terms, candidates)
        if terms.repeated:
            contributions = contributions[terms.rows]
        return cast(FloatArray, np.add.reduce(contributions, axis=0))

    def _scratch(self) -> FloatArray:
        """This thread's zeroed accumulator of n_docs floats (callers restore the zeros)."""
        local = self._local
        scratch: FloatArray | None = getattr(local, "scratch", None)
        if scratch is None:
            scratch = np.zeros(self._n_docs, dtype=np.float64)
            local.scratch = scratch
        return scratch

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
        if terms.sparse:
            return self._accumulated(terms, k, has_zero)
        return self._thresholded(terms, k, has_zero, None, None)

    def _accumulated(self, terms: _Terms, k: int, has_zero: bool) -> list[Hit] | None:
        """Add up every posting of the rare terms, then exact-score only the best few documents.

        A document's exact score is at least its rare-term partial sum (weights are positive)
        and at most that plus the common terms' maximum weights; the approximate full score
        (partial + common weights, summed in another order) is within a few ulps of exact.
        """
        docs = self._docs
        weights = self._weights
        starts = terms.starts
        dfs = terms.dfs
        seg_docs = [docs[starts[row] : starts[row] + dfs[row]] for row in terms.sparse]
        touched = np.concatenate(seg_docs) if len(seg_docs) > 1 else seg_docs[0]
        scratch = self._scratch()
        try:
            for row in terms.rows:  # query order, repeats included
                if terms.dense_of[row] < 0:
                    start = starts[row]
                    scratch[docs[start : start + dfs[row]]] += weights[start : start + dfs[row]]
            partial = scratch[touched]
            if len(seg_docs) > 1:  # keep one entry per document
                marks = np.arange(len(touched), dtype=np.float64)
                scratch[touched] = marks
                first = scratch[touched] == marks
                touched = touched[first]
                partial = partial[first]
        finally:
            scratch[touched] = 0.0
        if len(touched) < k:
            return self._thresholded(terms, k, has_zero, None, None)
        if terms.dense:
            common_max = terms.dense_max_total
            if len(touched) > _PREFILTER_MIN:
                floor = float(np.partition(partial, len(partial) - k)[len(partial) - k])
                keep = partial >= floor - common_max - _slack(floor)
                touched = touched[keep]
                partial = partial[keep]
            common = self._dense_contributions(terms, touched)
            if terms.dense_multiplicity is not None:
                common = common * terms.dense_multiplicity
            approx = partial + np.add.reduce(common, axis=0)
        else:
            approx = partial
        level = float(np.partition(approx, len(approx) - k)[len(approx) - k])
        candidates = np.sort(touched[approx >= level - _slack(level)])
        scores = self._score(candidates, terms)
        theta = float(np.partition(scores, len(scores) - k)[len(scores) - k])
        # Documents without any rare term score at most the common terms' maxima.
        if _ordered_sum(terms.dense_max, terms.rows) < theta:
            return _select(candidates, scores, k)
        # Otherwise cover them with allowances on the common terms; every other document
        # with a rare term is already known to score below θ.
        depths = [df if dense < 0 else 0 for df, dense in zip(dfs, terms.dense_of, strict=True)]
        return self._thresholded(terms, k, has_zero, candidates, depths)

    def _thresholded(
        self,
        terms: _Terms,
        k: int,
        has_zero: bool,
        candidates: DocArray | None,
        depths: list[int] | None,
    ) -> list[Hit] | None:
        """Threshold algorithm over impact-ordered postings with allowances.

        Invariant: a document outside ``candidates`` either has weight <= the next unread
        impact weight for every term, or (after ``_accumulated``) is already known to score
        below the current θ. Seeds are the top k postings of every term; then either the
        unread bound is below θ, or each term gets an allowance (Σ < θ, most common terms
        first since skipping them is cheapest) and everything heavier is scored. When that is
        still large, the uncovered terms are read deeper first to raise θ.
        """
        impact_docs = self._impact_docs
        neg_weights = self._impact_neg_weights
        lows = terms.lows
        dfs = terms.dfs
        rows = terms.rows
        if depths is None or candidates is None:
            depths = [min(k, df) for df in dfs]
            candidates = _union([impact_docs[low : low + d] for low, d in zip(lows, depths, strict=True)])
        exhaustive_ns = _NS_PER_POSTING * sum(dfs[row] for row in rows) + _NS_PER_DOC * self._n_docs
        for round_number in range(_MAX_ROUNDS):
            scores = self._score(candidates, terms)
            if depths == dfs:  # every doc outside the candidates is accounted for
                if len(candidates) < k and has_zero:
                    return None
                return _select(candidates, scores, k)
            # Some term has more than k postings, and its first k or more are candidates.
            theta = float(np.partition(scores, len(scores) - k)[len(scores) - k])
            nexts = [
                -float(neg_weights[low + d]) if d < df else 0.0
                for low, d, df in zip(lows, depths, dfs, strict=True)
            ]
            if _ordered_sum(nexts, rows) < theta:
                return _select(candidates, scores, k)
            allowance = [0.0] * len(dfs)
            budget = theta * (1.0 - _ALLOWANCE_SLACK)
            for row in terms.by_df:
                give = min(nexts[row], budget / terms.multiplicity[row])
                allowance[row] = give
                budget = max(0.0, budget - give * terms.multiplicity[row])
            if not _ordered_sum(allowance, rows) < theta:
                return None
            stops = [
                int(neg_weights[low : low + df].searchsorted(-allowance[row], side="left"))
                if allowance[row] < nexts[row]
                else depth
                for row, (low, depth, df) in enumerate(zip(lows, depths, dfs, strict=True))
            ]
            extra = sum(stops) - sum(depths)
            final = (
                extra * len(dfs) <= _FINISH_LOOKUPS
                or extra <= len(candidates)
                or round_number == _MAX_ROUNDS - 1
            )
            if not final:  # read the uncovered terms deeper first, to raise θ
                stops = [min(stop, depth * _DEEPEN + k) for stop, depth in zip(stops, depths, strict=True)]
                extra = sum(stops) - sum(depths)
            if _NS_PER_RANDOM_ACCESS * (len(candidates) + extra) * len(dfs) > exhaustive_ns:
                return None
            parts = [candidates]
            for low, depth, stop in zip(lows, depths, stops, strict=True):
                if stop > depth:
                    parts.append(impact_docs[low + depth : low + stop])
            candidates = _union(parts)
            depths = stops
            if final:
                # Certified: Σ allowance < θ <= the k-th score among these candidates.
                return _select(candidates, self._score(candidates, terms), k)
        return None


class _Terms:
    """The weighted (positive idf) terms of one query, in first-occurrence order ("rows")."""

    __slots__ = (
        "by_df",
        "dense",
        "dense_idf",
        "dense_max",
        "dense_max_total",
        "dense_multiplicity",
        "dense_of",
        "dense_rows",
        "dfs",
        "ids",
        "lows",
        "multiplicity",
        "repeated",
        "rows",
        "sparse",
        "sparse_starts",
        "starts",
    )

    def __init__(
        self,
        ids: list[int],
        occurrences: list[int],
        indptr: IntArray,
        idf: FloatArray,
        dense_row: npt.NDArray[np.int32],
        neg_weights: FloatArray,
    ) -> None:
        self.ids = ids
        row_of = {tid: row for row, tid in enumerate(ids)}
        # Row of each weighted occurrence, in query order (repeats count again).
        self.rows = [row_of[tid] for tid in occurrences if tid in row_of]
        self.repeated = len(self.rows) != len(ids)
        self.multiplicity = [0] * len(ids)
        for row in self.rows:
            self.multiplicity[row] += 1
        self.lows = [int(indptr[tid]) for tid in ids]
        self.dfs = [int(indptr[tid + 1]) - low for tid, low in zip(ids, self.lows, strict=True)]
        self.starts = [low + tid for tid, low in zip(ids, self.lows, strict=True)]
        self.by_df = sorted(range(len(ids)), key=self.dfs.__getitem__, reverse=True)
        self.dense_of = [int(dense_row[tid]) for tid in ids]
        self.sparse = [row for row, dense in enumerate(self.dense_of) if dense < 0]
        self.dense = [row for row, dense in enumerate(self.dense_of) if dense >= 0]
        self.sparse_starts = np.array([self.starts[row] for row in self.sparse], dtype=np.intp)[:, None]
        self.dense_rows = np.array([self.dense_of[row] for row in self.dense], dtype=np.intp)[:, None]
        self.dense_idf = idf[[ids[row] for row in self.dense]][:, None]
        # Largest weight per row for common terms (0.0 for rare ones): bounds a document
        # that has no rare term.
        self.dense_max = [
            -float(neg_weights[self.lows[row]]) if dense >= 0 else 0.0
            for row, dense in enumerate(self.dense_of)
        ]
        self.dense_max_total = sum(self.dense_max[row] * self.multiplicity[row] for row in self.dense)
        counts = [self.multiplicity[row] for row in self.dense]
        self.dense_multiplicity = (
            None if all(count == 1 for count in counts) else np.array(counts, dtype=np.float64)[:, None]
        )


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


def _slack(value: float) -> float:
    """Margin covering the rounding gap between two summation orders of a few positive floats."""
    return abs(value) * 1e-9 + 1e-300


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


def _select(docs: npt.NDArray[Any] | None, scores: FloatArray, k: int) -> list[Hit]:
    """First k of a stable descending sort of ``scores``; ``docs`` ascending (None: 0..n-1)."""
    n = len(scores)
    negated = -scores
    if n <= max(k, 64):
        order = np.argsort(negated, kind="stable")[:k]
    else:
        kth = negated[np.argpartition(negated, k - 1)[k - 1]]
        better = np.flatnonzero(negated < kth)
        if len(better) > 1:
            better = better[np.argsort(negated[better], kind="stable")]
        ties = np.flatnonzero(negated == kth)[: k - len(better)]
        order = np.concatenate((better, ties))
    return _hits(order if docs is None else docs[order], scores[order])
