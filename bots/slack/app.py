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
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from assistant.access import Access
from assistant.answer import citation_for
from assistant.audit import slack_actor
from assistant.llm.answer import resolve_mode
from assistant.models import Answer, Filters, QuestionError
from assistant.privacy import redact
from bots.slack.channels import load_channel_defaults
from bots.slack.feedback import REASON_VIEW, Feedback
from bots.slack.parse import ParseError, parse
from bots.slack.policy import ChannelPolicy, Deduplicator, RateLimiter
from bots.slack.render import (
    ACTION_DOWN,
    ACTION_MORE,
    ACTION_UP,
    error_text,
    help_blocks,
    help_text,
    more_sources_blocks,
    shorten,
)
from bots.slack.replies import SlashReply, ThreadReply, tell
from bots.slack.settings import SlackSettings
from bots.slack.startup import (  # noqa: F401 (re-exported)
    ConfigError,
    SlackCredentials,
    _quiet_token_warning,
    api_url,
    start_socket_mode,
    verify_app_token,
    verify_bot_token,
    web_client,
)
from bots.slack.store import SlackStore
from bots.slack.work import AnswerWorkers, Busy, ShuttingDown, TimedOut

if TYPE_CHECKING:  # pragma: no cover
    from slack_bolt import App
    from slack_sdk import WebClient

log = logging.getLogger("bots.slack")

