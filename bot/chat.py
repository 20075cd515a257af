"""``bookclub chat``: the bot's conversation in a terminal, with the same engine and spoiler rules."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from bot.render import Rendered, render_answer, render_card
from bot.terminal import WIDTH, format_excerpts, format_sources
from index.engine import Engine
from index.errors import QuestionError
from index.excerpts import Answer
from index.spoilers import Progress, SpoilerMode, SpoilerView

HELP = """Ask anything about the book in your own words; a short follow-up ("and Tommy?") keeps the topic.
  /reveal N        show spoiler excerpt N in clear
  /more            more excerpts for the last question
  /character NAME  who someone is, as the reviews say it
  /progress PART   not-started, part-1, part-2, part-3, finished
  /spoilers MODE   tag (blocks you can reveal), hide, off
  /sources         the reviews the bot answers from
  /help, /quit"""
REVEAL_HINT = "type /reveal {n}"


class Chat:
    def __init__(self, engine: Engine, view: SpoilerView, out: TextIO) -> None:
        self.engine = engine
        self.view = view
        self.out = out
        self.previous: str | None = None
        self.last: Answer | None = None
        self.rendered: Rendered | None = None

    def say(self, text: str) -> None:
        lines = text.splitlines() or [""]
        self.out.write("bot › " + lines[0] + "\n")
        for line in lines[1:]:
            self.out.write("      " + line + "\n")
        self.out.flush()

    def run(self, stdin: TextIO) -> int:
        book = self.engine.book
        self.say(
            f"Ask me about {book.title} by {book.author}. Reading progress: {self.view.progress.label}; "
            f"spoilers: {self.view.mode.value}. /help for commands, /quit to leave."
        )
        while True:
            self.out.write("you › ")
            self.out.flush()
            line = stdin.readline()
            if not line:
                self.out.write("\n")
                return 0
            text = line.strip()
            if not text:
                continue
            if text in ("/quit", "/exit", "/q"):
                return 0
            self.handle(text)

    def handle(self, text: str) -> None:
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            handlers: dict[str, Callable[[str], None]] = {
                "/help": lambda _: self.say(HELP),
                "/reveal": self.reveal,
                "/more": lambda _: self.more(),
                "/character": self.character,
                "/progress": self.progress,
                "/spoilers": self.spoilers,
                "/sources": lambda _: self.sources(),
            }
            handler = handlers.get(command)
            if handler is None:
                self.say(f"Unknown command {command}. /help lists them.")
            else:
                handler(rest.strip())
            return
        try:
            answer = self.engine.ask(text, previous=self.previous)
        except QuestionError as error:
            self.say(error.message)
            return
        self.previous = text if answer.answered else self.previous
        self.last = answer
        self.show(answer)

    def show(self, answer: Answer, *, more: bool = False) -> None:
        excerpts = answer.more if more else answer.excerpts
        self.rendered = render_answer(answer, self.view, excerpts=excerpts)
        if not answer.answered:
            self.say(textwrap.fill(answer.not_covered or "", WIDTH - 6))
            return
        if not self.rendered.citations:
            self.say(
                f"Everything that answers this reveals more than {self.view.progress.label}. "
                "Use /spoilers tag to see it behind blocks, or /progress to change how far you've read."
            )
            return
        body = format_excerpts(self.rendered.citations, self.view, REVEAL_HINT)
        if answer.note and len({c.excerpt.source.id for c in self.rendered.citations}) > 1:
            body += f"\n{answer.note}"
        if self.rendered.hidden:
            body += f"\n({self.rendered.hidden} spoiler excerpt(s) held back; /spoilers tag shows them as blocks.)"
        self.say(body + "\n" + format_sources(self.rendered.citations))

    def reveal(self, arg: str) -> None:
        if self.rendered is None or not self.rendered.citations:
            self.say("Nothing to reveal yet: ask a question first.")
            return
        if not arg.isdigit() or not 1 <= int(arg) <= len(self.rendered.citations):
            self.say(f"Say which excerpt: /reveal 1 to /reveal {len(self.rendered.citations)}.")
            return
        citation = self.rendered.citations[int(arg) - 1]
        self.say(format_excerpts([citation], self.view, REVEAL_HINT, reveal=True))

    def more(self) -> None:
        if self.last is None or not self.last.more:
            self.say("No more excerpts for that question.")
            return
        self.show(self.last, more=True)

    def character(self, name: str) -> None:
        if not name:
            self.say("Whose card? /character Ruth")
            return
        card = self.engine.character(name[:100])
        rendered = render_card(card, self.view)
        if not card.found:
            self.say(rendered.not_found)
            return
        head = f"{card.name}" + (f" (also: {', '.join(card.aliases)})" if card.aliases else "")
        body = format_excerpts(rendered.citations, self.view, REVEAL_HINT)
        tail = f"\nAppears with: {', '.join(card.appears_with)}" if card.appears_with else ""
        self.say(f"{head}\n{body}{tail}\n{format_sources(rendered.citations)}")

    def progress(self, arg: str) -> None:
        try:
            self.view = replace(self.view, progress=Progress(arg))
        except ValueError:
            self.say("Progress is one of: " + ", ".join(p.value for p in Progress))
            return
        self.say(f"Reading progress set to {self.view.progress.label}.")

    def spoilers(self, arg: str) -> None:
        try:
            self.view = replace(self.view, mode=SpoilerMode(arg))
        except ValueError:
            self.say("Spoiler mode is one of: " + ", ".join(m.value for m in SpoilerMode))
            return
        self.say(f"Spoiler mode set to {self.view.mode.value}.")

    def sources(self) -> None:
        lines = [
            f"{s.info.title}" + (f" — {s.info.author}" if s.info.author else "") + f" ({s.passages} passages)"
            for s in self.engine.sources()
        ]
        self.say("\n".join(lines))
