"""Persist built indexes as .npy arrays plus a JSON manifest, reused while the corpus is unchanged.

Building BM25 over a large corpus takes minutes; loading the saved arrays with
``np.load(mmap_mode="r")`` takes well under a second, because pages are read lazily.

Layout under ``directory`` for an entry called ``name``::

    name.json          manifest: format, kind, fingerprint, meta, and the array/text files
    name.<token>/      the .npy arrays (and small text files) of the current version

A save writes a fresh ``name.<token>`` folder (through a temporary folder renamed into
place), then atomically replaces the manifest, then deletes older folders. A reader therefore
sees a complete old or new version, never a mix; one that still maps an old folder keeps
working (POSIX keeps unlinked files alive while mapped). Anything unexpected on load (missing
or unreadable files, another fingerprint or format, shapes that do not match the manifest)
makes the load return None, so callers rebuild instead of crashing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from index.bm25 import DENSE_FRACTION, Bm25Index, BuildProgress

logger = logging.getLogger(__name__)

LAYOUT_VERSION = 1
INDEX_NAME = "bm25"
# Corpora above this many documents get a stderr progress line while building (unless quiet).
PROGRESS_MIN_DOCS = 50_000

# Version folders younger than this are left alone by cleanup (a concurrent save's).
_FRESH_SECONDS = 60.0
_NAME = re.compile(r"[A-Za-z0-9_-]+")


class StderrProgress:
    """A one-line progress display on a terminal stream, rewritten at most every ``interval`` s."""

    def __init__(self, label: str = "bm25", *, stream: IO[str] | None = None, interval: float = 0.5) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._interval = interval
        self._last = 0.0
        self._stage = ""
        self._started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if stage == self._stage and not finished and now - self._last < self._interval:
            return
        self._stage = stage
        self._last = now
        share = f" {100 * done / total:5.1f}%" if total > 0 else ""
        elapsed = now - self._started
        line = f"\r[{self._label}] {stage}: {done:,}/{total:,}{share}  {elapsed:6.1f}s"
        self._stream.write(line + ("\n" if finished else ""))
        self._stream.flush()


# ---------------------------------------------------------------------- generic arrays


def save_arrays(
    directory: str | os.PathLike[str],
    name: str,
    arrays: Mapping[str, npt.NDArray[Any]],
    meta: Mapping[str, Any],
    fingerprint: str,
    *,
    texts: Mapping[str, Any] | None = None,
) -> Path:
    """Save ``arrays`` (and JSON-able ``texts``) under ``directory`` as entry ``name``; atomic.

    ``meta`` must be JSON-serialisable; it comes back from ``load_arrays`` unchanged.
    Returns the folder that now holds the arrays.
    """
    _check_name(name)
    for key in [*arrays, *(texts or {})]:
        _check_name(key)
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    staging = root / f".{name}.{token}.tmp"
    final = root / f"{name}.{token}"
    files: dict[str, Any] = {}
    published = False
    try:
        staging.mkdir()
        for key, value in arrays.items():
            array = np.ascontiguousarray(value)
            file_name = f"{key}.npy"
            with open(staging / file_name, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            files[key] = {
                "file": file_name,
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "bytes": (staging / file_name).stat().st_size,
            }
        text_files: dict[str, str] = {}
        for key, value in (texts or {}).items():
            file_name = f"{key}.json"
            _write_text(staging / file_name, json.dumps(value, ensure_ascii=False))
            text_files[key] = file_name
        manifest = {
            "layout": LAYOUT_VERSION,
            "name": name,
            "fingerprint": fingerprint,
            "folder": final.name,
            "meta": dict(meta),
            "arrays": files,
            "texts": text_files,
        }
        encoded = json.dumps(manifest, ensure_ascii=False, indent=1, allow_nan=False)
        os.replace(staging, final)
        _write_text(root / f".{name}.json.{token}.tmp", encoded)
        os.replace(root / f".{name}.json.{token}.tmp", root / f"{name}.json")
        published = True
        _fsync_directory(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if not published:
            shutil.rmtree(final, ignore_errors=True)
        with contextlib.suppress(OSError):
            (root / f".{name}.json.{token}.tmp").unlink()
        raise
    _remove_old_versions(root, name, keep=final.name)
    return final


def load_arrays(
    directory: str | os.PathLike[str],
    name: str,
    fingerprint: str,
    *,
    mmap: bool = True,
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any], dict[str, Any]] | None:
    """Arrays, meta and texts of entry ``name``, or None if missing, stale or damaged.

    Arrays are read-only memory maps when ``mmap`` is true.
    """
    root = Path(directory)
    try:
        manifest = json.loads((root / f"{name}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable manifest %s: %s", root / f"{name}.json", exc)
        return None
    try:
        if manifest.get("layout") != LAYOUT_VERSION or manifest.get("name") != name:
            logger.info("ignoring %s: other layout version", name)
            return None
        if manifest.get("fingerprint") != fingerprint:
            logger.info("ignoring %s: built from another corpus", name)
            return None
        folder = root / _safe_name(manifest["folder"])
        arrays: dict[str, npt.NDArray[Any]] = {}
        for key, spec in manifest["arrays"].items():
            path = folder / _safe_name(spec["file"])
            if path.stat().st_size != spec["bytes"]:
                raise ValueError(f"{path.name} has {path.stat().st_size} bytes, expected {spec['bytes']}")
            # A zero-byte payload cannot be memory-mapped; such arrays are tiny anyway.
            empty = 0 in spec["shape"]
            array = np.load(path, mmap_mode="r" if mmap and not empty else None, allow_pickle=False)
            if array.dtype.str != spec["dtype"] or list(array.shape) != spec["shape"]:
                raise ValueError(f"{path.name} holds {array.dtype.str}{list(array.shape)}")
            arrays[key] = array
        texts = {
            key: json.loads((folder / _safe_name(file_name)).read_text(encoding="utf-8"))
            for key, file_name in manifest["texts"].items()
        }
        meta = manifest["meta"]
        if not isinstance(meta, dict):
            raise ValueError("meta is not an object")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("ignoring damaged %s in %s: %s", name, root, exc)
        return None
    return arrays, meta, texts


# ---------------------------------------------------------------------- BM25 index


def save_index(index: Bm25Index, directory: str | os.PathLike[str], fingerprint: str) -> Path:
    """Persist ``index`` (arrays, parameters, vocabulary) as entry ``bm25`` under ``directory``."""
    arrays, meta, terms = index.to_arrays()
    return save_arrays(directory, INDEX_NAME, arrays, meta, fingerprint, texts={"vocab": terms})


def load_index(
    directory: str | os.PathLike[str],
    fingerprint: str,
    *,
    k1: float | None = None,
    b: float | None = None,
    epsilon: float | None = None,
    prefetch: bool = False,
) -> Bm25Index | None:
    """The saved index if it exists, matches ``fingerprint`` (and the given parameters) and is
    intact; otherwise None.

    Arrays are memory-mapped, so loading is instant and pages are read on first use;
    ``prefetch`` faults them all in now instead (see ``Bm25Index.prefetch``), which keeps the
    first queries on a large index from paying for page faults.
    """
    loaded = load_arrays(directory, INDEX_NAME, fingerprint)
    if loaded is None:
        return None
    arrays, meta, texts = loaded
    wanted = {"k1": k1, "b": b, "epsilon": epsilon}
    for key, value in wanted.items():
        if value is not None and meta.get(key) != float(value):
            logger.info("ignoring saved index: built with %s=%r", key, meta.get(key))
            return None
    terms = texts.get("vocab")
    if not isinstance(terms, list) or not all(isinstance(term, str) for term in terms):
        logger.warning("ignoring saved index: bad vocabulary")
        return None
    try:
        index = Bm25Index.from_arrays(arrays, meta, terms)
    except (ValueError, TypeError, IndexError) as exc:
        logger.warning("ignoring damaged saved index: %s", exc)
        return None
    if prefetch:
        index.prefetch()
    return index


def load_or_build(
    directory: str | os.PathLike[str],
    fingerprint: str,
    corpus_factory: Callable[[], Sequence[Sequence[str]]],
    *,
    progress: BuildProgress | None = None,
    quiet: bool = False,
    k1: float = 1.5,
    b: float = 0.75,
    epsilon: float = 0.25,
    dense_fraction: float = DENSE_FRACTION,
    prefetch: bool = False,
) -> Bm25Index:
    """Load the saved index for ``fingerprint``, or build it from ``corpus_factory()`` and save it.

    ``fingerprint`` identifies the corpus content (e.g. sha256 of the source bytes or of the
    tokens); a different one, or a damaged cache, means a rebuild. Large builds show a stderr
    progress line unless ``quiet`` (``progress`` replaces it). A failed save is logged, not
    raised: the built index is still returned. ``prefetch`` is passed to ``load_index``.
    """
    index = load_index(directory, fingerprint, k1=k1, b=b, epsilon=epsilon, prefetch=prefetch)
    if index is not None:
        return index
    corpus = corpus_factory()
    reporter = progress
    if reporter is None and not quiet and len(corpus) > PROGRESS_MIN_DOCS:
        reporter = StderrProgress()
    index = Bm25Index.build(corpus, k1=k1, b=b, epsilon=epsilon, progress=reporter, dense_fraction=dense_fraction)
    try:
        save_index(index, directory, fingerprint)
    except OSError as exc:
        logger.warning("could not save the BM25 index to %s: %s", directory, exc)
    return index


# ---------------------------------------------------------------------- helpers


def _check_name(name: str) -> None:
    # No dots: version folders are "<name>.<token>", and cleanup must not match another entry.
    if not _NAME.fullmatch(name):
        raise ValueError(f"bad name {name!r}: use letters, digits, '_' or '-'")


def _safe_name(name: object) -> str:
    """Reject path tricks in names read from a manifest."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"bad file name {name!r} in manifest")
    return name


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    """Make the renames durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_old_versions(root: Path, name: str, keep: str) -> None:
    """Delete superseded version folders and leftovers of interrupted saves (best effort)."""
    for path in root.iterdir():
        stale_version = path.name.startswith(f"{name}.") and path.is_dir() and path.name != keep
        stale_temp = path.name.startswith(f".{name}.") and path.name.endswith(".tmp")
        if stale_version and _older_than(path, _FRESH_SECONDS):
            # A fresh folder may be a concurrent save's, about to be named by its manifest.
            shutil.rmtree(path, ignore_errors=True)
        elif stale_temp and _older_than(path, 3600):
            # Only old temporaries: a fresh one may belong to a concurrent save.
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False
