"""Issue 14 §2, "never quiet, never twice", against the Slack stand-in (signed requests, the real Bolt app):
Slack answering 429/5xx, the same DM delivered as message.im and app_mention, malformed requests, help and
the rate limit, and the footer that says who wrote the answer."""

from __future__ import annotations

import json

from slack_fake import block_texts, dm, mention, next_ts, sign
from test_slack import fake, make_bot  # noqa: F401 (fixtures)

from bots.slack.replies import LAST_RESORT

Q = "What did inspectors say about workloads?"


def test_429_and_5xx_from_slack_are_retried_and_the_answer_arrives(make_bot):
    h = make_bot()
    h.fake.http_failures["chat.postMessage"] = [429, 503]
    h.post.event(mention(Q))
    h.answered()
    posts = h.fake.of("chat.postMessage")
    assert [p.args.get("http_status") for p in posts] == [429, 503, None]
    assert posts[-1].at - posts[0].at >= 0.9  # Retry-After: 1 was honoured
    assert "*Sources*" in block_texts(posts[-1])


def test_when_slack_keeps_refusing_the_asker_gets_a_short_private_note(make_bot):
    h = make_bot()
    h.fake.http_failures["chat.postMessage"] = [500] * 6  # blocks and plain text, each with its retries
    h.post.event(mention(Q))
    h.answered()
    notes = h.fake.of("chat.postEphemeral")
    assert len(notes) == 1 and LAST_RESORT in notes[0].args["text"] and notes[0].args["user"] == "UALICE"
    assert "reference" in notes[0].args["text"]


def test_a_dm_delivered_as_message_im_and_app_mention_is_answered_once(make_bot):
    h = make_bot()
    ts = next_ts()
    h.post.event(dm("<@UBOT> " + Q, ts=ts), event_id="EvIM1")
    h.post.event(mention(Q, channel="DALICE", ts=ts), event_id="EvMENTION1")
    h.answered()
    h.fake.wait_for(lambda calls: True, idle=1.0)
    assert h.fake.methods().count("chat.postMessage") == 1


def test_malformed_requests_get_json_errors_without_a_trace(make_bot):
    h = make_bot()
    body = json.dumps({"type": "event_callback", "event": mention(Q)})
    for stamp in ("not-a-number", "", "12.5"):
        r = h.post.http.post(h.post.url, content=body, headers={
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": "v0=deadbeef"})
        assert r.status_code in (400, 401) and r.json()["error"]["code"], r.text
        assert "Traceback" not in r.text
    broken = "{not json"
    r = h.post.http.post(h.post.url, content=broken, headers={"Content-Type": "application/json", **sign(broken)})
    assert r.status_code in (400, 401) and "Traceback" not in r.text
    assert h.fake.methods() == []


def test_help_is_not_rate_limited_and_the_asker_is_told_once(make_bot, caplog):
    h = make_bot(slack_rate_limit_per_minute=1)
    for _ in range(3):
        h.post.event(mention("help"))
    h.fake.wait_method("chat.postMessage", 3)
    assert all("I answer questions" in c.args["text"] for c in h.fake.of("chat.postMessage"))
    with caplog.at_level("WARNING", logger="bots.slack"):
        for i in range(4):
            h.post.event(mention(f"{Q} ({i})"))
        h.fake.wait_for(lambda calls: sum(c.method == "reactions.remove" for c in calls) == 1
                        and any(c.method == "chat.postEphemeral" for c in calls), idle=1.0)
    assert len(h.fake.of("chat.postEphemeral")) == 1
    assert sum("rate limited, dropped" in r.getMessage() for r in caplog.records) == 2


def test_footer_says_the_answer_is_quoted():
    from assistant.models import Answer
    from bots.slack.render import answer_blocks

    quoted = Answer(question="q", status="answered", answer="Workloads were too high. [1]")
    written = quoted.model_copy(update={"mode": "llm"})
    assert "Quoted from the indexed documents" in json.dumps(answer_blocks(quoted, None))
    assert "Written by a language model" in json.dumps(answer_blocks(written, None))
