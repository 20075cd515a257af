"""The settings store: round trips, migrations, failing closed, and durability across ``kill -9``."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.records import STRICTEST
from bot.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from index.spoilers import (
    DEFAULT_MODE,
    DEFAULT_PROGRESS,
    STRICTEST_MODE,
    STRICTEST_PROGRESS,
    Progress,
    SpoilerMode,
)

ROOT = Path(__file__).resolve().parents[2]
GUILD, CHANNEL, THREAD, MOD, MEMBER = 10, 20, 21, 30, 40


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store(tmp_path / "bookclub.sqlite3", timeout=0.2)
    assert await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


def version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def test_defaults_for_a_new_server(store: Store) -> None:
    resolved = await store.view_for(GUILD, CHANNEL, MEMBER, private=False)
    assert (resolved.view.mode, resolved.view.progress) == (DEFAULT_MODE, DEFAULT_PROGRESS)
    assert (resolved.mode_from, resolved.progress_from, resolved.degraded) == ("default", "default", False)


async def test_round_trips_and_resolution_order(store: Store) -> None:
    change = await store.set_server_mode(GUILD, SpoilerMode.HIDE, MOD)
    assert (change.old, change.new) == (None, "hide")
    await store.set_club_progress(GUILD, Progress.PART_2, MOD)
    await store.set_channel_mode(GUILD, CHANNEL, SpoilerMode.OFF, MOD)
    await store.set_member_progress(GUILD, MEMBER, Progress.FINISHED)

    public = await store.view_for(GUILD, CHANNEL, MEMBER, private=False)
    assert (public.view.mode, public.view.progress) == (SpoilerMode.OFF, Progress.PART_2)
    assert (public.mode_from, public.progress_from) == ("channel", "club")
    private = await store.view_for(GUILD, CHANNEL, MEMBER, private=True)
    assert (private.view.progress, private.progress_from) == (Progress.FINISHED, "member")
    other_channel = await store.view_for(GUILD, CHANNEL + 1, MEMBER + 1, private=True)
    assert (other_channel.view.mode, other_channel.view.progress) == (SpoilerMode.HIDE, Progress.PART_2)
    in_thread = await store.view_for(GUILD, THREAD, MEMBER, private=False, parent_id=CHANNEL)
    assert in_thread.view.mode is SpoilerMode.OFF
    other_server = await store.view_for(GUILD + 1, CHANNEL + 5, MEMBER, private=True)
    assert other_server.view.progress is DEFAULT_PROGRESS

    change = await store.set_channel_mode(GUILD, CHANNEL, None, MOD)
    assert (change.old, change.new) == ("off", None)
    assert (await store.view_for(GUILD, CHANNEL, MEMBER, private=False)).view.mode is SpoilerMode.HIDE
    cleared = await store.set_member_progress(GUILD, MEMBER, None)
    assert (cleared.old, cleared.new) == ("finished", None)
    assert (await store.member_progress(GUILD, MEMBER)) is None


async def test_dms_use_the_members_own_progress(store: Store) -> None:
    await store.set_member_progress(None, MEMBER, Progress.PART_3)
    dm = await store.view_for(None, 99, MEMBER, private=True)
    assert (dm.view.mode, dm.view.progress) == (DEFAULT_MODE, Progress.PART_3)
    own = await store.member_progress(None, MEMBER)
    assert own is not None and own[0] is Progress.PART_3 and own[1].at is not None


async def test_status_and_audit_record_who_and_when(store: Store) -> None:
    await store.set_server_mode(GUILD, SpoilerMode.TAG, MOD)
    await store.set_server_mode(GUILD, SpoilerMode.HIDE, MOD + 1)
    await store.set_club_progress(GUILD, Progress.PART_1, MOD)
    await store.set_channel_mode(GUILD, CHANNEL, SpoilerMode.OFF, MOD)
    await store.set_member_progress(GUILD, MEMBER, Progress.PART_3)
    await store.set_member_progress(GUILD, MEMBER + 1, Progress.PART_2)
    status = await store.status(GUILD)
    assert status.mode is SpoilerMode.HIDE and status.mode_stamp.user_id == MOD + 1
    assert status.progress is Progress.PART_1 and status.progress_stamp.user_id == MOD
    assert status.progress_stamp.at is not None and status.progress_stamp.at.utcoffset() is not None
    assert [(c.channel_id, c.mode) for c in status.channels] == [(CHANNEL, SpoilerMode.OFF)]
    assert status.members_with_progress == 2
    audit = await store.audit(GUILD)
    assert (audit[-1].setting, audit[-1].old, audit[-1].new) == ("server mode", None, "tag")
    assert (audit[-2].actor_id, audit[-2].old, audit[-2].new) == (MOD + 1, "tag", "hide")
    assert all(entry.at.utcoffset() is not None for entry in audit)
    empty = await store.status(GUILD + 1)
    assert empty.mode is None and empty.progress is None and empty.members_with_progress == 0


async def test_answers_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite3"
    first = Store(path)
    answer_id = await first.save_answer("who is Ruth?", None, True, guild_id=GUILD,
                                        channel_id=CHANNEL, user_id=MEMBER)
    await first.attach_message(answer_id, 555)
    await first.close()
    second = Store(path)
    try:
        saved = await second.answer(answer_id)
        assert saved is not None and saved.question == "who is Ruth?" and saved.message_id == 555
        by_message = await second.answer_by_message(555)
        assert by_message == saved
        assert await second.answer(answer_id + 100) is None
    finally:
        await second.close()


async def test_migrates_an_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    store = Store(path)
    try:
        assert await store.open()
    finally:
        await store.close()
    assert version(path) == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_migrates_from_version_1_keeping_settings(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("INSERT INTO guild_settings (guild_id, mode, progress) VALUES (?, 'off', 'part-3')",
                   (GUILD,))
        db.execute("PRAGMA user_version = 1")
    store = Store(path)
    try:
        resolved = await store.view_for(GUILD, CHANNEL, MEMBER, private=False)
        assert (resolved.view.mode, resolved.view.progress) == (SpoilerMode.OFF, Progress.PART_3)
        assert await store.save_answer("q", None, True, guild_id=None, channel_id=None, user_id=None) == 1
    finally:
        await store.close()
    assert version(path) == SCHEMA_VERSION


async def test_a_newer_schema_is_left_alone_and_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store = Store(path)
    try:
        assert not await store.open()
        assert await store.view_for(GUILD, CHANNEL, MEMBER, private=True) == STRICTEST
    finally:
        await store.close()
    assert version(path) == SCHEMA_VERSION + 1


async def test_corrupt_file_gives_the_strictest_view(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database" * 500)
    store = Store(path, timeout=0.1)
    try:
        assert not await store.open()
        resolved = await store.view_for(GUILD, CHANNEL, MEMBER, private=True)
        assert resolved.degraded and store.degraded
        assert (resolved.view.mode, resolved.view.progress) == (STRICTEST_MODE, STRICTEST_PROGRESS)
        with pytest.raises(StoreError, match="NOT saved"):
            await store.set_server_mode(GUILD, SpoilerMode.OFF, MOD)
        with pytest.raises(StoreError):
            await store.status(GUILD)
    finally:
        await store.close()
    assert "failing closed" in caplog.text


async def test_locked_database_gives_the_strictest_view(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    store = Store(path, timeout=0.1)
    await store.set_server_mode(GUILD, SpoilerMode.OFF, MOD)
    await store.close()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("INSERT INTO guild_settings (guild_id) VALUES (?)", (GUILD + 1,))
        assert not await store.open()
        assert await store.view_for(GUILD, CHANNEL, MEMBER, private=False) == STRICTEST
        with pytest.raises(StoreError, match="NOT saved"):
            await store.set_server_mode(GUILD, SpoilerMode.TAG, MOD)
        other.execute("COMMIT")
    finally:
        other.close()
    try:
        recovered = await store.view_for(GUILD, CHANNEL, MEMBER, private=False)
        assert recovered.view.mode is SpoilerMode.OFF and not recovered.degraded
    finally:
        await store.close()


async def test_a_closed_store_refuses_late_writes(store: Store) -> None:
    await store.close()
    with pytest.raises(StoreError, match="NOT saved"):
        await store.set_server_mode(GUILD, SpoilerMode.OFF, MOD)
    assert await store.open()
    await store.set_server_mode(GUILD, SpoilerMode.OFF, MOD)
    assert (await store.view_for(GUILD, CHANNEL, MEMBER, private=False)).view.mode is SpoilerMode.OFF


async def test_a_busy_writer_means_not_saved(store: Store) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="NOT saved"):
            await store.set_club_progress(GUILD, Progress.PART_3, MOD)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert (await store.view_for(GUILD, CHANNEL, MEMBER, private=False)).view.progress is DEFAULT_PROGRESS


WRITER = """
import asyncio, sys, time
from bot.store import Store
from index.spoilers import SpoilerMode

async def main():
    store = Store(sys.argv[1])
    await store.set_server_mode(10, SpoilerMode.OFF, 30)
    print("confirmed", flush=True)
    time.sleep(60)

asyncio.run(main())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_a_confirmed_setting_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "durable.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                               env=env, cwd=tmp_path, text=True)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 30)
        assert line.strip() == "confirmed"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert process.returncode == -signal.SIGKILL
    store = Store(path)
    try:
        resolved = await store.view_for(GUILD, CHANNEL, MEMBER, private=False)
        assert resolved.view.mode is SpoilerMode.OFF and not resolved.degraded
    finally:
        await store.close()
