"""Replies: everything the bot sends to Slack, and how each surface answers a question.

A question asked by @mention or DM is answered in its thread (ThreadReply); one asked with /ask is answered
to the asker alone, or to the channel with `share` (SlashReply). The question flow itself is one
(SlackBot.handle_question); only these two classes differ.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from assistant.models import Answer
from bots.slack.render import answer_blocks, error_text, escape, fallback_text, messages, plain_answer_text, shorten

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

    from bots.slack.parse import Parsed
    from bots.slack.store import SlackStore

log = logging.getLogger("bots.slack")

EYES = "eyes"
CANNOT_POST_HERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
                    "cannot_reply_to_message", "ekm_access_denied"}


def send(client: WebClient, cid: str, **kwargs) -> tuple[dict | None, str | None]:
    """chat.postMessage -> (response, None) or (None, Slack's error code); errors are logged."""
    from slack_sdk.errors import SlackApiError

    try:
        return client.chat_postMessage(**kwargs).data, None  # type: ignore[return-value]  # JSON methods answer a dict
    except SlackApiError as exc:
        error = exc.response.get("error") or "unknown_error"
        log.error("chat.postMessage failed cid=%s channel=%s error=%s", cid, kwargs.get("channel"), error)
        return None, error
    except Exception as exc:
        log.exception("chat.postMessage failed cid=%s channel=%s", cid, kwargs.get("channel"))
        return None, type(exc).__name__

def post(client: WebClient, cid: str, **kwargs) -> dict | None:
    return send(client, cid, **kwargs)[0]

LAST_RESORT = ("I found an answer but Slack would not take my reply (it is busy or refusing messages): please "
               "ask again in a minute.")


def post_answer(client: WebClient, cid: str, channel: str, thread_ts: str | None, answer: Answer,
                 blocks: list[dict], user: str | None = None) -> dict | None:
    """Post the reply (several messages when it needs more than 50 blocks); if Slack refuses the blocks,
    post the same answer as plain text; if that fails too (after slack_sdk's retries), a short message only the
    asker sees, so the asker is never left with nothing."""
    first = None
    for i, chunk in enumerate(messages(blocks)):
        text = fallback_text(answer) if i == 0 else "(answer continued)"
        sent, error = send(client, cid, channel=channel, thread_ts=thread_ts, text=text, blocks=chunk,
                                 unfurl_links=False, unfurl_media=False)
        if sent is None and error in CANNOT_POST_HERE:
            return None  # plain text would fail the same way; the caller tells the user another way
        if sent is None:
            sent = post(client, cid, channel=channel, thread_ts=thread_ts,
                              text=error_text("Slack would not show the formatted answer, so here it is as "
                                              "plain text:", cid) + "\n" + plain_answer_text(answer),
                              unfurl_links=False)
            if sent is None:
                log.error("could not deliver the answer cid=%s channel=%s", cid, channel)
                if user:
                    tell(client, None, cid, channel=channel, user=user, thread_ts=thread_ts,
                         text=error_text(LAST_RESORT, cid))
            return first or sent
        first = first or sent
    return first

def react(client: WebClient, method: str, channel: str, ts: str, cid: str) -> bool:
    from slack_sdk.errors import SlackApiError

    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=EYES)
        return True
    except SlackApiError as exc:
        log.warning("%s failed cid=%s error=%s", method, cid, exc.response.get("error"))
    except Exception:
        log.exception("%s failed cid=%s", method, cid)
    return False

def tell(client: WebClient, respond, cid: str, *, channel: str, user: str, text: str,
          blocks: list[dict] | None = None, thread_ts: str | None = None) -> bool:
    """Something only this user sees: chat.postEphemeral, or the response_url when the bot is not in the
    channel (e.g. /ask in a DM between two people)."""
    from slack_sdk.errors import SlackApiError

    kwargs: dict[str, Any] = {"channel": channel, "user": user, "text": text}
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


