"""Render engine answers as Discord markdown (messages, embed parts) and as the CLI's JSON.

Pure: no discord import, so the CLI renders exactly what the bot would post without loading it.
Spoiler tags wrap whole sentences, so trimming at sentence boundaries can never split a tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.markdown import escape, spoiler, truncate_words
from index.characters import CharacterCard
from index.excerpts import Answer, Excerpt
from index.model import Reveal
from index.spoilers import SpoilerMode, SpoilerView

MESSAGE_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
QUESTION_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Citation:
    n: int
    excerpt: Excerpt
    section_label: str | None
    spoiler: bool

    @property
    def label(self) -> str:
        """``*Title* — Author · Section``: never spoils (a spoiling heading is replaced)."""
        source = self.excerpt.source
        parts = [f"*{escape(source.title)}*"]
        if source.author:
            parts.append(f" — {escape(source.author)}")
        if self.section_label:
            parts.append(f" · {escape(self.section_label)}")
        return "".join(parts)

    def to_json(self) -> dict[str, Any]:
        source = self.excerpt.source
        return {
            "n": self.n,
            "source_id": source.id,
            "source_title": source.title,
            "author": source.author,
            "section": self.section_label,
            "excerpt": self.excerpt.text,
            "spoiler": self.spoiler,
            "score": round(float(self.excerpt.score), 4),
        }


@dataclass(frozen=True, slots=True)
class Rendered:
    """An answer laid out for Discord: each piece already escaped and tagged."""

    header: str
    lines: tuple[str, ...]
    footer: tuple[str, ...]
    sources: tuple[str, ...]
    citations: tuple[Citation, ...]
    spoilers: int
    hidden: int
    answered: bool

    @property
    def body(self) -> str:
        parts = [self.header, "\n".join(self.lines)] if self.lines else [self.header]
        if self.footer:
            parts.append("\n".join(self.footer))
        return "\n\n".join(p for p in parts if p)

    @property
    def sources_block(self) -> str:
        return "\n".join(self.sources)

    @property
    def message(self) -> str:
        if not self.sources:
            return self.body
        return f"{self.body}\n\n**Sources**\n{self.sources_block}"


def section_label(excerpt: Excerpt, view: SpoilerView) -> str:
    section = excerpt.section
    return section.neutral if view.is_spoiler(section.reveals) else section.path


def _excerpt_line(excerpt: Excerpt, n: int, view: SpoilerView, limit: int) -> tuple[str, bool]:
    """One excerpt as markdown: spoiler sentences tagged one run at a time, cut at sentence ends."""
    pieces: list[str] = []
    run: list[str] = []
    tagged = False
    length = 0
    suffix = f" [{n}]"
    for sentence in excerpt.sentences:
        text = escape(" ".join(sentence.text.split()))
        is_spoiler = view.is_spoiler(sentence.reveal)
        if length and length + len(text) + 6 + len(suffix) > limit:
            break
        if length == 0 and len(text) + 4 + len(suffix) > limit:
            text = truncate_words(text, limit - 4 - len(suffix))
        if is_spoiler:
            run.append(text)
            tagged = True
        else:
            if run:
                pieces.append(spoiler(" ".join(run)))
                run = []
            pieces.append(text)
        length += len(text) + 5
    if run:
        pieces.append(spoiler(" ".join(run)))
    return " ".join(pieces) + suffix, tagged


def _question_header(question: str) -> str:
    return f"**Q:** {escape(truncate_words(question, QUESTION_SHOWN))}"


def render_answer(
    answer: Answer, view: SpoilerView, limit: int = MESSAGE_LIMIT, *, excerpts: Sequence[Excerpt] | None = None
) -> Rendered:
    """Lay out an answer so that ``message`` fits ``limit`` characters, dropping the weakest excerpts first."""
    header = _question_header(answer.question)
    chosen = list(answer.excerpts if excerpts is None else excerpts)
    if not answer.answered:
        return Rendered(header, (escape(answer.not_covered or ""),), (), (), (), 0, 0, False)
    hidden = 0
    if view.mode is SpoilerMode.HIDE:
        visible = [e for e in chosen if not view.is_spoiler(e.reveal)]
        hidden = len(chosen) - len(visible)
        chosen = visible
    while True:
        rendered = _layout(answer, view, header, chosen, hidden, limit)
        if len(rendered.message) <= limit or len(chosen) <= 1:
            return rendered
        chosen = chosen[:-1]


def _layout(
    answer: Answer, view: SpoilerView, header: str, chosen: Sequence[Excerpt], hidden: int, limit: int
) -> Rendered:
    lines: list[str] = []
    citations: list[Citation] = []
    budget = max(200, (limit - len(header) - 600) // max(1, len(chosen)))
    tagged_levels: list[Reveal] = []
    multi_source = answer.note is not None and len({e.source.id for e in chosen}) >= 2
    labelled: set[str] = set()
    for n, excerpt in enumerate(chosen, 1):
        line, tagged = _excerpt_line(excerpt, n, view, budget)
        if multi_source and excerpt.source.id not in labelled:
            line = f"{'Another review' if labelled else 'One review'}: {line}"
            labelled.add(excerpt.source.id)
        lines.append(line)
        if tagged:
            tagged_levels.append(max(s.reveal for s in excerpt.sentences if view.is_spoiler(s.reveal)))
        citations.append(Citation(n, excerpt, section_label(excerpt, view), tagged))
    footer: list[str] = []
    if answer.note and multi_source:
        footer.append(f"*{escape(answer.note)}*")
    if tagged_levels:
        count = len(tagged_levels)
        noun = "excerpt reveals" if count == 1 else "excerpts reveal"
        footer.append(f"⚠️ {count} {noun} {max(tagged_levels).label}. Tap to reveal, or use **Reveal to me**.")
    if hidden:
        noun = "excerpt was" if hidden == 1 else "excerpts were"
        footer.append(
            f"🙈 {hidden} {noun} held back: {'it reveals' if hidden == 1 else 'they reveal'} more than "
            f"{view.progress.label}. Use **Reveal to me**, or set your reading progress with `/progress`."
        )
    if not lines:
        lines.append("Every excerpt that answers this is a spoiler for your reading progress.")
    sources = tuple(f"[{c.n}] {c.label}" for c in citations)
    return Rendered(header, tuple(lines), tuple(footer), sources, tuple(citations), len(tagged_levels), hidden, True)


def answer_json(answer: Answer, rendered: Rendered) -> dict[str, Any]:
    """The CLI's stable JSON schema (documented in the README)."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "message": rendered.message,
        "citations": [c.to_json() for c in rendered.citations],
    }


