"""Start-up: the Slack credentials, the Web API client, token checks and the Socket Mode connection.

Every way the bot can fail to start ends in a ConfigError whose message says which setting to fix.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bots.slack.settings import SlackSettings

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

SLACK_API_URL = "https://slack.com/api/"


class ConfigError(Exception):
    """The bot cannot start: the message says which setting is missing or wrong."""


@dataclass
class SlackCredentials:
    """Secrets come only from the environment (never assistant.toml, never ASSISTANT_*)."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None

    @classmethod
    def from_env(cls) -> "SlackCredentials":
        def get(name: str) -> str | None:
            return (os.environ.get(name) or "").strip() or None

        return cls(get("SLACK_BOT_TOKEN"), get("SLACK_SIGNING_SECRET"), get("SLACK_APP_TOKEN"))

    def check_bot_token(self) -> str:
        if not self.bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from the Slack "
                              "app's OAuth & Permissions page")
        if not self.bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be the bot token, which starts with xoxb- "
                              f"(this one starts with {self.bot_token[:5]!r})")
        return self.bot_token

    def check_app_token(self) -> str:
        if not self.app_token:
            raise ConfigError("SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-...) with the "
                              "connections:write scope (Basic Information > App-Level Tokens); for HTTP mode set "
                              "SLACK_SIGNING_SECRET instead and run `assistant serve`")
        if not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token, which starts with xapp- "
                              f"(this one starts with {self.app_token[:5]!r})")
        return self.app_token


def api_url(settings: SlackSettings) -> str:
    url = settings.slack_api_url or SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def web_client(settings: SlackSettings, token: str, timeout: int = 15, quiet: bool = False) -> "WebClient":
    """quiet: the SDK logs nothing itself (start-up checks turn its errors into one line of their own)."""
    from slack_sdk import WebClient

    logger = None
    if quiet:
        logger = logging.getLogger("bots.slack.startup")
        logger.propagate = False
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
    return WebClient(token=token, base_url=api_url(settings), timeout=timeout, logger=logger,
                     retry_handlers=retry_handlers())


SLACK_RETRIES = 2  # per kind of failure; with back-off that is at most a few seconds before the last-resort reply


def retry_handlers() -> list:
    """slack_sdk's own retries: 429 (waits Retry-After), 5xx and dropped connections, with back-off."""
    from slack_sdk.http_retry.builtin_handlers import (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler,
                                                       ServerErrorRetryHandler)
    from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.3)
    return [ConnectionErrorRetryHandler(max_retry_count=SLACK_RETRIES, interval_calculator=backoff),
            RateLimitErrorRetryHandler(max_retry_count=SLACK_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SLACK_RETRIES, interval_calculator=backoff)]


def verify_bot_token(client: "WebClient", settings: SlackSettings) -> dict:
    """auth.test, with the failure turned into one clear line."""
    from slack_sdk.errors import SlackApiError

    try:
        return client.auth_test().data  # type: ignore[return-value]  # JSON methods answer a dict (bytes only for file downloads)
    except SlackApiError as exc:
        raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error', 'unknown error')}): "
                          "check the token on the app's OAuth & Permissions page and that the app is installed") from exc
    except Exception as exc:  # network: DNS, refused, TLS, timeout
        raise ConfigError(f"cannot reach the Slack API at {api_url(settings)}: {exc}") from exc


def _app_token_error(error: str) -> ConfigError:
    return ConfigError(f"Slack rejected SLACK_APP_TOKEN ({error}): it must be an app-level token with the "
                       "connections:write scope, and Socket Mode must be on in the app's settings")


def verify_app_token(client: "WebClient", settings: SlackSettings, app_token: str) -> None:
    """apps.connections.open with the app-level token (the URL it returns is left unused)."""
    from slack_sdk.errors import SlackApiError

    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        raise _app_token_error(exc.response.get("error", "unknown error")) from exc
    except Exception as exc:
        raise ConfigError(f"cannot reach the Slack API at {api_url(settings)}: {exc}") from exc


class _DropTokenWarning(logging.Filter):
    """Bolt warns that the token is unused when SLACK_BOT_TOKEN is set and a client is given; we give the
    client that token (with our API URL), so the warning only confuses."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _quiet_token_warning() -> None:
    bolt_logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _DropTokenWarning) for f in bolt_logger.filters):
        bolt_logger.addFilter(_DropTokenWarning())


def start_socket_mode(bot, credentials: SlackCredentials):
    """Build the app, open the Socket Mode connection (apps.connections.open + WebSocket) and return the handler.
    Raises ConfigError when a token is missing, malformed or refused."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    bot_token = credentials.check_bot_token()
    app_token = credentials.check_app_token()
    app = bot.build_app(bot_token)
    handler = SocketModeHandler(app, app_token=app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        raise _app_token_error(exc.response.get("error", "unknown error")) from exc
    except Exception as exc:
        raise ConfigError(f"cannot open the Socket Mode connection: {exc}") from exc
    return handler
