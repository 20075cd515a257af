"""Validation of bot payloads against Discord's documented limits (→ 50035 Invalid Form Body)."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.fake_models import JSON

Problems = list[tuple[str, str]]

COMPONENTS_V2 = 1 << 15
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _too_long(problems: Problems, path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append((path, f"Must be {limit} or fewer in length."))


def _embed(problems: Problems, path: str, embed: JSON) -> int:
    """Validate one embed; return its character count toward the 6000 total."""
    title, desc = embed.get("title") or "", embed.get("description") or ""
    _too_long(problems, f"{path}.title", title, 256)
    _too_long(problems, f"{path}.description", desc, 4096)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        problems.append((f"{path}.fields", "Must be 25 or fewer in length."))
    total = len(title) + len(desc)
    for i, fld in enumerate(fields):
        name, value = str(fld.get("name") or ""), str(fld.get("value") or "")
        for key, text, limit in (("name", name, 256), ("value", value, 1024)):
            if not text:
                problems.append((f"{path}.fields.{i}.{key}", "This field is required"))
            _too_long(problems, f"{path}.fields.{i}.{key}", text, limit)
        total += len(name) + len(value)
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    _too_long(problems, f"{path}.footer.text", footer, 2048)
    _too_long(problems, f"{path}.author.name", author, 256)
    return total + len(footer) + len(author)


def _button_or_select(problems: Problems, path: str, comp: JSON, seen: set[str]) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if custom_id is not None:
        _too_long(problems, f"{path}.custom_id", custom_id, 100)
        if custom_id in seen:
            problems.append((f"{path}.custom_id", "Component custom id cannot be duplicated"))
        seen.add(str(custom_id))
    if ctype == 2:
        _too_long(problems, f"{path}.label", comp.get("label"), 80)
        if comp.get("style") == 5:
            if not comp.get("url") or custom_id is not None:
                problems.append((path, "Link buttons need a url and no custom_id"))
        elif comp.get("style") != 6 and not custom_id:
            problems.append((f"{path}.custom_id", "This field is required"))
        if not comp.get("label") and not comp.get("emoji"):
            problems.append((path, "Buttons need a label or an emoji"))
    elif ctype in (3, 5, 6, 7, 8):
        if not custom_id:
            problems.append((f"{path}.custom_id", "This field is required"))
        _too_long(problems, f"{path}.placeholder", comp.get("placeholder"), 150)
        options = comp.get("options") or []
        if ctype == 3 and not 1 <= len(options) <= 25:
            problems.append((f"{path}.options", "Must be between 1 and 25 in length."))
        for j, opt in enumerate(options):
            for key in ("label", "value", "description"):
                _too_long(problems, f"{path}.options.{j}.{key}", opt.get(key), 100)


def _components(problems: Problems, components: list[JSON], flags: int) -> None:
    seen: set[str] = set()
    if flags & COMPONENTS_V2:
        for i, comp in enumerate(components):
            for j, child in enumerate(comp.get("components") or []):
                _button_or_select(problems, f"components.{i}.components.{j}", child, seen)
        return
    if len(components) > 5:
        problems.append(("components", "Must be 5 or fewer in length."))
    for i, row in enumerate(components):
        if row.get("type") != 1:
            problems.append((f"components.{i}.type", "Top-level components must be action rows"))
            continue
        children = row.get("components") or []
        selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
        if not children or len(children) > 5 or (selects and len(children) > 1):
            problems.append((f"components.{i}.components", "Invalid action row size"))
        for j, child in enumerate(children):
            _button_or_select(problems, f"components.{i}.components.{j}", child, seen)


def validate_message(payload: JSON, *, partial: bool = False) -> Problems:
    """Check a create/edit message payload. ``partial`` skips the empty-message check."""
    problems: Problems = []
    _too_long(problems, "content", payload.get("content"), 2000)
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        problems.append(("embeds", "Must be 10 or fewer in length."))
    total = sum(_embed(problems, f"embeds.{i}", e) for i, e in enumerate(embeds))
    if total > 6000:
        problems.append(("embeds", "Embed size exceeds maximum size of 6000"))
    _components(problems, list(payload.get("components") or []), int(payload.get("flags") or 0))
    if not partial and not message_has_body(payload):
        problems.append(("content", "Cannot send an empty message"))
    return problems


def message_has_body(payload: JSON) -> bool:
    """Discord refuses messages with no content, embeds, components, files, stickers or poll."""
    keys = ("content", "embeds", "components", "attachments", "sticker_ids", "poll", "files")
    return any(payload.get(key) for key in keys)


def validate_choices(choices: Any) -> Problems:
    """Autocomplete result: ≤ 25 choices, names 1..100 chars, string values ≤ 100 chars."""
    problems: Problems = []
    if not isinstance(choices, list):
        return [("choices", "Must be a list")]
    if len(choices) > 25:
        problems.append(("choices", "Must be 25 or fewer in length."))
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append((f"choices.{i}.name", "Must be between 1 and 100 in length."))
        _too_long(problems, f"choices.{i}.value", choice.get("value"), 100)
    return problems


def validate_modal(data: JSON) -> Problems:
    """Modal: title ≤ 45, custom_id ≤ 100, 1..5 components."""
    problems: Problems = []
    title, custom_id = data.get("title"), data.get("custom_id")
    if not isinstance(title, str) or not 1 <= len(title) <= 45:
        problems.append(("title", "Must be between 1 and 45 in length."))
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 100:
        problems.append(("custom_id", "Must be between 1 and 100 in length."))
    if not 1 <= len(data.get("components") or []) <= 5:
        problems.append(("components", "Must be between 1 and 5 in length."))
    return problems


def validate_commands(commands: Any) -> Problems:
    """Bulk command overwrite: names, descriptions, option counts and choices."""
    if not isinstance(commands, list):
        return [("_", "Must be a list")]
    problems: Problems = []
    if len(commands) > 100:
        problems.append(("_", "Must be 100 or fewer in length."))
    for i, cmd in enumerate(commands):
        _command(problems, str(i), cmd, chat_input=cmd.get("type", 1) == 1)
    return problems


def _command(problems: Problems, path: str, cmd: JSON, *, chat_input: bool) -> None:
    name = cmd.get("name")
    if not isinstance(name, str) or not COMMAND_NAME.match(name) or (
            chat_input and name != name.lower()):
        problems.append((f"{path}.name", f"Invalid command name {name!r}"))
    if chat_input:
        desc = cmd.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
            problems.append((f"{path}.description", "Must be between 1 and 100 in length."))
    options = cmd.get("options") or []
    if len(options) > 25:
        problems.append((f"{path}.options", "Must be 25 or fewer in length."))
    for j, opt in enumerate(options):
        if len(opt.get("choices") or []) > 25:
            problems.append((f"{path}.options.{j}.choices", "Must be 25 or fewer in length."))
        if opt.get("type") in (1, 2):
            _command(problems, f"{path}.options.{j}", opt, chat_input=True)
        elif "name" in opt:
            _command(problems, f"{path}.options.{j}", {"name": opt["name"],
                     "description": opt.get("description")}, chat_input=True)


def form_errors(problems: Problems) -> JSON:
    """Nest ``path: message`` problems into Discord's ``errors`` object."""
    root: JSON = {}
    for path, message in problems:
        node = root
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "INVALID", "message": message})
    return root
