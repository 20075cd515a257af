"""Shared fixtures: one real engine on the shipped sources for the whole run."""

from __future__ import annotations

import pytest

from index.engine import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()
