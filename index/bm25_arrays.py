"""The BM25 index's arrays: deriving them from rank-bm25's model, and checking that arrays fit the layout.

Split from ``index.bm25`` (which documents the layout and answers queries) so the build-once code
reads apart from the index it feeds. Saved engines are fingerprinted by this module's bytes too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

# Called with (stage, done, total) while building; total is 0 when unknown.
BuildProgress = Callable[[str, int, int], None]

_PROGRESS_EVERY = 10_000
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


def rank_bm25_model(
    corpus: Sequence[Sequence[str]], k1: float, b: float, epsilon: float, progress: BuildProgress | None
) -> BM25Okapi:
    """rank-bm25's ``BM25Okapi`` over ``corpus``, refusing what would make it divide by zero or score NaN."""
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
    return BM25Okapi(_checked_docs(corpus, progress, n_docs), k1=k1, b=b, epsilon=epsilon)


def derive_arrays(
    model: Any, progress: BuildProgress | None, dense_fraction: float
) -> tuple[list[str], dict[str, int], dict[str, npt.NDArray[Any]]]:
    """Terms (id order), vocabulary and arrays from a built ``BM25Okapi``; see ``Bm25Index.from_rank_bm25``."""
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
    return terms, vocab, arrays


def check_layout(arrays: Mapping[str, npt.NDArray[Any]], n_terms: int) -> None:
    """Names, shapes and dtypes, not content: cheap enough for every load, and a mismatch would misindex."""
    missing = [name for name in _ARRAY_NAMES if name not in arrays]
    if missing:
        raise ValueError(f"index arrays missing: {', '.join(missing)}")
    indptr = np.asarray(arrays["indptr"])
    n_postings = int(indptr[-1]) if len(indptr) else -1
    n_docs = len(np.asarray(arrays["doc_len"]))
    expected = {
        "indptr": (n_terms + 1, np.int64),
        "docs": (n_postings + n_terms, np.int32),
        "weights": (n_postings + n_terms, np.float64),
        "tfs": (n_postings, None),
        "impact_docs": (n_postings, np.int32),
        "impact_neg_weights": (n_postings, np.float64),
        "idf": (n_terms, np.float64),
        "doc_len": (n_docs, np.int64),
        "length_norm": (n_docs, np.float64),
        "dense_row": (n_terms, np.int32),
        "max_weight": (n_terms, np.float64),
    }
    for name, (length, dtype) in expected.items():
        array = np.asarray(arrays[name])
        if array.ndim != 1 or len(array) != length or (dtype is not None and array.dtype != dtype):
            raise ValueError(f"index array {name!r} has shape {array.shape} / {array.dtype}")
    n_dense = int(np.asarray(arrays["dense_row"]).max(initial=-1)) + 1
    dense_tf = np.asarray(arrays["dense_tf"])
    if dense_tf.shape != (n_dense, n_docs) or dense_tf.dtype.kind != "u":
        raise ValueError(f"index array 'dense_tf' has shape {dense_tf.shape}")


def _check_params(k1: float, b: float, epsilon: float) -> None:
    """Reject parameters where rank-bm25's arithmetic yields NaN or infinities."""
    if not (math.isfinite(k1) and k1 > 0):
        raise ValueError(f"k1 must be a finite number > 0, got {k1!r}")
    if not (math.isfinite(b) and 0 <= b <= 1):
        raise ValueError(f"b must be in [0, 1], got {b!r}")
    if not math.isfinite(epsilon):
        raise ValueError(f"epsilon must be finite, got {epsilon!r}")


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
