"""Issue 13 §1 in Slack: the real Bolt app, signed requests, the Slack stand-in (tests/slack_fake.py).

The bot's policy works out the grant (the asker's own DM with the bot, or an allow-listed private channel);
the service applies it. A restricted document with a canary (tests/restricted_corpus.py) is asked about on
every path: a mention in a public channel, /ask there, the More sources button under that answer, and a DM
with the bot. Everything the bot sent to Slack is searched for the canary.
"""

from __future__ import annotations

import json

import pytest
from slack_fake import action_payload, action_value, dm, mention, slash_form

from tests.restricted_corpus import QUESTIONS, leaks, restricted_service
from tests.test_slack import fake, make_bot  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return restricted_service(tmp_path_factory.mktemp("slack_access")).settings


def sent(h) -> str:
    """Everything the bot sent to Slack since the last reset: API calls and response_url posts."""
    return json.dumps([c.args for c in h.fake.calls]) + json.dumps(list(h.fake.responses))


def test_public_channel_paths_never_show_restricted_text(make_bot, settings):
    h = make_bot(settings, slack_rate_limit_per_minute=1000)
    h.fake.channels.update({"CPUBLIC": {"is_channel": True, "is_private": False}})
    for q in QUESTIONS:
        h.fake.reset()
        h.post.event(mention(q, channel="CPUBLIC"))
        h.answered()
        post = h.fake.of("chat.postMessage")[0]
        assert not leaks(sent(h)), f"mention: {q}"

        h.fake.reset()  # More sources under that public answer
        h.post.action(action_payload("more_sources", action_value(post, "more_sources"), h.fake, channel="CPUBLIC",
                                     message_ts=post.args["thread_ts"], thread_ts=post.args["thread_ts"]))
        h.fake.wait_method("chat.postEphemeral")
        assert not leaks(sent(h)), f"more sources: {q}"

        h.fake.reset()  # /ask in the public channel
        h.post.form(slash_form(q, h.fake, channel="CPUBLIC"))
        h.fake.wait_method("chat.postEphemeral")
        assert not leaks(sent(h)), f"/ask: {q}"


def test_the_askers_dm_with_the_bot_holds_the_grant(make_bot, settings):
    h = make_bot(settings, slack_rate_limit_per_minute=1000)
    h.fake.channels.update({"DALICE": {"is_im": True, "user": "UALICE"}})
    methods: list[str] = []
    for q in QUESTIONS:
        h.fake.reset()
        h.post.event(dm(q))
        h.answered()
        assert leaks(sent(h)), f"DM: {q}"
        post = h.fake.of("chat.postMessage")[0]
        record = h.bot.store.answer(action_value(post, "feedback_up"))
        assert record.filters.include_restricted is True  # recorded as granted, so More sources may search them

        h.fake.reset()  # More sources in the DM: searched with the grant (the clicker's own DM)
        h.post.action(action_payload("more_sources", action_value(post, "more_sources"), h.fake, channel="DALICE",
                                     message_ts=post.args["thread_ts"], thread_ts=post.args["thread_ts"]))
        h.fake.wait_method("chat.postEphemeral")
        methods += h.fake.methods()
    assert "conversations.info" in methods  # the grant is worked out again for the click (then cached a minute)