@dataclass(frozen=True, slots=True)
class RenderedCard:
    title: str
    aliases: str
    who: tuple[str, ...]
    more: tuple[str, ...]
    appears_with: str
    sources: tuple[str, ...]
    citations: tuple[Citation, ...]
    spoilers: int
    found: bool
    not_found: str

    @property
    def body(self) -> str:
        if not self.found:
            return self.not_found
        parts = [f"**{escape(self.title)}**" + (f" ({escape(self.aliases)})" if self.aliases else "")]
        parts.append("\n".join(self.who))
        if self.more:
            parts.append("\n".join(self.more))
        if self.appears_with:
            parts.append(self.appears_with)
        if self.spoilers:
            parts.append(f"⚠️ {self.spoilers} {'excerpt is' if self.spoilers == 1 else 'excerpts are'} spoiler-tagged.")
        return "\n\n".join(p for p in parts if p)

    @property
    def message(self) -> str:
        if not self.sources:
            return self.body
        return f"{self.body}\n\n**Sources**\n" + "\n".join(self.sources)


def render_card(card: CharacterCard, view: SpoilerView, limit: int = MESSAGE_LIMIT) -> RenderedCard:
    if not card.found or card.name is None:
        query = escape(truncate_words(card.query, 80))
        tip = f" Did you mean: {', '.join(card.suggestions)}?" if card.suggestions else ""
        text = f"I don't know a character called “{query}” in these reviews.{tip}"
        return RenderedCard(card.query, "", (), (), "", (), (), 0, False, text)
    excerpts = [e for e in (*card.who, *card.more) if not (view.mode is SpoilerMode.HIDE and view.is_spoiler(e.reveal))]
    budget = max(200, (limit - 700) // max(1, len(excerpts)))
    lines: list[str] = []
    citations: list[Citation] = []
    spoilers = 0
    for n, excerpt in enumerate(excerpts, 1):
        line, tagged = _excerpt_line(excerpt, n, view, budget)
        spoilers += tagged
        lines.append(line)
        citations.append(Citation(n, excerpt, section_label(excerpt, view), tagged))
    who_count = len([e for e in excerpts if e in card.who])
    appears = f"Appears with: {', '.join(card.appears_with)}" if card.appears_with else ""
    aliases = "also: " + ", ".join(card.aliases) if card.aliases else ""
    return RenderedCard(
        card.name,
        aliases,
        tuple(lines[:who_count]),
        tuple(lines[who_count:]),
        escape(appears),
        tuple(f"[{c.n}] {c.label}" for c in citations),
        tuple(citations),
        spoilers,
        True,
        "",
    )


def card_json(card: CharacterCard, rendered: RenderedCard) -> dict[str, Any]:
    return {
        "query": card.query,
        "found": card.found,
        "name": card.name,
        "aliases": list(card.aliases),
        "message": rendered.message,
        "citations": [c.to_json() for c in rendered.citations],
        "suggestions": list(card.suggestions),
    }
