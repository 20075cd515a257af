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
_FINISH_LOOKUPS = 2048
_DEEPEN = 4

_ARRAY_NAMES = ("indptr", "docs", "weights", "tfs", "impact_docs", "impact_neg_weights", "idf", "doc_len")


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
        }
        for name, (length, dtype) in expected.items():
            array = np.asarray(arrays[name])
            if array.ndim != 1 or len(array) != length or (dtype is not None and array.dtype != dtype):
                raise ValueError(f"index array {name!r} has shape {array.shape} / {array.dtype}")
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
        return cls.from_rank_bm25(model, progress=progress)

    @classmethod
    def from_rank_bm25(cls, model: Any, *, progress: BuildProgress | None = None) -> Bm25Index:
        """Derive the index from a built ``BM25Okapi`` (its doc_freqs, idf, doc_len, avgdl, k1, b)."""
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
        del length_norm

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
        del slots, doc_ids, weights, term_ids
        max_tf = int(tfs.max()) if n_postings else 0
        tf_dtype = np.uint8 if max_tf < 2**8 else np.uint16 if max_tf < 2**16 else np.uint32
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": indptr,
            "docs": docs,
            "weights": sentinel_weights,
            "tfs": tfs.astype(tf_dtype),
            "impact_docs": impact_docs,
            "impact_neg_weights": impact_neg_weights,
            "idf": idf,
            "doc_len": doc_len,
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
        return self._dense_scores(self._term_ids(query))

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
        scores = self._dense_scores(occurrences)
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

    def _dense_scores(self, occurrences: list[int]) -> FloatArray:
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
        scores = self._dense_scores(occurrences)
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

    def _score(
        self,
        candidates: DocArray,
        starts: list[int],
        lengths: list[int],
        rows: list[int] | None,
    ) -> FloatArray:
        """Exact scores of sorted ``candidates`` for the given terms (doc-ordered segments).

        ``rows`` lists the term index of each query occurrence when a term repeats, so the sum
        runs over occurrences in query order; np.add.reduce over axis 0 adds rows sequentially.
        """
        docs = self._docs
        positions = np.empty((len(starts), len(candidates)), dtype=np.intp)
        for row, (start, length) in enumerate(zip(starts, lengths, strict=True)):
            positions[row] = docs[start : start + length].searchsorted(candidates)
        positions += np.array(starts, dtype=np.intp)[:, None]
        contributions = np.where(docs[positions] == candidates, self._weights[positions], 0.0)
        if rows is not None:
            contributions = contributions[rows]
        return cast(FloatArray, np.add.reduce(contributions, axis=0))

    def _pruned(self, occurrences: list[int], k: int) -> list[Hit] | None:
        """Top k matching documents via impact-ordered prefixes, or None to go exhaustive.

        Handles queries whose weighted terms all have positive idf (zero-idf terms only add
        zero-score matches, which matter only when fewer than k documents score above 0).
        """
        indptr = self._indptr
        idf = self._idf
        impact_docs = self._impact_docs
        neg_weights = self._impact_neg_weights
        terms: list[int] = []
        has_zero = False
        for tid in dict.fromkeys(occurrences):
            value = idf[tid]
            if value > 0:
                terms.append(tid)
            elif value < 0:
                return None
            else:
                has_zero = True
        if not terms:
            return None
        lows = [int(indptr[tid]) for tid in terms]
        dfs = [int(indptr[tid + 1]) - low for tid, low in zip(terms, lows, strict=True)]
        row_of = {tid: row for row, tid in enumerate(terms)}
        rows = [row_of[tid] for tid in occurrences if tid in row_of]
        repeated = rows if len(rows) != len(terms) else None

        if len(rows) == 1:  # one weighted occurrence: its impact order is the answer
            low, df = lows[0], dfs[0]
            if df < k and has_zero:
                return None
            stop = low + min(k, df)
            return _hits(impact_docs[low:stop], -neg_weights[low:stop])
        starts = [low + tid for tid, low in zip(terms, lows, strict=True)]

        # Seeds: the top k postings of every term, scored exactly; the k-th best is a lower
        # bound θ on the answer's k-th score. Then either certify, or deepen the terms that the
        # allowance cannot cover (rare terms' top postings usually hold the best documents, so
        # deepening them raises θ quickly), and finally score everything above the allowances.
        multiplicity = [0] * len(terms)
        for row in rows:
            multiplicity[row] += 1
        by_df = sorted(range(len(terms)), key=dfs.__getitem__, reverse=True)
        exhaustive_ns = _NS_PER_POSTING * sum(dfs[row] for row in rows) + _NS_PER_DOC * self._n_docs
        depths = [min(k, df) for df in dfs]
        candidates = _union([impact_docs[low : low + d] for low, d in zip(lows, depths, strict=True)])
        for _round in range(_MAX_ROUNDS):
            scores = self._score(candidates, starts, dfs, repeated)
            if depths == dfs:  # every posting was seen: this is the whole matching set
                if len(candidates) < k and has_zero:
                    return None
                return _select(candidates, scores, k)
            # Some term has more than k postings, all of its first `depth` >= k are candidates.
            theta = float(np.partition(scores, len(scores) - k)[len(scores) - k])
            # An unseen document's weight per term is at most that term's next impact weight.
            nexts = [
                -float(neg_weights[low + d]) if d < df else 0.0
                for low, d, df in zip(lows, depths, dfs, strict=True)
            ]
            if _ordered_sum(nexts, rows) < theta:
                return _select(candidates, scores, k)
            # Allowances summing below θ, most common terms first (skipping them is cheapest).
            allowance = [0.0] * len(terms)
            budget = theta * (1.0 - _ALLOWANCE_SLACK)
            for row in by_df:
                give = min(nexts[row], budget / multiplicity[row])
                allowance[row] = give
                budget = max(0.0, budget - give * multiplicity[row])
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
                extra * len(terms) <= _FINISH_LOOKUPS
                or extra <= len(candidates)
                or _round == _MAX_ROUNDS - 1
            )
            if not final:  # deepen the uncovered terms geometrically, to raise θ first
                stops = [
                    min(stop, depth * _DEEPEN) for stop, depth in zip(stops, depths, strict=True)
                ]
                extra = sum(stops) - sum(depths)
            if _NS_PER_RANDOM_ACCESS * (len(candidates) + extra) * len(terms) > exhaustive_ns:
                return None
            parts = [candidates]
            for low, depth, stop in zip(lows, depths, stops, strict=True):
                if stop > depth:
                    parts.append(impact_docs[low + depth : low + stop])
            candidates = _union(parts)
            depths = stops
            if final:
                # Certified: Σ allowance < θ <= the k-th score among these candidates.
                return _select(candidates, self._score(candidates, starts, dfs, repeated), k)
        return None


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
