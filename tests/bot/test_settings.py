"""Settings: read from the environment and .env, never revealing the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import NO_TOKEN_MESSAGE, Settings, SettingsError

TOKEN = "MTIzNDU2Nzg5MDEy.secret-token-value"
VARIABLES = ("DISCORD_TOKEN", "DEV_GUILD_ID", "BOOKCLUB_DB", "BOOKCLUB_DB_TIMEOUT", "BOOKCLUB_SOURCES",
             "LOG_LEVEL", "SHARD_COUNT", "SHARD_IDS", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL",
             "ASK_COOLDOWN_RATE", "ASK_COOLDOWN_SECONDS", "GUILD_READY_TIMEOUT")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_without_a_token() -> None:
    settings = Settings.load(None)
    assert settings.token() is None
    assert settings.bookclub_db == Path("bookclub.sqlite3")
    assert settings.log_level == "INFO" and settings.guild_ready_timeout == 2.0
    assert not settings.sharded and settings.dev_guild_id is None


def test_the_no_token_message_says_what_to_do() -> None:
    assert "DISCORD_TOKEN" in NO_TOKEN_MESSAGE and ".env" in NO_TOKEN_MESSAGE
    assert "bookclub chat" in NO_TOKEN_MESSAGE and "\n" not in NO_TOKEN_MESSAGE


def test_env_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text(f"DISCORD_TOKEN={TOKEN}\nDEV_GUILD_ID=42\nSHARD_COUNT=3\nSHARD_IDS=0,2\n"
                   "LOG_LEVEL=debug\nUNRELATED=1\n", encoding="utf-8")
    monkeypatch.setenv("DEV_GUILD_ID", "7")
    settings = Settings.load(env)
    assert settings.token() == TOKEN
    assert settings.dev_guild_id == 7, "the real environment wins over .env"
    assert settings.shard_ids == (0, 2) and settings.sharded and settings.log_level == "DEBUG"


def test_blank_values_mean_unset(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings.load(env)
    assert settings.token() is None and settings.dev_guild_id is None
    assert settings.shard_ids is None and settings.bookclub_sources is None


def test_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line
                  and not line.startswith("#")}
    assert documented == {name.upper() for name in Settings.model_fields}
    commented = False
    for line in text.splitlines():
        if line.startswith("#"):
            commented = True
        elif not line.strip():
            commented = False
        else:
            assert commented, f"{line} has no comment above its block"


def test_the_token_never_shows(tmp_path: Path) -> None:
    settings = Settings.load(None, discord_token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()
    with pytest.raises(SettingsError) as caught:
        Settings.load(None, discord_token=TOKEN, shard_count="many")
    assert TOKEN not in str(caught.value) and "SHARD_COUNT" in str(caught.value)


@pytest.mark.parametrize(("field", "value", "named"), [
    ("log_level", "LOUD", "LOG_LEVEL"),
    ("discord_api_base", "ftp://example", "DISCORD_API_BASE"),
    ("discord_gateway_url", "http://example/gateway", "DISCORD_GATEWAY_URL"),
    ("shard_ids", "0,5", "SHARD"),
    ("ask_cooldown_rate", "-1", "ASK_COOLDOWN_RATE"),
])
def test_invalid_values_are_named(field: str, value: str, named: str) -> None:
    extra = {"shard_count": 2} if field == "shard_ids" else {}
    with pytest.raises(SettingsError, match=named):
        Settings.load(None, **{field: value}, **extra)
