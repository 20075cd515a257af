"""The bot object offline: intents, commands as Discord would receive them, checks, errors, buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.checks import Cooldowns, NotModerator, is_mod
from bot.client import (
    NO_MENTIONS,
    UNEXPECTED,
    BookclubBot,
    ShardedBookclubBot,
    configure_endpoints,
    create_bot,
    explain,
    intents,
    report,
)
from bot.cogs.chat import question_in
from bot.settings import Settings
from bot.store import Store, StoreError
from bot.views import MoreExcerpts, RevealToMe, answer_buttons, answer_key
from index.engine import Engine
from index.errors import QuestionError

TOKEN = "MTIz.not-a-real-token"


def make_settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings.load(None, discord_token=TOKEN, bookclub_db=tmp_path / "db.sqlite3", **extra)


@pytest.fixture
async def bot(tmp_path: Path, engine: Engine) -> AsyncIterator[BookclubBot]:
    settings = make_settings(tmp_path)
    made = create_bot(settings, engine, Store(settings.bookclub_db))
    await made.setup_hook()
    try:
        yield made
    finally:
        await made.close()


async def test_events_after_close_are_dropped(tmp_path: Path, engine: Engine) -> None:
    """A READY dispatched during shutdown (the gateway's delayed ready) is dropped, not a traceback."""
    settings = make_settings(tmp_path)
    made = create_bot(settings, engine, Store(settings.bookclub_db))
    async with made:
        await made.setup_hook()
    made.dispatch("ready")  # discord.py unset the loop in close(); scheduling on_ready would raise
    assert made.is_closed()


def test_intents_need_no_privileges() -> None:
    wanted = intents()
    assert wanted.guilds and wanted.guild_messages and wanted.dm_messages
    assert not (wanted.message_content or wanted.members or wanted.presences)


async def test_commands_as_discord_sees_them(bot: BookclubBot) -> None:
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == NO_MENTIONS.to_dict()
    payloads = {c.name: c.to_dict(bot.tree) for c in bot.tree.get_commands()}
    assert set(payloads) == {"ask", "character", "sources", "spoilers", "progress", "help"}
    for payload in payloads.values():
        assert 1 <= len(payload["description"]) <= 100
    question = payloads["ask"]["options"][0]
    assert (question["name"], question["required"], question["max_length"]) == ("question", True, 300)
    spoilers = payloads["spoilers"]
    assert int(spoilers["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    assert spoilers["contexts"] == [0] or spoilers.get("dm_permission") is False
    assert {o["name"] for o in spoilers["options"]} == {"mode", "progress", "channel", "status"}
    assert payloads["character"]["options"][0]["autocomplete"] is True


async def test_autocomplete_is_within_limits(bot: BookclubBot) -> None:
    cog = bot.get_cog("Character")
    assert cog is not None
    choices = await cog.complete(SimpleNamespace(), "")  # type: ignore[attr-defined]
    assert 0 < len(choices) <= 25 and all(len(c.name) <= 100 for c in choices)


def test_sharded_settings_make_a_sharded_bot(tmp_path: Path, engine: Engine) -> None:
    settings = make_settings(tmp_path, shard_count=2, shard_ids="1", guild_ready_timeout=0.5)
    sharded = create_bot(settings, engine, Store(settings.bookclub_db))
    assert isinstance(sharded, ShardedBookclubBot) and isinstance(sharded, discord.AutoShardedClient)
    assert sharded.shard_count == 2 and sharded.shard_ids == [1]
    assert sharded._connection.guild_ready_timeout == 0.5


def test_endpoint_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    configure_endpoints(make_settings(tmp_path))
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    configure_endpoints(make_settings(tmp_path, discord_api_base="http://127.0.0.1:9/api/v10/",
                                      discord_gateway_url="ws://127.0.0.1:9/gateway"))
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
    assert yarl.URL("ws://127.0.0.1:9/gateway") == DiscordWebSocket.DEFAULT_GATEWAY


async def test_gateway_lookup_keeps_the_configured_gateway(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path, engine: Engine) -> None:
    async def discord_says(self: discord.http.HTTPClient) -> tuple[int, str, dict[str, int]]:
        return 4, "wss://gateway.discord.gg", {"total": 1, "remaining": 1, "reset_after": 0,
                                               "max_concurrency": 1}

    monkeypatch.setattr(discord.http.HTTPClient, "get_bot_gateway", discord_says)
    settings = make_settings(tmp_path, discord_gateway_url="ws://127.0.0.1:9/gateway")
    made = create_bot(settings, engine, Store(settings.bookclub_db))
    shards, url, _ = await made.http.get_bot_gateway()
    assert (shards, url) == (4, "ws://127.0.0.1:9/gateway")


def test_errors_users_can_act_on_are_explained() -> None:
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 4.2)
    assert "5 s" in (explain(cooldown) or "")
    assert explain(NotModerator()) == NotModerator().message
    command = SimpleNamespace(name="ask", qualified_name="ask")
    wrapped = app_commands.CommandInvokeError(command, QuestionError("Too long."))  # type: ignore[arg-type]
    assert explain(wrapped) == "Too long."
    assert "NOT saved" in (explain(StoreError("⚠️ The setting was NOT saved.")) or "")
    assert explain(RuntimeError("bug")) is None


class FakeResponse:
    def __init__(self, done: bool) -> None:
        self.done = done
        self.sent: list[dict[str, Any]] = []

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, content: str, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


def fake_interaction(done: bool) -> Any:
    response = FakeResponse(done)
    followups: list[dict[str, Any]] = []

    async def followup_send(content: str, **kwargs: Any) -> None:
        followups.append({"content": content, **kwargs})

    return SimpleNamespace(
        response=response, followup=SimpleNamespace(send=followup_send, sent=followups),
        type=discord.InteractionType.application_command, command=None, data={"custom_id": "x"},
        guild_id=1, channel_id=2, user=SimpleNamespace(id=3))


@pytest.mark.parametrize("done", [False, True])
async def test_failures_always_get_an_ephemeral_reply(done: bool,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    interaction = fake_interaction(done)
    await report(interaction, RuntimeError("kaboom"))
    sent = interaction.followup.sent if done else interaction.response.sent
    assert len(sent) == 1 and sent[0]["content"] == UNEXPECTED and sent[0]["ephemeral"] is True
    assert sent[0]["allowed_mentions"] is NO_MENTIONS
    assert "kaboom" in caplog.text and "user=3" in caplog.text and TOKEN not in caplog.text


@pytest.mark.parametrize(("permissions", "guild_id", "error"), [
    (discord.Permissions(manage_guild=True), 1, None),
    (discord.Permissions(administrator=True), 1, None),
    (discord.Permissions(manage_messages=True), 1, NotModerator),
    (discord.Permissions.none(), None, app_commands.NoPrivateMessage),
])
async def test_is_mod(permissions: discord.Permissions, guild_id: int | None,
                      error: type[Exception] | None) -> None:
    @is_mod()
    async def command(interaction: discord.Interaction) -> None: ...

    [predicate] = command.__discord_app_commands_checks__  # type: ignore[attr-defined]
    interaction = SimpleNamespace(permissions=permissions, guild_id=guild_id)
    if error is None:
        assert await predicate(interaction) is True
    else:
        with pytest.raises(error):
            await predicate(interaction)


def test_cooldowns_per_user() -> None:
    now = [0.0]
    limiter = Cooldowns(2, 10, clock=lambda: now[0])
    assert limiter.hit(1) is None and limiter.hit(1) is None
    retry = limiter.hit(1)
    assert retry is not None and 0 < retry <= 10
    assert limiter.hit(2) is None, "another member is not slowed down"
    now[0] = 10.5
    assert limiter.hit(1) is None and limiter.hit(1) is None
    with pytest.raises(app_commands.CommandOnCooldown):
        limiter.check(1)
        limiter.check(1)
    assert Cooldowns(0, 10).hit(1) is None


def test_button_custom_ids_round_trip() -> None:
    assert answer_key(42, "who is Ruth?") == "a42"
    inline = answer_key(None, "who: is\nRuth?")
    assert inline == "qwho: is\nRuth?"
    assert answer_key(None, "x" * 200) is None
    for item, prefix in ((MoreExcerpts("a42"), "bookclub:more:"), (RevealToMe(inline), "bookclub:reveal:")):
        assert item.custom_id.startswith(prefix) and len(item.custom_id) <= 100
        match = item.template.fullmatch(item.custom_id)
        assert match is not None and match["key"] in ("a42", inline)
    view = answer_buttons("a7", more=True, reveal=True)
    assert view is not None and view.timeout is None
    assert [c.custom_id for c in view.children] == [  # type: ignore[attr-defined]
        "bookclub:more:a7", "bookclub:reveal:a7"]
    assert answer_buttons(None, more=True, reveal=True) is None
    assert answer_buttons("a7", more=False, reveal=False) is None


def test_follow_ups_recover_the_question_from_the_header() -> None:
    message: Any = SimpleNamespace(content="**Q:** what is \\*Hailsham\\*?\n\nIt is a school. [1]",
                                   embeds=[])
    assert question_in(message) == "what is *Hailsham*?"
    embed = discord.Embed(description="**Q:** and Tommy…\n\n||x|| [1]")
    assert question_in(SimpleNamespace(content="", embeds=[embed])) == "and Tommy"  # type: ignore[arg-type]
    assert question_in(SimpleNamespace(content="hello", embeds=[])) is None  # type: ignore[arg-type]


def test_spoilers_status_fits_one_message() -> None:
    from datetime import UTC, datetime

    from bot.cogs.spoilers import status_text
    from bot.records import AuditEntry, ChannelOverride, GuildStatus, Stamp
    from index.spoilers import Progress, SpoilerMode

    at = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
    channels = tuple(ChannelOverride(1000 + i, SpoilerMode.OFF, Stamp(7, at)) for i in range(500))
    status = GuildStatus(SpoilerMode.HIDE, Stamp(7, at), Progress.PART_1, Stamp(8, at), channels, 3)
    recent = [AuditEntry(7, "server mode", None, "tag", "hide", at)]
    text = status_text(status, 1000, recent)
    assert len(text) <= 2000
    assert "Club progress: **Part 1** — set by <@8> on 2026-11-20 14:02 UTC" in text
    assert "3 members have set theirs" in text and "Spoilers in this channel: **off**" in text
    assert "server mode: tag → hide by <@7>" in text
