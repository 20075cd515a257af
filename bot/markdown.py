"""Discord markdown safety: escape quoted text so it cannot format, ping, or break a spoiler tag."""

from __future__ import annotations

import re

ZWSP = "\u200b"
_ALWAYS = re.compile(r"([\\*_~`|])")
_MASKED_LINK = re.compile(r"\](?=\()")
_ANGLE = re.compile(r"<(?=[@#:a-zA-Z/!&])")
_MASS_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_USER_MENTION = re.compile(r"@(?=\S)")
_LINE_START = re.compile(r"^(\s*)([#>\-+]|\d+\.)", re.MULTILINE)
# Discord markup a question may carry: mentions, channels, roles, custom emoji, timestamps, commands.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?\d+|#\d+|a?:(\w+):\d+|t:-?\d+(?::[a-zA-Z])?|/[\w -]+:\d+|id:\w+)>")
_UNESCAPE = re.compile(r"\\([\\*_~`|\]<#>\-+.])")


def escape(text: str) -> str:
    """Text that renders literally in Discord: no formatting, no live mentions, no early ``||``."""
    out = _ALWAYS.sub(r"\\\1", text)
    out = _MASKED_LINK.sub(r"\\]", out)
    out = _ANGLE.sub(r"\\<", out)
    out = _LINE_START.sub(_escape_line_start, out)
    out = _USER_MENTION.sub("@" + ZWSP, out)
    return out


def _escape_line_start(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker[-1] == ".":
        return f"{match.group(1)}{marker[:-1]}\\."
    return f"{match.group(1)}\\{marker}"


def strip_markup(text: str) -> str:
    """A question without Discord's mention/emoji markup: ``<@123>`` says nothing about the book."""
    return " ".join(_DISCORD_MARKUP.sub(lambda m: f" {m.group(1) or ''} ", text).split())


def unescape(text: str) -> str:
    """Inverse of :func:`escape` (tests use it to prove no character of an excerpt is lost)."""
    return _UNESCAPE.sub(r"\1", text.replace("@" + ZWSP, "@"))


def spoiler(text: str) -> str:
    """Wrap already-escaped text in a spoiler tag; escaped text holds no bare ``|`` to close it early."""
    if text.endswith("\\"):
        text += " "  # keep an escaped backslash from touching the closing tag
    return f"||{text}||"


def plain_label(text: str) -> str:
    """For places Discord renders no markdown (titles, field names): just neutralise mentions."""
    return _MASS_MENTION.sub("@" + ZWSP, text).replace("<@", "<" + ZWSP + "@")


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary; never inside an escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    while cut.endswith("\\"):
        cut = cut[:-1]
    return cut.rstrip() + ellipsis
