"""Tests of the fake Discord itself, driven through a tiny throwaway discord.py bot."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.interactions import InteractionResponse

from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.fake_limits import validate_choices, validate_message
from tests.e2e.fake_models import Intent
from tests.e2e.fake_records import CommandNotAvailable, HarnessError
from tests.e2e.harness import assert_no_pings, default_intents, running_bot

BOOKS = ["Dune", "Dune Messiah", "Emma", "Middlemarch", "Moby-Dick", "Persuasion"]
NONE: dict[str, list[str]] = {"parse": []}


class TinyBot(commands.Bot):
    """Throwaway bot exercising every interaction shape the fake supports."""

    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=default_intents(), guild_ready_timeout=0.1,
                         allowed_mentions=discord.AllowedMentions.none())
        self.caught: list[tuple[str, int, int]] = []
        self.release = asyncio.Event()

    def catch(self, label: str, exc: discord.HTTPException) -> None:
        """Remember an HTTP error the bot got back from the fake."""
        self.caught.append((label, exc.status, exc.code))

    async def setup_hook(self) -> None:
        """Register commands, sync them, then add one command that is never synced."""
        register(self)
        await self.tree.sync()

        @self.tree.command(description="Defined locally but never synced")
        async def unsynced(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("nope")

    async def on_message(self, message: discord.Message) -> None:
        """Reply to mentions and DMs; ignore bots (including itself)."""
        if message.author.bot or self.user is None:
            return
        if isinstance(message.channel, discord.DMChannel):
            await message.channel.send(f"dm echo: {message.content}")
        elif self.user in message.mentions:
            await message.reply(f"you said: {message.content}")


class VoteView(discord.ui.View):
    """One button that rewrites the message it sits on (callback type 7)."""

    @discord.ui.button(label="Yes", custom_id="vote:yes")
    async def yes(self, click: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        """Record the vote in the message itself and drop the button."""
        await click.response.edit_message(content=f"yes from {click.user.name}", view=None)


def register(bot: TinyBot) -> None:
    """Add the throwaway app commands to ``bot.tree``."""
    tree = bot.tree

    @tree.command(description="Answer immediately")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(description="Echo text")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"echo {text}", ephemeral=True)

    @tree.command(description="Defer, then follow up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.2)
        await interaction.followup.send("done thinking")
        await interaction.followup.send("and one more", ephemeral=True)

    @tree.command(description="Too slow to answer")
    async def sleepy(interaction: discord.Interaction) -> None:
        await asyncio.sleep(3.5)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            bot.catch("sleepy", exc)

    @tree.command(description="Answers twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        try:  # a fresh InteractionResponse bypasses discord.py's local guard
            await InteractionResponse(interaction).send_message("second")
        except discord.HTTPException as exc:
            bot.catch("twice", exc)

    @tree.command(description="Defer and follow up when released")
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await bot.release.wait()
        try:
            await interaction.followup.send("finally")
        except discord.NotFound as exc:
            bot.catch("later", exc)

    @tree.command(description="Break a Discord limit")
    @app_commands.choices(what=[app_commands.Choice(name=n, value=n)
                                for n in ("content", "fields")])
    async def limits(interaction: discord.Interaction, what: str) -> None:
        embed = discord.Embed(title="many")
        for i in range(26):
            embed.add_field(name=f"f{i}", value="v")
        try:
            if what == "content":
                await interaction.response.send_message("x" * 2001)
            else:
                await interaction.response.send_message(embed=embed)
        except discord.HTTPException as exc:
            bot.catch(what, exc)
            await interaction.response.send_message("fallback")

    @tree.command(description="Raise")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    @tree.command(description="Find a book")
    async def book(interaction: discord.Interaction, title: str) -> None:
        await interaction.response.send_message(f"book {title}")

    @book.autocomplete("title")
    async def book_title(interaction: discord.Interaction,
                         current: str) -> list[app_commands.Choice[str]]:
        if current == "*":
            return [app_commands.Choice(name=f"b{i}", value=f"b{i}") for i in range(30)]
        return [app_commands.Choice(name=b, value=b) for b in BOOKS if b.startswith(current)]

    @tree.command(description="Vote with a button")
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Vote now", view=VoteView())

    @tree.command(description="Managers only")
    @app_commands.default_permissions(manage_guild=True)
    async def manage(interaction: discord.Interaction) -> None:
        perms = interaction.permissions
        await interaction.response.send_message(f"manage_guild={perms.manage_guild}")

    @tree.command(description="DM me")
    async def dmme(interaction: discord.Interaction) -> None:
        await interaction.user.send("psst")
        await interaction.response.send_message("sent", ephemeral=True)

    group = app_commands.Group(name="club", description="Club settings")

    @group.command(name="rename", description="Rename the club")
    async def rename(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"renamed to {name}")

    tree.add_command(group)


async def test_connect_ready_guild_create(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        guild = bot.get_guild(fake_discord.guild.id)
        assert guild is not None and guild.name == "Book Club"
        assert {c.name for c in guild.text_channels} == {"general", "spoilers"}
        assert guild.me is not None and guild.me.id == fake_discord.bot_user.id
        assert bot.application_id == fake_discord.application_id
        session = fake_discord.gateway.current
        assert session is not None and session.has(Intent.MESSAGE_CONTENT)
        names = {c["name"] for c in fake_discord.commands.listing(None)}
        assert {"ping", "slow", "book", "club"} <= names and "unsynced" not in names
    assert not fake_discord.gateway.connected


async def test_slash_immediate_and_subcommand(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        rec = await (await fake_discord.slash("ping")).wait_response()
        assert rec.callback_type == 4 and rec.content == "pong" and not rec.ephemeral
        assert rec.elapsed is not None and rec.elapsed < 3.0
        assert rec.original is not None and rec.original.allowed_mentions == NONE
        assert [m.content for m in fake_discord.channel_messages(fake_discord.general)] == ["pong"]
        sub = await (await fake_discord.slash("club rename", {"name": "Readers"})).wait_response()
        assert sub.content == "renamed to Readers"
        with pytest.raises(CommandNotAvailable):
            await fake_discord.slash("club", {"name": "x"})
        with pytest.raises(CommandNotAvailable):
            await fake_discord.slash("echo", {"txt": "typo"})


async def test_defer_then_followups(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        rec = await fake_discord.slash("slow")
        await rec.wait_followups(2)
        assert rec.callback_type == 5
        assert rec.original is not None and not rec.original.loading
        assert rec.followups[0] is rec.original and rec.original.content == "done thinking"
        assert rec.followups[1].ephemeral and rec.followups[1].content == "and one more"
        assert all(s.allowed_mentions == NONE for s in fake_discord.sent)
        assert_no_pings(fake_discord)


async def test_late_reply_refused(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        rec = await fake_discord.slash("sleepy")
        await fake_discord.wait_until(lambda: bool(bot.caught), 6.0, "late reply")
        assert bot.caught == [("sleepy", 404, 10062)]
        assert not rec.responded and [e.kind for e in rec.errors] == ["late_reply"]
        assert len(fake_discord.pop_errors("late_reply")) == 1


async def test_double_reply_refused(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        rec = await (await fake_discord.slash("twice")).wait_response()
        await fake_discord.wait_until(lambda: bool(bot.caught), 5.0, "second reply")
        assert bot.caught == [("twice", 400, 40060)] and rec.content == "first"
        assert [e.code for e in fake_discord.pop_errors("double_ack")] == [40060]


async def test_followup_after_token_expiry(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        rec = await (await fake_discord.slash("later")).wait_response()
        fake_discord.clock.advance(15 * 60 + 1)
        bot.release.set()
        await fake_discord.wait_until(lambda: bool(bot.caught), 5.0, "expired followup")
        assert bot.caught == [("later", 404, 10015)] and rec.original is not None
        assert rec.original.loading
        assert len(fake_discord.pop_errors("expired_token")) == 1


async def test_unsynced_command_refused(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        assert bot.tree.get_command("unsynced") is not None
        with pytest.raises(CommandNotAvailable, match="not synced"):
            await fake_discord.slash("unsynced")
        with pytest.raises(CommandNotAvailable):
            await fake_discord.slash("manage", user=fake_discord.member)
        rec = await fake_discord.slash("manage", user=fake_discord.moderator)
        await rec.wait_response()
        assert rec.content == "manage_guild=True"


async def test_unknown_route_recorded(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        with pytest.raises(discord.NotFound):
            await bot.http.request(discord.http.Route("GET", "/no/such/route"))
        [error] = fake_discord.pop_errors("unknown_route")
        assert error.status == 404 and "/no/such/route" in error.message


async def test_autocomplete(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        choices = await fake_discord.autocomplete("book", {"title": "Du"}, focused="title")
        assert [c["name"] for c in choices] == ["Dune", "Dune Messiah"]
        with pytest.raises(HarnessError, match="choices: Must be 25 or fewer"):
            await fake_discord.autocomplete("book", {"title": "*"}, focused="title")
        assert [e.code for e in fake_discord.pop_errors("limits")] == [50035]
        await fake_discord.wait_until(lambda: bool(fake_discord.errors), what="error log")
        assert "autocomplete" in fake_discord.pop_errors("log")[0].message


async def test_button_click_updates_message(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        rec = await (await fake_discord.slash("vote")).wait_response()
        assert rec.original is not None and rec.original.custom_ids() == ["vote:yes"]
        click = await (await fake_discord.click(rec.original, "vote:yes")).wait_response()
        assert click.callback_type == 7 and click.original is rec.original
        assert rec.original.content == "yes from member" and rec.original.components == []
        with pytest.raises(HarnessError):
            await fake_discord.click(rec.original, "vote:yes")


async def test_mention_reply_and_dm(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        fake = fake_discord
        msg = await fake.send_message("hello", mentions=[fake.bot_user])
        reply = await fake.wait_for_message(after=msg)
        assert reply.reference_id == msg.id and reply.content.startswith("you said:")
        assert reply.allowed_mentions == NONE and reply.channel_id == fake.general.id
        dm = fake.dm_channel(fake.member)
        await fake.send_message("psst", channel=dm)
        answer = await fake.wait_for_message(channel=dm)
        assert answer.content == "dm echo: psst" and answer.guild_id is None
        rec = await (await fake.slash("ping", channel=dm)).wait_response()
        assert rec.content == "pong" and "user" in rec.payload and "member" not in rec.payload
        rec = await (await fake.slash("dmme", user=fake.other_member)).wait_response()
        sent = await fake.wait_for_message(channel=fake.dm_channel(fake.other_member))
        assert sent.content == "psst" and rec.ephemeral
        await asyncio.sleep(0.1)
        assert len(fake.bot_messages()) == 5, "bot must not answer its own messages"


async def test_reconnect_resume(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        session = fake_discord.gateway.current
        await fake_discord.reconnect()
        assert fake_discord.gateway.current is session and session is not None
        assert session.resumes == 1 and fake_discord.gateway.identifies == 1
        rec = await (await fake_discord.slash("ping")).wait_response()
        assert rec.content == "pong"
        task = asyncio.create_task(fake_discord.reconnect())
        await asyncio.sleep(0)  # RECONNECT is queued; the next dispatch must be replayed
        missed = await fake_discord.slash("echo", {"text": "missed"})
        await task
        assert (await missed.wait_response()).content == "echo missed"
        assert session.resumes == 2


async def test_burst_of_200_slash_commands(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        recs = [await fake_discord.slash("echo", {"text": str(i)}) for i in range(200)]
        await asyncio.gather(*(r.wait_response(timeout=10) for r in recs))
        assert [r.content for r in recs] == [f"echo {i}" for i in range(200)]
        assert max(r.elapsed or 99 for r in recs) < 3.0
        assert all(r.ephemeral for r in recs)


async def test_limits_violations_rejected(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot) as bot:
        for what in ("content", "fields"):
            rec = await (await fake_discord.slash("limits", {"what": what})).wait_response()
            assert rec.content == "fallback"
        assert bot.caught == [("content", 400, 50035), ("fields", 400, 50035)]
        errors = fake_discord.pop_errors("limits")
        assert ["content" in errors[0].message, "fields" in errors[1].message] == [True, True]
    row = {"type": 1, "components": [
        {"type": 2, "style": 1, "label": "x" * 81, "custom_id": "c" * 101}] * 6}
    problems = dict(validate_message({"components": [row] * 6}))
    assert {"components", "components.0.components", "components.0.components.0.label",
            "components.0.components.0.custom_id"} <= set(problems)
    assert validate_message({"content": ""}) == [("content", "Cannot send an empty message")]
    assert validate_choices([{"name": "n" * 101, "value": "v"}])


async def test_error_log_and_restart(fake_discord: FakeDiscord) -> None:
    async with running_bot(fake_discord, TinyBot):
        rec = await fake_discord.slash("boom")
        await fake_discord.wait_until(lambda: bool(fake_discord.errors), 5.0, "error log")
        [error] = fake_discord.pop_errors("log")
        assert "kaboom" in error.message and not rec.responded
    async with running_bot(fake_discord, TinyBot):
        rec = await (await fake_discord.slash("ping")).wait_response()
        assert rec.content == "pong"
    assert fake_discord.gateway.identifies == 2 and fake_discord.sync_count == 2
    with pytest.raises(HarnessError, match="no running bot"):
        await fake_discord.slash("ping")
