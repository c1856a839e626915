"""The Slack bot's own settings: same sources and names as the core's (ASSISTANT_SLACK_*, assistant.toml).

Tokens come only from SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET / SLACK_APP_TOKEN (startup.SlackCredentials),
never from here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class SlackSettings(BaseSettings):
    """Environment (ASSISTANT_SLACK_*), then assistant.toml, then defaults: the same order as the core Settings."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        toml_file=os.environ.get("ASSISTANT_CONFIG_FILE", "assistant.toml"),
        extra="ignore",
    )

    slack_api_url: str | None = Field(None, description="Slack Web API base URL (the tests point it at a local "
                                                        "stand-in); unset = Slack's")
    slack_allowed_channels: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="channel ids (comma-separated) the bot answers in; empty = every channel it "
                                          "is invited to. Restricted documents are used only in DMs and in private "
                                          "channels listed here")
    slack_allow_dms: bool = Field(True, description="answer direct messages")
    slack_rate_limit_per_minute: int = Field(6, description="questions per person per minute; past it the person "
                                                           "is told once to wait and the rest of the flood is dropped")
    slack_answer_timeout_s: float = Field(30.0, description="seconds a question may take once a worker has started "
                                                            "it (queueing not counted); past it: the quoted answer if the "
                                                            "model was the slow part, else a reply that searching took "
                                                            "too long")
    slack_answer_workers: int = Field(2, description="questions answered at once (each may wait on the language "
                                                     "model); more at once get the extractive answer")
    slack_max_pending: int = Field(16, description="questions queued at once before the bot replies 'busy'")
    slack_socket_attempts: int = Field(5, description="Socket Mode: tries to open the connection (at start-up or "
                                                     "after losing it) before the bot exits with status 2")
    slack_socket_retry_s: float = Field(3.0, description="Socket Mode: seconds between those tries")
    slack_channel_defaults: Path | None = Field(None, description="YAML file of per-channel default filters "
                                                                  "(bots/slack/channels.py); read at start-up")
    slack_feedback_db: Path | None = Field(None, description="SQLite file for answers and feedback; "
                                                             "unset = `<index dir>/state/slack.sqlite3`")
    slack_retention_days: int = Field(0, ge=0, description="on start, delete answers and feedback older than this "
                                                           "many days (0 keeps them; `assistant feedback purge` "
                                                           "does the same on demand)")

    @field_validator("slack_allowed_channels", mode="before")
    @classmethod
    def _split_channels(cls, value):
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return json.loads(value)
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def feedback_db(self, state_dir: Path) -> Path:
        """Where answers and votes are kept: slack_feedback_db, else beside the index's other state."""
        return self.slack_feedback_db or Path(state_dir) / "slack.sqlite3"
