"""The columnar corpus's arrays: each one's name and dtype, and the checks a saved corpus must pass.

Split from ``index.corpus`` so the layout that ``ArrayCorpus`` documents is checked in one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from index.model import Reveal

_REVEALS = tuple(Reveal)

_ARRAYS: tuple[tuple[str, type[np.generic]], ...] = (
    ("text", np.uint8),
    ("sentence_offsets", np.int64),
    ("reveal", np.int8),
    ("term_ids", np.int32),
    ("term_offsets", np.int64),
    ("passage_sentences", np.int64),
    ("passage_section", np.int32),
    ("passage_source", np.int32),
)


def _check_arrays(arrays: dict[str, npt.NDArray[Any]], n_sections: int, n_sources: int, n_terms: int) -> None:
    """Cheap consistency checks (endpoints, dtypes, id ranges): a damaged cache must not answer."""
    for name, dtype in _ARRAYS:
        if arrays[name].ndim != 1 or arrays[name].dtype != dtype:
            raise ValueError(f"corpus array {name!r} has shape {arrays[name].shape} / {arrays[name].dtype}")
    offsets, term_offsets, first = arrays["sentence_offsets"], arrays["term_offsets"], arrays["passage_sentences"]
    n_sentences = len(arrays["reveal"])
    for name, values, end in (
        ("sentence_offsets", offsets, len(arrays["text"])),
        ("term_offsets", term_offsets, len(arrays["term_ids"])),
        ("passage_sentences", first, n_sentences),
    ):
        if len(values) < 1 or int(values[0]) != 0 or int(values[-1]) != end or int(np.diff(values).min(initial=0)) < 0:
            raise ValueError(f"corpus array {name!r} does not run from 0 to {end}")
    if len(offsets) != n_sentences + 1 or len(term_offsets) != n_sentences + 1:
        raise ValueError("corpus sentence columns differ in length")
    n_passages = len(first) - 1
    if len(arrays["passage_section"]) != n_passages or len(arrays["passage_source"]) != n_passages:
        raise ValueError("corpus passage columns differ in length")
    for name, bound in (
        ("passage_section", n_sections),
        ("passage_source", n_sources),
        ("reveal", len(_REVEALS)),
        ("term_ids", n_terms),
    ):
        values = arrays[name]
        if len(values) and (int(values.min()) < 0 or int(values.max()) >= bound):
            raise ValueError(f"corpus array {name!r} refers outside its table")
    if n_passages and int(np.diff(first).min()) < 1:
        raise ValueError("corpus has a passage without sentences")
