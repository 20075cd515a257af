"""Layering: the engine never touches discord, and the offline CLI starts without importing it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INDEX_FILES = sorted((ROOT / "index").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_there_are_engine_modules() -> None:
    assert len(INDEX_FILES) > 5


@pytest.mark.parametrize("path", INDEX_FILES, ids=lambda p: p.name)
def test_engine_modules_do_not_import_discord(path: Path) -> None:
    bad = {name for name in imported_modules(path) if name.split(".")[0] in ("discord", "bot")}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_offline_modules_import_without_discord() -> None:
    code = ("import sys\n"
            "import bot.cli, bot.commands, bot.render, bot.markdown, bot.settings\n"
            "loaded = sorted(m for m in sys.modules if m == 'discord' or m.startswith('discord.'))\n"
            "print(loaded)\n"
            "raise SystemExit(1 if loaded else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bot_modules_have_no_import_time_side_effects() -> None:
    code = ("import logging, sys\n"
            "before = set(logging.getLogger().handlers)\n"
            "import bot.client, bot.runner, bot.store, bot.records, bot.views, bot.embeds\n"
            "import bot.checks\n"
            "import bot.cogs.ask, bot.cogs.chat, bot.cogs.character, bot.cogs.sources\n"
            "import bot.cogs.spoilers, bot.cogs.progress, bot.cogs.help\n"
            "import discord.http\n"
            "assert set(logging.getLogger().handlers) == before\n"
            "assert discord.http.Route.BASE == 'https://discord.com/api/v10'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
