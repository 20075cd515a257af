"""The ``bookclub`` command: the engine offline (ask, character, sources, chat, spoilers, eval) and the bot (run, sync).

Offline commands never import discord, so they start fast and work without a token.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from index.errors import BookclubError
from index.spoilers import DEFAULT_MODE, DEFAULT_PROGRESS, Progress, SpoilerMode, SpoilerView

EXIT_USAGE = 2
EXIT_ERROR = 1


def _view(args: argparse.Namespace) -> SpoilerView:
    return SpoilerView(mode=SpoilerMode(args.spoilers), progress=Progress(args.progress))


def _add_view_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spoilers",
        choices=[m.value for m in SpoilerMode],
        default=DEFAULT_MODE.value,
        help="tag (default): wrap reveals in ||spoiler tags||; hide: withhold them; off: plain",
    )
    parser.add_argument(
        "--progress",
        choices=[p.value for p in Progress],
        default=DEFAULT_PROGRESS.value,
        help="how far the reader has read (default part-1); reveals up to it show in clear",
    )
    parser.add_argument("--sources-dir", type=Path, default=None, help=argparse.SUPPRESS)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bookclub",
        description="Answers questions about Never Let Me Go from published reviews, with citations and spoiler tags.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question (QUESTION, or - to read one per line from stdin)")
    ask.add_argument("question", nargs="+", help="the question, or - for stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    _add_view_options(ask)

    character = sub.add_parser("character", help="look a character up (aliases and typos welcome)")
    character.add_argument("name", nargs="+")
    character.add_argument("--json", action="store_true")
    _add_view_options(character)

    sources = sub.add_parser("sources", help="what is indexed")
    sources.add_argument("--json", action="store_true")
    sources.add_argument("--sources-dir", type=Path, default=None, help=argparse.SUPPRESS)

    chat = sub.add_parser("chat", help="a conversation in the terminal (the offline stand-in for the bot)")
    _add_view_options(chat)

    spoilers = sub.add_parser("spoilers", help="list a review's sentences with their reveal levels (for moderators)")
    spoilers.add_argument("source_id", nargs="?", help="a review id from `bookclub sources` (omit to list ids)")
    spoilers.add_argument("--json", action="store_true")
    spoilers.add_argument("--sources-dir", type=Path, default=None, help=argparse.SUPPRESS)

    evaluate = sub.add_parser("eval", help="measure retrieval quality and spoiler accuracy on the labelled sets")
    evaluate.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    evaluate.add_argument("--spoiler-labels", type=Path, default=Path("eval/spoilers.jsonl"))
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--verbose", action="store_true", help="list every miss")
    evaluate.add_argument(
        "--cross-validate",
        action="store_true",
        help="answer each asked-questions file (sources/questions/asked/) with an engine built without it",
    )
    evaluate.add_argument("--sources-dir", type=Path, default=None, help=argparse.SUPPRESS)

    run = sub.add_parser("run", help="start the Discord bot (token from the environment or .env)")
    run.add_argument("--env-file", type=Path, default=Path(".env"))
    sync = sub.add_parser("sync", help="sync slash commands globally, or to one guild")
    sync.add_argument("--guild", type=int, default=None)
    sync.add_argument("--env-file", type=Path, default=Path(".env"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command in ("run", "sync"):
            from bot.runner import run_command

            return run_command(args)
        from bot import commands

        return commands.dispatch(args, sys.stdin, sys.stdout, sys.stderr)
    except BookclubError as error:
        print(f"bookclub: {error.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def emit_json(payload: object, out: TextIO) -> None:
    out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()


if __name__ == "__main__":
    raise SystemExit(main())
