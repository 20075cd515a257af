"""The loader: shipped sources load, debris is dropped, bad data fails with one message naming file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.errors import SourceError
from index.sources import clean_lines, default_sources_dir, load_library


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(default_sources_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def _edit_catalog(root: Path, change: object) -> None:
    path = root / "catalog.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    change(catalog)  # type: ignore[operator]
    path.write_text(json.dumps(catalog), encoding="utf-8")


def test_shipped_sources_load() -> None:
    """Three reviews with metadata load from the package's sources folder."""
    library = load_library(default_sources_dir())
    assert [d.info.id for d in library.documents] == ["grigoryan", "summary-page", "review-essay"]
    assert library.documents[0].info.author == "Davit Grigoryan"


def test_shipped_text_is_byte_for_byte_the_seed() -> None:
    """The review files are the published text, unedited."""
    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside the checkout")
    shipped = {p.read_bytes() for p in (default_sources_dir() / "reviews").glob("*.txt")}
    assert shipped == {p.read_bytes() for p in seeds.glob("*.txt")}


def test_debris_is_dropped_by_the_loader() -> None:
    """Page furniture never reaches the passages."""
    lines = clean_lines(
        "Title\n- Davit Grigoryan\n- 2 days ago\n- 7 min read\nPublished on\nBody.\nComments\nTable of Contents\n",
        "Davit Grigoryan",
    )
    assert lines == ("Title", "Body.")
    library = load_library(default_sources_dir())
    every_line = [line for d in library.documents for line in d.lines]
    for debris in ("Comments", "Published on", "Table of Contents", "- 7 min read", "- 2 days ago"):
        assert debris not in every_line


def test_missing_review_file_names_file_and_field(sources: Path) -> None:
    """A catalogue entry pointing nowhere is one clear error."""
    (sources / "reviews" / "summary-page.txt").unlink()
    with pytest.raises(SourceError) as error:
        load_library(sources)
    assert "summary-page.txt" in str(error.value) and "file" in str(error.value)


def test_duplicate_id_is_refused(sources: Path) -> None:
    """Two reviews cannot share an id."""
    _edit_catalog(sources, lambda c: c["reviews"][1].__setitem__("id", "grigoryan"))
    with pytest.raises(SourceError, match=r"catalog.json: reviews.1.id: duplicate id"):
        load_library(sources)


def test_bad_metadata_names_the_field(sources: Path) -> None:
    """An invalid id pattern is reported with its field path."""
    _edit_catalog(sources, lambda c: c["reviews"][0].__setitem__("id", "Not An Id!"))
    with pytest.raises(SourceError, match=r"catalog.json: reviews.0.id"):
        load_library(sources)


def test_empty_document_is_refused(sources: Path) -> None:
    """A review that is only debris is empty."""
    (sources / "reviews" / "summary-page.txt").write_text("Comments\n\n- 7 min read\n", encoding="utf-8")
    with pytest.raises(SourceError, match="empty"):
        load_library(sources)


def test_binary_file_is_refused(sources: Path) -> None:
    """Binary junk is not a review."""
    (sources / "reviews" / "summary-page.txt").write_bytes(b"\x00\xff\xfe junk")
    with pytest.raises(SourceError, match="binary"):
        load_library(sources)


def test_corrupt_json_names_the_line(sources: Path) -> None:
    """A broken manifest says where."""
    (sources / "book.json").write_text('{"title": "x",\n oops}', encoding="utf-8")
    with pytest.raises(SourceError, match=r"book.json: line 2"):
        load_library(sources)


def test_declared_heading_must_exist(sources: Path) -> None:
    """A section heading that is not in the text is reported, not silently ignored."""
    _edit_catalog(
        sources, lambda c: c["reviews"][2]["sections"].append({"heading": "No Such Heading", "topic": "plot"})
    )
    with pytest.raises(SourceError, match=r"sections.\d+.heading"):
        load_library(sources)
