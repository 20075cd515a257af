"""Discord payloads within Discord's limits by construction.

Text is trimmed at line, then sentence, then word boundaries, and spoiler tags stay balanced: a cut
inside a tag closes it. Titles, field names and footers are plain text (Discord renders no markdown
there, so spoiler tags would show as literal bars) and never carry excerpt text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import discord
from discord import app_commands

from bot.markdown import escape, plain_label, truncate_words
from bot.render import Citation, Rendered, RenderedCard
from index.engine import SourceStats
from index.spoilers import SpoilerMode, SpoilerView

MESSAGE_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_LIMIT = 6000
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100
ELLIPSIS = "…"

COLOUR = discord.Colour(0x5865F2)
WARNING_COLOUR = discord.Colour(0xE67E22)
_SENTENCE_END = re.compile(r"[.!?…](?:\*|_)*\s")


def tag_positions(text: str) -> list[int]:
    """Start offsets of unescaped ``||`` (a backslash escapes the next character)."""
    positions: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith("||", i):
            positions.append(i)
            i += 2
        else:
            i += 1
    return positions


def _segments(line: str) -> list[tuple[str, bool]]:
    """A line as (text, is_spoiler) runs; an unmatched ``||`` is escaped rather than trusted."""
    marks = tag_positions(line)
    if len(marks) % 2:
        last = marks.pop()
        line = line[:last] + "\\|\\|" + line[last + 2:]
    out: list[tuple[str, bool]] = []
    start = 0
    for opening, closing in zip(marks[::2], marks[1::2], strict=True):
        if opening > start:
            out.append((line[start:opening], False))
        out.append((line[opening + 2:closing], True))
        start = closing + 2
    if start < len(line):
        out.append((line[start:], False))
    return out


def _join(segments: Iterable[tuple[str, bool]]) -> str:
    return "".join(f"||{text}||" if tagged else text for text, tagged in segments)


def _cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending at a sentence end if one is near."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] > limit // 2:
        cut = window[: ends[-1]].rstrip()
        while cut.endswith("\\"):
            cut = cut[:-1]
        return cut
    return truncate_words(text, limit, ELLIPSIS)


def _cut_line(segments: Sequence[tuple[str, bool]], limit: int) -> str:
    """The longest prefix of one line that fits, keeping spoiler tags balanced."""
    out = ""
    for text, tagged in segments:
        room = limit - len(out)
        whole = f"||{text}||" if tagged else text
        if len(whole) <= room:
            out += whole
            continue
        part = _cut(text, room - 4) if tagged else _cut(text, room)
        if part.strip():
            out += f"||{part}||" if tagged else part
        break
    return out.rstrip()


def fit(text: str, limit: int) -> str:
    """Markdown ``text`` in at most ``limit`` characters: whole lines first, tags kept balanced."""
    lines = [_segments(line) for line in text.split("\n")]
    balanced = "\n".join(_join(line) for line in lines)
    if len(balanced) <= limit:
        return balanced
    kept: list[str] = []
    for segments in lines:
        line = _join(segments)
        if len("\n".join([*kept, line, ELLIPSIS])) > limit:
            if not "".join(kept).strip():
                return _cut_line(segments, limit)
            break
        kept.append(line)
    return "\n".join([*kept, ELLIPSIS]).strip("\n")


def plain(text: str, limit: int) -> str:
    """Plain text for titles, field names, footers and choices: no live mentions, ≤ ``limit``."""
    return truncate_words(plain_label(" ".join(text.split())), limit, ELLIPSIS) or ELLIPSIS


def source_lines(citations: Sequence[Citation]) -> list[str]:
    """One line per distinct source label, listing every citation number that points at it."""
    grouped: dict[str, list[int]] = {}
    for citation in citations:
        grouped.setdefault(citation.label, []).append(citation.n)
    return [" ".join(f"[{n}]" for n in numbers) + f" {label}" for label, numbers in grouped.items()]


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Whole lines while they fit, then a count of the lines left out."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        after = len(lines) - i - 1
        tail = f"\n{ELLIPSIS} and {after} more" if after else ""
        if len("\n".join([*kept, line])) + len(tail) <= limit:
            kept.append(line)
            continue
        if not kept:
            note = f"{ELLIPSIS} and {after} more"
            return fit(line, limit - len(note) - 1) + "\n" + note if after else fit(line, limit)
        return "\n".join([*kept, f"{ELLIPSIS} and {after + 1} more"])
    return "\n".join(kept)


def view_footer(view: SpoilerView, degraded: bool, extra: str = "") -> str:
    """A spoiler-free footer saying which rules shaped the answer."""
    if degraded:
        text = ("Spoiler settings are unavailable right now, so the strictest rules apply "
                "(reveals hidden).")
    else:
        mode = {SpoilerMode.TAG: "reveals behind spoiler tags", SpoilerMode.HIDE: "reveals hidden",
                SpoilerMode.OFF: "spoilers shown"}[view.mode]
        text = f"Reading progress: {view.progress.label} · {mode}"
    return plain(f"{text}{' · ' + extra if extra else ''}", FOOTER_LIMIT)


def _finish(embed: discord.Embed) -> discord.Embed:
    """Last guard for the 6000 total: shorten the description (all other parts are small)."""
    excess = len(embed) - EMBED_LIMIT
    if excess > 0 and embed.description:
        embed.description = fit(embed.description, max(1, len(embed.description) - excess))
    return embed


def answer_embed(rendered: Rendered, view: SpoilerView, *, degraded: bool = False,
                 title: str | None = None, extra: str = "") -> discord.Embed:
    """An answer: the rendered body, a Sources field and a footer naming the spoiler rules."""
    colour = WARNING_COLOUR if degraded else COLOUR
    embed = discord.Embed(description=fit(rendered.body, DESCRIPTION_LIMIT), colour=colour)
    if title:
        embed.title = plain(title, TITLE_LIMIT)
    if rendered.citations:
        sources = fit_lines(source_lines(rendered.citations), FIELD_LIMIT)
        embed.add_field(name="Sources", value=sources, inline=False)
    embed.set_footer(text=view_footer(view, degraded, extra))
    return _finish(embed)


def card_embed(card: RenderedCard, view: SpoilerView, *, degraded: bool = False) -> discord.Embed:
    """A character card: plain title, aliases, who they are, more excerpts, who they appear with."""
    parts = [f"*{escape(card.aliases)}*" if card.aliases else "", "\n".join(card.who),
             "\n".join(card.more), card.appears_with]
    if card.spoilers:
        noun = "excerpt is" if card.spoilers == 1 else "excerpts are"
        parts.append(f"⚠️ {card.spoilers} {noun} spoiler-tagged: tap to reveal.")
    body = "\n\n".join(p for p in parts if p) or "The reviews name this character but say little."
    embed = discord.Embed(title=plain(card.title, TITLE_LIMIT),
                          description=fit(body, DESCRIPTION_LIMIT),
                          colour=WARNING_COLOUR if degraded else COLOUR)
    if card.citations:
        embed.add_field(name="Sources", value=fit_lines(source_lines(card.citations), FIELD_LIMIT),
                        inline=False)
    embed.set_footer(text=view_footer(view, degraded))
    return _finish(embed)


def sources_embed(stats: Sequence[SourceStats], book_title: str, book_author: str) -> discord.Embed:
    """The reviews the bot answers from, with authors and how much of each is indexed."""
    lines = []
    for i, source in enumerate(stats, 1):
        author = f" — {escape(source.info.author)}" if source.info.author else ""
        lines.append(f"**{i}.** *{escape(source.info.title)}*{author} · "
                     f"{source.passages} passages, {source.sentences} sentences")
    title = plain(f"Sources: reviews of {book_title} by {book_author}", TITLE_LIMIT)
    description = fit_lines(lines, DESCRIPTION_LIMIT) or "No reviews are loaded."
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    embed.set_footer(text="Answers quote these reviews word for word; [n] marks which one.")
    return _finish(embed)


HELP_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Ask", "`/ask question` answers from published reviews, quoting them with [n] citations. "
            "Add `private: True` to see the answer yourself only. You can also mention me or DM "
            "me, and reply to one of my answers to ask a follow-up (\"and Tommy?\")."),
    ("Buttons", "**More excerpts** shows further quotes, just for you. **Reveal to me** shows the "
                "answer with every spoiler in clear, to you only — nobody else sees it."),
    ("Characters and sources", "`/character name` is a character card (names autocomplete); "
                               "`/sources` lists the reviews I quote."),
    ("How spoilers work here", "Each quote knows how far into the book it reveals. Anything "
     "past the club's reading progress is **tagged** (||tap to reveal||), **hidden**, or shown "
     "(**off**), as the moderators chose for the server or this channel."),
    ("Your own progress", "`/progress part` records how far *you* have read. Public answers follow "
                          "the club; private answers, buttons and DMs follow your own progress."),
    ("Moderators", "`/spoilers mode`, `/spoilers progress`, `/spoilers channel` and "
                   "`/spoilers status` (Manage Server permission)."),
)


def help_embed(book_title: str, book_author: str, here: str = "") -> discord.Embed:
    """What the bot does; ``here`` describes the rules in force where /help was used."""
    title = plain(f"Book club help: {book_title} by {book_author}", TITLE_LIMIT)
    embed = discord.Embed(title=title, colour=COLOUR)
    sections = (*HELP_SECTIONS, ("Right here", here)) if here else HELP_SECTIONS
    for name, value in sections:
        embed.add_field(name=plain(name, FIELD_NAME_LIMIT), value=fit(value, FIELD_LIMIT),
                        inline=False)
    embed.set_footer(text="Spoiler tags and hidden excerpts follow the rules above.")
    return _finish(embed)


def choices(names: Iterable[str]) -> list[app_commands.Choice[str]]:
    """At most 25 autocomplete choices, names and values within 100 characters, no duplicates."""
    out: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for name in names:
        value = name[:CHOICE_LIMIT]
        if not name.strip() or value in seen:
            continue
        seen.add(value)
        out.append(app_commands.Choice(name=plain(name, CHOICE_LIMIT), value=value))
        if len(out) == CHOICES_LIMIT:
            break
    return out
