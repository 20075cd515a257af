"""Spoiler settings end to end: who may change them, how they change answers, and that they last
(restarts) or fail closed (an unreadable settings database)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checks import NOT_MODERATOR
from tests.e2e.bot_fixtures import (
    MANAGE_GUILD,
    RUTH,
    UTC_STAMP,
    Club,
    bar_positions,
    clear,
    club_fixture,  # noqa: F401 - the ``club`` fixture
    description,
    plain,
    regranted,
    tagged,
)
from tests.e2e.fake_records import CommandNotAvailable

MODERATOR_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("mode", {"mode": "off"}),
    ("progress", {"part": "finished"}),
    ("channel", {"channel": "#spoilers", "mode": "off"}),
    ("status", {}),
]
HELD_BACK = "held back"
DEGRADED_FOOTER = "Spoiler settings are unavailable right now"


def resolve(club: Club, options: dict[str, Any]) -> dict[str, Any]:
    """Options with ``"#name"`` strings turned into the fake's channels."""
    return {k: club.fake.guild.channel(v) if isinstance(v, str) and v.startswith("#") else v
            for k, v in options.items()}


def assert_tagged(club: Club, text: str, question: str = RUTH) -> None:
    """Every reveal of ``question`` that is shown sits behind spoiler tags, and one is shown."""
    reveals = club.reveals(question)
    assert reveals, f"{question!r} must have reveals for this test"
    assert any(r in tagged(text) for r in reveals), f"no reveal tagged in {text!r}"
    assert not any(r in clear(text) for r in reveals), f"a reveal is in clear in {text!r}"


def assert_in_clear(club: Club, text: str, question: str = RUTH) -> None:
    """No spoiler tags at all, and the reveals of ``question`` are readable."""
    assert not bar_positions(text), f"unexpected spoiler tags in {text!r}"
    assert club.reveals(question)[0] in clear(text)


def assert_held_back(club: Club, text: str, question: str = RUTH) -> None:
    """No reveal of ``question`` anywhere, and a notice that excerpts were held back."""
    assert not any(r in plain(text) for r in club.reveals(question))
    assert HELD_BACK in text


# ---------------------------------------------------------------------- moderators only
async def test_spoilers_group_requires_manage_server_by_default(club: Club) -> None:
    """The synced /spoilers group carries default_member_permissions = Manage Server."""
    async with club.run():
        [group] = [c for c in club.fake.commands.listing(club.fake.guild.id) if c["name"] == "spoilers"]
        assert int(group["default_member_permissions"]) == MANAGE_GUILD
        assert {o["name"] for o in group["options"]} == {"mode", "progress", "channel", "status"}


@pytest.mark.parametrize(("sub", "options"), MODERATOR_COMMANDS, ids=[s for s, _ in MODERATOR_COMMANDS])
async def test_member_client_hides_moderator_command(club: Club, sub: str, options: dict[str, Any]) -> None:
    """A member's client cannot even invoke /spoilers <sub> (default permissions)."""
    async with club.run():
        with pytest.raises(CommandNotAvailable, match="lacks permissions"):
            await club.fake.slash(f"spoilers {sub}", resolve(club, options), user=club.fake.member)


@pytest.mark.parametrize(("sub", "options"), MODERATOR_COMMANDS, ids=[s for s, _ in MODERATOR_COMMANDS])
async def test_member_refused_at_runtime_and_nothing_changes(club: Club, sub: str,
                                                             options: dict[str, Any]) -> None:
    """Re-granted to everyone by an admin, /spoilers <sub> still refuses a member, privately."""
    async with club.run():
        before = await club.moderate("status")
        with regranted(club.fake, "spoilers"):
            rec = await club.command(f"spoilers {sub}", resolve(club, options), user=club.fake.member)
        assert rec.callback_type == 4 and rec.ephemeral and rec.content == NOT_MODERATOR
        assert await club.moderate("status") == before
        assert "Recent changes" not in before


# ---------------------------------------------------------------------- settings change answers
async def test_default_tags_reveals(club: Club) -> None:
    """With the defaults (tag, Part 1) the Part 3 reveals are behind spoiler tags."""
    async with club.run():
        rec = await club.ask(RUTH)
        assert_tagged(club, description(rec.message))


async def test_mode_off_shows_reveals_in_clear(club: Club) -> None:
    """After /spoilers mode off the same question is answered without tags."""
    async with club.run():
        assert "✅ Saved" in await club.moderate("mode", {"mode": "off"})
        rec = await club.ask(RUTH)
        assert_in_clear(club, description(rec.message))


async def test_channel_override_applies_only_to_that_channel(club: Club) -> None:
    """#spoilers set to off answers plainly there while #general stays tagged."""
    fake = club.fake
    async with club.run():
        saved = await club.moderate("channel", {"channel": fake.spoilers, "mode": "off"})
        assert f"<#{fake.spoilers.id}> now uses **off**" in saved
        there = await club.ask(RUTH, channel=fake.spoilers)
        here = await club.ask(RUTH, channel=fake.general)
        assert_in_clear(club, description(there.message))
        assert_tagged(club, description(here.message))


async def test_club_progress_finished_removes_tags(club: Club) -> None:
    """After /spoilers progress finished nothing is a spoiler any more."""
    async with club.run():
        assert "✅ Saved" in await club.moderate("progress", {"part": "finished"})
        rec = await club.ask(RUTH)
        assert_in_clear(club, description(rec.message))


