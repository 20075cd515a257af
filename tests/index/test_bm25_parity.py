"""Bm25Index must reproduce rank-bm25's BM25Okapi exactly: scores bit for bit, rankings tie for tie.

The query planner picks a path by a cost model, and tiny corpora always take the cheap
exhaustive one; ``forced`` patches the cost constants so every path (rare terms first, the
three seeded plans, exhaustive) is checked on the same inputs.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from index import bm25_prune
from index.bm25 import Bm25Index, Hit

BIG = 1e30
MODES: dict[str, dict[str, float]] = {
    "auto": {},
    "rare_first": {"_NS_FIXED_EXHAUSTIVE": BIG, "_RARE_FIRST_MIN": BIG},
    "planned": {"_NS_FIXED_EXHAUSTIVE": BIG, "_RARE_FIRST_MIN": -BIG},
    "plan_a": {
        "_NS_FIXED_EXHAUSTIVE": BIG,
        "_RARE_FIRST_MIN": -BIG,
        "_NS_ACCUMULATE": BIG,
        "_NS_EXHAUSTIVE": BIG,
    },
    "plan_b": {
        "_NS_FIXED_EXHAUSTIVE": BIG,
        "_RARE_FIRST_MIN": -BIG,
        "_NS_LOOKUP_RARE": BIG,
        "_NS_LOOKUP_COMMON": BIG,
        "_NS_EXHAUSTIVE": BIG,
    },
    "plan_c": {
        "_NS_FIXED_EXHAUSTIVE": BIG,
        "_RARE_FIRST_MIN": -BIG,
        "_NS_LOOKUP_RARE": BIG,
        "_NS_LOOKUP_COMMON": BIG,
        "_NS_ACCUMULATE": BIG,
    },
    "exhaustive": {"_NS_FIXED_EXHAUSTIVE": -BIG},
}


@contextmanager
def forced(mode: str) -> Iterator[None]:
    with ExitStack() as stack:
        for name, value in MODES[mode].items():
            stack.enter_context(mock.patch.object(bm25_prune, name, value))
        yield


def expected_top(scores: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """First k of a stable sort by descending score (ties: ascending doc)."""
    order = sorted(range(len(scores)), key=lambda doc: (-scores[doc], doc))
    if allowed is not None:
        order = [doc for doc in order if doc in allowed]
    return [(doc, float(scores[doc])) for doc in order[:k]]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and a.shape == b.shape and a.tobytes() == b.tobytes()


def check_query(index: Bm25Index, model: BM25Okapi, corpus: list[list[str]], query: list[str], k: int) -> None:
    reference = model.get_scores(query)
    scores = index.get_scores(query)
    assert np.array_equal(scores, reference)
    assert np.array_equal(scores.view(np.int64), reference.view(np.int64))
    assert same_bits(scores, reference)
    matching = {doc for doc, tokens in enumerate(corpus) if set(tokens) & set(query)}
    want_top = expected_top(reference, k)
    want_matching = expected_top(reference, k, matching)
    for mode in MODES:
        with forced(mode):
            top = index.top_k(query, k)
            hits = index.matching(query, k)
        assert [tuple(hit) for hit in top] == want_top, mode
        assert [tuple(hit) for hit in hits] == want_matching, mode
        # Hit scores are the very floats rank-bm25 computes, down to the bit.
        for result in (top, hits):
            got = np.array([hit.score for hit in result], dtype=np.float64)
            assert same_bits(got, reference[[hit.doc for hit in result]].astype(np.float64)), mode


def build_both(
    corpus: list[list[str]], *, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25, dense: float = 1 / 16
) -> tuple[Bm25Index, BM25Okapi]:
    return Bm25Index.build(corpus, k1=k1, b=b, epsilon=epsilon, dense_fraction=dense), BM25Okapi(
        corpus, k1=k1, b=b, epsilon=epsilon
    )


# ---------------------------------------------------------------------- properties

ALPHABET = [chr(ord("a") + i) for i in range(7)]
docs_strategy = st.lists(st.lists(st.sampled_from(ALPHABET), min_size=0, max_size=9), min_size=1, max_size=40).filter(
    lambda corpus: any(corpus)
)
query_strategy = st.lists(st.sampled_from([*ALPHABET, "zz", "qq"]), min_size=0, max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    corpus=docs_strategy,
    queries=st.lists(query_strategy, min_size=1, max_size=4),
    k=st.integers(min_value=1, max_value=12),
    k1=st.sampled_from([1.5, 0.3, 2.7]),
    b=st.sampled_from([0.75, 0.0, 0.5, 0.99]),
    epsilon=st.sampled_from([0.25, 0.0, -0.5, 1.0]),
    dense=st.sampled_from([1 / 16, 0.0, 2.0, 0.3]),
)
def test_matches_rank_bm25(
    corpus: list[list[str]],
    queries: list[list[str]],
    k: int,
    k1: float,
    b: float,
    epsilon: float,
    dense: float,
) -> None:
    index, model = build_both(corpus, k1=k1, b=b, epsilon=epsilon, dense=dense)
    for term in [*ALPHABET, "zz"]:
        assert index.idf(term) == model.idf.get(term)
        assert index.doc_freq(term) == sum(term in doc for doc in corpus)
    for query in queries:
        check_query(index, model, corpus, query, k)


@settings(max_examples=40, deadline=None)
@given(corpus=docs_strategy, doc=st.integers(min_value=0, max_value=39))
def test_term_freqs(corpus: list[list[str]], doc: int) -> None:
    index = Bm25Index.build(corpus)
    doc %= len(corpus)
    assert index.term_freqs(doc) == dict(Counter(corpus[doc]))
    assert index.doc_len(doc) == len(corpus[doc])
    assert index.n_docs == len(corpus)


def zipf_corpus(n_docs: int, vocab: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(vocab)]
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    corpus = [[words[i] for i in rng.choice(vocab, size=int(rng.integers(0, 30)), p=p)] for _ in range(n_docs)]
    queries = [[words[i] for i in rng.choice(vocab, size=int(rng.integers(1, 7)), p=p)] for _ in range(60)]
    return corpus, queries


@pytest.mark.parametrize("dense", [1 / 16, 1 / 4, 0.0, 2.0])
def test_larger_zipf_corpus_every_path(dense: float) -> None:
    """Pruning only has work to do on corpora with long posting lists and skewed weights."""
    corpus, queries = zipf_corpus(1500, 400, seed=int(dense * 100) + 1)
    index, model = build_both(corpus, dense=dense)
    for number, query in enumerate(queries):
        check_query(index, model, corpus, query, k=[1, 3, 10, 25][number % 4])
    # Repeated terms, and a query made only of the most common terms.
    check_query(index, model, corpus, ["w0", "w0", "w1", "w350", "w0"], 10)
    check_query(index, model, corpus, ["w0", "w1", "w2"], 10)


# ---------------------------------------------------------------------- edge cases


def test_empty_query_and_unknown_terms() -> None:
    corpus = [["a", "b"], ["b"], ["c", "c"], []]
    index, model = build_both(corpus)
    for query in ([], ["zz"], ["zz", "yy"]):
        assert same_bits(index.get_scores(query), model.get_scores(query))
        assert index.get_scores(query).tolist() == [0.0] * 4
        assert index.top_k(query, 2) == [Hit(0, 0.0), Hit(1, 0.0)]
        assert index.matching(query, 2) == []
    assert index.idf("zz") is None
    assert index.doc_freq("zz") == 0


def test_duplicate_query_terms_count_again() -> None:
    corpus = [["a", "b"], ["b", "c"], ["a", "a", "c"], ["d"], ["e", "f"], ["a"]]
    index, model = build_both(corpus)
    for query in (["a", "a"], ["a", "b", "a"], ["c", "a", "c", "c"]):
        check_query(index, model, corpus, query, 4)


def test_term_in_every_document_gets_the_floored_idf() -> None:
    corpus = [["the", "x"], ["the", "y"], ["the", "z"], ["the", "x", "y"], ["the"]]
    index, model = build_both(corpus)
    assert index.idf("the") == model.idf["the"] == pytest.approx(0.25 * model.average_idf)
    check_query(index, model, corpus, ["the"], 5)
    check_query(index, model, corpus, ["the", "x"], 3)


def test_negative_floored_idf_ranks_below_zero_scores() -> None:
    # Average idf is negative here, so the floor (epsilon * average) is negative too.
    corpus = [["a", "c"], ["a", "c"], ["a", "c", "b"], ["a", "c"], []]
    index, model = build_both(corpus)
    assert model.average_idf < 0
    idf_a = index.idf("a")
    assert idf_a is not None and idf_a < 0
    for query in (["a"], ["a", "b"], ["c", "a"], ["b"]):
        check_query(index, model, corpus, query, 5)
    top = index.top_k(["a"], 5)
    assert top[0] == Hit(4, 0.0)  # the empty document scores 0 and outranks every "a" document
    assert all(hit.score < 0 for hit in top[1:])
    assert [hit.doc for hit in index.matching(["a"], 10)] == [hit.doc for hit in top[1:]]


def test_single_document_corpus() -> None:
    corpus = [["only", "words", "only"]]
    index, model = build_both(corpus)
    for query in (["only"], ["words", "zz"], [], ["only", "only"]):
        check_query(index, model, corpus, query, 3)


def test_k_larger_than_corpus_and_zero_k() -> None:
    corpus = [["a"], ["b"], ["a", "b"]]
    index, model = build_both(corpus)
    check_query(index, model, corpus, ["a"], 50)
    assert index.top_k(["a"], 0) == []
    assert index.matching(["a"], 0) == []
    with pytest.raises(ValueError):
        index.top_k(["a"], -1)


@pytest.mark.parametrize(
    ("corpus", "kwargs"),
    [
        ([], {}),
        ([[], []], {}),
        ([["a"], []], {"b": 1.0}),
        ([["a"]], {"k1": 0.0}),
        ([["a"]], {"k1": math.nan}),
        ([["a"]], {"b": 1.5}),
        ([["a"]], {"epsilon": math.inf}),
    ],
)
def test_build_refuses_corpora_rank_bm25_cannot_score(corpus: list[list[str]], kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Bm25Index.build(corpus, **kwargs)


def test_all_empty_documents_is_what_rank_bm25_cannot_handle() -> None:
    """The refusal is about rank-bm25's own behaviour: it divides by zero here."""
    with pytest.raises(ZeroDivisionError):
        BM25Okapi([[], []])
    with pytest.raises(ValueError, match="every document is empty"):
        Bm25Index.build([[], []])


