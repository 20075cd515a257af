"""Split cleaned review lines into sectioned passages, and passages into sentences."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from index.model import Passage, Reveal, Section, Sentence, SourceInfo, Topic
from index.sources import Document, SectionSpec, matches_start

_BULLET = re.compile(r"^(?:[•·▪◦*]|-(?=\s))\s*")
# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "etc", "e.g", "i.e", "no", "vol", "ch", "pp", "ed"}
)
_OPEN_QUOTES = "“"
_CLOSE_QUOTES = "”"
_CLOSERS = "”\"’')]»"
_ENDERS = ".!?…"
# A sentence opening with one of these leans on the sentence before it (for context and for reveals).
_LEANS_BACK = frozenset(
    [
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "they",
        "their",
        "them",
        "she",
        "her",
        "he",
        "his",
        "him",
        "but",
        "and",
        "so",
        "yet",
        "then",
        "there",
        "here",
        "such",
        "even",
        "instead",
        "meanwhile",
        "still",
        "also",
        "later",
        "afterwards",
        "which",
        "interestingly",
        "together",
    ]
)
_FIRST_WORD = re.compile(r"[a-z']+")


def leans_back(text: str) -> bool:
    """True when a sentence only makes sense after the one before it ("This hope…", "But even that…")."""
    from index.analysis import normalise

    match = _FIRST_WORD.match(normalise(text).lstrip("\"'( "))
    return match is not None and match.group(0) in _LEANS_BACK


@dataclass(frozen=True, slots=True)
class RawPassage:
    """A paragraph before sentence classification."""

    source: SourceInfo
    section: Section
    text: str


def _quote_depths(text: str) -> list[int] | None:
    """Depth of double quotation at each character, or None when the quotes do not balance."""
    depths: list[int] = []
    depth = 0
    straight_open = False
    for char in text:
        if char in _OPEN_QUOTES:
            depth += 1
            depths.append(depth)
            continue
        if char in _CLOSE_QUOTES:
            depths.append(depth)
            depth = max(0, depth - 1)
            continue
        if char == '"':
            if straight_open:
                depths.append(depth)
                depth -= 1
            else:
                depth += 1
                depths.append(depth)
            straight_open = not straight_open
            continue
        depths.append(depth)
    if depth != 0 or straight_open:
        return None
    return depths


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial such as 'Kathy H.'."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    if not word:
        return False
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph, verbatim; a quotation stays inside the sentence that quotes it."""
    text = text.strip()
    if not text:
        return []
    depths = _quote_depths(text)
    out: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char not in _ENDERS:
            i += 1
            continue
        end = i + 1
        while end < n and text[end] in _ENDERS:
            end += 1
        while end < n and text[end] in _CLOSERS:
            end += 1
        # "…rumor” ." — a stray period after the closing quote belongs to the sentence.
        if end + 1 < n and text[end] == " " and text[end + 1] in ".!?" and (end + 2 >= n or text[end + 2] == " "):
            end += 2
        if end >= n:
            break
        if not text[end].isspace():
            i = end
            continue
        nxt = end
        while nxt < n and text[nxt].isspace():
            nxt += 1
        if nxt >= n:
            break
        following = text[nxt]
        inside_quote = depths is not None and depths[end - 1] > 0 and text[end - 1] not in _CLOSERS
        if depths is not None and text[end - 1] in _CLOSE_QUOTES:
            inside_quote = depths[end - 1] > 1
        starts_new = following.isupper() or following.isdigit() or following in '“"‘(['
        if char == "." and end == i + 1 and _ends_with_abbreviation(text, i):
            starts_new = False
        if starts_new and not inside_quote:
            out.append(text[start:end].strip())
            start = nxt
        i = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _section_for(spec: SectionSpec, by_title: dict[str, Section]) -> Section:
    parents: tuple[str, ...] = ()
    if spec.parent is not None:
        parent = by_title.get(spec.parent)
        parents = (*parent.parents, parent.title) if parent else (spec.parent,)
    return Section(title=spec.display, parents=parents, topic=spec.topic, reveals=spec.reveals)


def raw_passages(document: Document) -> Iterator[RawPassage]:
    """Paragraphs under their headings; a line ending in ':' joins the line after it."""
    by_title: dict[str, Section] = {}
    section = Section(title="Introduction", parents=(), topic=Topic.BACKGROUND, reveals=Reveal.NONE)
    pending = ""
    headings = {spec.heading: spec for spec in document.sections if spec.heading is not None}
    starts = [spec for spec in document.sections if spec.starts is not None]
    for line in document.lines:
        heading_spec = headings.get(line)
        start_spec = next((spec for spec in starts if matches_start(line, spec.starts or "")), None)
        new_spec = heading_spec or start_spec
        if new_spec is not None:
            if pending:
                yield RawPassage(document.info, section, pending)
                pending = ""
            section = _section_for(new_spec, by_title)
            by_title[section.title] = section
            if heading_spec is not None:
                continue
        body = _BULLET.sub("", line).strip()
        if not body:
            continue
        pending = f"{pending} {body}".strip() if pending else body
        if not body.endswith(":"):
            yield RawPassage(document.info, section, pending)
            pending = ""
    if pending:
        yield RawPassage(document.info, section, pending)


Classifier = Callable[[str, Section], Reveal]


def build_passages(documents: Sequence[Document], classify: Classifier) -> tuple[Passage, ...]:
    """Every passage of every document, sentences classified for reveals, numbered globally."""
    passages: list[Passage] = []
    sentence_index = 0
    for document in documents:
        for raw in raw_passages(document):
            sentences: list[Sentence] = []
            for text in split_sentences(raw.text):
                level = classify(text, raw.section)
                # A sentence that leans on a reveal ("This hope becomes a lifeline") reveals it too.
                if sentences and leans_back(text) and sentences[-1].reveal >= Reveal.PART_2:
                    level = max(level, sentences[-1].reveal)
                sentences.append(Sentence(sentence_index, len(passages), text, level))
                sentence_index += 1
            if sentences:
                passages.append(Passage(len(passages), raw.source, raw.section, tuple(sentences)))
    return tuple(passages)
