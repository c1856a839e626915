"""Issue 13 §1: restricted documents are denied unless the caller holds a grant, decided once in the service.

A restricted document with a canary (tests/restricted_corpus.py) is asked about on every HTTP endpoint, over
real HTTP, with keys that lack the grant (a reader, an admin) and keys that hold it (plain and sha256 entries):
the canary is never in a response body without the grant and is there with it. The command line and eval
runs follow the same rule (`--include-restricted`).
"""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

import assistant.service
from assistant.access import RESTRICTED
from assistant.api import create_app
from assistant.api.auth import KeyConfigError, KeyEntry, hash_key, parse_keys
from tests.helpers import serve_app
from tests.restricted_corpus import DOC_ID, GLOSSARY_Q, KESTREL_Q, QUESTIONS, RATING_Q, leaks, restricted_service

READER = "reader-key-without-the-grant-0001"
ADMIN = "admin-key-without-the-grant-00002"
GRANTED = "reader-key-with-the-restricted-grant"
HASHED = "hashed-key-with-the-restricted-grant"
KEYS = (f"{READER}:reader,{ADMIN}:admin,{GRANTED}:reader+restricted,"
        f"sha256:{hash_key(HASHED)}:reader+restricted")
DENIED = [READER, ADMIN]
ALLOWED = [GRANTED, HASHED]


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    return restricted_service(tmp_path_factory.mktemp("access"))


