"""Offline command implementations behind ``bookclub``; no discord import on these paths."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import TextIO

from bot.cli import EXIT_USAGE, emit_json
from bot.render import answer_json, card_json, render_answer, render_card
from bot.terminal import WIDTH, format_excerpts, format_sources
from index.engine import Engine
from index.errors import BookclubError, QuestionError
from index.spoilers import Progress, SpoilerMode, SpoilerView

REVEAL_HINT_ASK = "rerun with --progress finished to read it"
MAX_STDIN_LINE = 100_000


def dispatch(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    handlers = {
        "ask": _ask,
        "character": _character,
        "sources": _sources,
        "chat": _chat,
        "spoilers": _spoilers,
        "eval": _eval,
    }
    return handlers[args.command](args, stdin, out, err)


def _engine(args: argparse.Namespace) -> Engine:
    return Engine.load(getattr(args, "sources_dir", None))


def _view(args: argparse.Namespace) -> SpoilerView:
    return SpoilerView(mode=SpoilerMode(args.spoilers), progress=Progress(args.progress))


def _stdin_lines(stdin: TextIO) -> list[str]:
    buffer = getattr(stdin, "buffer", None)
    raw = buffer.read() if buffer is not None else stdin.read().encode("utf-8", "replace")
    text = raw.decode("utf-8", errors="replace")
    return [line for line in text.splitlines() if line.strip()]


def _ask(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    view = _view(args)
    if args.question == ["-"]:
        engine = _engine(args)
        for line in _stdin_lines(stdin):
            try:
                answer = engine.ask(line[:MAX_STDIN_LINE])
            except QuestionError as error:
                payload = {"question": line[:500], "answered": False, "message": error.message, "citations": []}
                if args.json:
                    emit_json(payload, out)
                else:
                    out.write(f"bookclub: {error.message}\n")
                continue
            _print_answer(engine, answer, view, args.json, out)
        return 0
    question = " ".join(args.question)
    try:
        from index.engine import clean_question

        clean_question(question)
    except QuestionError as error:
        err.write(f"bookclub: {error.message}\n")
        return EXIT_USAGE
    engine = _engine(args)
    _print_answer(engine, engine.ask(question), view, args.json, out)
    return 0


def _print_answer(engine: Engine, answer: object, view: SpoilerView, as_json: bool, out: TextIO) -> None:
    from index.excerpts import Answer

    if not isinstance(answer, Answer):
        raise TypeError("not an answer")
    rendered = render_answer(answer, view)
    if as_json:
        emit_json(answer_json(answer, rendered), out)
        return
    out.write(f"Q: {answer.question}\n\n")
    if not answer.answered:
        out.write(textwrap.fill(answer.not_covered or "", WIDTH) + "\n")
        return
    out.write(format_excerpts(rendered.citations, view, REVEAL_HINT_ASK) + "\n")
    if answer.note and len({c.excerpt.source.id for c in rendered.citations}) > 1:
        out.write(f"\n{answer.note}\n")
    if rendered.hidden:
        out.write(f"\n{rendered.hidden} more excerpt(s) held back as spoilers (--spoilers tag to see them tagged).\n")
    out.write("\nSources\n" + format_sources(rendered.citations) + "\n")


def _character(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    name = " ".join(args.name).strip()
    if not name:
        err.write("bookclub: give a character's name, for example: bookclub character Ruth\n")
        return EXIT_USAGE
    if len(name) > 100:
        err.write("bookclub: that name is too long (100 characters at most).\n")
        return EXIT_USAGE
    engine = _engine(args)
    view = _view(args)
    card = engine.character(name)
    rendered = render_card(card, view)
    if args.json:
        emit_json(card_json(card, rendered), out)
        return 0
    if not card.found:
        out.write(rendered.not_found.replace("“", '"').replace("”", '"') + "\n")
        return 0
    out.write(f"{card.name}" + (f" (also: {', '.join(card.aliases)})" if card.aliases else "") + "\n\n")
    out.write(format_excerpts(rendered.citations, view, REVEAL_HINT_ASK) + "\n")
    if card.appears_with:
        out.write(f"\nAppears with: {', '.join(card.appears_with)}\n")
    out.write("\nSources\n" + format_sources(rendered.citations) + "\n")
    return 0


def _sources(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    engine = _engine(args)
    stats = engine.sources()
    if args.json:
        emit_json(
            [
                {
                    "id": s.info.id,
                    "title": s.info.title,
                    "author": s.info.author,
                    "kind": s.info.kind,
                    "file": s.info.file,
                    "sections": list(s.sections),
                    "passages": s.passages,
                    "sentences": s.sentences,
                }
                for s in stats
            ],
            out,
        )
        return 0
    book = engine.book
    out.write(
        f"{book.title} by {book.author} ({book.year}): {len(stats)} reviews, "
        f"{len(engine.passages)} passages, {engine.sentence_count} sentences\n\n"
    )
    for s in stats:
        out.write(f"{s.info.id}: {s.info.title}" + (f" — {s.info.author}" if s.info.author else "") + "\n")
        out.write(f"    {s.info.kind}, {len(s.sections)} sections, {s.passages} passages, {s.sentences} sentences\n")
        out.write(textwrap.fill("    sections: " + "; ".join(s.sections), WIDTH, subsequent_indent="      ") + "\n")
    return 0


def _spoilers(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    engine = _engine(args)
    ids = [d.info.id for d in engine.library.documents]
    if not args.source_id:
        out.write("Reviews: " + ", ".join(ids) + "\nUsage: bookclub spoilers SOURCE_ID\n")
        return 0
    if args.source_id not in ids:
        err.write(f"bookclub: no review with id {args.source_id!r}; known ids: {', '.join(ids)}\n")
        return EXIT_USAGE
    rows = []
    for passage in engine.passages:
        if passage.source.id != args.source_id:
            continue
        for sentence in passage.sentences:
            match = engine.classifier.explain(sentence.text, passage.section)
            rows.append(
                {
                    "sentence": sentence.index,
                    "section": passage.section.path,
                    "level": sentence.reveal.key,
                    "why": list(match.reasons),
                    "text": sentence.text,
                }
            )
    if args.json:
        for row in rows:
            emit_json(row, out)
        return 0
    for row in rows:
        reasons = row["why"]
        why = f"  ({'; '.join(str(r) for r in reasons)})" if isinstance(reasons, list) and reasons else ""
        out.write(f"{row['level']:<8} {row['text']}{why}\n")
    return 0


def _eval(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    from index.evaluation import evaluate_retrieval, evaluate_spoilers, load_questions, load_spoiler_labels

    if args.cross_validate:
        return _cross_validate(args, out)

    for path in (args.questions, args.spoiler_labels):
        if not Path(path).is_file():
            err.write(
                f"bookclub: {path} not found (run from the repository root, or pass --questions/--spoiler-labels)\n"
            )
            return EXIT_USAGE
    engine = _engine(args)
    retrieval = evaluate_retrieval(engine, load_questions(args.questions))
    spoilers = evaluate_spoilers(engine, load_spoiler_labels(args.spoiler_labels))
    summary = {"retrieval": retrieval.summary(), "spoilers": spoilers.summary()}
    if args.json:
        emit_json(summary, out)
    else:
        r, s = summary["retrieval"], summary["spoilers"]
        out.write(
            f"retrieval: {r['answerable']} answerable + {r['off_topic']} off-topic questions\n"
            f"  hit@1 {r['hit@1']:.3f}   hit@3 {r['hit@3']:.3f}   MRR {r['mrr']:.3f}"
            f"   casual hit@3 {r['casual_hit@3']:.3f}\n"
            f"  abstained: {r['off_topic_abstained']}/{r['off_topic']} off-topic,"
            f" {r['real_abstained']}/{r['answerable']} real\n"
            f"spoilers: {s['sentences']} labelled sentences at default progress (Part 1)\n"
            f"  precision {s['precision']:.3f}   recall {s['recall']:.3f}   reveals in clear {s['reveals_in_clear']}"
            f"   plain wrapped {s['plain_wrapped']}   exact level {s['level_exact']:.3f}\n"
        )
    if args.verbose:
        for result in retrieval.results:
            q = result.question
            wrong = (q.off_topic and result.answered) or (not q.off_topic and (result.rank or 99) > 1)
            if wrong:
                out.write(f"  miss {q.id} [{q.category}] rank={result.rank} answered={result.answered}: {q.question}\n")
        for row in spoilers.rows:
            if row.flagged != row.sentence.spoiler:
                kind = "reveal in clear" if row.sentence.spoiler else "plain wrapped"
                out.write(f"  {kind} ({row.sentence.level.key} → {row.predicted.key}): {row.sentence.text}\n")
    return 0


def _cross_validate(args: argparse.Namespace, out: TextIO) -> int:
    from index.evaluation import cross_validate, pooled
    from index.sources import default_sources_dir

    held = cross_validate(args.sources_dir or default_sources_dir())
    rows = {h.name: h.report.summary() for h in held}
    total = pooled(held)
    if args.json:
        emit_json({"left_out": rows, "pooled": total}, out)
        return 0
    out.write("each asked-questions file answered by an engine built without it\n")
    for name, r in [*rows.items(), ("pooled", total)]:
        off = f"{r['off_topic_abstained']}/{r['off_topic']}" if r["off_topic"] else "-"
        out.write(
            f"  {name:<36} hit@1 {r['hit@1']:.3f}  hit@3 {r['hit@3']:.3f}  casual hit@3 {r['casual_hit@3']:.3f}"
            f"  off-topic abstained {off:>5}  real abstained {r['real_abstained']}/{r['answerable']}\n"
        )
    return 0


def chat_loop(engine: Engine, view: SpoilerView, stdin: TextIO, out: TextIO) -> int:
    from bot.chat import Chat

    return Chat(engine, view, out).run(stdin)


def _chat(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    try:
        engine = _engine(args)
    except BookclubError as error:
        err.write(f"bookclub: {error.message}\n")
        return 1
    return chat_loop(engine, _view(args), stdin, out)


__all__ = ["dispatch", "json"]
