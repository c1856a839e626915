"""Start-up: the Slack credentials, the Web API client, token checks and the Socket Mode connection.

Every way the bot can fail to start ends in a ConfigError whose message says which setting to fix.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bots.slack.settings import SlackSettings

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

SLACK_API_URL = "https://slack.com/api/"
log = logging.getLogger("bots.slack")


class ConfigError(Exception):
    """The bot cannot start: the message says which setting is missing or wrong."""


@dataclass
class SlackCredentials:
    """Secrets come only from the environment (never assistant.toml, never ASSISTANT_*)."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None

    @classmethod
    def from_env(cls) -> SlackCredentials:
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


def web_client(settings: SlackSettings, token: str, timeout: int = 15, quiet: bool = False) -> WebClient:
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
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
    )
    from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.3)
    return [ConnectionErrorRetryHandler(max_retry_count=SLACK_RETRIES, interval_calculator=backoff),
            RateLimitErrorRetryHandler(max_retry_count=SLACK_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SLACK_RETRIES, interval_calculator=backoff)]


def verify_bot_token(client: WebClient, settings: SlackSettings) -> dict:
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


def verify_app_token(client: WebClient, settings: SlackSettings, app_token: str) -> None:
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


class _LastProblem(logging.Handler):
    """Keeps the Socket Mode client's last warning: the SDK logs a failed connection instead of raising."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.message: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.message = record.getMessage()


def _reason(message: str | None) -> str:
    """slack_sdk's log line -> the part a person can act on."""
    if not message:
        return "the WebSocket did not open"
    status = re.search(r"unexpected response for handshake \(status: (\d+)", message)
    if status:
        return f"the Socket Mode server answered HTTP {status.group(1)} instead of opening the WebSocket"
    error = re.search(r"message: (.+?)\)?$", message) or re.search(r"error: (.+?)\)?$", message)
    return error.group(1) if error else message


class SocketConnection:
    """The Socket Mode connection and its real state: "connected" is said only once the WebSocket is open,
    and after `attempts` failed tries (`wait_s` apart), at start-up or after losing it, the bot gives up so
    that its supervisor (systemd, say) sees it fail rather than a bot that looks up and hears nothing."""

    def __init__(self, handler, attempts: int, wait_s: float, problems: _LastProblem):
        self.handler, self.attempts, self.wait_s, self.problems = handler, max(1, attempts), wait_s, problems

    @property
    def connected(self) -> bool:
        return self.handler.client.is_connected()

    def _try(self) -> bool:
        from slack_sdk.errors import SlackApiError

        try:  # a fresh URL from apps.connections.open each time, then the WebSocket
            self.handler.client.connect_to_new_endpoint(force=True)
        except SlackApiError as exc:
            raise _app_token_error(exc.response.get("error", "unknown error")) from exc
        except Exception as exc:  # the SDK raises for some failures and only logs others
            self.problems.message = f"error: {exc}"
        return self.connected

    def reconnect(self, stop=None) -> None:
        """Up to `attempts` tries; raises ConfigError with the last reason when none opened the WebSocket."""
        for attempt in range(1, self.attempts + 1):
            if self.connected or self._try():
                return
            log.warning("Socket Mode connection attempt %d of %d failed: %s", attempt, self.attempts,
                        _reason(self.problems.message))
            if attempt < self.attempts:
                if stop is None:
                    time.sleep(self.wait_s)
                elif stop.wait(self.wait_s):
                    return  # asked to stop
        raise ConfigError(f"could not open the Socket Mode connection after {self.attempts} attempts: "
                          f"{_reason(self.problems.message)}")

    def watch(self, stop, say=print, every_s: float = 1.0) -> None:
        """Until `stop` is set: when the connection drops, say so and reconnect (ConfigError past the budget)."""
        while not stop.wait(every_s):
            if self.connected:
                continue
            say("Slack connection lost: reconnecting.")
            self.reconnect(stop)
            if stop.is_set():
                return
            say("Slack bot reconnected over Socket Mode.")

    def close(self) -> None:
        self.handler.close()


def start_socket_mode(bot, credentials: SlackCredentials, settings: SlackSettings | None = None) -> SocketConnection:
    """Build the app and open the Socket Mode connection (apps.connections.open + WebSocket), retrying.
    Raises ConfigError when a token is missing, malformed or refused, or no connection opened."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings = settings or bot.settings
    bot_token = credentials.check_bot_token()
    app_token = credentials.check_app_token()
    app = bot.build_app(bot_token)
    problems = _LastProblem()
    sdk_log = logging.getLogger("bots.slack.socket_mode")
    sdk_log.handlers = [h for h in sdk_log.handlers if not isinstance(h, _LastProblem)]  # an earlier start's
    sdk_log.addHandler(problems)
    # reconnecting has one owner, SocketConnection (the SDK's own loop would retry without limit or report)
    handler = SocketModeHandler(app, app_token=app_token, logger=sdk_log, auto_reconnect_enabled=False)
    connection = SocketConnection(handler, settings.slack_socket_attempts, settings.slack_socket_retry_s, problems)
    try:
        connection.reconnect()
    except BaseException:
        handler.close()
        sdk_log.removeHandler(problems)
        raise
    return connection
