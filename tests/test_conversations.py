"""Conversations: the follow-up resolver, POST/GET/DELETE /v1/conversations over real HTTP, the SQLite store, the
purge command, and the LLM rewrite against the local fake OpenAI server (falling back when it fails)."""

from __future__ import annotations

import json
import os
import stat
import time

import httpx
import pytest
from typer.testing import CliRunner

from assistant.api import create_app
from assistant.conversation import Turn, resolve
from assistant.models import Filters
from tests.helpers import make_settings, serve_app
from tests.llm_fake import FakeLLM, Reply

ALICE, BOB = "alice-reader-key-long-enough-24", "bob-reader-key-long-enough-24"
A = {"Authorization": f"Bearer {ALICE}"}
B = {"Authorization": f"Bearer {BOB}"}
OMIC_Q = "What happens to cases in custody under OMIC?"


@pytest.fixture(scope="module")
def api(service, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("conv"), api_keys=f"{ALICE}:reader,{BOB}:reader",
                             rate_limit_per_minute=100_000)
    settings = settings.model_copy(update={"conversations_db": settings.state_dir / "private" / "conv.sqlite3"})
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        client.app_settings = settings
        yield client


def _ask(api, cid, question, headers=A, **extra):
    r = api.post(f"/v1/conversations/{cid}/messages", json={"question": question, **extra}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _new(api, headers=A) -> str:
    r = api.post("/v1/conversations", headers=headers)
    assert r.status_code == 201
    return r.json()["id"]


# --- the resolver -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, previous, how, read", [
    ("how many cases?", OMIC_Q, "ellipsis", f"{OMIC_Q} how many cases?"),
    ("when did they start?", "What is the SOMMB?", "pronoun", "What is the SOMMB? when did they start?"),
    ("what about Wales?", "What rating did inspectors give NPS Midlands?", "contrast",
     "What rating did inspectors give NPS Wales?"),
    ("and in 2019?", "What did inspectors report in 2018?", "contrast", "What did inspectors report in 2019?"),
    ("what about premises?", "What did inspectors say about workloads?", "contrast",
     "What did inspectors say about premises?"),
    ("What is the capital of France?", OMIC_Q, "standalone", "What is the capital of France?"),
    ("Who is Carolyn Maclean?", OMIC_Q, "standalone", "Who is Carolyn Maclean?"),
    ("What did inspectors recommend to the division?", OMIC_Q, "standalone",
     "What did inspectors recommend to the division?"),
])
def test_resolver_reads_ellipsis_pronouns_contrast_and_new_topics(question, previous, how, read):
    r = resolve(question, Filters(), [Turn(previous)])
    assert (r.how, r.question, r.follow_up) == (how, read, how != "standalone")


def test_resolver_chains_on_the_previous_reading_and_carries_filters():
    turns = [Turn(OMIC_Q, filters=Filters(doc_type=["board_paper"])),
             Turn("how many cases?", read_as=f"{OMIC_Q} how many cases?", filters=Filters(doc_type=["board_paper"]))]
    r = resolve("by when?", Filters(), turns)
    assert r.question == f"{OMIC_Q} how many cases? by when?" and r.filters.doc_type == ["board_paper"]
    assert resolve("by when?", Filters(doc_type=["inspection_report"]), turns).filters.doc_type == ["inspection_report"]
    new_topic = resolve("What did Dame Glenys Stacey say?", Filters(), turns)
    assert not new_topic.follow_up and new_topic.filters.is_empty()  # a new topic carries nothing over
    dated = resolve("and in 2018?", Filters(), [Turn("What did the board hear?",
                                                     filters=Filters(published_after="2019-01-01"))])
    assert dated.question.endswith("in 2018?") and dated.filters.published_after is None  # the new period decides


# --- HTTP -----------------------------------------------------------------------------------------------

def test_a_three_turn_conversation_over_http(api):
    cid = _new(api)
    first = _ask(api, cid, OMIC_Q)
    assert first["read_as"]["follow_up"] is False and first["read_as"]["question"] == OMIC_Q
    second = _ask(api, cid, "how many cases?")
    assert second["question"] == "how many cases?" and second["read_as"]["how"] == "ellipsis"
    assert "OMIC" in second["read_as"]["question"] and "350" in second["answer"]
    third = _ask(api, cid, "by when?")  # issue 14: read with the whole thread, not only "how many cases?"
    assert "OMIC" in third["read_as"]["question"] and "September 2019" in third["answer"]
    assert third["citations"][0]["doc_id"] == "llr-nps-board-update-2019"
    fourth = _ask(api, cid, "What rating did inspectors give NPS Midlands?")
    assert fourth["read_as"]["follow_up"] is False and "OMIC" not in fourth["read_as"]["question"]
    got = api.get(f"/v1/conversations/{cid}", headers=A).json()
    assert [t["question"] for t in got["turns"]] == [OMIC_Q, "how many cases?", "by when?",
                                                     "What rating did inspectors give NPS Midlands?"]
    assert got["turns"][1]["answer"]["read_as"]["question"] == second["read_as"]["question"]
    # /v1/ask stays stateless
    alone = api.post("/v1/ask", json={"question": "how many cases?"}, headers=A).json()
    assert alone["read_as"] is None and "350" not in alone["answer"]


def test_filters_are_carried_and_reported(api):
    cid = _new(api)
    _ask(api, cid, "What did the report say about workloads?", filters={"doc_type": ["board_paper"]})
    follow = _ask(api, cid, "and what about premises?")
    assert follow["read_as"]["filters"] == {"doc_type": ["board_paper"]}
    assert {c["doc_id"] for c in follow["citations"]} <= {"llr-nps-board-update-2019"}


