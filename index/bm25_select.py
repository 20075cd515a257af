"""Top-k selection and per-query term bookkeeping for the BM25 planner (``index.bm25_prune``).

The lowest layer of the index: exact, deterministic selection (score descending, ties by document
order) and the small tables a query plan reads. No planning decisions are made here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DocArray = npt.NDArray[np.int32]

# Relative margin that keeps float rounding (two summation orders of a few positive weights)
# from ever pruning a document that could still reach θ.
_SLACK = 1e-9
# Below this size, sorting is cheaper than deduplicating through the scratch buffer.
_SORT_MAX = 512


class Hit(NamedTuple):
    """One ranked document."""

    doc: int
    score: float


def _check_k(k: int) -> int:
    value = int(k)
    if value < 0:
        raise ValueError(f"k must be >= 0, got {k!r}")
    return value


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
