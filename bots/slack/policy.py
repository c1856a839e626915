"""Who the bot answers, where, how often, and where restricted documents may be searched.

Restricted documents (`restricted: true` in corpus/manifest.yaml) are searched only in the asker's DM with
the bot and in private channels listed in ASSISTANT_SLACK_ALLOWED_CHANNELS. This module only works out the
grant (`ChannelPolicy.access`); the service applies it (assistant/access.py), denying restricted documents
unless granted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from assistant.access import Access, access_for
from bots.slack.settings import SlackSettings

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

log = logging.getLogger("bots.slack")

CHANNEL_INFO_TTL_S = 60.0


class RateLimiter:
    """A moving window of `per_minute` questions per user (the `limits` library, as the API uses).

    check() -> ("ok" | "notify" | "drop", seconds until a slot frees): "notify" once per user per window
    (tell them to wait); later excess in that window is "drop", so a flood cannot make the bot reply to it."""

    def __init__(self, per_minute: int, window_s: float = 60.0):
        self.window = max(1, int(window_s))
        self._item = RateLimitItemPerSecond(max(1, per_minute), self.window)
        self._notice = RateLimitItemPerSecond(1, self.window)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, user: str) -> tuple[str, float]:
        if self._limiter.hit(self._item, "q", user):
            return "ok", 0.0
        reset = self._limiter.get_window_stats(self._item, "q", user).reset_time
        wait = max(0.0, reset - time.time())
        return ("notify" if self._limiter.hit(self._notice, "told", user) else "drop"), wait


class Deduplicator:
    """Slack redelivers an event it thinks was lost; answer each event once."""

    def __init__(self, remember: int = 5000):
        self.remember = remember
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            while len(self._seen) > self.remember:
                self._seen.popitem(last=False)
        return True


class ChannelPolicy:
    """Where the bot answers, and where restricted documents may be searched (denied unless granted)."""

    def __init__(self, settings: SlackSettings):
        self.settings = settings
        self._channels: dict[str, tuple[float, dict | None]] = {}

    def channel_allowed(self, channel: str, kind_hint: str | None) -> str | None:
        """None when the bot may answer here, else the reason it may not (said to the user)."""
        if kind_hint == "im" or channel.startswith("D"):
            if not self.settings.slack_allow_dms:
                return "Direct messages to me are turned off in this workspace: ask in a channel where I am enabled."
            return None
        allowed = self.settings.slack_allowed_channels
        if allowed and channel not in allowed:
            return ("I am not enabled in this channel. An admin can add it to ASSISTANT_SLACK_ALLOWED_CHANNELS; "
                    "until then, DM me or use a channel where I am enabled.")
        return None

    def _conversation(self, client: WebClient, channel: str, cid: str) -> dict | None:
        from slack_sdk.errors import SlackApiError

        now = time.monotonic()
        cached = self._channels.get(channel)
        if cached and now - cached[0] < CHANNEL_INFO_TTL_S:
            return cached[1]
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as exc:
            log.warning("conversations.info failed cid=%s channel=%s error=%s: restricted documents excluded",
                        cid, channel, exc.response.get("error"))
            info = None
        except Exception:
            log.exception("conversations.info failed cid=%s channel=%s: restricted documents excluded", cid, channel)
            return None  # not cached: a network blip should not stick for a minute
        self._channels[channel] = (now, info)
        return info

    def restricted_allowed(self, client: WebClient, channel: str, user: str, kind_hint: str | None, cid: str) -> bool:
        """Restricted documents only in the asker's own DM with the bot and in allow-listed private channels."""
        if kind_hint == "im":
            return self.settings.slack_allow_dms
        if channel.startswith("D"):
            info = self._conversation(client, channel, cid)
            return bool(info and info.get("is_im") and info.get("user") == user and self.settings.slack_allow_dms)
        if channel not in self.settings.slack_allowed_channels:
            return False
        info = self._conversation(client, channel, cid)
        return bool(info and info.get("is_private") is True and not info.get("is_im") and not info.get("is_mpim"))

    def access(self, client: WebClient, channel: str, user: str, kind_hint: str | None, cid: str) -> Access:
        """The caller's grant for the service: restricted documents only where restricted_allowed says so."""
        return access_for(self.restricted_allowed(client, channel, user, kind_hint, cid))
