"""Issue 14 §3: per-channel defaults. An admin's YAML file gives a channel the filters its questions are searched
with; the reply says so ("Searching board papers only in this channel"); a message's own filters win; a bad
file stops the bot at start-up with a clear message. Real Bolt over HTTP against the Slack stand-in."""

from __future__ import annotations

import json
from datetime import date

import pytest
from slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    block_texts,
    blocks_of,
    mention,
)
from test_slack import fake, make_bot  # noqa: F401 (fixtures)
from test_slack_cli import run_cli

from bots.slack.channels import ChannelDefault, load_channel_defaults
from bots.slack.startup import ConfigError

Q = "What did inspectors say about workloads?"
PRESS, BOARD = "hmip-midlands-nps-press-release-2018", "llr-nps-board-update-2019"
DEFAULTS = """# who searches what
channels:
  CBOARD:
    type: board           # short forms work, as in messages
  CLLR:
    area: Leicester
    since: 2019
"""


def cited_docs(h, post) -> list[str]:
    record = h.bot.store.answer(blocks_of(post)[-2]["block_id"].split(":", 1)[1])
    return [c.doc_id for c in record.citations]


@pytest.fixture
def defaults_file(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_text(DEFAULTS, encoding="utf-8")
    return path


def test_channel_defaults_filter_the_search_and_are_shown(make_bot, defaults_file):
    h = make_bot(slack_channel_defaults=defaults_file)
    ask = {}
    for channel, text in [("CPUBLIC", Q), ("CBOARD", Q), ("CBOARD", Q + " type:inspection_report"), ("CLLR", Q)]:
        h.fake.reset()
        h.post.event(mention(text, channel=channel))
        h.answered()
        ask[(channel, text)] = h.fake.of("chat.postMessage")[0]
    plain = ask[("CPUBLIC", Q)]
    assert PRESS in cited_docs(h, plain) and "only in this channel" not in block_texts(plain)

    board = ask[("CBOARD", Q)]
    assert set(cited_docs(h, board)) == {BOARD}
    assert "Searching board papers only in this channel; write `type:`" in block_texts(board)
    stored = h.bot.store.answer(blocks_of(board)[-2]["block_id"].split(":", 1)[1])
    assert stored.filters.doc_type == ["board_paper"]  # recorded as searched: "More sources" keeps to it

    overridden = ask[("CBOARD", Q + " type:inspection_report")]
    assert set(cited_docs(h, overridden)) == {PRESS}
    assert "only in this channel" not in block_texts(overridden)
    assert "type: inspection_report" in block_texts(overridden)

    llr = ask[("CLLR", Q)]
    assert set(cited_docs(h, llr)) == {BOARD}  # the press release is the Midlands', from 2018
    assert "Searching documents only in this channel (for Leicester, published since 2019-01-01)" in block_texts(llr)


def test_the_note_names_the_document_types():
    mappa = ChannelDefault(doc_types=("mappa_guidance",))
    assert mappa.describe().startswith("Searching MAPPA guidance only in this channel;")
    both = ChannelDefault(doc_types=("inspection_report", "board_paper"), until=date(2020, 12, 31))
    assert both.describe().startswith("Searching inspection reports and board papers only in this channel "
                                      "(published until 2020-12-31);")


@pytest.mark.parametrize("text, message", [
    ("channels:\n  CBOARD: {type: [board\n", "is not valid YAML at line"),
    ("channels:\n  CBOARD:\n    type: minutes\n", "channel CBOARD: unknown document type `minutes`"),
    ("channels:\n  CBOARD:\n    typ: board\n", "channel CBOARD has unknown key(s) typ"),
    ("channels:\n  general:\n    type: board\n", "'general' is not a Slack channel id"),
    ("channels:\n  CBOARD:\n    since: last year\n", "`last year` is not a date"),
    ("channels:\n  CBOARD:\n    since: 2020\n    until: 2019\n", "since 2020-01-01 is after until 2019-12-31"),
    ("- CBOARD\n", "must be a mapping with one key, `channels:`"),
])
def test_bad_files_are_refused_with_what_to_fix(tmp_path, text, message):
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_channel_defaults(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_bad_file_stops_the_bot_at_start_up(fake, corpus_settings, service, tmp_path, monkeypatch):  # noqa: F811
    bad = tmp_path / "channels.yaml"
    bad.write_text("channels:\n  CBOARD: {type: [board\n", encoding="utf-8")
    # Socket Mode: one line, exit 2, before the tokens are checked with Slack or the index is loaded
    r = run_cli(["slack"], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                            "ASSISTANT_SLACK_API_URL": fake.url, "ASSISTANT_INDEX_DIR": str(tmp_path / "idx"),
                            "ASSISTANT_SLACK_CHANNEL_DEFAULTS": str(bad)})
    assert r.exit_code == 2 and fake.methods() == []
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "is not valid YAML at line 3" in r.stderr
    assert not (tmp_path / "idx").exists()
    missing = tmp_path / "nowhere.yaml"
    r = run_cli(["slack"], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                            "ASSISTANT_SLACK_CHANNEL_DEFAULTS": str(missing)})
    assert r.exit_code == 2 and f"({missing}) cannot be read: No such file" in r.stderr

    # HTTP mode: the API still serves, /slack/events answers 503 with the reason
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from assistant.service import Service
    from bots.slack.http import mount
    from bots.slack.settings import SlackSettings
    from bots.slack.startup import SlackCredentials

    app = FastAPI()
    bot = mount(app, Service(corpus_settings), credentials=SlackCredentials(BOT_TOKEN, SIGNING_SECRET),
                settings=SlackSettings(slack_api_url=fake.url, slack_channel_defaults=bad,
                                       slack_feedback_db=tmp_path / "s.sqlite3"))
    assert bot is None
    r = TestClient(app).post("/slack/events", content=json.dumps({}))
    assert r.status_code == 503 and "is not valid YAML" in r.json()["error"]["message"]
