"""The bot's settings, read once from the environment and ``.env``; the token stays a SecretStr."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import BookclubError

NO_TOKEN_MESSAGE = (
    "bookclub: no Discord token: set DISCORD_TOKEN in the environment or in .env "
    "(see .env.example), or try `bookclub chat` to use the bot offline."
)


class SettingsError(BookclubError):
    """Unusable settings; the message names the variable, never its (maybe secret) value."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment. Build with :meth:`load` in ``main()`` only."""

    model_config = SettingsConfigDict(
        env_file=None, env_file_encoding="utf-8", extra="ignore", case_sensitive=False,
        hide_input_in_errors=True, frozen=True,
    )

    discord_token: SecretStr | None = None
    dev_guild_id: int | None = Field(default=None, gt=0)
    bookclub_db: Path = Path("bookclub.sqlite3")
    bookclub_db_timeout: float = Field(default=1.0, gt=0, le=30)
    bookclub_sources: Path | None = None
    log_level: str = "INFO"
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    ask_cooldown_rate: int = Field(default=5, ge=0, le=100)
    ask_cooldown_seconds: float = Field(default=30.0, ge=0, le=3600)
    guild_ready_timeout: float = Field(default=2.0, ge=0, le=60)

    @classmethod
    def load(cls, env_file: Path | None = None, **overrides: Any) -> Settings:
        """Environment first, then ``env_file`` if it exists; a readable error, not a traceback."""
        try:
            kwargs: dict[str, Any] = {"_env_file": env_file, **overrides}
            return cls(**kwargs)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}"
                for e in error.errors(include_input=False, include_url=False)
            )
            raise SettingsError(f"invalid settings: {problems}") from None

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            return value.strip()
        return value

    @field_validator("dev_guild_id", "shard_count", "bookclub_sources", "discord_api_base",
                     "discord_gateway_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        """Accept ``0,1,2`` or ``[0, 1, 2]`` from the environment."""
        if isinstance(value, str):
            text = value.strip().strip("[]")
            if not text:
                return None
            return tuple(int(part) for part in text.replace(" ", "").split(",") if part)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: object) -> object:
        name = str(value).strip().upper()
        if name not in logging.getLevelNamesMapping():
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return name

    @field_validator("discord_api_base")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8080/api/v10")
        return value.rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("ws", "wss") or not parts.netloc:
            raise ValueError("must be a ws(s) URL such as ws://127.0.0.1:8080/gateway")
        return value

    @model_validator(mode="after")
    def _shards_consistent(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT")
            if any(not 0 <= i < self.shard_count for i in self.shard_ids) or not self.shard_ids:
                raise ValueError("SHARD_IDS must be between 0 and SHARD_COUNT - 1")
        return self

    @property
    def level(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    def token(self) -> str | None:
        """The raw token, for ``login()`` only."""
        return self.discord_token.get_secret_value() if self.discord_token is not None else None