async def test_mode_hide_holds_reveals_back(club: Club) -> None:
    """After /spoilers mode hide the reveals are absent and a held-back notice says so."""
    async with club.run():
        await club.moderate("mode", {"mode": "hide"})
        rec = await club.ask(RUTH)
        assert_held_back(club, description(rec.message))


async def test_own_progress_applies_to_private_answers_only(club: Club) -> None:
    """A member who finished sees reveals in clear privately, but public answers stay tagged."""
    async with club.run():
        await club.command("progress", {"part": "finished"})
        private = await club.ask(RUTH, private=True)
        public = await club.ask(RUTH)
        assert private.ephemeral and not public.ephemeral
        assert_in_clear(club, description(private.message))
        assert_tagged(club, description(public.message))


async def test_more_excerpts_follow_the_clickers_own_progress(club: Club) -> None:
    """"More excerpts" tags reveals for a member at the club's progress, not for one who finished."""
    fake = club.fake
    async with club.run():
        await club.command("progress", {"part": "finished"}, user=fake.member)
        rec = await club.ask(RUTH, user=fake.other_member)
        finished = await club.click(rec.message, "More excerpts", user=fake.member)
        reading = await club.click(rec.message, "More excerpts", user=fake.other_member)
    assert finished.ephemeral and reading.ephemeral
    assert not bar_positions(description(finished.message))
    assert bar_positions(description(reading.message))


async def test_reveal_to_me_shows_what_hide_held_back(club: Club) -> None:
    """In hide mode the answer offers "Reveal to me", which shows the held-back reveals privately."""
    async with club.run():
        await club.moderate("mode", {"mode": "hide"})
        rec = await club.ask(RUTH)
        click = await club.click(rec.message, "Reveal to me")
    assert_held_back(club, description(rec.message))
    assert click.ephemeral and club.reveals(RUTH)[0] in clear(description(click.message))


async def test_status_shows_settings_and_who_set_them(club: Club) -> None:
    """/spoilers status lists mode, progress and channel override with the moderator and UTC time."""
    fake = club.fake
    async with club.run():
        await club.moderate("mode", {"mode": "hide"})
        await club.moderate("progress", {"part": "part-2"})
        await club.moderate("channel", {"channel": fake.spoilers, "mode": "off"})
        status = await club.moderate("status")
    assert "Spoilers here: **hide** (server setting, set by" in status
    assert "Club progress: **Part 2** — set by" in status
    assert f"<#{fake.spoilers.id}>: **off**" in status
    assert status.count(f"<@{fake.moderator.id}>") >= 3 and UTC_STAMP.search(status)


# ---------------------------------------------------------------------- restarts
async def test_settings_survive_a_restart(club: Club) -> None:
    """Mode, progress and a channel override set before a restart still apply after it."""
    fake = club.fake
    async with club.run():
        await club.moderate("mode", {"mode": "hide"})
        await club.moderate("progress", {"part": "part-2"})
        await club.moderate("channel", {"channel": fake.spoilers, "mode": "off"})
    async with club.run():
        status = await club.moderate("status")
        assert "**hide**" in status and "**Part 2**" in status
        assert f"<#{fake.spoilers.id}>: **off**" in status
        general = await club.ask(RUTH)
        spoilers = await club.ask(RUTH, channel=fake.spoilers)
        assert_held_back(club, description(general.message))
        assert_in_clear(club, description(spoilers.message))


async def test_buttons_work_after_a_restart(club: Club) -> None:
    """Both buttons on an answer posted before a restart still answer after it."""
    async with club.run():
        rec = await club.ask(RUTH)
    async with club.run():
        reveal = await club.click(rec.message, "Reveal to me")
        more = await club.click(rec.message, "More excerpts")
    assert reveal.ephemeral and more.ephemeral
    assert_in_clear(club, description(reveal.message))
    assert "more excerpts, for you only" in (more.message.text() if more.message else "")


# ---------------------------------------------------------------------- unreadable store
async def test_unreadable_store_fails_closed(club: Club) -> None:
    """With a corrupt settings file /ask still answers, in the strictest mode (hide, not started)."""
    club.db.write_bytes(b"this is not a database\x00\xff" * 64)
    async with club.run():
        rec = await club.ask(RUTH)
        text = description(rec.message)
        assert_held_back(club, text)
        assert "not started" in text and rec.message is not None
        assert DEGRADED_FOOTER in rec.message.embeds[0]["footer"]["text"]
    assert not club.fake.errors, "an unreadable store must not log errors or break requests"


async def test_unreadable_store_keeps_buttons_and_chat_working(club: Club) -> None:
    """With a corrupt settings file the buttons and chat replies still work, strictly."""
    club.db.write_bytes(b"garbage" * 100)
    async with club.run():
        rec = await club.ask(RUTH)
        click = await club.click(rec.message, "Reveal to me")
        reply = await club.reply_to(await club.mention(RUTH))
    assert club.reveals(RUTH)[0] in clear(description(click.message))
    assert_held_back(club, reply.content)
    assert DEGRADED_FOOTER in reply.content


async def test_unreadable_store_refuses_changes_honestly(club: Club) -> None:
    """With a corrupt settings file a moderator's change is reported as NOT saved."""
    club.db.write_bytes(b"\xde\xad\xbe\xef" * 256)
    async with club.run():
        reply = await club.moderate("mode", {"mode": "off"})
        assert "NOT saved" in reply
        rec = await club.ask(RUTH)
        assert_held_back(club, description(rec.message))
