"""Load the shipped reviews and the book manifest, validated, with page debris dropped.

The review files stay byte-for-byte as published; everything the loader needs to know about them
(titles, authors, which plain lines are headings) lives in ``catalog.json`` beside them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from index.errors import SourceError
from index.model import Reveal, SourceInfo, Topic

MAX_SOURCE_BYTES = 5_000_000
MAX_QUESTION_FILE_BYTES = 2_000_000

# Lines that are page furniture, not review text.
_DEBRIS = (
    re.compile(r"^comments?$", re.IGNORECASE),
    re.compile(r"^published on\b.*$", re.IGNORECASE),
    re.compile(r"^\d+\s*min(ute)?s?\s+read$", re.IGNORECASE),
    re.compile(r"^table of contents$", re.IGNORECASE),
    re.compile(r"^-?\s*\d+\s+(second|minute|hour|day|week|month|year)s?\s+ago$", re.IGNORECASE),
    re.compile(r"^(share|like|reply|subscribe|read more|advertisement)$", re.IGNORECASE),
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SectionSpec(_Strict):
    """A section boundary: an exact heading line, or the start of a content line."""

    heading: str | None = None
    starts: str | None = None
    title: str | None = None
    parent: str | None = None
    topic: Topic
    reveals: Reveal = Reveal.NONE

    @field_validator("reveals", mode="before")
    @classmethod
    def _reveal(cls, value: object) -> object:
        return Reveal.parse(value) if isinstance(value, str) else value

    @property
    def display(self) -> str:
        return self.title or self.heading or self.starts or ""


class ReviewSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    file: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=200)
    author: str | None = Field(default=None, max_length=100)
    kind: str = Field(min_length=1, max_length=40)
    questions: str | None = Field(default=None, min_length=1)
    sections: tuple[SectionSpec, ...] = ()


class AskedSpec(_Strict):
    """A sentence of a review and the questions members ask that it answers, in their words."""

    sentence: str = Field(min_length=8, max_length=2000)
    questions: tuple[str, ...] = Field(min_length=1, max_length=40)


class QuestionsSpec(_Strict):
    """A review's questions file: which reader questions each of its sentences answers.

    Members rarely use a review's words ("how does Tommy take it" against "a roar of anger"), so
    each sentence can carry the questions it answers; retrieval matches them too, and they are
    never shown. Written from the review alone, like any other metadata a moderator keeps.
    """

    review: str
    sentences: tuple[AskedSpec, ...] = ()


class CatalogSpec(_Strict):
    book: str = "book.json"
    reviews: tuple[ReviewSpec, ...] = Field(min_length=1)
    # Files of member questions, each with the review phrase that answers it (``AskedFile``).
    asked: tuple[str, ...] = ()


class _AskedLine(BaseModel):
    """One line of an asked-questions file: the evaluation files' format (other keys are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(min_length=1, max_length=40)
    question: str = Field(min_length=1, max_length=2000)
    evidence: tuple[str, ...] = ()


class PartSpec(_Strict):
    id: str
    name: str
    summary: str = ""


class CharacterSpec(_Strict):
    name: str = Field(min_length=1, max_length=60)
    aliases: tuple[str, ...] = ()
    who: tuple[str, ...] = ()


class CueRule(_Strict):
    """Every group must match (one of its phrases, at a word start) for the rule to fire."""

    level: Reveal
    about: str
    cues: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return Reveal.parse(value) if isinstance(value, str) else value


class SpoilerSpec(_Strict):
    premise_is_spoiler: bool = False
    note: str = ""
    events: tuple[CueRule, ...] = ()
    language: tuple[CueRule, ...] = ()


class DisagreementSpec(_Strict):
    about: str
    cues: tuple[str, ...]
    topics: tuple[Topic, ...] = ()
    note: str


