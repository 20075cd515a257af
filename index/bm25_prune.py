"""Certified pruning for BM25 top-k: the measured cost model and the plans it chooses between.

Layered on ``index.bm25_search``, whose exact scoring these plans call; why the pruning is exact is
explained in ``index.bm25``. The cost constants are module globals so tests can force each plan.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from index.bm25_search import Bm25Search
from index.bm25_select import (
    _SLACK,
    DocArray,
    FloatArray,
    Hit,
    _hits,
    _kth_largest,
    _ordered_sum,
    _select,
    _slack,
    _Terms,
    _union,
)

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


class Bm25Pruning(Bm25Search):
    """Query plans that skip documents which provably cannot reach the top k, over exact scoring."""

    __slots__ = ()

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
        if extra * _lookup_ns(terms) > _NS_EXHAUSTIVE * sum(dfs[row] for row in terms.rows):
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
            plan_a = (len(seeds) + sum(stops) - sum(depths)) * _lookup_ns(terms)
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


def _lookup_ns(terms: _Terms) -> float:
    """Estimated cost of scoring one candidate exactly."""
    return _NS_LOOKUP_RARE * len(terms.sparse) + _NS_LOOKUP_COMMON * len(terms.dense)
