"""Corpora: the columnar, memory-mapped corpus holds exactly what the in-memory one does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.analysis import terms
from index.corpus import ArrayCorpus, Corpus, CorpusWriter, MemoryCorpus
from index.engine import Engine
from index.model import Reveal, Section, SourceInfo, Topic


@pytest.fixture(scope="module")
def memory(engine: Engine) -> Corpus:
    assert isinstance(engine.passages, MemoryCorpus)
    return engine.passages


@pytest.fixture(scope="module")
def saved(memory: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("corpus")
    ArrayCorpus.from_passages(memory, memory.sources).save(directory, "fp")
    return directory


def assert_same_corpus(a: Corpus, b: Corpus) -> None:
    assert len(a) == len(b) and a.sentence_count == b.sentence_count
    assert a.sources == b.sources
    assert list(a) == list(b)
    assert [a[i] for i in range(len(a))] == [b.passage(i) for i in range(len(b))]
    for sentence in range(a.sentence_count):
        assert a.sentence_terms(sentence) == b.sentence_terms(sentence)
    assert [a.first_in_section(i) for i in range(len(a))] == [b.first_in_section(i) for i in range(len(b))]
    assert a.source_stats() == b.source_stats()


def test_array_corpus_round_trip_equals_memory(memory: Corpus, saved: Path) -> None:
    """Saved, then opened memory-mapped: every passage, sentence, term, section flag and stat is equal."""
    loaded = ArrayCorpus.load(saved, "fp")
    assert loaded is not None
    assert_same_corpus(memory, loaded)
    assert_same_corpus(memory, ArrayCorpus.from_passages(memory, memory.sources))


def test_sequence_behaviour(memory: Corpus, saved: Path) -> None:
    loaded = ArrayCorpus.load(saved, "fp")
    assert loaded is not None
    assert loaded[-1] == memory[-1] and loaded[2:5] == tuple(memory[2:5])
    assert loaded.passage(7) is loaded.passage(7)  # cached
    with pytest.raises(IndexError):
        loaded.passage(len(loaded))


def test_stale_fingerprint_is_none(saved: Path) -> None:
    assert ArrayCorpus.load(saved, "other") is None


def _folder(directory: Path) -> Path:
    return directory / json.loads((directory / "corpus.json").read_text(encoding="utf-8"))["folder"]


@pytest.mark.parametrize("damage", ["offsets", "ids", "terms_table", "truncated"])
def test_damaged_corpus_is_none(memory: Corpus, tmp_path: Path, damage: str) -> None:
    """Damage that keeps file sizes (values out of range) is caught by the checks, not by a crash later."""
    ArrayCorpus.from_passages(memory, memory.sources).save(tmp_path, "fp")
    folder = _folder(tmp_path)
    if damage == "offsets":
        path = folder / "sentence_offsets.npy"
        values = np.load(path)
        values[3] = values[-1] + 10
        np.save(path, values)
    elif damage == "ids":
        path = folder / "passage_source.npy"
        values = np.load(path)
        values[0] = 99
        np.save(path, values)
    elif damage == "terms_table":
        (folder / "terms.json").write_text("[1, 2]", encoding="utf-8")
    else:
        path = folder / "text.npy"
        path.write_bytes(path.read_bytes()[:-5])
    assert ArrayCorpus.load(tmp_path, "fp") is None


def test_writer_numbers_sentences_and_interns_sections() -> None:
    section = Section("Plot", (), Topic.PLOT, Reveal.PART_1)
    writer = CorpusWriter([SourceInfo("a", "A", None, "review", "a.txt")])
    writer.add_source(SourceInfo("b", "B", "Someone", "essay", "b.txt"))
    writer.add("a", section, [("Ruth dies.", Reveal.PART_3), ("Tommy screams ünïcödé.", Reveal.NONE)])
    writer.add("b", section, [("Kathy remembers.", Reveal.NONE)])
    with pytest.raises(ValueError, match="duplicate"):
        writer.add_source(SourceInfo("a", "A", None, "review", "a.txt"))
    with pytest.raises(ValueError, match="at least one"):
        writer.add("a", section, [])
    corpus = writer.finish()
    assert len(corpus) == 2 and corpus.sentence_count == 3
    second = corpus.passage(1)
    assert second.sentences[0].index == 2 and second.sentences[0].passage == 1
    assert corpus.passage(0).sentences[1].text == "Tommy screams ünïcödé."
    assert corpus.passage(0).sentences[0].reveal is Reveal.PART_3
    assert corpus.sentence_terms(0) == tuple(terms("Ruth dies.")) and corpus.sentence_terms(0)[0] == "ruth"
    assert corpus.first_in_section(1)  # another review
    stats = corpus.source_stats()
    assert [(s.info.id, s.sections, s.passages, s.sentences) for s in stats] == [
        ("a", ("Plot",), 1, 2),
        ("b", ("Plot",), 1, 1),
    ]
