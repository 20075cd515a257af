"""`bookclub run` as a real process, configured only by its environment, driven by the fake Discord."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.fake_records import HarnessError
from tests.e2e.harness import assert_no_pings

ROOT = Path(__file__).resolve().parents[2]


async def _wait_for_sync(fake: FakeDiscord, process: asyncio.subprocess.Process, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            await fake.slash("help", {}, user=fake.member)
            return
        except HarnessError:  # not synced yet: the harness refuses like a Discord client would
            if process.returncode is not None:
                raise
            await asyncio.sleep(0.2)
    raise TimeoutError("the bot never synced its commands")


async def test_bookclub_run_process_answers_and_guards(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """The shipped entry point connects via DISCORD_API_BASE/DISCORD_GATEWAY_URL, answers /ask within 3 s,
    serves a moderator's /spoilers status, pings nobody, and exits cleanly on SIGTERM."""
    fake = fake_discord
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env.update(
        DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
        DEV_GUILD_ID=str(fake.guild.id), BOOKCLUB_DB=str(tmp_path / "db.sqlite3"), GUILD_READY_TIMEOUT="0.1",
        PYTHONPATH=str(ROOT),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await _wait_for_sync(fake, process)
        asks = [await fake.slash("ask", {"question": q}, user=fake.member)
                for q in ("does ruth die??", "is there a film", "@everyone what is the gallery for")]
        for record in asks:
            await record.wait_done(timeout=10)
            assert record.elapsed < 3.0
            assert record.embeds, record.callback_data
        assert "||" in asks[0].embeds[0]["description"]
        status = await fake.slash("spoilers status", {}, user=fake.moderator)
        await status.wait_done(timeout=10)
        assert status.ephemeral and "tag" in (status.message.text() if status.message else "")
        assert_no_pings(fake)
    finally:
        if process.returncode is None:
            process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 30)
    text = err.decode()
    assert process.returncode == 0, text
    assert "Traceback" not in text and fake.token not in text
