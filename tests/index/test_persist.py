"""Persisted indexes: exact round trips, reuse only for the same corpus, and a rebuild (never a
crash) on stale, damaged or half-written caches."""

from __future__ import annotations

import io
import json
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from index import persist
from index.bm25 import Bm25Index
from index.persist import (
    StderrProgress,
    load_arrays,
    load_index,
    load_or_build,
    save_arrays,
    save_index,
)

CORPUS = [
    ["the", "cat", "sat"],
    ["the", "dog", "sat", "down"],
    ["a", "cat", "and", "a", "dog"],
    [],
    ["down", "the", "road", "the", "end"],
    ["ünïcödé", "line\nbreak", "the"],
]
QUERIES = [["cat"], ["the", "dog"], ["down", "road", "zz"], [], ["ünïcödé", "line\nbreak"], ["the", "the"]]


class Factory:
    """A corpus factory that counts how often it is asked to build."""

    def __init__(self, corpus: list[list[str]] = CORPUS) -> None:
        self.corpus = corpus
        self.calls = 0

    def __call__(self) -> list[list[str]]:
        self.calls += 1
        return self.corpus


def assert_same_index(a: Bm25Index, b: Bm25Index) -> None:
    arrays_a, meta_a, terms_a = a.to_arrays()
    arrays_b, meta_b, terms_b = b.to_arrays()
    assert meta_a == meta_b
    assert terms_a == terms_b
    assert arrays_a.keys() == arrays_b.keys()
    for name in arrays_a:
        assert arrays_a[name].dtype == arrays_b[name].dtype, name
        assert np.array_equal(arrays_a[name], arrays_b[name]), name
    for query in QUERIES:
        assert a.get_scores(query).tobytes() == b.get_scores(query).tobytes()
        assert a.top_k(query, 4) == b.top_k(query, 4)
        assert a.matching(query, 4) == b.matching(query, 4)


def test_round_trip_is_exact(tmp_path: Path) -> None:
    built = Bm25Index.build(CORPUS)
    save_index(built, tmp_path, "fp-1")
    loaded = load_index(tmp_path, "fp-1")
    assert loaded is not None
    assert_same_index(built, loaded)
    assert loaded.idf("line\nbreak") == built.idf("line\nbreak")
    assert loaded.term_freqs(4) == built.term_freqs(4)


def test_loaded_arrays_are_read_only_memory_maps(tmp_path: Path) -> None:
    save_arrays(tmp_path, "store", {"x": np.arange(10), "empty": np.zeros((0, 3))}, {"n": 10}, "fp")
    loaded = load_arrays(tmp_path, "store", "fp")
    assert loaded is not None
    arrays, meta, texts = loaded
    assert meta == {"n": 10} and texts == {}
    assert isinstance(arrays["x"], np.memmap) and not arrays["x"].flags.writeable
    assert arrays["empty"].shape == (0, 3)
    assert load_arrays(tmp_path, "store", "fp", mmap=False) is not None


def test_generic_store_round_trip_with_texts(tmp_path: Path) -> None:
    columns = {"start": np.array([0, 5, 9], dtype=np.int64), "score": np.array([0.5, 1.5, -2.0])}
    save_arrays(tmp_path, "passages", columns, {"version": 3, "names": ["a", "b"]}, "abc", texts={"ids": ["p1"]})
    loaded = load_arrays(tmp_path, "passages", "abc")
    assert loaded is not None
    arrays, meta, texts = loaded
    assert meta == {"version": 3, "names": ["a", "b"]}
    assert texts == {"ids": ["p1"]}
    for name, column in columns.items():
        assert np.array_equal(arrays[name], column) and arrays[name].dtype == column.dtype
    assert load_arrays(tmp_path, "missing", "abc") is None


def test_fingerprint_mismatch_rebuilds(tmp_path: Path) -> None:
    first = Factory()
    index = load_or_build(tmp_path, "v1", first)
    assert first.calls == 1
    again = load_or_build(tmp_path, "v1", first)
    assert first.calls == 1  # reused
    assert_same_index(index, again)
    changed = Factory([["new", "corpus"], ["entirely"]])
    rebuilt = load_or_build(tmp_path, "v2", changed)
    assert changed.calls == 1
    assert rebuilt.n_docs == 2
    assert load_index(tmp_path, "v1") is None
    assert load_index(tmp_path, "v2") is not None


def test_other_parameters_rebuild(tmp_path: Path) -> None:
    factory = Factory()
    load_or_build(tmp_path, "fp", factory)
    load_or_build(tmp_path, "fp", factory, k1=1.2)
    assert factory.calls == 2
    assert load_index(tmp_path, "fp", k1=1.2) is not None
    assert load_index(tmp_path, "fp", k1=1.5) is None


def folder_of(tmp_path: Path) -> Path:
    manifest = json.loads((tmp_path / "bm25.json").read_text(encoding="utf-8"))
    return tmp_path / manifest["folder"]