def test_a_conversation_belongs_to_the_key_that_made_it(api):
    cid = _new(api)
    _ask(api, cid, OMIC_Q)
    for method, path, body in (("GET", f"/v1/conversations/{cid}", None),
                               ("POST", f"/v1/conversations/{cid}/messages", {"question": "how many cases?"}),
                               ("DELETE", f"/v1/conversations/{cid}", None)):
        r = api.request(method, path, json=body, headers=B)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert api.get(f"/v1/conversations/{cid}").status_code == 401
    assert api.get("/v1/conversations/not-an-id", headers=A).status_code == 422
    assert api.delete(f"/v1/conversations/{cid}", headers=A).status_code == 204
    assert api.get(f"/v1/conversations/{cid}", headers=A).status_code == 404


def test_streamed_message_is_recorded(api):
    cid = _new(api)
    _ask(api, cid, OMIC_Q)
    with api.stream("POST", f"/v1/conversations/{cid}/messages", headers=A,
                    json={"question": "how many cases?", "stream": True}) as r:
        text = "".join(r.iter_text())
    assert r.status_code == 200 and "event: answer" in text and text.rstrip().endswith("data: {}")
    answer = json.loads(text.split("event: answer", 1)[1].split("data: ", 1)[1].split("\n", 1)[0])
    assert answer["read_as"]["how"] == "ellipsis"
    assert len(api.get(f"/v1/conversations/{cid}", headers=A).json()["turns"]) == 2


def test_store_file_is_private_and_old_conversations_are_purged(api, monkeypatch):
    settings = api.app_settings
    path = settings.conversations_db
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    cid = _new(api)
    from assistant.config import get_settings
    from assistant.conversations_store import store_for

    monkeypatch.setenv("ASSISTANT_CONVERSATIONS_DB", str(path))
    get_settings.cache_clear()
    try:
        from assistant.cli import app

        runner = CliRunner()
        bad = runner.invoke(app, ["conversations", "purge", "--older-than", "soon"])
        assert bad.exit_code == 2 and "30d" in bad.stderr
        kept = runner.invoke(app, ["conversations", "purge", "--older-than", "1d"])
        assert kept.exit_code == 0 and api.get(f"/v1/conversations/{cid}", headers=A).status_code == 200
        time.sleep(0.05)
        gone = runner.invoke(app, ["conversations", "purge", "--older-than", "0.00001m"])
        assert gone.exit_code == 0 and "deleted" in gone.stdout
        assert api.get(f"/v1/conversations/{cid}", headers=A).status_code == 404
    finally:
        get_settings.cache_clear()
    # past the retention a conversation is gone even before a purge runs
    short = store_for(settings.model_copy(update={"conversation_retention_days": 1e-9}))
    old = short.create("someone")["id"]
    time.sleep(0.01)
    assert short.turns(old, "someone") is None


# --- the language model's reading ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fake_llm():
    server = FakeLLM().start()
    yield server
    server.stop()


def test_llm_rewrite_is_used_and_falls_back_when_the_model_fails(service, fake_llm):
    from assistant.service import Service

    svc = Service(service.settings.model_copy(update={"llm_url": fake_llm.url, "answer_mode": "extractive",
                                                      "conversation_rewrite": "llm", "llm_retries": 0}))
    history = [Turn(OMIC_Q)]
    fake_llm.script(Reply(content="How many long-term custody cases will be transferred under OMIC?"))
    rewritten = svc.ask("how many cases?", history=history)
    assert rewritten.read_as.how == "rewritten" and "350" in rewritten.answer
    sent = fake_llm.requests[-1]["json"]["messages"]
    assert OMIC_Q in sent[-1]["content"] and "how many cases?" in sent[-1]["content"]
    fake_llm.script(Reply(content="What is the capital of France?"))
    assert svc.ask("What is the capital of France?", history=history).read_as.follow_up is False
    fake_llm.script(Reply(status=500))
    fallback = svc.ask("how many cases?", history=history)
    assert fallback.read_as.how == "ellipsis" and "350" in fallback.answer


# --- the multi-turn evaluation --------------------------------------------------------------------------

def test_multi_turn_set_is_scored_per_turn(service):
    from assistant.evaluation.conversations import load_conversations, run_conversations, summarise
    from assistant.evaluation.questions import load_file
    from tests.helpers import ROOT

    path = ROOT / "evals" / "questions" / "conversations.yaml"
    name, conversations = load_conversations(path)
    kinds = {t.kind for c in conversations for t in c.turns}
    assert len(conversations) >= 20 and all(2 <= len(c.turns) <= 4 for c in conversations)
    assert {"ellipsis", "pronoun", "contrast", "topic_change"} <= kinds
    assert len(load_file(path)[1]) == sum(len(c.turns) for c in conversations)  # `assistant eval` reads it too
    picked = [c for c in conversations if c.id in ("conv-omic-cases", "conv-omic-then-off-topic")]
    records = run_conversations(service, picked, name)
    assert [r["turn"] for r in records] == [1, 2, 3, 1, 2]
    summary = summarise(records)
    assert summary["follow-up passage_hit@5 read in conversation"] == 1.0
    assert summary["follow-up passage_hit@5 asked alone"] < 1.0  # the conversation is what finds it
    assert summary["topic_changes"] == 1 and summary["topic_changes_carried"] == 0
