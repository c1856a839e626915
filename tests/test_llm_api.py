"""POST /v1/ask with an LLM: over real HTTP (uvicorn on loopback) to the real service, whose LLM is a scripted
OpenAI-compatible server on loopback. Streaming answers come as server-sent events."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from assistant.api import create_app
from assistant.models import Answer
from tests.helpers import serve_app
from tests.llm_fake import FakeLLM, Reply, n_of
from tests.test_llm import BOARD, PRESS, S1, S3, STAFF, WORKLOADS, WRONG_NUMBER, Q, cite

KEY = "reader-key-for-llm-tests"
H = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def fake():
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(service, fake):
    from assistant.service import Service

    settings = type(service.settings).model_validate({
        **service.settings.model_dump(), "llm_url": fake.url, "llm_model": "test-model", "llm_timeout_s": 3.0,
        "llm_retries": 1, "llm_retry_backoff_s": 0.01, "api_keys": f"{KEY}:reader", "rate_limit_per_minute": 100_000})
    with serve_app(create_app(Service(settings))) as url, httpx.Client(base_url=url, timeout=60) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield client


def events(response: httpx.Response) -> list[tuple[str, dict]]:
    """(event, data) pairs of a text/event-stream body."""
    out = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        out.append((fields.get("event", "message"), json.loads(fields["data"])))
    return out


def good(req):
    a, b = n_of(req, WORKLOADS), n_of(req, STAFF)
    return Reply(content=f"{cite(S1, a)} {cite(WRONG_NUMBER, a)}\n{cite(S3, b)}")


def test_streamed_answer_is_deltas_then_the_checked_answer_then_done(api, fake):
    fake.script(good)
    with api.stream("POST", "/v1/ask", json={"question": Q, "stream": True}, headers=H) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        r.read()
    got = events(r)
    assert [e for e, _ in got] == ["delta", "delta", "answer", "done"]
    assert [d["text"] for e, d in got if e == "delta"] == [f"{S1} [1]", f"\n{S3} [2]"]
    final = Answer.model_validate(got[2][1])
    assert final.mode == "llm" and final.status == "answered" and final.answer == f"{S1} [1]\n{S3} [2]"
    assert [(c.n, c.doc_id) for c in final.citations] == [(1, PRESS), (2, BOARD)]
    assert final.notes == ["The citation check removed 1 sentence that the cited passages do not support from "
                           "the generated answer."]
    assert got[3][1] == {}
    assert fake.requests[0]["json"]["stream"] is True


def test_plain_request_gets_the_same_checked_answer_as_json(api, fake):
    fake.script(good)
    r = api.post("/v1/ask", json={"question": Q}, headers=H)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["mode"] == "llm" and body["answer"] == f"{S1} [1]\n{S3} [2]"
    assert [c["doc_id"] for c in body["citations"]] == [PRESS, BOARD]


@pytest.mark.parametrize("reply,reason", [
    (Reply(status=500), "the language model's server answered HTTP 500"),
    (Reply(status=502, body=b"<html>bad gateway</html>"), "the language model's server answered HTTP 502"),
    (Reply(body=b"{not json"), "the language model's reply could not be read"),
    (Reply(delay=10), "the language model did not answer within 3 s"),
], ids=["500", "502-html", "malformed", "timeout"])
def test_llm_failure_is_never_a_500(api, fake, reply, reason, service):
    note = f"The generated answer was not used ({reason}), so this is the extractive answer."
    plain = service.ask(Q)
    fake.script(reply)
    r = api.post("/v1/ask", json={"question": Q}, headers=H)
    assert r.status_code == 200
    assert (r.json()["mode"], r.json()["answer"], r.json()["notes"]) == ("extractive", plain.answer, [note])
    fake.script(reply)
    with api.stream("POST", "/v1/ask", json={"question": Q, "stream": True}, headers=H) as s:
        assert s.status_code == 200
        s.read()
    got = events(s)
    assert [e for e, _ in got] == ["answer", "done"]
    assert (got[0][1]["mode"], got[0][1]["answer"], got[0][1]["notes"]) == ("extractive", plain.answer, [note])


def test_bad_streamed_request_is_a_json_error_before_any_event(api):
    r = api.post("/v1/ask", json={"question": "   ", "stream": True}, headers=H)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = api.post("/v1/ask", json={"question": Q, "stream": "yes please"}, headers=H)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "stream"
    r = api.post("/v1/search", json={"question": Q, "stream": True}, headers=H)
    assert r.status_code == 422  # streaming is for answers only
