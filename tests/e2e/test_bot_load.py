"""Load and gateway resilience: a burst of 500 concurrent /ask, and a RECONNECT mid-conversation."""

from __future__ import annotations

import asyncio

from tests.e2e.bot_fixtures import (
    OFF_TOPIC,
    RUTH,
    Club,
    clear,
    club_fixture,  # noqa: F401 - the ``club`` fixture
    description,
    plain,
)
from tests.e2e.fake_records import InteractionRecord

BURST = 500
USERS = 50
BURST_TIMEOUT = 45.0
DEADLINE = 3.0
# question -> words its answer must contain (case-insensitive), proving it answers *that* question
EVIDENCE: dict[str, tuple[str, ...]] = {
    "what is Hailsham?": ("hailsham",),
    "who is Madame": ("madame",),
    "what is the Gallery for?": ("gallery",),
    RUTH: ("ruth",),
    "what are the donations?": ("donation",),
    OFF_TOPIC: ("the reviews don't cover that",),
}


def answers_its_question(record: InteractionRecord, question: str) -> bool:
    """The record's final message is a non-ephemeral answer to ``question`` with its evidence."""
    message = record.message
    if message is None or message.loading or message.ephemeral or not message.embeds:
        return False
    text = plain(description(message)).lower()
    return (text.startswith(f"**q:** {question.lower()}")
            and all(word in text for word in EVIDENCE[question]))


async def test_burst_of_500_concurrent_asks(club: Club) -> None:
    """500 /ask from 50 members across two channels: all answered in time, each to its question."""
    fake = club.fake
    users = [fake.add_user(f"reader{i}", guild=fake.guild) for i in range(USERS)]
    questions = list(EVIDENCE)
    async with club.run(ask_cooldown_rate=100, ask_cooldown_seconds=60):
        asked: list[tuple[InteractionRecord, str]] = []
        for i in range(BURST):
            question = questions[i % len(questions)]
            channel = fake.general if i % 2 else fake.spoilers
            record = await fake.slash("ask", {"question": question}, user=users[i % USERS],
                                      channel=channel)
            asked.append((record, question))
        await asyncio.gather(*(r.wait_done(BURST_TIMEOUT) for r, _ in asked))
        assert not fake.errors, fake.errors[:5]
    assert len({r.id for r, _ in asked}) == BURST
    assert all(r.elapsed is not None and r.elapsed < DEADLINE for r, _ in asked)
    wrong = [(q, r.message.text()[:200] if r.message else None) for r, q in asked
             if not answers_its_question(r, q)]
    assert not wrong, f"{len(wrong)} answers do not answer their question, e.g. {wrong[:3]}"


async def test_reconnect_mid_conversation_resumes(club: Club) -> None:
    """After a gateway RECONNECT the session is RESUMEd and questions and buttons keep working."""
    fake = club.fake
    async with club.run():
        session = fake.gateway.current
        first = await club.ask(RUTH)
        await fake.reconnect()
        assert fake.gateway.current is session and session is not None
        assert session.resumes == 1 and fake.gateway.identifies == 1
        again = await club.ask("what is Hailsham?")
        click = await club.click(first.message, "Reveal to me")
    assert "Hailsham" in description(again.message)
    assert club.reveals(RUTH)[0] in clear(description(click.message))


async def test_question_dispatched_during_reconnect_is_answered(club: Club) -> None:
    """A question sent while the gateway reconnects is replayed on RESUME and answered in time."""
    fake = club.fake
    async with club.run():
        session = fake.gateway.current
        await club.ask(RUTH)
        reconnecting = asyncio.create_task(fake.reconnect())
        await asyncio.sleep(0)  # RECONNECT is queued: the next dispatch must be replayed
        missed = await fake.slash("ask", {"question": "who is Madame"})
        await reconnecting
        await missed.wait_done()
    assert session is not None and session.resumes == 1 and fake.gateway.identifies == 1
    assert missed.elapsed is not None and missed.elapsed < DEADLINE
    assert "Madame" in description(missed.message)