@pytest.fixture(scope="module")
def api(svc, tmp_path_factory):
    settings = svc.settings.model_copy(update={"api_keys": SecretStr(KEYS), "rate_limit_per_minute": 100_000})
    with serve_app(create_app(svc, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def bodies(client: httpx.Client, key: str) -> dict[str, str]:
    """Every reading endpoint's response body, as text, for one key."""
    out = {}
    for n, q in enumerate(QUESTIONS):
        out[f"ask {n}"] = client.post("/v1/ask", json={"question": q}, headers=auth(key)).text
        with client.stream("POST", "/v1/ask", json={"question": q, "stream": True}, headers=auth(key)) as r:
            out[f"ask stream {n}"] = "".join(r.iter_text())
        out[f"search {n}"] = client.post("/v1/search", json={"question": q, "top_k": 20}, headers=auth(key)).text
    out["documents"] = client.get("/v1/documents?limit=200", headers=auth(key)).text
    out["ratings"] = client.get("/v1/ratings", headers=auth(key)).text
    return out


def test_key_grants_are_parsed_and_admin_does_not_imply_them():
    keys = parse_keys(KEYS)
    assert keys[hash_key(READER)] == KeyEntry("reader", False)
    assert keys[hash_key(ADMIN)] == KeyEntry("admin", False)
    assert keys[hash_key(GRANTED)] == KeyEntry("reader", True)
    assert keys[hash_key(HASHED)] == KeyEntry("reader", True)
    assert parse_keys("an-admin-key-with-the-grant:admin+restricted")[hash_key("an-admin-key-with-the-grant")] \
        == KeyEntry("admin", True)
    with pytest.raises(KeyConfigError, match="grant 'everything'"):
        parse_keys("some-key-of-enough-length:reader+everything")


def test_no_endpoint_returns_restricted_text_without_the_grant(api):
    for key in DENIED:
        for name, body in bodies(api, key).items():
            assert not leaks(body), f"{name} leaked the canary to a key without the grant: {body[:300]}"


def test_every_endpoint_returns_it_with_the_grant(api):
    for key in ALLOWED:
        for name, body in bodies(api, key).items():
            assert leaks(body), f"{name} did not return the restricted document to a key with the grant"


def test_a_restricted_document_is_the_same_404_as_an_unknown_one(api):
    for key in DENIED:
        hidden = api.get(f"/v1/documents/{DOC_ID}", headers=auth(key))
        unknown = api.get("/v1/documents/no-such-document-at-all", headers=auth(key))
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json() == json.loads(unknown.text.replace("no-such-document-at-all", DOC_ID))
        # an admin without the grant cannot delete it either (nor learn that it exists)
        assert api.delete(f"/v1/documents/{DOC_ID}", headers=auth(ADMIN)).status_code == 404
    for key in ALLOWED:
        r = api.get(f"/v1/documents/{DOC_ID}", headers=auth(key))
        assert r.status_code == 200 and r.json()["restricted"] is True and leaks(r.text)


def test_a_client_cannot_ask_for_restricted_documents_in_its_filters(api):
    r = api.post("/v1/search", json={"question": KESTREL_Q, "filters": {"include_restricted": True}},
                 headers=auth(READER))
    assert r.status_code == 422 and not leaks(r.text)


def test_metrics_never_name_a_restricted_document(api):
    bodies(api, GRANTED)
    api.get(f"/v1/documents/{DOC_ID}", headers=auth(GRANTED))
    api.get(f"/v1/documents/{DOC_ID}", headers=auth(READER))
    text = api.get("/metrics").text
    assert "assistant_http_requests_total" in text and not leaks(text) and "kestrel" not in text.lower()


# --- the service itself ----------------------------------------------------------------------------------

def test_never_mentioned_does_not_reveal_a_word_only_a_restricted_document_holds(svc):
    hidden = svc.ask("What did inspectors find about level 3 cases in Quarrytown?")
    absent = svc.ask("What did inspectors find about level 3 cases in Zorbaville?")
    # refused alike (by the answerability stage or the never-mentioned check): a name only a restricted
    # document holds reads exactly like a name no document holds
    assert hidden.status == absent.status == "no_answer"
    assert hidden.answer.replace("Quarrytown", "X") == absent.answer.replace("Zorbaville", "X")
    assert [n.replace("Quarrytown", "X") for n in hidden.notes] == [n.replace("Zorbaville", "X") for n in absent.notes]
    assert DOC_ID not in {c.doc_id for c in hidden.citations} and not leaks(hidden.model_dump_json())
    granted = svc.ask("What did inspectors find about level 3 cases in Quarrytown?", access=RESTRICTED)
    assert not any("never mention" in n for n in granted.notes) and DOC_ID in {c.doc_id for c in granted.citations}


def test_glossary_definitions_and_ratings_need_the_grant(svc):
    public = svc.ask(GLOSSARY_Q)
    assert not leaks(public.model_dump_json()) and public.status == "no_answer"
    assert svc.ask(GLOSSARY_Q, access=RESTRICTED).citations[0].doc_id == DOC_ID
    assert all(r.citation.doc_id != DOC_ID for r in svc.ratings())
    assert any(r.citation.doc_id == DOC_ID for r in svc.ratings(access=RESTRICTED))
    assert not leaks(svc.ask(RATING_Q).model_dump_json())
    assert svc.ask(RATING_Q, access=RESTRICTED).table[0]["citation"]["doc_id"] == DOC_ID


def test_eval_runs_leave_restricted_documents_out_unless_asked(svc):
    from assistant.evaluation.configs import CONFIGS
    from assistant.evaluation.questions import EvalQuestion
    from assistant.evaluation.runner import ServiceTarget

    q = EvalQuestion(id="k", set="access", type="fact", question=KESTREL_Q, expected_sources=[DOC_ID])
    retrieved, answer, _ = ServiceTarget(CONFIGS["hybrid"], svc).run(q)
    assert DOC_ID not in {r["doc_id"] for r in retrieved} | {c["doc_id"] for c in answer["citations"]}
    retrieved, _, _ = ServiceTarget(CONFIGS["hybrid"], svc, RESTRICTED).run(q)
    assert DOC_ID in {r["doc_id"] for r in retrieved}


# --- the command line ----------------------------------------------------------------------------------

@pytest.fixture
def cli(svc, monkeypatch):
    from assistant.cli import app

    monkeypatch.setattr(assistant.service, "_service", svc)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.mark.parametrize("args", [("docs", "--json"), ("ratings", "--json"), ("search", KESTREL_Q, "--json"),
                                  ("ask", KESTREL_Q, "--json"), ("ask", GLOSSARY_Q, "--json")])
def test_the_command_line_shows_restricted_documents_only_when_asked(cli, args):
    plain = cli(*args)
    assert plain.exit_code == 0, plain.output
    assert not leaks(plain.stdout)
    granted = cli(*args, "--include-restricted")
    assert granted.exit_code == 0, granted.output
    assert leaks(granted.stdout)
