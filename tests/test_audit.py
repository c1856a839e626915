"""Audit and retention wired into every surface (issue 13 §6): each upload, delete, ingest and question is one
line in the audit log (key id or Slack user, never the key; question text only with ASSISTANT_AUDIT_QUESTIONS);
a Slack reply warns about a removed case reference; `assistant feedback purge` and the retention setting.

One small private corpus and index per module (two notes), the real API over HTTP, the real Bolt app with
signed requests against the Slack stand-in."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackPoster, Uvicorn, block_texts, mention

from assistant.api import create_app
from assistant.api.auth import hash_key
from assistant.config import Settings
from tests.helpers import serve_app

READER, ADMIN = "audit-reader-key-0123456789", "audit-admin-key-0123456789"
R, A = {"Authorization": f"Bearer {READER}"}, {"Authorization": f"Bearer {ADMIN}"}
BEES = """# Apiary inspection guidance

1. Every apiary must be inspected weekly between April and September for signs of American foulbrood in the
honey bee colonies. The inspector records brood pattern, queen status and honey stores for each hive.
"""
WASPS = """# Wasp nest removal

1. Wasp nests near schools are removed by the council pest control team within three working days of a report.
"""
BEE_Q = "How often must an apiary be inspected for American foulbrood?"


def _settings(root: Path, **overrides) -> Settings:
    return Settings(corpus_dir=root / "corpus", index_dir=root / "indexes", **overrides)


def _entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A two-note corpus ingested once: (root, service)."""
    from assistant.service import Service

    root = tmp_path_factory.mktemp("audit")
    (root / "corpus").mkdir()
    (root / "corpus" / "wasps.md").write_text(WASPS)
    service = Service(_settings(root, api_keys=f"{READER}:reader,{ADMIN}:admin"))
    assert not service.ingest().failed
    return root, service


def test_every_http_write_and_question_is_audited_by_key_id_without_the_key_or_the_question(small):
    root, service = small
    log = service.settings.state_dir / "audit.jsonl"
    start = len(_entries(log)) if log.exists() else 0
    with serve_app(create_app(service)) as url, httpx.Client(base_url=url, timeout=120) as client:
        r = client.post("/v1/documents", headers=A, files={"file": ("bees.md", BEES.encode(), "text/markdown")})
        assert r.status_code == 201, r.text
        assert client.post("/v1/documents", headers=A, files={"file": ("x.exe", b"MZ", "x")}).status_code == 415
        answer = client.post("/v1/ask", headers=R, json={"question": f"{BEE_Q} Case X123456"}).json()
        assert answer["status"] == "answered" and "X123456" not in json.dumps(answer)
        assert answer["notes"][0] == "Your question contained a case reference; it was not stored."
        found = client.post("/v1/search", headers=R, json={"question": "honey bee colonies for A1234BC"}).json()
        assert found["query"] == "honey bee colonies for [PRISON_NUMBER]" and found["results"]
        assert client.delete("/v1/documents/uploads/bees", headers=A).status_code == 204
        assert client.delete("/v1/documents/uploads/bees", headers=A).status_code == 404
    raw = log.read_text(encoding="utf-8")
    assert READER not in raw and ADMIN not in raw and "X123456" not in raw and "foulbrood" not in raw
    got = [(e["actor"], e["action"], e["status"], e["doc_ids"]) for e in _entries(log)[start:]]
    reader, admin = f"key:{hash_key(READER)[:12]}", f"key:{hash_key(ADMIN)[:12]}"
    assert got == [(admin, "upload", "added", ["uploads/bees"]),
                   (admin, "upload", "refused:unsupported_file_type", []),
                   (reader, "ask", "answered", ["uploads/bees"]),
                   (reader, "search", "ok", got[3][3]),
                   (admin, "delete", "removed", ["uploads/bees"]),
                   (admin, "delete", "refused:not_found", ["uploads/bees"])]
    assert "uploads/bees" in got[3][3]
    assert all("question" not in e for e in _entries(log))
    assert all(e["time"].endswith("+00:00") for e in _entries(log))


def test_question_text_is_audited_redacted_only_with_ASSISTANT_AUDIT_QUESTIONS(small, monkeypatch):
    from assistant.service import Service

    root, _ = small
    monkeypatch.setenv("ASSISTANT_AUDIT_QUESTIONS", "true")
    service = Service(_settings(root, api_keys=f"{READER}:reader", audit_log=root / "questions.jsonl"))
    with serve_app(create_app(service)) as url, httpx.Client(base_url=url, timeout=120) as client:
        assert client.post("/v1/ask", headers=R, json={"question": "wasp nests near schools? DOB 01/02/1990"}
                           ).status_code == 200
        assert client.post("/v1/ask", headers=R, json={"question": "wasps", "stream": True}).status_code == 200
    entries = _entries(root / "questions.jsonl")
    assert [e["question"] for e in entries] == ["wasp nests near schools? [DOB]", "wasps"]
    assert entries[0]["doc_ids"] == ["wasps"] and entries[1].get("stream") is True


