"""Sentences indexed under the questions they answer: loaded and checked like any metadata, matched both
ways, persisted, and never shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from index.analysis import terms
from index.engine import Engine
from index.errors import SourceError
from index.expansion import Expansions
from index.query import build_query
from index.sources import default_sources_dir, load_library

# A sentence of the summary page and a question whose words appear nowhere in the reviews' text.
SENTENCE = "Kathy's narrative is tinged with nostalgia"
INVENTED = "which chum gets all wistful looking backwards"


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(default_sources_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def _edit_questions(root: Path, review: str, change: Any) -> None:
    path = root / "questions" / f"{review}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _error(root: Path) -> str:
    with pytest.raises(SourceError) as caught:
        Engine.load(root)
    return str(caught.value)


def test_shipped_questions_cover_most_sentences(engine: Engine) -> None:
    """Nearly every review sentence carries the questions it answers, each attached to a real sentence."""
    assert len(engine.expansions) >= 0.9 * engine.sentence_count
    assert all(0 <= i < engine.sentence_count for i in engine.expansions.asked)


def test_a_listed_question_finds_its_sentence_without_sharing_its_words(sources: Path) -> None:
    """A question in no review's words is answered by the sentence it is listed under, quoted verbatim."""
    _edit_questions(sources, "summary-page", lambda d: d["sentences"].append(
        {"sentence": SENTENCE, "questions": [INVENTED]}
    ))
    answer = Engine.load(sources).ask(INVENTED)
    assert answer.answered and SENTENCE in answer.excerpts[0].text
    shown = " ".join(e.text for e in answer.excerpts + answer.more)
    assert "chum" not in shown and "wistful" not in shown


def test_without_its_listed_question_the_same_question_is_not_covered(sources: Path) -> None:
    """The control: the reviews alone do not cover the invented question."""
    assert not Engine.load(sources).ask(INVENTED).answered


def test_match_counts_both_ways(engine: Engine) -> None:
    """A bare 'deferrals?' matches 'is the deferral real' better than a long question that merely mentions one."""
    query = build_query("deferrals?", engine.vocabulary, ())
    asked = {
        "0": [sorted(terms("is the deferral real"))],
        "1": [sorted(terms("do kathy and tommy try for a deferral"))],
    }
    weighed = Expansions.from_json({"asked": asked}).weighed(engine.vocabulary.weight)
    assert weighed.match(0, query).best > weighed.match(1, query).best > 0


def test_support_counts_the_other_close_questions(engine: Engine) -> None:
    """Three askers pointing at one sentence outweigh one pointing at another; stray matches do not count."""
    query = build_query("do kathy and tommy get together", engine.vocabulary, ())
    asked = {
        "0": [sorted(terms("do kathy and tommy ever get together")),
              sorted(terms("are kathy and tommy together in the end")),
              sorted(terms("kathy and tommy get together??"))],
        "1": [sorted(terms("do kathy and tommy get together"))],
        "2": [sorted(terms("what job does miss emily have")), sorted(terms("who is madame"))],
    }
    weighed = Expansions.from_json({"asked": asked}).weighed(engine.vocabulary.weight)
    many, one, unrelated = (weighed.match(i, query) for i in range(3))
    assert one.best >= many.best > 0.5 and one.support == 0.0
    assert many.support > 0.5
    assert unrelated == (0.0, 0.0)


def test_expansions_round_trip_through_json(engine: Engine) -> None:
    """What a saved engine stores is what it matches with."""
    again = Expansions.from_json(json.loads(json.dumps(engine.expansions.to_json())))
    assert again.asked == engine.expansions.asked and again.extra == engine.expansions.extra
    assert again.foreign == engine.expansions.foreign


def test_words_only_listed_questions_use_are_foreign(engine: Engine) -> None:
    """A listed question's chatter ("already") is known to the index but is no review's word."""
    spoken = {t for p in engine.passages for t in terms(f"{p.section.path} {p.text}")}
    listed = {t for ts in engine.expansions.extra.values() for t in ts}
    assert engine.expansions.foreign == listed - spoken
    assert engine.expansions.foreign and "tommi" not in engine.expansions.foreign


