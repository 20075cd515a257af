"""Plain terminal rendering: spoilers become blocks the reader can reveal on purpose."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bot.render import Citation
from index.excerpts import Excerpt
from index.spoilers import SpoilerView

WIDTH = 100


def excerpt_text(excerpt: Excerpt, view: SpoilerView, reveal: bool = False) -> tuple[str, bool]:
    parts: list[str] = []
    hidden = False
    for sentence in excerpt.sentences:
        if view.is_spoiler(sentence.reveal) and not reveal:
            parts.append("█" * min(40, max(8, len(sentence.text) // 3)))
            hidden = True
        else:
            parts.append(sentence.text)
    return " ".join(parts), hidden


def citation_line(citation: Citation) -> str:
    source = citation.excerpt.source
    line = f"[{citation.n}] {source.title}"
    if source.author:
        line += f" — {source.author}"
    if citation.section_label:
        line += f" · {citation.section_label}"
    return line


def format_excerpts(citations: Sequence[Citation], view: SpoilerView, hint: str, reveal: bool = False) -> str:
    lines: list[str] = []
    for citation in citations:
        text, hidden = excerpt_text(citation.excerpt, view, reveal)
        level = citation.excerpt.reveal.label
        suffix = f"   ({level} spoiler — {hint.format(n=citation.n)})" if hidden else ""
        lines.append(textwrap.fill(f"{text} [{citation.n}]{suffix}", WIDTH, subsequent_indent="  "))
    return "\n".join(lines)


def format_sources(citations: Sequence[Citation]) -> str:
    return "\n".join(textwrap.fill(citation_line(c), WIDTH, subsequent_indent="    ") for c in citations)
