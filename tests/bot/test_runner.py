"""``bookclub run`` / ``bookclub sync`` fail with one clear line, never a traceback or the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
BAD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.bad-token.not-a-real-one"


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "BOOKCLUB_", "SHARD_", "DEV_GUILD"))}
    env.update(PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore", **extra)
    return env


async def bookclub(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_no_token_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    code, out, err = await bookclub(command, cwd=tmp_path, env=environment())
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "DISCORD_TOKEN" in err and ".env" in err and "bookclub chat" in err


async def test_token_from_env_file_option(tmp_path: Path) -> None:
    (tmp_path / "custom.env").write_text("LOG_LEVEL=nonsense\n", encoding="utf-8")
    code, _, err = await bookclub("run", "--env-file", "custom.env", cwd=tmp_path, env=environment())
    assert code == 2 and "LOG_LEVEL" in err and len(err.strip().splitlines()) == 1


@pytest.fixture
async def rejecting_discord() -> AsyncIterator[str]:
    """A local stand-in for Discord's REST API that refuses every token (no network needed)."""
    async def unauthorized(request: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_invalid_token_is_a_clear_message(tmp_path: Path, rejecting_discord: str,
                                                command: str) -> None:
    env = environment(DISCORD_TOKEN=BAD_TOKEN, DISCORD_API_BASE=rejecting_discord,
                      BOOKCLUB_DB=str(tmp_path / "db.sqlite3"))
    code, _, err = await bookclub(command, cwd=tmp_path, env=env)
    assert code == 1
    assert "rejected DISCORD_TOKEN" in err
    assert "Traceback" not in err and BAD_TOKEN not in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_run_stops_cleanly_on_ctrl_c_and_sigterm(tmp_path: Path, sig: int) -> None:
    """Against the local fake Discord: connect, then stop with no traceback and exit 0 (an
    aiosqlite thread left open would hang the interpreter at exit instead)."""
    fake_discord = pytest.importorskip("tests.e2e.fake_discord")
    fake = fake_discord.FakeDiscord()
    await fake.start()
    env = environment(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
                      DISCORD_GATEWAY_URL=fake.gateway_url, BOOKCLUB_DB=str(tmp_path / "db.sqlite3"),
                      GUILD_READY_TIMEOUT="0.1", LOG_LEVEL="INFO")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    seen: list[str] = []
    try:
        assert process.stderr is not None
        while not any("Logged in" in line for line in seen):
            line = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
            assert line, "".join(seen)
            seen.append(line)
        process.send_signal(sig)
        _, err = await asyncio.wait_for(process.communicate(), 20)
        text = "".join(seen) + err.decode()
        assert process.returncode == 0, text
        assert "Traceback" not in text and fake.token not in text
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.close()
