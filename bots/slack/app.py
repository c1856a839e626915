"""The Bolt app: staff @mention the bot, DM it or type /ask; the answer goes in the thread with its sources.

Every path that someone addressed ends in a reply: an answer, a no-answer with the nearest passages, or a
short message saying what went wrong with a correlation id that is also in the log. The one exception is
a user flooding the bot: past the per-user rate limit they are told once to wait, and further messages in
that minute are dropped (logged), so a flood cannot take the bot down.

The parts: start-up (startup.py), who may ask what where (policy.py), what is sent back (replies.py), the
bot's settings (settings.py). This module routes Slack's requests through one question flow.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TYPE_CHECKING

from assistant.access import Access
from assistant.answer import citation_for
from assistant.models import Answer, Filters, QuestionError
from bots.slack import replies
from bots.slack.parse import ParseError, parse
from bots.slack.policy import ChannelPolicy, Deduplicator, RateLimiter
from bots.slack.render import (ACTION_DOWN, ACTION_MORE, ACTION_UP, error_text, help_blocks, help_text,
                               more_sources_blocks, shorten)
from bots.slack.replies import SlashReply, ThreadReply, tell
from bots.slack.settings import SlackSettings
from bots.slack.startup import (ConfigError, SlackCredentials, api_url, start_socket_mode,  # noqa: F401 (re-exported)
                                verify_app_token, verify_bot_token, web_client, _quiet_token_warning)
from bots.slack.store import SlackStore

if TYPE_CHECKING:  # pragma: no cover
    from slack_bolt import App
    from slack_sdk import WebClient

log = logging.getLogger("bots.slack")

MORE_SOURCES = 5


class Failure(Exception):
    """The answer path failed in a way the user is told about in plain words."""


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:12]


class SlackBot:
    """Holds the service, the store, the policy and the answer pool; builds the Bolt app that routes Slack's
    requests here."""

    def __init__(self, service, settings: SlackSettings | None = None, store: SlackStore | None = None, *,
                 state_dir=None):
        self.service = service
        self.settings = settings or SlackSettings()
        s = self.settings
        self.store = store or SlackStore(s.feedback_db(state_dir or service.settings.state_dir))
        self.limiter = RateLimiter(s.slack_rate_limit_per_minute)
        self.policy = ChannelPolicy(s)
        self.dedupe = Deduplicator()
        self._answer_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="slack-answer")
        self._pending = 0
        self._pending_lock = threading.Lock()
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

    # --- the answer path ----------------------------------------------------------------------
    def _ask_now(self, question: str, filters: Filters, k: int, history, access: Access) -> Answer:
        if not self.service.documents(access=access):
            raise Failure("The document index is empty, so I have nothing to answer from yet: an admin needs to "
                          "run `assistant ingest`.")
        return self.service.ask(question, k=k, filters=filters, history=history, access=access)

    def _search_now(self, question: str, filters: Filters, k: int, access: Access):
        return self.service.search(question, k=k, filters=filters, access=access)

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

    def answer(self, client: "WebClient", *, user: str, channel: str, parsed, thread_ts: str | None,
               kind_hint: str | None, surface: str, cid: str) -> tuple[Answer, str, str | None]:
        """Ask the service with the thread's earlier turns (the service reads a follow-up as the standalone
        question it stands for) and record the answer.
        -> (answer, answer_id, the question as read when it was read with the thread)."""
        access = self.policy.access(client, channel, user, kind_hint, cid)  # the service enforces it
        history = self.store.thread_turns(channel, thread_ts, self.service.settings.conversation_turns) \
            if thread_ts else []
        filters = parsed.filters(access.restricted)  # recorded with the answer, for More sources
        try:
            result = self._run(self._ask_now, parsed.question, filters, self.service.settings.top_k, history, access,
                               cid=cid)
        except QuestionError as exc:
            raise Failure(f"I cannot search for that: {exc}.") from None
        read_as = result.read_as.question if result.read_as and result.read_as.follow_up else None
        result.question = read_as or parsed.question  # recorded as read, so later follow-ups chain on it
        answer_id = self.store.record_answer(user=user, channel=channel, thread_ts=thread_ts, surface=surface,
                                             asked=parsed.question, answer=result, filters=filters)
        log.info("answered cid=%s answer_id=%s status=%s citations=%d restricted_allowed=%s ms=%s", cid, answer_id,
                 result.status, len(result.citations), access.restricted, result.timings_ms.get("total"))
        return result, answer_id, read_as

    def handle_question(self, out, client: "WebClient", *, text: str, user: str, channel: str,
                        kind_hint: str | None, surface: str, bot_user_id: str | None, cid: str) -> None:
        """The one question flow, whichever surface it came from: where, how often, parse, answer, reply.
        `out` (replies.ThreadReply or replies.SlashReply) is how this surface replies."""
        refusal = self.policy.channel_allowed(channel, kind_hint)
        if refusal:
            out.say(error_text(refusal))
            return
        try:
            parsed, problem = parse(text, bot_user_id), None
        except ParseError as exc:
            parsed, problem = None, str(exc)
        if parsed is not None and parsed.help:  # help never counts toward the rate limit
            out.say(help_text(bot_user_id), blocks=help_blocks(bot_user_id))
            return
        verdict, wait = self.limiter.check(user)
        if verdict != "ok":
            out.rate_limited(verdict, self._rate_text(wait))
            return
        if problem is not None:
            out.say(error_text(problem))
            return
        out.working(parsed)
        try:
            answer, answer_id, read_as = self.answer(client, user=user, channel=channel, parsed=parsed,
                                                     thread_ts=out.thread_ts, kind_hint=kind_hint, surface=surface,
                                                     cid=cid)
            out.deliver(answer, answer_id, read_as, parsed)
        except Failure as exc:
            log.warning("answer path failed cid=%s: %s", cid, exc)
            out.failed(error_text(str(exc), cid))
        except Exception as exc:
            log.exception("unexpected failure cid=%s", cid)
            out.failed(error_text(f"Something went wrong while answering ({type(exc).__name__}).", cid))
        finally:
            out.done()

    def _rate_text(self, wait: float) -> str:
        n = self.settings.slack_rate_limit_per_minute
        return error_text(f"You have asked {n} questions in the last minute, which is my limit per person. "
                          f"Please wait {max(1, round(wait))} s and ask again.")

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
        if not self.dedupe.first_time(body.get("event_id")):
            log.info("duplicate event ignored cid=%s event_id=%s", cid, body.get("event_id"))
            return
        user, channel, ts = event.get("user", ""), event["channel"], event["ts"]
        if not self.dedupe.first_time(f"{channel}:{ts}"):  # a DM mention arrives as message.im and app_mention
            log.info("same message again ignored cid=%s channel=%s ts=%s", cid, channel, ts)
            return
        thread_root = event.get("thread_ts")
        log.info("question cid=%s surface=%s user=%s channel=%s ts=%s thread=%s", cid, surface, user, channel, ts,
                 thread_root)
        out = ThreadReply(client, cid, channel=channel, user=user, ts=ts, thread_ts=thread_root or ts)
        self.handle_question(out, client, text=event.get("text", ""), user=user, channel=channel,
                             kind_hint=kind_hint, surface=surface, bot_user_id=context.bot_user_id, cid=cid)

    def on_command(self, ack, command: dict, client: "WebClient", respond, context) -> None:
        cid = new_correlation_id()
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        log.info("question cid=%s surface=slash user=%s channel=%s", cid, user, channel)
        out = SlashReply(client, cid, channel=channel, user=user, ack=ack, respond=respond, store=self.store)
        self.handle_question(out, client, text=command.get("text", ""), user=user, channel=channel,
                             kind_hint=None, surface="slash", bot_user_id=context.bot_user_id, cid=cid)

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
            tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts,
                 text=error_text("I could not record your feedback.", cid))
            return
        log.info("feedback cid=%s answer_id=%s user=%s vote=%s stored=%s", cid, answer_id, user, vote, stored)
        if stored:
            text = ("Thanks: your 👍 is recorded." if vote == "up" else
                    "Thanks: your 👎 is recorded, and the team will look at this question.")
        else:
            text = error_text("I no longer have that answer on record, so the vote was not stored.", cid)
        tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts, text=text)

    def on_more_sources(self, ack, body: dict, action: dict, client: "WebClient", respond) -> None:
        ack()
        cid = new_correlation_id()
        user = (body.get("user") or {}).get("id", "")
        channel, thread_ts = _action_place(body)

        def say(text: str, blocks: list[dict] | None = None) -> None:
            tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts, text=text, blocks=blocks)

        verdict, wait = self.limiter.check(user)
        if verdict != "ok":
            if verdict == "notify":
                say(self._rate_text(wait))
            return
        record = self.store.answer(action.get("value", ""))
        if record is None:
            say(error_text("I no longer have that answer on record: ask the question again.", cid))
            return
        # granted only if the answer was, and the person clicking may see restricted documents where they are
        granted = self.policy.access(client, channel, user, None, cid)
        access = Access(restricted=granted.restricted and record.filters.include_restricted)
        try:
            results = self._run(self._search_now, record.question, record.filters,
                                len(record.citations) + MORE_SOURCES, access, cid=cid)
        except Failure as exc:
            say(error_text(str(exc), cid))
            return
        shown = {(c.doc_id, c.quote) for c in record.citations}
        extra = [r for r in results if (r.passage.doc_id, r.passage.text) not in shown][:MORE_SOURCES]
        start = max((c.n for c in record.citations), default=0)
        citations = [citation_for(start + i + 1, r) for i, r in enumerate(extra)]
        log.info("more sources cid=%s answer_id=%s extra=%d", cid, record.id, len(citations))
        say(f"More sources for: {shorten(record.question, 200)}", more_sources_blocks(record.question, citations))

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