@pytest.mark.parametrize(
    "damage",
    [
        "garbage_manifest",
        "truncated_array",
        "missing_array",
        "wrong_shape",
        "bad_vocab",
        "missing_folder",
        "inconsistent_arrays",
        "other_layout",
    ],
)
def test_damaged_cache_rebuilds(tmp_path: Path, damage: str) -> None:
    factory = Factory()
    load_or_build(tmp_path, "fp", factory)
    folder = folder_of(tmp_path)
    manifest_path = tmp_path / "bm25.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if damage == "garbage_manifest":
        manifest_path.write_text("{not json", encoding="utf-8")
    elif damage == "truncated_array":
        path = folder / "weights.npy"
        path.write_bytes(path.read_bytes()[:-8])
    elif damage == "missing_array":
        (folder / "docs.npy").unlink()
    elif damage == "wrong_shape":
        manifest["arrays"]["idf"]["shape"] = [999]
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    elif damage == "bad_vocab":
        (folder / "vocab.json").write_text('["only one term"]', encoding="utf-8")
    elif damage == "missing_folder":
        manifest["folder"] = "bm25.nowhere"
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    elif damage == "inconsistent_arrays":
        # Valid files, but the arrays no longer fit together.
        np.save(folder / "idf.npy", np.zeros(3))
        manifest["arrays"]["idf"].update(shape=[3], bytes=(folder / "idf.npy").stat().st_size)
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    elif damage == "other_layout":
        manifest["layout"] = 999
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert load_index(tmp_path, "fp") is None
    rebuilt = load_or_build(tmp_path, "fp", factory)
    assert factory.calls == 2
    assert_same_index(rebuilt, Bm25Index.build(CORPUS))
    assert load_index(tmp_path, "fp") is not None


def test_manifest_cannot_point_outside_the_directory(tmp_path: Path) -> None:
    save_index(Bm25Index.build(CORPUS), tmp_path, "fp")
    manifest = json.loads((tmp_path / "bm25.json").read_text(encoding="utf-8"))
    manifest["folder"] = "../elsewhere"
    (tmp_path / "bm25.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert load_index(tmp_path, "fp") is None


def test_interrupted_save_keeps_the_previous_version(tmp_path: Path) -> None:
    old = Bm25Index.build(CORPUS)
    save_index(old, tmp_path, "fp")
    real_save = np.save
    calls = {"n": 0}

    def failing_save(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real_save(*args, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(persist.np, "save", failing_save), pytest.raises(OSError, match="disk full"):
        save_index(Bm25Index.build([["other"], ["corpus"]]), tmp_path, "fp")
    loaded = load_index(tmp_path, "fp")
    assert loaded is not None
    assert_same_index(old, loaded)
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]
    assert [path for path in tmp_path.iterdir() if path.is_dir()] == [folder_of(tmp_path)]


def test_failure_while_publishing_leaves_no_orphan(tmp_path: Path) -> None:
    old = Bm25Index.build(CORPUS)
    save_index(old, tmp_path, "fp")
    with mock.patch.object(persist, "_write_text", side_effect=OSError("no space")), pytest.raises(OSError):
        save_index(Bm25Index.build([["x"]]), tmp_path, "fp")
    assert [path for path in tmp_path.iterdir() if path.is_dir()] == [folder_of(tmp_path)]
    loaded = load_index(tmp_path, "fp")
    assert loaded is not None
    assert_same_index(old, loaded)


def test_superseded_versions_are_removed(tmp_path: Path) -> None:
    with mock.patch.object(persist, "_FRESH_SECONDS", -1.0):
        save_index(Bm25Index.build(CORPUS), tmp_path, "fp")
        save_index(Bm25Index.build(CORPUS), tmp_path, "fp")
    folders = [path for path in tmp_path.iterdir() if path.is_dir()]
    assert folders == [folder_of(tmp_path)]


def test_a_failed_save_still_returns_the_index(tmp_path: Path) -> None:
    factory = Factory()
    with mock.patch.object(persist, "save_index", side_effect=OSError("read-only")):
        index = load_or_build(tmp_path, "fp", factory)
    assert index.n_docs == len(CORPUS)
    assert load_index(tmp_path, "fp") is None


def test_bad_names_are_refused(tmp_path: Path) -> None:
    for name in ("", "../x", "a/b", ".hidden", "bm25.x"):
        with pytest.raises(ValueError):
            save_arrays(tmp_path, name, {}, {}, "fp")


def test_progress_line(tmp_path: Path) -> None:
    stream = io.StringIO()
    progress = StderrProgress(stream=stream, interval=0.0)
    progress("counting", 5, 10)
    progress("counting", 10, 10)
    text = stream.getvalue()
    assert "counting" in text and "50.0%" in text and text.endswith("\n")
    seen: list[str] = []
    load_or_build(tmp_path, "fp", Factory(), progress=lambda stage, done, total: seen.append(stage))
    assert "counting" in seen and "postings" in seen


def test_large_builds_report_progress_unless_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with mock.patch.object(persist, "PROGRESS_MIN_DOCS", 2):
        load_or_build(tmp_path / "a", "fp", Factory())
        assert "[bm25]" in capsys.readouterr().err
        load_or_build(tmp_path / "b", "fp", Factory(), quiet=True)
        assert capsys.readouterr().err == ""
