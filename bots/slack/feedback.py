"""👍/👎 under an answer: the vote is stored (one per person, a second replaces the first), the answer's message
is updated to say so ("Thanks — marked helpful", with the tally), and a 👎 opens a small form asking what was
wrong (optional; Bolt handles its submission). The export (store.question_set) keeps the reasons.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from bots.slack.render import ACTION_UP, error_text
from bots.slack.replies import tell

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

    from bots.slack.store import SlackStore

log = logging.getLogger("bots.slack")

REASON_VIEW = "feedback_reason"
REASON_BLOCK = REASON_ACTION = "reason"
REASON_MAX_CHARS = 1000


def thanks_text(vote: str, ups: int, downs: int) -> str:
    marked = "helpful" if vote == "up" else "not helpful"
    return f"Thanks — marked {marked} (👍 {ups} · 👎 {downs}; vote again to change yours)"


def voted_blocks(blocks: list[dict], answer_id: str, text: str) -> list[dict] | None:
    """The message's blocks with the vote line under its buttons (replacing an earlier one); None when the
    blocks are not this answer's message."""
    vote_id = f"votes:{answer_id}"[:255]
    kept = [b for b in blocks if b.get("block_id") != vote_id]
    at = next((i for i, b in enumerate(kept) if b.get("block_id") == f"answer:{answer_id}"[:255]), None)
    if at is None:
        return None
    line = {"type": "context", "block_id": vote_id, "elements": [{"type": "mrkdwn", "text": text}]}
    return kept[:at + 1] + [line] + kept[at + 1:]


def reason_view(answer_id: str) -> dict:
    return {"type": "modal", "callback_id": REASON_VIEW, "private_metadata": json.dumps({"answer_id": answer_id}),
            "title": {"type": "plain_text", "text": "What was wrong?"},
            "submit": {"type": "plain_text", "text": "Send"},
            "close": {"type": "plain_text", "text": "Skip"},
            "blocks": [{"type": "input", "block_id": REASON_BLOCK, "optional": True,
                        "label": {"type": "plain_text", "text": "What was wrong with the answer? (optional)"},
                        "hint": {"type": "plain_text", "text": "E.g. the wrong document, out of date, or the "
                                                               "answer is elsewhere. The team reads these."},
                        "element": {"type": "plain_text_input", "action_id": REASON_ACTION, "multiline": True,
                                    "max_length": REASON_MAX_CHARS}}]}


class Feedback:
    def __init__(self, store: SlackStore):
        self.store = store

    def on_vote(self, ack, body: dict, action: dict, client: WebClient, respond, cid: str, place) -> None:
        ack()
        vote = "up" if action.get("action_id") == ACTION_UP else "down"
        user = (body.get("user") or {}).get("id", "")
        channel, thread_ts = place
        answer_id = action.get("value", "")

        def say(text: str) -> None:
            tell(client, respond, cid, channel=channel, user=user, thread_ts=thread_ts, text=text)

        try:
            stored = self.store.vote(answer_id, user, vote)
        except Exception:
            log.exception("feedback not stored cid=%s answer_id=%s", cid, answer_id)
            say(error_text("I could not record your feedback.", cid))
            return
        log.info("feedback cid=%s answer_id=%s user=%s vote=%s stored=%s", cid, answer_id, user, vote, stored)
        if not stored:
            say(error_text("I no longer have that answer on record, so the vote was not stored.", cid))
            return
        text = thanks_text(vote, *self.store.tally(answer_id))
        if not self._update_message(client, body, answer_id, text, cid):
            say(text)  # an ephemeral answer (/ask) cannot be edited: tell the voter alone
        if vote == "down" and not self._ask_reason(client, body, answer_id, cid):
            say("If you can, tell the team what was wrong by replying in this thread.")

    def _update_message(self, client: WebClient, body: dict, answer_id: str, text: str, cid: str) -> bool:
        message = body.get("message") or {}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        blocks = voted_blocks(message.get("blocks") or [], answer_id, text)
        if container.get("is_ephemeral") or not message.get("ts") or not channel or blocks is None:
            return False
        try:
            client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or text, blocks=blocks)
            return True
        except Exception as exc:  # noqa: BLE001 - a SlackApiError or the network: thank the voter privately
            log.warning("chat.update failed cid=%s: %s", cid, exc)
            return False

    def _ask_reason(self, client: WebClient, body: dict, answer_id: str, cid: str) -> bool:
        trigger = body.get("trigger_id")
        if not trigger:
            return False
        try:
            client.views_open(trigger_id=trigger, view=reason_view(answer_id))
            return True
        except Exception as exc:  # noqa: BLE001 - no form: the voter is told how else to say why
            log.warning("views.open failed cid=%s: %s", cid, exc)
            return False

    def on_reason(self, ack, body: dict, view: dict, client: WebClient, cid: str) -> None:
        """The 👎 form submitted (its one field is optional: an empty form stores no reason)."""
        ack()
        user = (body.get("user") or {}).get("id", "")
        try:
            answer_id = json.loads(view.get("private_metadata") or "{}").get("answer_id", "")
            field = ((view.get("state") or {}).get("values") or {}).get(REASON_BLOCK, {}).get(REASON_ACTION, {})
        except (ValueError, AttributeError):
            log.warning("feedback form unreadable cid=%s", cid)
            return
        reason = (field.get("value") or "").strip()
        stored = bool(reason) and self.store.set_reason(answer_id, user, reason)
        log.info("feedback reason cid=%s answer_id=%s user=%s stored=%s chars=%d", cid, answer_id, user, stored,
                 len(reason))