class ThreadReply:
    """@mention or DM: everything goes in the question's thread; :eyes: on the question while it is answered."""

    def __init__(self, client: WebClient, cid: str, *, channel: str, user: str, ts: str, thread_ts: str):
        self.client, self.cid, self.channel, self.user, self.ts, self.thread_ts = client, cid, channel, user, ts, thread_ts
        self._reacted = False

    def say(self, text: str, blocks: list[dict] | None = None) -> None:
        kwargs = {"blocks": blocks} if blocks else {}
        post(self.client, self.cid, channel=self.channel, thread_ts=self.thread_ts, text=text, **kwargs)

    def rate_limited(self, verdict: str, text: str) -> None:
        if verdict == "drop":
            log.warning("rate limited, dropped cid=%s user=%s", self.cid, self.user)
            return
        log.warning("rate limited, told the user cid=%s user=%s", self.cid, self.user)
        tell(self.client, None, self.cid, channel=self.channel, user=self.user, thread_ts=self.thread_ts, text=text)

    def working(self, parsed: Parsed) -> None:
        self._reacted = react(self.client, "reactions_add", self.channel, self.ts, self.cid)

    def failed(self, text: str) -> None:
        self.say(text)

    def deliver(self, answer: Answer, answer_id: str, read_as: str | None, parsed: Parsed) -> None:
        blocks = answer_blocks(answer, answer_id, read_as=read_as, filters=parsed.describe_filters(),
                               channel_note=parsed.channel_note())
        post_answer(self.client, self.cid, self.channel, self.thread_ts, answer, blocks, user=self.user)

    def done(self) -> None:
        if self._reacted:
            react(self.client, "reactions_remove", self.channel, self.ts, self.cid)


class SlashReply:
    """/ask: a slash command must be acknowledged within 3 s, so refusals go in the acknowledgement; the answer
    goes to the asker alone, or to the channel with `share` (its thread then takes follow-ups)."""

    thread_ts = None

    def __init__(self, client: WebClient, cid: str, *, channel: str, user: str, ack, respond, store: SlackStore):
        self.client, self.cid, self.channel, self.user = client, cid, channel, user
        self.ack, self.respond, self.store = ack, respond, store

    def say(self, text: str, blocks: list[dict] | None = None) -> None:
        if blocks:
            self.ack(text=text, blocks=blocks)
        else:
            self.ack(text=text)

    def rate_limited(self, verdict: str, text: str) -> None:
        log.warning("rate limited cid=%s user=%s", self.cid, self.user)
        self.ack(text=text)  # a slash command must be acknowledged anyway: say why

    def working(self, parsed: Parsed) -> None:
        self.ack(text=f":mag: Looking up _{escape(shorten(parsed.question, 300))}_ …")

    def _tell(self, text: str, blocks: list[dict] | None = None) -> None:
        tell(self.client, self.respond, self.cid, channel=self.channel, user=self.user, text=text, blocks=blocks)

    def failed(self, text: str) -> None:
        self._tell(text)

    def deliver(self, answer: Answer, answer_id: str, read_as: str | None, parsed: Parsed) -> None:
        if parsed.share:
            blocks = answer_blocks(answer, answer_id, asked_by=self.user, filters=parsed.describe_filters(),
                                   channel_note=parsed.channel_note())
            sent = post_answer(self.client, self.cid, self.channel, None, answer, blocks)
            if sent is not None:
                if sent.get("ts"):
                    self.store.set_thread_ts(answer_id, sent["ts"])  # mentions in its thread are follow-ups
                return
            note = "I could not post in this channel (invite me with `/invite`), so only you see this answer."
            blocks = answer_blocks(answer, answer_id, filters=parsed.describe_filters(), footer_note=note,
                                   channel_note=parsed.channel_note())
        else:
            blocks = answer_blocks(answer, answer_id, filters=parsed.describe_filters(),
                                   channel_note=parsed.channel_note())
        for chunk in messages(blocks):
            self._tell(fallback_text(answer), blocks=chunk)

    def done(self) -> None:
        pass
