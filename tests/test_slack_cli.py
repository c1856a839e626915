"""`assistant slack` (Socket Mode) and `assistant feedback export` as a user runs them: the real console script
in a subprocess. Slack's servers are stood in for by FakeSlack (Web API) and SocketModeServer (the
WebSocket that apps.connections.open points to), both on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from slack_fake import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack, SocketModeServer, block_texts, event_body, mention

ASSISTANT = str(Path(sys.executable).parent / "assistant")


@pytest.fixture
def fake():
    f = FakeSlack().start()
    yield f
    f.stop()


def run_cli(args: list[str], env: dict):
    """`assistant ...` in-process (typer's CliRunner) with exactly these SLACK_*/ASSISTANT_* variables."""
    from typer.testing import CliRunner

    import assistant.config
    from assistant.cli import app

    unset = {k: None for k in os.environ if k.startswith(("SLACK_", "ASSISTANT_"))}
    assistant.config.get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args, env={**unset, **env})
    finally:
        assistant.config.get_settings.cache_clear()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_slack_configuration_errors_are_one_clear_line_and_exit_2(fake, tmp_path):
    index = {"ASSISTANT_INDEX_DIR": str(tmp_path / "idx")}
    api = {**index, "ASSISTANT_SLACK_API_URL": fake.url}
    cases = [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN must be the bot token, which starts with xoxb-"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN must be an app-level token"),
        ({"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": APP_TOKEN, **api},
         "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-revoked", **api},
         "Slack rejected SLACK_APP_TOKEN (invalid_auth)"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, **index,
          "ASSISTANT_SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/"}, "cannot reach the Slack API at"),
    ]
    for env, message in cases:
        r = run_cli(["slack"], {**index, **env})
        assert r.exit_code == 2, (env, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], (env, r.stderr)
        assert r.stdout == ""
    # the tokens were checked before anything was loaded: no index was created
    assert not (tmp_path / "idx").exists()
    assert [c.method for c in fake.calls] == ["auth.test", "auth.test", "apps.connections.open"]


@pytest.mark.slow  # starts `assistant slack` as a process
def test_socket_mode_end_to_end(fake, corpus_settings, service, tmp_path):
    """`assistant slack` connects over Socket Mode, answers a mention and a slash command, stops on SIGTERM."""
    ws = SocketModeServer()
    fake.ws_url = ws.url
    feedback = tmp_path / "slack.sqlite3"
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "ASSISTANT_SLACK_API_URL": fake.url,
           "ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir), "ASSISTANT_CORPUS_DIR": str(corpus_settings.corpus_dir),
           "ASSISTANT_SLACK_FEEDBACK_DB": str(feedback)}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ASSISTANT_"))}
    proc = subprocess.Popen([ASSISTANT, "slack"], env={**base, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert ws.connected.wait(180), "the bot never opened the WebSocket"
        ev = mention("What did inspectors say about workloads?")
        env_id = str(uuid.uuid4())
        ws.send({"envelope_id": env_id, "type": "events_api", "accepts_response_payload": False,
                 "retry_attempt": 0, "retry_reason": "", "payload": event_body(ev)})
        assert ws.wait_ack(env_id) == {"envelope_id": env_id}
        fake.wait_method("reactions.remove", timeout=120)
        methods = [m for m in fake.methods() if m not in ("auth.test", "apps.connections.open")]
        assert methods == ["reactions.add", "chat.postMessage", "reactions.remove"]
        post = fake.of("chat.postMessage")[0]
        assert post.args["thread_ts"] == ev["ts"] and "*Sources*" in block_texts(post)
        assert "Workloads were too high" in block_texts(post)

        cmd_id = str(uuid.uuid4())
        ws.send({"envelope_id": cmd_id, "type": "slash_commands", "accepts_response_payload": True,
                 "payload": {"command": "/ask", "text": "help", "user_id": "UALICE", "channel_id": "CPUBLIC",
                             "team_id": "T0001", "api_app_id": "A0001", "response_url": fake.response_url + "1",
                             "trigger_id": "t.1"}})
        ack = ws.wait_ack(cmd_id)
        assert "type:inspection_report" in json.dumps(ack["payload"])  # help comes back in the ack
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        ws.close()
    assert proc.returncode == 0, err
    assert "connected over Socket Mode" in err
    assert feedback.exists()  # the answer was recorded for feedback and follow-ups


def test_feedback_export_errors(tmp_path):
    env = {"ASSISTANT_INDEX_DIR": str(tmp_path / "idx")}
    r = run_cli(["feedback", "export"], env)
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0
    assert "no Slack feedback yet" in r.stderr
    r = run_cli(["feedback", "export", "--vote", "sideways"], env)
    assert r.exit_code == 2 and r.stderr.strip() == "error: --vote must be up, down or all (got 'sideways')"

    from assistant.models import Answer, Filters
    from bots.slack.store import SlackStore

    db = tmp_path / "fb.sqlite3"
    store = SlackStore(db)
    aid = store.record_answer(user="U1", channel="C1", thread_ts="1.0", surface="mention", asked="q?",
                              answer=Answer(question="q?", status="no_answer", answer="could not find"),
                              filters=Filters())
    env["ASSISTANT_SLACK_FEEDBACK_DB"] = str(db)
    r = run_cli(["feedback", "export", "--out", str(tmp_path / "nope" / "x.yaml")], env)
    assert r.exit_code == 1 and "no feedback matches" in r.stderr
    store.vote(aid, "U1", "down")  # 👎 on "could not find": needs a person to say where the answer is
    r = run_cli(["feedback", "export", "--out", str(tmp_path / "nope" / "x.yaml")], env)
    assert r.exit_code == 2 and "folder" in r.stderr and "does not exist" in r.stderr
    r = run_cli(["feedback", "export"], env)
    assert r.exit_code == 0
    exported = yaml.safe_load(r.stdout)
    assert exported["questions"] == [] and exported["needs_review"][0]["question"] == "q?"
    assert exported["needs_review"][0]["reply"] == "no_answer" and exported["needs_review"][0]["id"].startswith("slack-")
    assert BOT_USER not in r.stdout