class BookSpec(_Strict):
    title: str
    author: str
    year: int
    parts: tuple[PartSpec, ...]
    themes: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    characters: tuple[CharacterSpec, ...] = ()
    spoilers: SpoilerSpec = SpoilerSpec()
    disagreements: tuple[DisagreementSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A review's cleaned lines (debris dropped), with its metadata and section specs."""

    info: SourceInfo
    lines: tuple[str, ...]
    sections: tuple[SectionSpec, ...]
    asked: tuple[AskedSpec, ...] = ()
    questions_file: str | None = None


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A member's question and the exact review phrases that answer it, best first."""

    id: str
    question: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AskedFile:
    """Questions written the way members ask them, each with its evidence: listed under the sentence
    holding that evidence (like a review's questions file), so the sentence is found in members' words.
    Lines without evidence (questions the reviews do not answer) are skipped."""

    name: str
    questions: tuple[AskedQuestion, ...]


@dataclass(frozen=True, slots=True)
class Library:
    book: BookSpec
    documents: tuple[Document, ...]
    fingerprint: str
    asked: tuple[AskedFile, ...] = ()


def _first_error(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return field, str(first["msg"])


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(path.name, "(file)", "file not found") from None
    except UnicodeDecodeError:
        raise SourceError(path.name, "(file)", "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise SourceError(path.name, f"line {error.lineno}", f"invalid JSON ({error.msg})") from None


def _is_debris(line: str, author: str | None) -> bool:
    stripped = line.strip()
    bare = stripped.lstrip("-–—•· ").strip()
    if any(pattern.match(bare) for pattern in _DEBRIS):
        return True
    # A byline such as "- Davit Grigoryan" under the title.
    return bool(author) and stripped.lstrip("-–— ").strip() == author and stripped[:1] in "-–—"


def clean_lines(text: str, author: str | None) -> tuple[str, ...]:
    """Non-empty lines with page debris dropped; typography is kept as published."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("\u00a0", " ").strip()
        if line and not _is_debris(line, author):
            out.append(line)
    return tuple(out)


def _read_inside(root: Path, relative: str, label: str, field: str, limit: int) -> bytes:
    """A file the catalogue names, read whole: inside the sources folder, present, readable, not huge."""
    path = (root / relative).resolve()
    if root.resolve() not in path.parents:
        raise SourceError(label, field, "must be inside the sources folder")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(label, field, "file not found") from None
    except OSError as error:
        raise SourceError(label, field, f"cannot be read ({error.strerror})") from None
    if len(data) > limit:
        raise SourceError(label, field, f"larger than {limit} bytes")
    return data


def _load_document(root: Path, spec: ReviewSpec) -> tuple[Document, bytes]:
    label = f"{spec.file} (review {spec.id})"
    data = _read_inside(root, spec.file, label, "file", MAX_SOURCE_BYTES)
    if b"\x00" in data:
        raise SourceError(label, "file", "is binary, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(label, "file", "is not UTF-8 text") from None
    lines = clean_lines(text, spec.author)
    if not lines:
        raise SourceError(label, "file", "is empty after dropping page debris")
    for index, section in enumerate(spec.sections):
        if section.heading is None and section.starts is None:
            raise SourceError(label, f"sections.{index}", "needs 'heading' or 'starts'")
        if section.heading is not None and section.heading not in lines:
            raise SourceError(label, f"sections.{index}.heading", f"no line reads {section.heading!r}")
        if section.starts is not None and not any(_loose(line).startswith(_loose(section.starts)) for line in lines):
            raise SourceError(label, f"sections.{index}.starts", f"no line starts {section.starts!r}")
    asked, asked_data = _load_questions(root, spec)
    info = SourceInfo(id=spec.id, title=spec.title, author=spec.author, kind=spec.kind, file=spec.file)
    return (
        Document(info=info, lines=lines, sections=spec.sections, asked=asked, questions_file=spec.questions),
        data + asked_data,
    )


def _load_questions(root: Path, spec: ReviewSpec) -> tuple[tuple[AskedSpec, ...], bytes]:
    """The review's questions file, if it names one (that each sentence is in the review is checked
    once the review is split into sentences)."""
    if spec.questions is None:
        return (), b""
    label = f"{spec.questions} (questions of review {spec.id})"
    data = _read_inside(root, spec.questions, label, "(file)", MAX_QUESTION_FILE_BYTES)
    try:
        parsed = QuestionsSpec.model_validate(json.loads(data.decode("utf-8")))
    except UnicodeDecodeError:
        raise SourceError(label, "(file)", "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise SourceError(label, f"line {error.lineno}", f"invalid JSON ({error.msg})") from None
    except ValidationError as error:
        field, problem = _first_error(error)
        raise SourceError(label, field, problem) from None
    if parsed.review != spec.id:
        raise SourceError(label, "review", f"names review {parsed.review!r}, but the catalog gives it to {spec.id!r}")
    for index, asked in enumerate(parsed.sentences):
        for number, question in enumerate(asked.questions):
            if not question.strip():
                raise SourceError(label, f"sentences.{index}.questions.{number}", "is empty")
    return parsed.sentences, data


def _load_asked(root: Path, name: str) -> tuple[AskedFile, bytes]:
    label = f"{name} (asked questions)"
    data = _read_inside(root, name, label, "(file)", MAX_QUESTION_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(label, "(file)", "not UTF-8 text") from None
    questions: list[AskedQuestion] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = _AskedLine.model_validate(json.loads(line))
        except json.JSONDecodeError as error:
            raise SourceError(label, f"line {number}", f"invalid JSON ({error.msg})") from None
        except ValidationError as error:
            field, problem = _first_error(error)
            raise SourceError(label, f"line {number}: {field}", problem) from None
        if not row.question.strip() or any(not phrase.strip() for phrase in row.evidence):
            raise SourceError(label, f"line {number}", "has an empty question or evidence phrase")
        if row.evidence:
            questions.append(AskedQuestion(row.id, row.question, row.evidence))
    return AskedFile(name, tuple(questions)), data


def _loose(text: str) -> str:
    """Compare heading cues without caring about curly versus straight quotes."""
    text = text.lstrip("•·*- \t")
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').lower()


def matches_start(line: str, starts: str) -> bool:
    return _loose(line).startswith(_loose(starts))


def load_library(root: Path) -> Library:
    """Load ``catalog.json`` and everything it names; one clear :class:`SourceError` if anything is off."""
    import hashlib

    catalog_path = root / "catalog.json"
    try:
        catalog = CatalogSpec.model_validate(_read_json(catalog_path))
    except ValidationError as error:
        field, problem = _first_error(error)
        raise SourceError("catalog.json", field, problem) from None
    book_path = root / catalog.book
    try:
        book = BookSpec.model_validate(_read_json(book_path))
    except ValidationError as error:
        field, problem = _first_error(error)
        raise SourceError(book_path.name, field, problem) from None
    seen: set[str] = set()
    digest = hashlib.sha256()
    digest.update(catalog_path.read_bytes())
    digest.update(book_path.read_bytes())
    documents = []
    for index, spec in enumerate(catalog.reviews):
        if spec.id in seen:
            raise SourceError("catalog.json", f"reviews.{index}.id", f"duplicate id {spec.id!r}")
        seen.add(spec.id)
        document, data = _load_document(root, spec)
        digest.update(data)
        documents.append(document)
    asked = []
    for name in catalog.asked:
        file, data = _load_asked(root, name)
        digest.update(data)
        asked.append(file)
    return Library(book=book, documents=tuple(documents), fingerprint=digest.hexdigest(), asked=tuple(asked))


def default_sources_dir() -> Path:
    """The sources folder shipped with the package (``sources/`` at the repository root)."""
    import sources

    return Path(sources.__file__).resolve().parent
