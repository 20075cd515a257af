"""Shared fixtures: one real engine on the shipped sources for the whole run."""

from __future__ import annotations

import pytest
from hypothesis import settings

from index.engine import Engine

# Shared CI machines are noisy: a property test is judged on its property, never on its speed.
settings.register_profile("bookclub", deadline=None)
settings.load_profile("bookclub")


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()
