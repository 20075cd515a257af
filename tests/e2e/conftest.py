"""Pytest fixtures for end-to-end tests against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.harness import pointed_at


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started :class:`FakeDiscord` with discord.py pointed at it.

    Teardown fails the test if the fake recorded any error (protocol violation or discord.py
    ERROR log) that the test did not take with ``fake.pop_errors(kind)``.
    """
    fake = FakeDiscord()
    await fake.start()
    try:
        with pointed_at(fake):
            yield fake
    finally:
        await fake.close()
    fake.assert_no_errors()