MORE_SOURCES = 5
BUSY_TEXT = "I am answering too many questions at once right now: please try again in a minute."
MODEL_BUSY_NOTE = ("The language model was busy with other questions, so this answer is quoted from the documents "
                   "(ask again in a minute for a written one).")


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
        if s.slack_retention_days:  # retention applied on start (ASSISTANT_SLACK_RETENTION_DAYS)
            purged = self.store.purge(s.slack_retention_days * 86400)
            log.info("retention: %d answers and %d votes older than %d days deleted", purged["answers"],
                     purged["feedback"], s.slack_retention_days)
        self.limiter = RateLimiter(s.slack_rate_limit_per_minute)
        self.policy = ChannelPolicy(s)
        self.dedupe = Deduplicator()
        self.feedback = Feedback(self.store)
        self.channel_defaults = load_channel_defaults(s.slack_channel_defaults)  # ConfigError: bad file
        self.workers = AnswerWorkers(s.slack_answer_workers, s.slack_max_pending, s.slack_answer_timeout_s)
        self.app: App | None = None

    # --- construction -------------------------------------------------------------------------
    def build_app(self, bot_token: str, signing_secret: str | None = None, *,
                  process_before_response: bool = False) -> App:
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
        app.view(REASON_VIEW)(self.on_reason)
        app.action(ACTION_MORE)(self.on_more_sources)
        app.error(self.on_error)
        self.app = app
        return app

    def close(self) -> None:
        self.workers.close()

    # --- the answer path ----------------------------------------------------------------------
    def _ask_now(self, question: str, filters: Filters, k: int, history, access: Access,
                 answer_mode: str | None = None) -> Answer:
        if not self.service.documents(access=access):
            raise Failure("The document index is empty, so I have nothing to answer from yet: an admin needs to "
                          "run `assistant ingest`.")
        return self.service.ask(question, k=k, filters=filters, history=history, access=access,
                                answer_mode=answer_mode)

    def _search_now(self, question: str, filters: Filters, k: int, access: Access):
        return self.service.search(question, k=k, filters=filters, access=access)

    def _run(self, fn, *, cid: str, fallback=None, lane: str = "answer", model: bool = False):
        """Run service work on the workers (bots/slack/work.py: the budget starts when a worker starts it);
        failures become Failure. With `model`, a timeout of the model's work is raised as TimedOut for the
        caller, which still has the extractive answer to give. -> (result, whether the fallback ran)."""
        try:
            return self.workers.run(fn, fallback=fallback, lane=lane)
        except Busy as exc:
            log.warning("busy cid=%s: %s", cid, exc)
            raise Failure(BUSY_TEXT) from None
        except ShuttingDown:
            raise Failure("I am shutting down: please try again in a minute.") from None
        except TimedOut as exc:
            if model and exc.lane == "answer":
                raise
            log.error("answer timed out cid=%s after %.1f s", cid, exc.seconds)
            raise Failure(f"Searching the documents took longer than {exc.seconds:g} s, so I stopped waiting. "
                          "Please try again in a minute.") from None
        except (Failure, QuestionError):
            raise
        except Exception as exc:
            log.exception("answer failed cid=%s", cid)
            raise Failure(f"Something went wrong while searching the documents ({type(exc).__name__}).") from exc

    def _uses_model(self) -> bool:
        try:
            return resolve_mode(self.service.settings) == "llm"
        except Exception:
            return False  # the service says what is wrong with the answer mode when it is asked

    def _ask(self, ask, cid: str) -> Answer:
        """The answer within the budget. With a language model: a question that finds every answer worker busy,
        or whose model runs past the budget, gets the extractive answer with a note saying so (the note blames
        the model, never searching)."""
        if not self._uses_model():
            return self._run(lambda: ask(None), cid=cid)[0]
        try:
            result, fell_back = self._run(lambda: ask(None), fallback=lambda: ask("extractive"), cid=cid, model=True)
            note = MODEL_BUSY_NOTE if fell_back else None
        except TimedOut as exc:
            log.warning("the language model timed out cid=%s after %.1f s: answering extractively", cid, exc.seconds)
            result = self._run(lambda: ask("extractive"), lane="quick", cid=cid)[0]
            note = (f"The language model took longer than {exc.seconds:g} s, so this answer is quoted from the "
                    "documents.")
        if note:
            log.info("extractive answer cid=%s: %s", cid, note)
            result.notes = [*(result.notes or []), note]
        return result

    def answer(self, client: WebClient, *, user: str, channel: str, parsed, thread_ts: str | None,
               kind_hint: str | None, surface: str, cid: str) -> tuple[Answer, str, str | None]:
        """Ask the service with the thread's earlier turns (the service reads a follow-up as the standalone
        question it stands for) and record the answer.
        -> (answer, answer_id, the question as read when it was read with the thread)."""
        access = self.policy.access(client, channel, user, kind_hint, cid)  # the service enforces it
        history = self.store.thread_turns(channel, thread_ts, self.service.settings.conversation_turns) \
            if thread_ts else []
        filters = parsed.filters(access.restricted)  # recorded with the answer, for More sources
        audit = self.service.audit
        k = self.service.settings.top_k
        try:
            result = self._ask(lambda mode: self._ask_now(parsed.question, filters, k, history, access, mode), cid)
        except QuestionError as exc:
            audit.record("ask", slack_actor(user), "refused:invalid_question", question=parsed.question,
                         surface=surface, cid=cid)
            raise Failure(f"I cannot search for that: {exc}.") from None
        except Failure:
            audit.record("ask", slack_actor(user), "error", question=parsed.question, surface=surface, cid=cid)
            raise
        asked = redact(parsed.question).text  # the service already redacted what it read; this is what was typed
        read_as = result.read_as.question if result.read_as and result.read_as.follow_up else None
        result.question = read_as or asked  # recorded as read, so later follow-ups chain on it
        answer_id = self.store.record_answer(user=user, channel=channel, thread_ts=thread_ts, surface=surface,
                                             asked=asked, answer=result, filters=filters)
        audit.record("ask", slack_actor(user), result.status, [c.doc_id for c in result.citations],
                     question=result.question, surface=surface, answer_id=answer_id, cid=cid)
        log.info("answered cid=%s answer_id=%s status=%s citations=%d restricted_allowed=%s ms=%s", cid, answer_id,
                 result.status, len(result.citations), access.restricted, result.timings_ms.get("total"))
        return result, answer_id, read_as

    def handle_question(self, out, client: WebClient, *, text: str, user: str, channel: str,
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
        if parsed is not None:
            parsed.channel = self.channel_defaults.get(channel)
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
    def on_mention(self, body: dict, event: dict, client: WebClient, context) -> None:
        self._question_event(body, event, client, context, surface="mention", kind_hint=None)

    def on_message(self, body: dict, event: dict, client: WebClient, context) -> None:
        if event.get("channel_type") != "im":
            return  # channels: the bot answers @mentions only (app_mention)
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins, other bots
        self._question_event(body, event, client, context, surface="dm", kind_hint="im")

    def _question_event(self, body: dict, event: dict, client: WebClient, context, *, surface: str,
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

    def on_command(self, ack, command: dict, client: WebClient, respond, context) -> None:
        cid = new_correlation_id()
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        log.info("question cid=%s surface=slash user=%s channel=%s", cid, user, channel)
        out = SlashReply(client, cid, channel=channel, user=user, ack=ack, respond=respond, store=self.store)
        self.handle_question(out, client, text=command.get("text", ""), user=user, channel=channel,
                             kind_hint=None, surface="slash", bot_user_id=context.bot_user_id, cid=cid)

    def on_vote(self, ack, body: dict, action: dict, client: WebClient, respond) -> None:
        self.feedback.on_vote(ack, body, action, client, respond, new_correlation_id(), _action_place(body))

    def on_reason(self, ack, body: dict, view: dict, client: WebClient) -> None:
        self.feedback.on_reason(ack, body, view, client, new_correlation_id())

    def on_more_sources(self, ack, body: dict, action: dict, client: WebClient, respond) -> None:
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
            k = len(record.citations) + MORE_SOURCES
            results = self._run(lambda: self._search_now(record.question, record.filters, k, access), lane="quick", cid=cid)[0]
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