def test_a_foreign_word_counts_as_unknown_not_as_a_typo(engine: Engine) -> None:
    """It is kept as asked (not corrected towards a review word) but weighs like a word the reviews never use."""
    word = next(iter(sorted(engine.expansions.foreign)))
    query = build_query(f"tommy {word}", engine.vocabulary, ())
    assert word in query.terms and query.unknown


def test_a_sentence_not_in_the_review_names_file_and_entry(sources: Path) -> None:
    """An edited review leaves its questions behind: one clear error, not silently lost questions."""
    _edit_questions(sources, "summary-page", lambda d: d["sentences"][2].update(sentence="No such sentence here."))
    message = _error(sources)
    assert "questions/summary-page.json" in message and "sentences.2.sentence" in message


def test_a_questions_file_for_another_review_is_refused(sources: Path) -> None:
    _edit_questions(sources, "summary-page", lambda d: d.update(review="grigoryan"))
    assert "review" in _error(sources)


def test_an_empty_question_is_refused(sources: Path) -> None:
    _edit_questions(sources, "grigoryan", lambda d: d["sentences"][0]["questions"].append("   "))
    assert "sentences.0.questions.1" in _error(sources) or "is empty" in _error(sources)


def test_a_missing_or_corrupt_questions_file_names_the_file(sources: Path) -> None:
    (sources / "questions" / "grigoryan.json").write_bytes(b"{\x00not json")
    assert "questions/grigoryan.json" in _error(sources)
    (sources / "questions" / "grigoryan.json").unlink()
    message = _error(sources)
    assert "questions/grigoryan.json" in message and "not found" in message


def test_a_review_without_a_questions_file_still_loads(sources: Path) -> None:
    """Questions are optional metadata: a new review is searchable by its own words from day one."""
    path = sources / "catalog.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    for review in catalog["reviews"]:
        review.pop("questions", None)
    path.write_text(json.dumps(catalog), encoding="utf-8")
    library = load_library(sources)
    assert all(not d.asked for d in library.documents)
    assert Engine.load(sources).ask("who is Ruth").answered


def _asked_file(root: Path, lines: list[str]) -> None:
    (root / "questions" / "asked" / "extra.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    catalog = json.loads((root / "catalog.json").read_text(encoding="utf-8"))
    catalog["asked"] = [*catalog.get("asked", []), "questions/asked/extra.jsonl"]
    (root / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")


def test_an_asked_question_is_listed_under_its_best_evidence(sources: Path) -> None:
    """A question in no review's words is answered by the sentence holding its first evidence phrase."""
    line = {"id": "x1", "question": INVENTED, "evidence": ["tinged with nostalgia", "a sense of loss and longing"]}
    off_topic = {"id": "x2", "question": "what day is the club", "evidence": []}
    _asked_file(sources, [json.dumps(line), json.dumps(off_topic)])
    library = load_library(sources)
    assert [q.id for q in library.asked[-1].questions] == ["x1"]  # the off-topic line lists nothing
    answer = Engine.load(sources).ask(INVENTED)
    assert answer.answered and SENTENCE in answer.excerpts[0].text


def test_an_asked_phrase_in_no_sentence_names_file_and_id(sources: Path) -> None:
    _asked_file(sources, [json.dumps({"id": "x9", "question": "who is Kathy?", "evidence": ["no review says this"]})])
    message = _error(sources)
    assert "questions/asked/extra.jsonl" in message and "x9.evidence" in message


def test_a_corrupt_asked_line_names_file_and_line(sources: Path) -> None:
    _asked_file(sources, ['{"id": "x1", "question": "who is Kathy?", "evidence": ["Kathy"]}', "{not json"])
    message = _error(sources)
    assert "extra.jsonl" in message and "line 2" in message


def test_an_asked_line_without_a_question_is_refused(sources: Path) -> None:
    _asked_file(sources, [json.dumps({"id": "x1", "question": "  ", "evidence": ["Kathy"]})])
    assert "line 1" in _error(sources)


def test_asked_files_change_the_fingerprint(sources: Path) -> None:
    """A saved engine built before a question was added is stale, not silently reused."""
    before = load_library(sources).fingerprint
    _asked_file(sources, [json.dumps({"id": "x1", "question": INVENTED, "evidence": ["tinged with nostalgia"]})])
    assert load_library(sources).fingerprint != before
