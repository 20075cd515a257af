"""Deterministic synthetic Zipfian corpora and queries, so every engine sees the same tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

VOCAB_SIZE = 50_000
ZIPF_EXPONENT = 1.0
MIN_DOC_LEN = 20
MAX_DOC_LEN = 120
MIN_QUERY_LEN = 2
MAX_QUERY_LEN = 6
CORPUS_SEED = 20_240_601
QUERY_SEED = 7_041_999

_SIZE = re.compile(r"^(\d+)([kKmM]?)$")


def parse_size(text: str) -> int:
    """Read '1k', '100k', '1m' or a plain integer; a typo must fail loudly, not bench nothing."""
    match = _SIZE.match(text.strip())
    if match is None:
        raise ValueError(f"bad corpus size {text!r}: use e.g. 1k, 100k, 1m or 5000")
    value = int(match.group(1))
    suffix = match.group(2).lower()
    return value * {"": 1, "k": 1_000, "m": 1_000_000}[suffix]


def size_label(n_docs: int) -> str:
    """Short human label (1k, 1M) for tables."""
    if n_docs % 1_000_000 == 0:
        return f"{n_docs // 1_000_000}M"
    if n_docs % 1_000 == 0:
        return f"{n_docs // 1_000}k"
    return str(n_docs)


def vocabulary(vocab_size: int = VOCAB_SIZE) -> list[str]:
    """Distinct word-like tokens; rank 0 is the most frequent."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: list[str] = []
    for rank in range(vocab_size):
        value = rank
        chars: list[str] = []
        while True:
            value, digit = divmod(value, 26)
            chars.append(letters[digit])
            if value == 0:
                break
        words.append("".join(chars) + "x")
    return words


def zipf_probabilities(vocab_size: int = VOCAB_SIZE, exponent: float = ZIPF_EXPONENT) -> npt.NDArray[np.float64]:
    """p(rank r) ∝ 1/r^s, truncated to the vocabulary."""
    weights = 1.0 / np.arange(1, vocab_size + 1, dtype=np.float64) ** exponent
    return weights / weights.sum()


@dataclass(frozen=True)
class TokenIds:
    """A corpus as flat token ids plus document offsets: cheap to make, cache and ship to subprocesses."""

    ids: npt.NDArray[np.int32]
    offsets: npt.NDArray[np.int64]

    @property
    def n_docs(self) -> int:
        return len(self.offsets) - 1


def _sample(rng: np.random.Generator, cdf: npt.NDArray[np.float64], count: int) -> npt.NDArray[np.int32]:
    draws = rng.random(count)
    return np.minimum(np.searchsorted(cdf, draws, side="right"), len(cdf) - 1).astype(np.int32)


def corpus_ids(n_docs: int, *, seed: int = CORPUS_SEED, vocab_size: int = VOCAB_SIZE) -> TokenIds:
    """Doc lengths uniform in [20, 120], tokens i.i.d. Zipf; chunked so 1M docs stay modest in memory."""
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(zipf_probabilities(vocab_size))
    lengths = rng.integers(MIN_DOC_LEN, MAX_DOC_LEN + 1, size=n_docs)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    ids = np.empty(total, dtype=np.int32)
    chunk = 4_000_000
    for start in range(0, total, chunk):
        stop = min(total, start + chunk)
        ids[start:stop] = _sample(rng, cdf, stop - start)
    return TokenIds(ids=ids, offsets=offsets)


def corpus_tokens(n_docs: int, *, seed: int = CORPUS_SEED) -> list[list[str]]:
    """The corpus as token lists, the form every engine is fed."""
    return to_tokens(corpus_ids(n_docs, seed=seed))


def to_tokens(token_ids: TokenIds, words: list[str] | None = None) -> list[list[str]]:
    """Expand ids to lists of (shared, interned-per-vocabulary) strings."""
    vocab = words if words is not None else vocabulary()
    flat = [vocab[i] for i in token_ids.ids.tolist()]
    bounds = token_ids.offsets.tolist()
    return [flat[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


def queries(count: int, *, seed: int = QUERY_SEED) -> list[list[str]]:
    """Queries of 2–6 terms drawn from the corpus distribution (so common words appear, as in real use)."""
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(zipf_probabilities())
    words = vocabulary()
    out: list[list[str]] = []
    for _ in range(count):
        length = int(rng.integers(MIN_QUERY_LEN, MAX_QUERY_LEN + 1))
        out.append([words[i] for i in _sample(rng, cdf, length).tolist()])
    return out
