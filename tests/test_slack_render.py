"""The Slack bot's parts that need no server: message parsing, Block Kit within Slack's limits (checked by
posting through the real WebClient to FakeSlack, which refuses what Slack refuses), the rate limiter,
the app manifest."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from slack_fake import BOT_TOKEN, FakeSlack, block_problems, blocks_of

from assistant.models import Answer, Citation
from bots.slack import render, replies
from bots.slack.parse import ParseError, parse, slack_to_plain
from bots.slack.policy import RateLimiter
from bots.slack.settings import SlackSettings
from bots.slack.startup import web_client

ROOT = Path(__file__).resolve().parents[1]


# --- parsing ----------------------------------------------------------------------------------------

def test_slack_markup_becomes_plain_text():
    text = "<@UBOT> what about <https://gov.uk/x|the report> &amp; <#C123|mappa> &lt;3 <@UOTHER>?"
    assert slack_to_plain(text, "UBOT") == "what about the report & #mappa <3 @UOTHER?"
    assert slack_to_plain("<!here> <mailto:a@b.c|a@b.c> <https://x.org>", "UBOT") == "@here a@b.c https://x.org"


def test_filters_in_the_message():
    p = parse("<@UBOT> what did inspectors recommend? type:inspection_report since:2019-01-01", "UBOT")
    assert p.question == "what did inspectors recommend?"
    assert p.doc_types == ["inspection_report"] and p.since == date(2019, 1, 1) and p.until is None
    f = p.filters(include_restricted=False)
    assert f.doc_type == ["inspection_report"] and f.published_after == date(2019, 1, 1)
    assert f.include_restricted is False
    p = parse("workloads TYPE:mappa,board since:2019 until:2019-06 type: inspection-reports")
    assert p.doc_types == ["mappa_guidance", "board_paper", "inspection_report"]
    assert p.since == date(2019, 1, 1) and p.until == date(2019, 6, 30)
    assert p.question == "workloads"
    assert p.describe_filters() == "type: mappa_guidance, board_paper, inspection_report · since 2019-01-01 · until 2019-06-30"
    assert parse("x until:2020").until == date(2020, 12, 31)


@pytest.mark.parametrize("text,message", [
    ("q type:novel", "unknown document type `novel`"),
    ("q type:", "`type:` needs a value"),
    ("q since:yesterday", "`yesterday` is not a date"),
    ("q since:2019-02-30", "is not a date"),
    ("q since:2020 until:2019", "is after"),
])
def test_bad_filters_say_what_is_wrong(text, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        parse(text)


def test_help_share_and_plain_questions():
    assert parse("<@UBOT>  help ", "UBOT").help
    assert parse("<@UBOT>", "UBOT").help
    assert parse("type:mappa").help  # filters but no question
    assert not parse("help with MAPPA levels?").help
    p = parse("--share what is MAPPA?")
    assert p.share and p.question == "what is MAPPA?"
    assert not parse("what is --shared-care?").share


# --- rendering within Slack's limits --------------------------------------------------------------------

def citation(n: int, **kw) -> Citation:
    base = dict(n=n, doc_id=f"doc-{n}", title=f"Report {n}", doc_type="inspection_report", published="2018-12-18",
                page=3, section="Findings", paragraph=str(n), quote=f"Passage {n} says workloads were too high. " * 3,
                score=0.5, source="corpus/doc.txt")
    base.update(kw)
    return Citation(**base)


def test_citation_line_has_title_date_page_paragraph_and_a_short_quote():
    c = citation(2, title="HMIP <Midlands> & more", source="https://www.justiceinspectorates.gov.uk/x",
                 quote="First sentence here. The answer sentence is this one. " + "filler " * 200)
    line = render.citation_text(c, "The answer sentence is this one.")
    head, quote = line.split("\n>")
    assert head == ("*[2]* <https://www.justiceinspectorates.gov.uk/x|HMIP &lt;Midlands&gt; &amp; more> — "
                    "2018-12-18 · p. 3 · para 2 · “Findings”")
    assert quote == "The answer sentence is this one."
    line = render.citation_text(citation(3, page=None, section=None, paragraph="footnote 1"))
    assert " — 2018-12-18 · footnote 1\n>" in line
    quote = render.citation_text(c).split("\n>")[1]  # no sentence: the passage's start, shortened
    assert quote.startswith("First sentence here.") and len(quote) <= render.QUOTE_MAX_CHARS and quote.endswith("…")


def test_answer_blocks_sentences_for_quotes_and_buttons():
    a = Answer(question="q", status="answered", answer="Workloads were too high. [1] Staffing was short. [2]",
               citations=[citation(1, quote="Intro. Workloads were too high. More."),
                          citation(2, quote="Staffing was short. Other.")], notes=["Searched 2019."])
    blocks = render.answer_blocks(a, "abc123", read_as="earlier q", filters="type: board_paper")
    assert block_problems(blocks) == []
    kinds = [b["type"] for b in blocks]
    assert kinds == ["context", "section", "context", "divider", "section", "section", "section", "actions",
                     "context"]
    assert blocks[4]["text"]["text"] == "*Sources*"
    assert blocks[5]["text"]["text"].endswith(">Workloads were too high.")
    assert [e["action_id"] for e in blocks[7]["elements"]] == ["more_sources", "feedback_up", "feedback_down"]
    assert {e["value"] for e in blocks[7]["elements"]} == {"abc123"}
    assert render.fallback_text(a) == "Workloads were too high. Staffing was short."


@pytest.fixture
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


def test_fake_slack_refuses_what_slack_refuses(fake):
    """So that the tests below can fail: FakeSlack rejects oversize blocks like Slack does."""
    from slack_sdk.errors import SlackApiError

    client = web_client(SlackSettings(slack_api_url=fake.url), BOT_TOKEN)
    for blocks in ([render.section("x")] * 51,
                   [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
                   [{"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "v",
                                                      "text": {"type": "plain_text", "text": "b" * 76}}]}],
                   [{"type": "actions", "elements": [render.button("b", "a", "v"), render.button("c", "a", "w")]}]):
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    with pytest.raises(SlackApiError, match="msg_too_long"):
        client.chat_postMessage(channel="C1", text="x" * 40001)


def test_long_answers_are_split_and_trimmed_never_rejected(fake, tmp_path):
    settings = SlackSettings(slack_api_url=fake.url)
    client = web_client(settings, BOT_TOKEN)
    sentence = "The division must reduce workloads for victim liaison officers and recruit more staff now. [1] "
    huge = Answer(question="q", status="answered", answer=sentence * 400,  # ~38,000 characters
                  citations=[citation(i, title="T" * 400, quote="word " * 2000, section="S" * 500)
                             for i in range(1, 21)])
    blocks = render.answer_blocks(huge, "a" * 32, read_as="r" * 5000, filters="type: board_paper")
    replies.post_answer(client, "cid", "C1", "1.0", huge, blocks)
    assert fake.refused == [] and fake.methods() == ["chat.postMessage"]
    posted = blocks_of(fake.calls[0])
    answer_text = "".join(b["text"]["text"] for b in posted if b["type"] == "section"
                          and not b["text"]["text"].startswith(("*[", "*Sources")))
    assert render.TRIMMED_NOTE in answer_text
    assert render.SECTION_TEXT_MAX < len(answer_text) <= render.ANSWER_MAX_CHARS + 10
    assert sum(1 for b in posted if b["type"] == "section" and b["text"]["text"].startswith("*[")) == 20
    assert len(fake.calls[0].args["text"]) <= render.FALLBACK_TEXT_MAX

    # more citations than fit in 50 blocks: several messages in the thread, buttons on the last
    fake.reset()
    many = Answer(question="q", status="answered", answer="Short answer. [1]",
                  citations=[citation(i) for i in range(1, 61)])
    replies.post_answer(client, "cid", "C1", "1.0", many, render.answer_blocks(many, "b" * 32))
    assert fake.refused == []
    posts = fake.of("chat.postMessage")
    assert len(posts) == 2 and all(p.args["thread_ts"] == "1.0" for p in posts)
    assert blocks_of(posts[-1])[-2]["type"] == "actions"
    lines = [b["text"]["text"] for p in posts for b in blocks_of(p) if b["type"] == "section"
             and b["text"]["text"].startswith("*[")]
    assert [int(re.match(r"\*\[(\d+)\]", x).group(1)) for x in lines] == list(range(1, 61))


def test_split_text_keeps_sentences_whole():
    text = "".join(f"Sentence number {i} is here. " for i in range(400))
    pieces = render.split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces) and all(p.endswith(".") for p in pieces)
    assert " ".join(pieces) == text.strip()
    assert render.split_text("x" * 7000, 3000) == ["x" * 3000, "x" * 3000, "x" * 1000]


# --- rate limit --------------------------------------------------------------------------------------------

def test_rate_limiter_sliding_window_tells_once_then_drops():
    """The `limits` moving window (real clock, a 3-second window so the test stays short)."""
    rl = RateLimiter(2, window_s=3)
    start = time.monotonic()

    def at(t: float) -> None:
        time.sleep(max(0.0, start + t - time.monotonic()))

    assert rl.check("a") == ("ok", 0.0)
    at(1.0)
    assert rl.check("a")[0] == "ok"
    assert rl.check("b")[0] == "ok"  # per user
    verdict, wait = rl.check("a")
    assert verdict == "notify" and 1.0 < wait <= 2.1
    assert rl.check("a")[0] == "drop"
    at(3.3)  # the first question left the window
    assert rl.check("a")[0] == "ok"
    assert rl.check("a")[0] == "drop"  # already told within the window
    at(4.4)  # the second left too: one slot; told again, since the last notice left the window
    assert rl.check("a")[0] == "ok"
    assert rl.check("a")[0] == "notify"


# --- the manifest an admin creates the app from ---------------------------------------------------------------

SCOPES_FOR = {"chat_postMessage": {"chat:write"}, "chat_postEphemeral": {"chat:write"}, "chat_update": {"chat:write"},
              "reactions_add": {"reactions:write"}, "reactions_remove": {"reactions:write"},
              "conversations_info": {"channels:read", "groups:read", "im:read", "mpim:read"}}
NO_BOT_SCOPE = {"auth_test", "apps_connections_open", "views_open",  # none needed / the app token / a trigger_id
                "connect_to_new_endpoint", "is_connected"}  # the Socket Mode client's own, not Web API methods


def test_manifest_grants_what_the_bot_uses():
    manifest = yaml.safe_load((ROOT / "bots/slack/manifest.yaml").read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bots").rglob("*.py")))
    called = set(re.findall(r"client\.(\w+)\(", source)) | set(re.findall(r'"(reactions_\w+)"', source))
    assert called - NO_BOT_SCOPE == set(SCOPES_FOR)
    for method in called - NO_BOT_SCOPE:
        assert SCOPES_FOR[method] <= scopes, method
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(events) == {"app_mention", "message.im"}
    assert {"app_mentions:read", "im:history", "commands"} <= scopes
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # people can DM it
    # least privilege: nothing the bot does not use
    assert scopes == {"app_mentions:read", "chat:write", "commands", "im:history", "im:read", "channels:read",
                      "groups:read", "mpim:read", "reactions:write"}