def test_b_equal_one_without_empty_documents_is_fine() -> None:
    corpus = [["a", "b"], ["b"], ["c", "a", "a"]]
    index, model = build_both(corpus, b=1.0)
    check_query(index, model, corpus, ["a", "c"], 3)


def test_type_errors() -> None:
    with pytest.raises(TypeError):
        Bm25Index.build(["a string document"])  # type: ignore[list-item]
    index = Bm25Index.build([["a"], ["b"]])
    with pytest.raises(TypeError):
        index.top_k("a", 1)
    with pytest.raises(IndexError):
        index.term_freqs(5)


def test_concurrent_queries_agree_with_sequential_ones() -> None:
    corpus, queries = zipf_corpus(800, 300, seed=7)
    index = Bm25Index.build(corpus)
    expected = [index.top_k(query, 10) for query in queries]
    failures: list[str] = []

    def worker() -> None:
        for _ in range(3):
            for query, want in zip(queries, expected, strict=True):
                if index.top_k(query, 10) != want:
                    failures.append(" ".join(query))

    # The scratch-buffer paths are the ones that could interfere; patch once, outside threads.
    with forced("rare_first"):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures


def test_progress_is_reported() -> None:
    seen: list[tuple[str, int, int]] = []
    Bm25Index.build([["a", "b"], ["b"]], progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert ("counting", 2, 2) in seen
    assert seen[-1] == ("postings", 4, 4)
