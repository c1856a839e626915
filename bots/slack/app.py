"""The Bolt app: staff @mention the bot, DM it or type /ask; the answer goes in the thread with its sources.

Every path that someone addressed ends in a reply: an answer, a no-answer with the nearest passages, or a
short message saying what went wrong with a correlation id that is also in the log. The one exception is
a user flooding the bot: past the per-user rate limit they are told once to wait, and further messages in
that minute are dropped (logged), so a flood cannot take the bot down.

Restricted documents (`restricted: true` in corpus/manifest.yaml) are searched only in the asker's DM with
the bot and in private channels listed in ASSISTANT_SLACK_ALLOWED_CHANNELS; everywhere else the search runs
with Filters(include_restricted=False).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.models import MAX_QUESTION_CHARS, Answer, Filters, QuestionError
from bots.slack.parse import ParseError, parse
from bots.slack.render import (ACTION_DOWN, ACTION_MORE, ACTION_UP, answer_blocks, error_text, escape,
                               fallback_text, help_blocks, help_text, messages, more_sources_blocks,
                               plain_answer_text, shorten)
from bots.slack.store import SlackStore

if TYPE_CHECKING:  # pragma: no cover
    from slack_bolt import App
    from slack_sdk import WebClient

log = logging.getLogger("bots.slack")

SLACK_API_URL = "https://slack.com/api/"
EYES = "eyes"
MORE_SOURCES = 5
CHANNEL_INFO_TTL_S = 60.0
CANNOT_POST_HERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
                    "cannot_reply_to_message", "ekm_access_denied"}


class ConfigError(Exception):
    """The bot cannot start: the message says which setting is missing or wrong."""


class Failure(Exception):
    """The answer path failed in a way the user is told about in plain words."""


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


def api_url(settings: Settings) -> str:
    url = settings.slack_api_url or SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def web_client(settings: Settings, token: str, timeout: int = 15, quiet: bool = False) -> "WebClient":
    """quiet: the SDK logs nothing itself (start-up checks turn its errors into one line of their own)."""
    from slack_sdk import WebClient

    logger = None
    if quiet:
        logger = logging.getLogger("bots.slack.startup")
        logger.propagate = False
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
    return WebClient(token=token, base_url=api_url(settings), timeout=timeout, logger=logger)


def verify_bot_token(client: "WebClient", settings: Settings) -> dict:
    """auth.test, with the failure turned into one clear line."""
    from slack_sdk.errors import SlackApiError

    try:
        return client.auth_test().data
    except SlackApiError as exc:
        raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error', 'unknown error')}): "
                          "check the token on the app's OAuth & Permissions page and that the app is installed") from exc
    except Exception as exc:  # network: DNS, refused, TLS, timeout
        raise ConfigError(f"cannot reach the Slack API at {api_url(settings)}: {exc}") from exc


def _app_token_error(error: str) -> ConfigError:
    return ConfigError(f"Slack rejected SLACK_APP_TOKEN ({error}): it must be an app-level token with the "
                       "connections:write scope, and Socket Mode must be on in the app's settings")


def verify_app_token(client: "WebClient", settings: Settings, app_token: str) -> None:
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


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:12]


class RateLimiter:
    """Sliding window per user. check() -> ("ok" | "notify" | "drop", seconds until a slot frees).

    "notify" is returned once per user per window (tell them to wait); later excess is "drop"."""

    def __init__(self, per_minute: int, window_s: float = 60.0, clock=time.monotonic):
        self.limit = max(1, per_minute)
        self.window = window_s
        self.clock = clock
        self._hits: dict[str, deque] = {}
        self._notified: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, user: str) -> tuple[str, float]:
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(user, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                return "ok", 0.0
            wait = self.window - (now - hits[0])
            last = self._notified.get(user)
            if last is not None and now - last < self.window:
                return "drop", wait
            self._notified[user] = now
            if len(self._hits) > 10_000:  # forget idle users
                for u in [u for u, d in self._hits.items() if not d or now - d[-1] >= self.window][:5000]:
                    self._hits.pop(u, None)
                    self._notified.pop(u, None)
            return "notify", wait


def combine_follow_up(previous: str | None, new: str) -> str:
    """A thread follow-up ('and what about victim liaison?') is searched together with the thread's earlier
    question, so the context the user left out is there. Query formulation only: retrieval stays in the service."""
    if not previous or previous.strip().lower() == new.strip().lower():
        return new
    room = MAX_QUESTION_CHARS - len(new) - 1
    if room <= 0:
        return new
    previous = previous.strip()
    if len(previous) > room:
        previous = previous[len(previous) - room:]
    return f"{previous} {new}"


class SlackBot:
    """Holds the service, the store and the limits; builds the Bolt app that routes Slack's requests here."""

    def __init__(self, service, settings: Settings | None = None, store: SlackStore | None = None):
        self.service = service
        self.settings = settings or service.settings
        s = self.settings
        self.store = store or SlackStore(s.slack_feedback_db or s.state_dir / "slack.sqlite3")
        self.limiter = RateLimiter(s.slack_rate_limit_per_minute)
        self._answer_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="slack-answer")
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_lock = threading.Lock()
        self._channels: dict[str, tuple[float, dict | None]] = {}
        self.app: App | None = None

    # --- construction -------------------------------------------------------------------------
    def build_app(self, bot_token: str, signing_secret: str | None = None, *,
                  process_before_response: bool = False) -> "App":
        """The Bolt app. Bolt's auth.test runs here, so a wrong token fails at start-up with a clear ConfigError."""
        from slack_bolt import App
        from slack_bolt.error import BoltError

        client = web_client(self.settings, bot_token)
        _quiet_token_warning()
        try:  # Bolt calls auth.test here
            app = App(client=client, signing_secret=signing_secret or "",
                      process_before_response=process_before_response, name="probation-assistant",
                      listener_executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-listener"))
        except BoltError:
            verify_bot_token(client, self.settings)  # again, for a clear message
            raise ConfigError("Slack rejected SLACK_BOT_TOKEN") from None
        except Exception as exc:
            raise ConfigError(f"cannot reach the Slack API at {api_url(self.settings)}: {exc}") from exc
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command("/ask")(self.on_command)
        app.action(ACTION_UP)(self.on_vote)
        app.action(ACTION_DOWN)(self.on_vote)
        app.action(ACTION_MORE)(self.on_more_sources)
        app.error(self.on_error)
        self.app = app
        return app

    def close(self) -> None:
        self._answer_pool.shutdown(wait=False, cancel_futures=True)

    # --- policy -------------------------------------------------------------------------------
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

    def _conversation(self, client: "WebClient", channel: str, cid: str) -> dict | None:
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

    def restricted_allowed(self, client: "WebClient", channel: str, user: str, kind_hint: str | None, cid: str) -> bool:
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

    def _first_time(self, event_id: str | None) -> bool:
        """Slack redelivers an event it thinks was lost; answer each event once."""
        if not event_id:
            return True
        with self._seen_lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            while len(self._seen) > 5000:
                self._seen.popitem(last=False)
        return True

    # --- the answer path ----------------------------------------------------------------------
    def _ask_now(self, question: str, filters: Filters, k: int, context: str | None = None) -> Answer:
        if not self.service.documents():
            raise Failure("The document index is empty, so I have nothing to answer from yet: an admin needs to "
                          "run `assistant ingest`.")
        return self.service.ask(question, k=k, filters=filters, context=context)

    def _search_now(self, question: str, filters: Filters, k: int):
        return self.service.search(question, k=k, filters=filters)

    def _run(self, fn, *args, cid: str):
        """Run a service call with the timeout and the global queue limit; failures become Failure."""
        with self._pending_lock:
            if self._pending >= self.settings.slack_max_pending:
                log.warning("busy cid=%s pending=%d", cid, self._pending)
                raise Failure("I am answering too many questions at once right now: please try again in a minute.")
            self._pending += 1
        try:
            future = self._answer_pool.submit(fn, *args)
        except RuntimeError:
            with self._pending_lock:
                self._pending -= 1
            raise Failure("I am shutting down: please try again in a minute.") from None
        future.add_done_callback(self._release)
        timeout = self.settings.slack_answer_timeout_s
        try:
            return future.result(timeout=timeout)
        except FuturesTimeout:
            log.error("answer timed out cid=%s after %.1f s", cid, timeout)
            raise Failure(f"Searching the documents took longer than {timeout:g} s, so I stopped waiting. "
                          "Please try again in a minute.") from None
        except (Failure, QuestionError):
            raise
        except Exception as exc:
            log.exception("answer failed cid=%s", cid)
            raise Failure(f"Something went wrong while searching the documents ({type(exc).__name__}).") from exc

    def _release(self, _future) -> None:
        with self._pending_lock:
            self._pending -= 1

    def answer(self, client: "WebClient", *, user: str, channel: str, asked: str, parsed, thread_ts: str | None,
               kind_hint: str | None, surface: str, cid: str) -> tuple[Answer, str, str | None]:
        """Ask the service (with a follow-up combined) and record the answer. -> (answer, answer_id, read_as)."""
        include_restricted = self.restricted_allowed(client, channel, user, kind_hint, cid)
        previous = self.store.last_question_in_thread(channel, thread_ts) if thread_ts else None
        question = combine_follow_up(previous, parsed.question)
        # the earlier question travels as context: searched with the new one, while the service's glossary,
        # ratings and date handling read only what was asked now
        context = question[:len(question) - len(parsed.question)].strip() or None
        filters = parsed.filters(include_restricted)
        try:
            result = self._run(self._ask_now, parsed.question, filters, self.settings.top_k, context, cid=cid)
        except QuestionError as exc:
            raise Failure(f"I cannot search for that: {exc}.") from None
        result.question = question  # recorded as read (with the thread's context), so later follow-ups keep it
        answer_id = self.store.record_answer(user=user, channel=channel, thread_ts=thread_ts, surface=surface,
                                             asked=asked, answer=result, filters=filters)
        log.info("answered cid=%s answer_id=%s status=%s citations=%d restricted_allowed=%s ms=%s", cid, answer_id,
                 result.status, len(result.citations), include_restricted, result.timings_ms.get("total"))
        return result, answer_id, question if question != parsed.question else None

    # --- Slack output helpers -----------------------------------------------------------------
    def _send(self, client: "WebClient", cid: str, **kwargs) -> tuple[dict | None, str | None]:
        """chat.postMessage -> (response, None) or (None, Slack's error code); errors are logged."""
        from slack_sdk.errors import SlackApiError

        try:
            return client.chat_postMessage(**kwargs).data, None
        except SlackApiError as exc:
            error = exc.response.get("error") or "unknown_error"
            log.error("chat.postMessage failed cid=%s channel=%s error=%s", cid, kwargs.get("channel"), error)
            return None, error
        except Exception as exc:
            log.exception("chat.postMessage failed cid=%s channel=%s", cid, kwargs.get("channel"))
            return None, type(exc).__name__

    def _post(self, client: "WebClient", cid: str, **kwargs) -> dict | None:
        return self._send(client, cid, **kwargs)[0]

    def _post_answer(self, client: "WebClient", cid: str, channel: str, thread_ts: str | None, answer: Answer,
                     blocks: list[dict]) -> dict | None:
        """Post the reply (several messages when it needs more than 50 blocks); if Slack refuses the blocks,
        post the same answer as plain text; if that fails too, say so."""
        first = None
        for i, chunk in enumerate(messages(blocks)):
            text = fallback_text(answer) if i == 0 else "(answer continued)"
            sent, error = self._send(client, cid, channel=channel, thread_ts=thread_ts, text=text, blocks=chunk,
                                     unfurl_links=False, unfurl_media=False)
            if sent is None and error in CANNOT_POST_HERE:
                return None  # plain text would fail the same way; the caller tells the user another way
            if sent is None:
                sent = self._post(client, cid, channel=channel, thread_ts=thread_ts,
                                  text=error_text("Slack would not show the formatted answer, so here it is as "
                                                  "plain text:", cid) + "\n" + plain_answer_text(answer),
                                  unfurl_links=False)
                if sent is None:
                    log.error("could not deliver the answer cid=%s channel=%s", cid, channel)
                return first or sent
            first = first or sent
        return first

    def _react(self, client: "WebClient", method: str, channel: str, ts: str, cid: str) -> bool:
        from slack_sdk.errors import SlackApiError

        try:
            getattr(client, method)(channel=channel, timestamp=ts, name=EYES)
            return True
        except SlackApiError as exc:
            log.warning("%s failed cid=%s error=%s", method, cid, exc.response.get("error"))
        except Exception:
            log.exception("%s failed cid=%s", method, cid)
        return False

    def _tell(self, client: "WebClient", respond, cid: str, *, channel: str, user: str, text: str,
              blocks: list[dict] | None = None, thread_ts: str | None = None) -> bool:
        """Something only this user sees: chat.postEphemeral, or the response_url when the bot is not in the
        channel (e.g. /ask in a DM between two people)."""
        from slack_sdk.errors import SlackApiError

        kwargs = {"channel": channel, "user": user, "text": text}
        if blocks:
            kwargs["blocks"] = blocks
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            client.chat_postEphemeral(**kwargs)
            return True
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed cid=%s channel=%s error=%s; trying response_url", cid, channel,
                        exc.response.get("error"))
        except Exception:
            log.exception("chat.postEphemeral failed cid=%s channel=%s", cid, channel)
        if respond is not None:
            try:
                respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
                return True
            except Exception:
                log.exception("response_url failed cid=%s", cid)
        log.error("could not reach user cid=%s user=%s channel=%s", cid, user, channel)
        return False

    # --- listeners ----------------------------------------------------------------------------
    def on_mention(self, body: dict, event: dict, client: "WebClient", context) -> None:
        self._question_event(body, event, client, context, surface="mention", kind_hint=None)

    def on_message(self, body: dict, event: dict, client: "WebClient", context) -> None:
        if event.get("channel_type") != "im":
            return  # channels: the bot answers @mentions only (app_mention)
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins, other bots
        self._question_event(body, event, client, context, surface="dm", kind_hint="im")

    def _question_event(self, body: dict, event: dict, client: "WebClient", context, *, surface: str,
                        kind_hint: str | None) -> None:
        cid = new_correlation_id()
        if not self._first_time(body.get("event_id")):
            log.info("duplicate event ignored cid=%s event_id=%s", cid, body.get("event_id"))
            return
        user, channel, ts = event.get("user", ""), event["channel"], event["ts"]
        thread_root = event.get("thread_ts")
        reply_ts = thread_root or ts
        log.info("question cid=%s surface=%s user=%s channel=%s ts=%s thread=%s", cid, surface, user, channel, ts,
                 thread_root)
        refusal = self.channel_allowed(channel, kind_hint)
        if refusal:
            self._post(client, cid, channel=channel, thread_ts=reply_ts, text=error_text(refusal))
            return
        verdict, wait = self.limiter.check(user)
        if verdict != "ok":
            self._rate_limited(client, cid, verdict, wait, channel=channel, user=user, thread_ts=reply_ts)
            return
        try:
            parsed = parse(event.get("text", ""), context.bot_user_id)
        except ParseError as exc:
            self._post(client, cid, channel=channel, thread_ts=reply_ts, text=error_text(str(exc)))
            return
        if parsed.help:
            self._post(client, cid, channel=channel, thread_ts=reply_ts, text=help_text(context.bot_user_id),
                       blocks=help_blocks(context.bot_user_id))
            return
        reacted = self._react(client, "reactions_add", channel, ts, cid)
        try:
            answer, answer_id, read_as = self.answer(client, user=user, channel=channel, asked=parsed.question,
                                                     parsed=parsed, thread_ts=reply_ts, kind_hint=kind_hint,
                                                     surface=surface, cid=cid)
            blocks = answer_blocks(answer, answer_id, read_as=read_as, filters=parsed.describe_filters())
            self._post_answer(client, cid, channel, reply_ts, answer, blocks)
        except Failure as exc:
            log.warning("answer path failed cid=%s: %s", cid, exc)
            self._post(client, cid, channel=channel, thread_ts=reply_ts, text=error_text(str(exc), cid))
        except Exception as exc:
            log.exception("unexpected failure cid=%s", cid)
            self._post(client, cid, channel=channel, thread_ts=reply_ts,
                       text=error_text(f"Something went wrong while answering ({type(exc).__name__}).", cid))
        finally:
            if reacted:
                self._react(client, "reactions_remove", channel, ts, cid)

    def _rate_limited(self, client, cid: str, verdict: str, wait: float, *, channel: str, user: str,
                      thread_ts: str | None) -> None:
        if verdict == "drop":
            log.warning("rate limited, dropped cid=%s user=%s", cid, user)
            return
        log.warning("rate limited, told the user cid=%s user=%s", cid, user)
        self._tell(client, None, cid, channel=channel, user=user, thread_ts=thread_ts,
                   text=self._rate_text(wait))

    def _rate_text(self, wait: float) -> str:
        n = self.settings.slack_rate_limit_per_minute
        return error_text(f"You have asked {n} questions in the last minute, which is my limit per person. "
                          f"Please wait {max(1, round(wait))} s and ask again.")

    def on_command(self, ack, command: dict, client: "WebClient", respond, context) -> None:
        cid = new_correlation_id()
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        log.info("question cid=%s surface=slash user=%s channel=%s", cid, user, channel)
        refusal = self.channel_allowed(channel, None)
        if refusal:
            ack(text=error_text(refusal))
            return
        verdict, wait = self.limiter.check(user)
        if verdict != "ok":
            log.warning("rate limited cid=%s user=%s", cid, user)
            ack(text=self._rate_text(wait))  # a slash command must be acknowledged anyway: say why
            return
        try:
            parsed = parse(command.get("text", ""), context.bot_user_id)
        except ParseError as exc:
            ack(text=error_text(str(exc)))
            return
        if parsed.help:
            ack(text=help_text(context.bot_user_id), blocks=help_blocks(context.bot_user_id))
            return
        ack(text=f":mag: Looking up _{escape(shorten(parsed.question, 300))}_ …")
        try:
            answer, answer_id, _ = self.answer(client, user=user, channel=channel, asked=parsed.question,
                                               parsed=parsed, thread_ts=None, kind_hint=None, surface="slash", cid=cid)
        except Failure as exc:
            log.warning("answer path failed cid=%s: %s", cid, exc)
            self._tell(client, respond, cid, channel=channel, user=user, text=error_text(str(exc), cid))
            return
        except Exception as exc:
            log.exception("unexpected failure cid=%s", cid)
            self._tell(client, respond, cid, channel=channel, user=user,
                       text=error_text(f"Something went wrong while answering ({type(exc).__name__}).", cid))
            return
        if parsed.share:
            blocks = answer_blocks(answer, answer_id, asked_by=user, filters=parsed.describe_filters())
            sent = self._post_answer(client, cid, channel, None, answer, blocks)
            if sent is not None:
                if sent.get("ts"):
                    self.store.set_thread_ts(answer_id, sent["ts"])  # mentions in its thread are follow-ups
                return
            note = "I could not post in this channel (invite me with `/invite`), so only you see this answer."
            blocks = answer_blocks(answer, answer_id, filters=parsed.describe_filters(), footer_note=note)
        else:
            blocks = answer_blocks(answer, answer_id, filters=parsed.describe_filters())
        for chunk in messages(blocks):
            self._tell(client, respond, cid, channel=channel, user=user, text=fallback_text(answer), blocks=chunk)

    def on_vote(self, ack, body: dict, action: dict, client: "WebClient", respond) -> None:
        ack()
        cid = new_correlation_id()
        vote = "up" if action.get("action_id") == ACTION_UP else "down"
        user = (body.get("user") or {}).get("id", "")
        channel, thread_ts = _action_place(body)
        answer_id = action.get("value", "")
        try:
            stored = self.store.vote(answer_id, user, vote)
        except Exception:
            log.exception("feedback not stored cid=%s answer_id=%s", cid, answer_id)
            self._tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts,
                       text=error_text("I could not record your feedback.", cid))
            return
        log.info("feedback cid=%s answer_id=%s user=%s vote=%s stored=%s", cid, answer_id, user, vote, stored)
        if stored:
            text = ("Thanks: your 👍 is recorded." if vote == "up" else
                    "Thanks: your 👎 is recorded, and the team will look at this question.")
        else:
            text = error_text("I no longer have that answer on record, so the vote was not stored.", cid)
        self._tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts, text=text)

    def on_more_sources(self, ack, body: dict, action: dict, client: "WebClient", respond) -> None:
        ack()
        cid = new_correlation_id()
        user = (body.get("user") or {}).get("id", "")
        channel, thread_ts = _action_place(body)
        verdict, wait = self.limiter.check(user)
        if verdict != "ok":
            if verdict == "notify":
                self._tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts,
                           text=self._rate_text(wait))
            return
        record = self.store.answer(action.get("value", ""))
        if record is None:
            self._tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts,
                       text=error_text("I no longer have that answer on record: ask the question again.", cid))
            return
        from assistant.answer import citation_for

        try:
            results = self._run(self._search_now, record.question, record.filters,
                                len(record.citations) + MORE_SOURCES, cid=cid)
        except Failure as exc:
            self._tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts,
                       text=error_text(str(exc), cid))
            return
        shown = {(c.doc_id, c.quote) for c in record.citations}
        extra = [r for r in results if (r.passage.doc_id, r.passage.text) not in shown][:MORE_SOURCES]
        start = max((c.n for c in record.citations), default=0)
        citations = [citation_for(start + i + 1, r) for i, r in enumerate(extra)]
        log.info("more sources cid=%s answer_id=%s extra=%d", cid, record.id, len(citations))
        self._tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts,
                   text=f"More sources for: {shorten(record.question, 200)}",
                   blocks=more_sources_blocks(record.question, citations))

    def on_error(self, error: Exception, body: dict) -> None:
        """Anything that escaped a listener (they catch their own errors; this is the last net)."""
        log.error("unhandled error cid=%s type=%s", new_correlation_id(), (body or {}).get("type"), exc_info=error)


def _action_place(body: dict) -> tuple[str, str | None]:
    """Channel and thread of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts") or message.get("ts") or container.get("message_ts")
    if container.get("is_ephemeral"):
        thread_ts = container.get("thread_ts")
    return channel, thread_ts


def start_socket_mode(bot: SlackBot, credentials: SlackCredentials):
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
