"""Per-server spoiler settings, members' own progress, an audit log and asked questions, in SQLite.

Reads fail closed: if the database is unreadable, corrupt or locked, :meth:`Store.view_for` logs a
warning and returns the strictest view (``degraded=True``), so the bot keeps answering without
spoiling. Writes commit (WAL, ``synchronous=FULL``) before returning and raise :class:`StoreError`
when they fail, so a moderator is never told a setting was saved when it was not.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.records import (
    STRICTEST,
    AuditEntry,
    Change,
    ChannelOverride,
    GuildStatus,
    ResolvedView,
    SavedAnswer,
    Stamp,
)
from index.errors import BookclubError
from index.spoilers import (
    DEFAULT_MODE,
    DEFAULT_PROGRESS,
    Progress,
    SpoilerMode,
    SpoilerView,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
Db = aiosqlite.Connection

DM_GUILD = 0
KEEP_ANSWERS = 50_000
FAILURES = (sqlite3.Error, OSError, ValueError)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: spoiler settings and the audit log
        """CREATE TABLE guild_settings (guild_id INTEGER PRIMARY KEY,
            mode TEXT, mode_set_by INTEGER, mode_set_at TEXT,
            progress TEXT, progress_set_by INTEGER, progress_set_at TEXT)""",
        """CREATE TABLE channel_modes (channel_id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL,
            mode TEXT NOT NULL, set_by INTEGER, set_at TEXT)""",
        "CREATE INDEX channel_modes_guild ON channel_modes (guild_id)",
        """CREATE TABLE member_progress (guild_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
            progress TEXT NOT NULL, set_at TEXT, PRIMARY KEY (guild_id, user_id))""",
        """CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER NOT NULL,
            actor_id INTEGER, setting TEXT NOT NULL, target INTEGER, old TEXT, new TEXT,
            at TEXT NOT NULL)""",
        "CREATE INDEX audit_log_guild ON audit_log (guild_id, id)",
    ),
    (  # 2: the questions behind buttons and chat replies, so both survive a restart
        """CREATE TABLE answers (id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL,
            previous TEXT, answered INTEGER NOT NULL DEFAULT 1, guild_id INTEGER,
            channel_id INTEGER, user_id INTEGER, message_id INTEGER, created_at TEXT NOT NULL)""",
        "CREATE INDEX answers_message ON answers (message_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_GUILD = "SELECT mode, progress FROM guild_settings WHERE guild_id = ?"
_CHANNEL = "SELECT mode FROM channel_modes WHERE channel_id = ?"
_MEMBER = "SELECT progress, set_at FROM member_progress WHERE guild_id = ? AND user_id = ?"
_STATUS = ("SELECT mode, mode_set_by, mode_set_at, progress, progress_set_by, progress_set_at "
           "FROM guild_settings WHERE guild_id = ?")
_CHANNELS = ("SELECT channel_id, mode, set_by, set_at FROM channel_modes WHERE guild_id = ? "
             "ORDER BY channel_id")
_MEMBERS = "SELECT COUNT(*) FROM member_progress WHERE guild_id = ?"
_AUDIT = ("SELECT actor_id, setting, target, old, new, at FROM audit_log WHERE guild_id = ? "
          "ORDER BY id DESC LIMIT ?")
_ANSWER = ("SELECT id, question, previous, answered, guild_id, channel_id, user_id, message_id "
           "FROM answers WHERE {column} = ? ORDER BY id DESC LIMIT 1")
_AUDIT_ADD = ("INSERT INTO audit_log (guild_id, actor_id, setting, target, old, new, at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)")
_SET_CHANNEL = ("INSERT INTO channel_modes (channel_id, guild_id, mode, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET "
                "guild_id = excluded.guild_id, mode = excluded.mode, set_by = excluded.set_by, "
                "set_at = excluded.set_at")
_SET_MEMBER = ("INSERT INTO member_progress (guild_id, user_id, progress, set_at) "
               "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
               "progress = excluded.progress, set_at = excluded.set_at")
_ADD_ANSWER = ("INSERT INTO answers (question, previous, answered, guild_id, channel_id, user_id, "
               "message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


class StoreError(BookclubError):
    """The settings database could not be used; ``message`` is safe to show a user."""


NOT_SAVED = ("⚠️ The setting was NOT saved: the settings database is unavailable right now. "
             "Please try again in a moment.")
NOT_READ = "⚠️ The settings database is unavailable right now; please try again in a moment."


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _time(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class Store:
    """One aiosqlite connection, opened lazily and reopened after a failure."""

    def __init__(self, path: Path | str, *, timeout: float = 1.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.degraded = False
        self._db: Db | None = None
        self._closed = False
        self._lock = asyncio.Lock()

    async def open(self) -> bool:
        """Connect and migrate; on failure log a warning and stay degraded (the bot still runs)."""
        self._closed = False
        try:
            await self._connection()
        except FAILURES as error:
            self._degrade("open", error)
            return False
        self.degraded = False
        return True

    async def close(self) -> None:
        """Close until :meth:`open` is called again: lets an in-flight write commit first, and
        refuses to reconnect meanwhile (late writes report "not saved")."""
        self._closed = True
        async with self._lock:
            await self._drop()

    async def _drop(self) -> None:
        """Forget the connection (after a failure the next call reconnects: the file may be back)."""
        db, self._db = self._db, None
        if db is not None:
            try:
                await db.close()
            except FAILURES as error:
                log.warning("Closing the settings database failed: %s", error)

    async def _connection(self) -> Db:
        if self._db is not None:
            return self._db
        if self._closed:
            raise sqlite3.ProgrammingError("the settings store is closed")
        db = await aiosqlite.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=FULL")
            await self._migrate(db)
            if self._closed:  # close() ran while we were connecting
                raise sqlite3.ProgrammingError("the settings store was closed")
        except BaseException:
            await db.close()
            raise
        self._db = db
        return db

    async def _migrate(self, db: Db) -> None:
        """Apply the migrations after ``PRAGMA user_version`` in order, each in one transaction."""
        version = await _scalar(db, "PRAGMA user_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this bot's "
                                        f"({SCHEMA_VERSION}); not touching it")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number - 1]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            log.info("Settings database migrated to schema version %d", number)
        await db.execute("DELETE FROM answers WHERE id <= (SELECT MAX(id) FROM answers) - ?",
                         (KEEP_ANSWERS,))

    def _degrade(self, what: str, error: BaseException) -> None:
        self.degraded = True
        log.warning("Settings database %s failed (%s: %s); failing closed", what,
                    type(error).__name__, error)

    # ------------------------------------------------------------------ reads
    async def view_for(self, guild_id: int | None, channel_id: int | None, user_id: int | None,
                       private: bool, *, parent_id: int | None = None) -> ResolvedView:
        """Mode: channel (or parent channel) override, else server mode, else the default.
        Progress: the club's, else the default; in private replies a member's own wins.
        Never raises: an unusable store gives the strictest view, flagged ``degraded``."""
        try:
            return await self._read("read", lambda db: self._resolve(
                db, guild_id or DM_GUILD, (channel_id, parent_id), user_id if private else None))
        except StoreError:
            return STRICTEST

    async def _resolve(self, db: Db, guild_id: int, channels: Sequence[int | None],
                       user_id: int | None) -> ResolvedView:
        mode, mode_from = DEFAULT_MODE, "default"
        progress, progress_from = DEFAULT_PROGRESS, "default"
        row = await _row(db, _GUILD, (guild_id,))
        if row is not None and row[0] is not None:
            mode, mode_from = SpoilerMode(row[0]), "server"
        if row is not None and row[1] is not None:
            progress, progress_from = Progress(row[1]), "club"
        for channel in channels:
            override = None if channel is None else await _scalar(db, _CHANNEL, (channel,))
            if override is not None:
                mode, mode_from = SpoilerMode(str(override)), "channel"
                break
        own = None if user_id is None else await _row(db, _MEMBER, (guild_id, user_id))
        if own is not None:
            progress, progress_from = Progress(own[0]), "member"
        return ResolvedView(SpoilerView(mode, progress), mode_from, progress_from)

    async def _read(self, what: str, reader: Callable[[Db], Awaitable[T]]) -> T:
        try:
            result = await reader(await self._connection())
        except FAILURES as error:
            self._degrade(what, error)
            await self._drop()
            raise StoreError(NOT_READ) from error
        self.degraded = False
        return result

    async def member_progress(self, guild_id: int | None,
                              user_id: int) -> tuple[Progress, Stamp] | None:
        """A member's own progress (``guild_id=None``: DMs); raises :class:`StoreError`."""
        row = await self._read("member progress", lambda db: _row(
            db, _MEMBER, (guild_id or DM_GUILD, user_id)))
        return None if row is None else (Progress(row[0]), Stamp(user_id, _time(row[1])))

    async def status(self, guild_id: int) -> GuildStatus:
        """Everything ``/spoilers status`` shows; raises :class:`StoreError` if unreadable."""
        async def reader(db: Db) -> GuildStatus:
            row = await _row(db, _STATUS, (guild_id,)) or (None,) * 6
            async with db.execute(_CHANNELS, (guild_id,)) as cursor:
                channels = tuple(ChannelOverride(r[0], SpoilerMode(r[1]), Stamp(r[2], _time(r[3])))
                                 for r in await cursor.fetchall())
            members = await _scalar(db, _MEMBERS, (guild_id,))
            return GuildStatus(
                SpoilerMode(row[0]) if row[0] else None, Stamp(row[1], _time(row[2])),
                Progress(row[3]) if row[3] else None, Stamp(row[4], _time(row[5])),
                channels, members if isinstance(members, int) else 0)

        return await self._read("status", reader)

    async def audit(self, guild_id: int, limit: int = 20) -> list[AuditEntry]:
        """The latest setting changes in a server, newest first."""
        async def reader(db: Db) -> list[AuditEntry]:
            async with db.execute(_AUDIT, (guild_id, limit)) as cursor:
                rows = await cursor.fetchall()
            return [AuditEntry(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]))
                    for r in rows]

        return await self._read("audit", reader)

    async def answer(self, answer_id: int) -> SavedAnswer | None:
        return await self._answer_where("id", answer_id)

    async def answer_by_message(self, message_id: int) -> SavedAnswer | None:
        return await self._answer_where("message_id", message_id)

    async def _answer_where(self, column: str, value: int) -> SavedAnswer | None:
        sql = _ANSWER.format(column=column)
        row = await self._read("answer", lambda db: _row(db, sql, (value,)))
        if row is None:
            return None
        return SavedAnswer(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7])

    # ------------------------------------------------------------------ writes
    async def _write(self, what: str, writer: Callable[[Db], Awaitable[T]]) -> T:
        """Run ``writer`` in one IMMEDIATE transaction, committed before this returns."""
        async with self._lock:
            try:
                db = await self._connection()
                await db.execute("BEGIN IMMEDIATE")
                try:
                    result = await writer(db)
                    await db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        await db.execute("ROLLBACK")
                    raise
            except FAILURES as error:
                self._degrade(f"write ({what})", error)
                await self._drop()
                raise StoreError(NOT_SAVED) from error
        self.degraded = False
        return result

    async def set_server_mode(self, guild_id: int, mode: SpoilerMode | None,
                              actor_id: int) -> Change:
        value = None if mode is None else mode.value
        return await self._set_guild(guild_id, "mode", value, actor_id)

    async def set_club_progress(self, guild_id: int, progress: Progress | None,
                                actor_id: int) -> Change:
        value = None if progress is None else progress.value
        return await self._set_guild(guild_id, "progress", value, actor_id)

    async def _set_guild(self, guild_id: int, column: str, value: str | None, actor: int) -> Change:
        async def writer(db: Db) -> Change:
            old = _text(await _scalar(db, f"SELECT {column} FROM guild_settings WHERE guild_id = ?",
                                      (guild_id,)))
            await db.execute("INSERT INTO guild_settings (guild_id) VALUES (?) "
                             "ON CONFLICT DO NOTHING", (guild_id,))
            await db.execute(f"UPDATE guild_settings SET {column} = ?, {column}_set_by = ?, "
                             f"{column}_set_at = ? WHERE guild_id = ?",
                             (value, actor, _now(), guild_id))
            await db.execute(_AUDIT_ADD, (guild_id, actor, f"server {column}", None, old, value,
                                          _now()))
            return Change(old, value)

        return await self._write(f"server {column}", writer)

    async def set_channel_mode(self, guild_id: int, channel_id: int, mode: SpoilerMode | None,
                               actor_id: int) -> Change:
        """Set a channel's own spoiler mode, or with ``None`` go back to the server's."""
        new = None if mode is None else mode.value

        async def writer(db: Db) -> Change:
            old = _text(await _scalar(db, _CHANNEL, (channel_id,)))
            if new is None:
                await db.execute("DELETE FROM channel_modes WHERE channel_id = ?", (channel_id,))
            else:
                await db.execute(_SET_CHANNEL, (channel_id, guild_id, new, actor_id, _now()))
            await db.execute(_AUDIT_ADD, (guild_id, actor_id, "channel mode", channel_id, old, new,
                                          _now()))
            return Change(old, new)

        return await self._write("channel mode", writer)

    async def set_member_progress(self, guild_id: int | None, user_id: int,
                                  progress: Progress | None) -> Change:
        """A member's own progress in one server (``guild_id=None``: DMs); ``None`` clears it."""
        guild = guild_id or DM_GUILD
        new = None if progress is None else progress.value

        async def writer(db: Db) -> Change:
            row = await _row(db, _MEMBER, (guild, user_id))
            old = None if row is None else str(row[0])
            if new is None:
                await db.execute("DELETE FROM member_progress WHERE guild_id = ? AND user_id = ?",
                                 (guild, user_id))
            else:
                await db.execute(_SET_MEMBER, (guild, user_id, new, _now()))
            await db.execute(_AUDIT_ADD, (guild, user_id, "member progress", user_id, old, new,
                                          _now()))
            return Change(old, new)

        return await self._write("member progress", writer)

    async def save_answer(self, question: str, previous: str | None, answered: bool, *,
                          guild_id: int | None, channel_id: int | None, user_id: int | None,
                          message_id: int | None = None) -> int:
        """Remember a question (for buttons and follow-ups); returns its id."""
        params = (question, previous, int(answered), guild_id, channel_id, user_id, message_id,
                  _now())

        async def writer(db: Db) -> int:
            async with db.execute(_ADD_ANSWER, params) as cursor:
                row_id = cursor.lastrowid
            if row_id is None:
                raise sqlite3.DatabaseError("no row id for the saved answer")
            return row_id

        return await self._write("answer", writer)

    async def attach_message(self, answer_id: int, message_id: int) -> None:
        """Link a saved question to the message that answered it."""
        async def writer(db: Db) -> None:
            await db.execute("UPDATE answers SET message_id = ? WHERE id = ?",
                             (message_id, answer_id))

        await self._write("answer message", writer)


async def _row(db: Db, sql: str, params: Sequence[object] = ()) -> Any:
    async with db.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _scalar(db: Db, sql: str, params: Sequence[object] = ()) -> object:
    row = await _row(db, sql, params)
    return None if row is None else row[0]