def _cli(args: list[str], env: dict, monkeypatch):
    """`assistant ...` in-process with exactly these ASSISTANT_* variables and a fresh process-wide service."""
    from typer.testing import CliRunner

    import assistant.config
    import assistant.service
    from assistant.cli import app

    unset = {k: None for k in os.environ if k.startswith(("SLACK_", "ASSISTANT_"))}
    monkeypatch.setattr(assistant.service, "_service", None)
    assistant.config.get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args, env={**unset, **env})
    finally:
        assistant.config.get_settings.cache_clear()


def test_cli_ingest_is_audited_with_the_login_and_what_changed(tmp_path, monkeypatch):
    import getpass

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "wasps.md").write_text(WASPS)
    env = {"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus"), "ASSISTANT_INDEX_DIR": str(tmp_path / "indexes")}
    assert _cli(["ingest"], env, monkeypatch).exit_code == 0
    (tmp_path / "corpus" / "bees.md").write_text(BEES)
    assert _cli(["ingest"], env, monkeypatch).exit_code == 0
    first, second = _entries(tmp_path / "indexes" / "state" / "audit.jsonl")
    assert (first["actor"], first["action"], first["status"], first["doc_ids"]) == (
        f"cli:{getpass.getuser()}", "ingest", "ok", ["wasps"])
    assert second["doc_ids"] == ["bees"] and second["files"]["unchanged"] == 1 and second["files"]["added"] == 1


def _old_store(path: Path):
    """A Slack store with one answer and vote 400 days old and one from now."""
    from assistant.models import Answer, Filters
    from bots.slack.store import SlackStore

    store = SlackStore(path)
    answer = Answer(question="old question", status="no_answer", answer="I could not find")
    old = store.record_answer(user="U1", channel="C1", thread_ts="1.0", surface="dm", asked="old question",
                              answer=answer, filters=Filters())
    store.vote(old, "U2", "down")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers SET created = ?", (time.time() - 400 * 86400,))
        db.execute("UPDATE feedback SET created = ?", (time.time() - 400 * 86400,))
    new = store.record_answer(user="U1", channel="C1", thread_ts="2.0", surface="dm", asked="new question",
                              answer=answer.model_copy(update={"question": "new question"}), filters=Filters())
    return store, old, new


def test_feedback_purge_deletes_old_answers_and_votes_and_refuses_a_bad_age(tmp_path, monkeypatch):
    store, old, new = _old_store(tmp_path / "indexes" / "state" / "slack.sqlite3")
    env = {"ASSISTANT_INDEX_DIR": str(tmp_path / "indexes")}
    bad = _cli(["feedback", "purge", "--older-than", "a year"], env, monkeypatch)
    assert bad.exit_code == 2 and "365d" in bad.output and store.answer(old) is not None
    r = _cli(["feedback", "purge", "--older-than", "365d"], env, monkeypatch)
    assert r.exit_code == 0 and "1 answers and 1 votes older than 365d deleted" in r.output, r.output
    assert store.answer(old) is None and store.answer(new) is not None and store.feedback() == []
    raw = b"".join(p.read_bytes() for p in (tmp_path / "indexes" / "state").glob("slack.sqlite3*"))
    assert b"old question" not in raw  # overwritten on disk, not only unlinked from the table
    purge = _entries(tmp_path / "indexes" / "state" / "audit.jsonl")[-1]
    assert (purge["action"], purge["answers"], purge["feedback"]) == ("purge", 1, 1)


@pytest.fixture
def slack_bot(small, tmp_path, monkeypatch):
    """The bot mounted on FastAPI under uvicorn, over the module's small index: (fake Slack, poster, bot)."""
    from fastapi import FastAPI

    from bots.slack.http import mount
    from bots.slack.settings import SlackSettings

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    fake = FakeSlack().start()
    _, service = small
    store, old, new = _old_store(tmp_path / "slack.sqlite3")
    app = FastAPI()
    bot = mount(app, service, settings=SlackSettings(slack_api_url=fake.url, slack_feedback_db=store.path,
                                                     slack_retention_days=365))
    server = Uvicorn(app).__enter__()
    try:
        yield fake, SlackPoster(server.url + "/slack/events"), bot, (old, new)
    finally:
        server.__exit__(None, None, None)
        bot.close()
        fake.stop()


def test_slack_question_warns_about_the_case_reference_and_is_audited_by_user(slack_bot, small):
    fake, post, bot, (old, new) = slack_bot
    assert bot.store.answer(old) is None and bot.store.answer(new) is not None  # retention applied on start
    log = small[1].settings.state_dir / "audit.jsonl"
    start = len(_entries(log))
    fake.reset()
    assert post.event(mention("When are wasp nests near schools removed? re X123456", user="UBOB")).status_code == 200
    fake.wait_method("reactions.remove")
    reply = fake.of("chat.postMessage")[0]
    text = block_texts(reply) + json.dumps(reply.args)
    assert "Your question contained a case reference; it was not stored." in text
    assert "X123456" not in text and "three working days" in text
    entry = _entries(log)[start]
    assert (entry["actor"], entry["action"], entry["status"], entry["doc_ids"]) == (
        "slack:UBOB", "ask", "answered", ["wasps"])
    assert entry["surface"] == "mention" and "question" not in entry
    stored = bot.store.answer(entry["answer_id"])
    assert "X123456" not in stored.asked + stored.question and "[CRN]" in stored.asked
