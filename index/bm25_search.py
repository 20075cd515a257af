"""The query side of the exact BM25 index: term lookup, exact scoring and the scratch buffer.

Split from ``index.bm25`` by concern: that module builds, persists and exposes the index; this one
scores queries exactly over its arrays, and ``index.bm25_prune`` builds the pruning plans on top.
Why the pruning is exact is explained in ``index.bm25``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from index.bm25_select import (
    _SORT_MAX,
    DocArray,
    FloatArray,
    Hit,
    IntArray,
    _select,
    _Terms,
    _union,
)


class Bm25Search:
    """Exact scoring over the arrays a :class:`index.bm25.Bm25Index` holds (attributes declared here)."""

    __slots__ = ()

    _indptr: IntArray
    _docs: DocArray
    _weights: FloatArray
    _tfs: npt.NDArray[Any]
    _impact_docs: DocArray
    _impact_neg_weights: FloatArray
    _idf: FloatArray
    _doc_len: IntArray
    _length_norm: FloatArray
    _dense_row: npt.NDArray[np.int32]
    _dense_tf: npt.NDArray[Any]
    _local: threading.local
    _term_info: FloatArray
    _max_weight: FloatArray
    _n_docs: int
    _vocab: dict[str, int]
    _terms: list[str]
    _k1: float
    _b: float

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

    def _one_per_doc(self, docs: DocArray) -> npt.NDArray[np.bool_]:
        """A mask keeping exactly one entry per doc id, in O(n) through the scratch buffer."""
        index = docs.astype(np.intp)
        marks = np.arange(len(index), dtype=np.float64)
        scratch = self._scratch()
        try:
            scratch[index] = marks  # with repeats the last write wins...
            return cast(npt.NDArray[np.bool_], scratch.take(index) == marks)  # ...so one entry per doc matches
        finally:
            scratch[index] = 0.0

    def _distinct(self, docs: DocArray) -> DocArray:
        """Distinct doc ids: by sorting when few, else in O(n) through the scratch buffer."""
        if len(docs) <= _SORT_MAX:
            return _union([docs])
        return docs[self._one_per_doc(docs)]

    def _first_positions(self, docs: DocArray) -> IntArray:
        """Positions of one entry per distinct doc id (sorting when few, else via scratch)."""
        if len(docs) <= _SORT_MAX:
            order = np.argsort(docs, kind="stable")
            ordered = docs[order]
            first = np.empty(len(ordered), dtype=np.bool_)
            first[:1] = True
            np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            return order[first]
        return cast(IntArray, self._one_per_doc(docs).nonzero()[0])
