"""The query side of the exact BM25 index: certified pruning, accumulation and selection.

Split from ``index.bm25`` by concern: that module builds, persists and exposes the index; this one
plans and runs queries over its arrays. Why the pruning is exact is explained in ``index.bm25``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from index.bm25_select import (
    _SLACK,
    _SORT_MAX,
    DocArray,
    FloatArray,
    Hit,
    IntArray,
    _hits,
    _kth_largest,
    _ordered_sum,
    _select,
    _slack,
    _union,
)

# Called with (stage, done, total) while building; total is 0 when unknown.
BuildProgress = Callable[[str, int, int], None]


# Cost model (nanoseconds, measured on numpy 2.x) that picks a query plan; see ``_pruned``.
_NS_LOOKUP_RARE = 25.0  # one (candidate, rare term) binary-search lookup
_NS_LOOKUP_COMMON = 6.0  # one (candidate, common term) tf-column lookup
_NS_ACCUMULATE = 8.0  # one posting added into the scratch accumulator
_NS_EXHAUSTIVE = 4.0  # one posting through np.bincount
_NS_PER_DOC = 1.5  # one document of the exhaustive path's dense pass
_NS_FIXED_EXHAUSTIVE = 15_000.0  # the exhaustive path's fixed cost
_NS_FIXED_RARE = 60_000.0  # the rare-terms-first path's fixed cost
# Rare terms are accumulated up front when their postings number at most this share of the
# corpus plus this constant; otherwise a plan is chosen from exactly scored seeds.
_RARE_FIRST_MAX_SHARE = 0.1
_RARE_FIRST_MIN = 2048
# Terms in at least this fraction of documents get a dense tf column (cheap random access).






class Bm25Search:
    """Query planning over the arrays a :class:`index.bm25.Bm25Index` holds (attributes declared here)."""

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
        return cast(IntArray, self._one_per_doc(docs).nonzero()[0])


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
