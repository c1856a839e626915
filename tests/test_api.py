"""The HTTP API over real HTTP (uvicorn on a free loopback port) against a real index.

Read-only tests share the session's index; tests that upload or delete get a private corpus and index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from assistant.api.uploads import safe_filename
from tests.helpers import make_settings, serve_app

READER, ADMIN = "reader-key-for-tests", "admin-key-for-tests"
KEYS = f"{READER}:reader,{ADMIN}:admin"
R = {"Authorization": f"Bearer {READER}"}
A = {"Authorization": f"Bearer {ADMIN}"}
ANSWER_KEYS = {"question", "status", "answer", "citations", "timings_ms"}
CITATION_KEYS = {"n", "doc_id", "title", "doc_type", "published", "page", "section", "paragraph", "quote", "score",
                 "source"}
ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = str(Path(sys.executable).with_name("assistant"))

# A document on a subject the corpus never mentions, so both BM25 and dense retrieval can only find it here.
BEES = """# Apiary inspection guidance

1. Every apiary must be inspected weekly between April and September for signs of American foulbrood in the
honey bee colonies. The inspector records brood pattern, queen status and honey stores for each hive.

2. Swarm control: when queen cells are found the colony is split and the old queen moved to a nucleus hive.
Beekeepers report swarms to the regional bee inspector within two days.
"""


def wait_ready(client: httpx.Client, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get("/readyz")
        if r.status_code == 200 or time.monotonic() > deadline:
            return r.json()
        time.sleep(0.1)


@pytest.fixture(scope="module")
def api(service, tmp_path_factory):
    """Reader/admin keys over the session's read-only index (no uploads or deletes here)."""
    settings = make_settings(tmp_path_factory.mktemp("api"), api_keys=KEYS, rate_limit_per_minute=100_000)
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert wait_ready(client)["status"] == "ready"
        yield client


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """A private corpus and index behind the API, for uploads and deletes: (client, service)."""
    from assistant.service import Service

    settings = make_settings(tmp_path_factory.mktemp("api_rw"), api_keys=KEYS, rate_limit_per_minute=100_000)
    service = Service(settings)
    assert not service.ingest().failed
    with serve_app(create_app(service)) as url, httpx.Client(base_url=url, timeout=120) as client:
        assert wait_ready(client)["status"] == "ready"
        yield client, service


def upload(client, name: str, content: bytes, headers=A, **form):
    return client.post("/v1/documents", files={"file": (name, content, "application/octet-stream")},
                       data={k: str(v) for k, v in form.items()}, headers=headers)


def cited(answer: dict) -> set[str]:
    return {c["doc_id"] for c in answer["citations"]}


# --- queries -------------------------------------------------------------------------------------
def test_ask_returns_the_design_answer_json(api):
    r = api.post("/v1/ask", headers=R, json={"question": "What did inspectors say about workloads?",
                                             "filters": {"doc_type": ["inspection_report"]}})
    assert r.status_code == 200, r.text
    data = r.json()
    assert ANSWER_KEYS <= set(data) and data["status"] == "answered"
    assert "[1]" in data["answer"] and "workload" in data["answer"].lower()
    assert data["citations"] and all(CITATION_KEYS <= set(c) for c in data["citations"])
    assert {c["doc_type"] for c in data["citations"]} == {"inspection_report"}
    assert set(data["timings_ms"]) >= {"retrieve", "answer", "total"}


def test_ask_filters_by_date_and_area(api):
    q = "What did inspectors find about workloads and staffing?"
    after = api.post("/v1/ask", headers=R, json={"question": q, "filters": {"published_after": "2019-01-01"}}).json()
    assert cited(after) == {"llr-nps-board-update-2019"}
    before = api.post("/v1/ask", headers=R, json={"question": q, "top_k": 3,
                                                  "filters": {"published_before": "2018-12-31"}}).json()
    assert cited(before) == {"hmip-midlands-nps-press-release-2018"}
    area = api.post("/v1/search", headers=R, json={"question": q, "filters": {"area": "leicester"}}).json()
    assert {c["doc_id"] for c in area["results"]} == {"llr-nps-board-update-2019"}


def test_no_answer_for_an_off_topic_question(api):
    data = api.post("/v1/ask", headers=R, json={"question": "What is the capital of France?"}).json()
    assert data["status"] == "no_answer"


def test_search_returns_ranked_passages_with_citation_fields(api):
    r = api.post("/v1/search", headers=R, json={"question": "victim liaison officers workloads", "top_k": 3})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["query"] == "victim liaison officers workloads"
    results = data["results"]
    assert 1 <= len(results) <= 3
    assert [c["n"] for c in results] == list(range(1, len(results) + 1))
    assert all(CITATION_KEYS <= set(c) for c in results)
    scores = [c["score"] for c in results]
    assert scores == sorted(scores, reverse=True)
    for mode in ("bm25", "dense"):
        r = api.post("/v1/search", headers=R, json={"question": "victim liaison officers", "mode": mode})
        assert r.status_code == 200 and r.json()["results"], (mode, r.text)


# --- documents -----------------------------------------------------------------------------------
def test_documents_are_listed_a_page_at_a_time(api, service):
    everything = api.get("/v1/documents", headers=R).json()
    assert everything["total"] == len(service.documents()) == 2
    first = api.get("/v1/documents", headers=R, params={"limit": 1}).json()
    second = api.get("/v1/documents", headers=R, params={"limit": 1, "offset": 1}).json()
    assert first["total"] == second["total"] == 2 and len(first["documents"]) == len(second["documents"]) == 1
    ids = [first["documents"][0]["doc_id"], second["documents"][0]["doc_id"]]
    assert ids == sorted(d["doc_id"] for d in everything["documents"])
    assert "path" not in first["documents"][0]  # server paths stay on the server
    boards = api.get("/v1/documents", headers=R, params={"doc_type": "board_paper"}).json()
    assert [d["doc_id"] for d in boards["documents"]] == ["llr-nps-board-update-2019"]
    assert api.get("/v1/documents", headers=R, params={"limit": 0}).status_code == 422


def test_one_document_with_its_passage_count(api, service):
    r = api.get("/v1/documents/hmip-midlands-nps-press-release-2018", headers=R)
    assert r.status_code == 200
    doc = r.json()
    assert doc["doc_type"] == "inspection_report" and doc["published"] == "2018-12-18"
    assert doc["passages"] == service.document("hmip-midlands-nps-press-release-2018").passages > 0
    missing = api.get("/v1/documents/no-such-document", headers=R)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


# --- security ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path,body", [
    ("POST", "/v1/ask", {"question": "workloads"}),
    ("POST", "/v1/search", {"question": "workloads"}),
    ("GET", "/v1/documents", None),
    ("GET", "/v1/documents/llr-nps-board-update-2019", None),
    ("DELETE", "/v1/documents/llr-nps-board-update-2019", None),
])
def test_no_key_or_unknown_key_is_401(api, method, path, body):
    for headers in ({}, {"Authorization": "Bearer not-a-key"}, {"Authorization": "Basic abc"}):
        r = api.request(method, path, json=body, headers=headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["error"]["code"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"


def test_reader_may_not_upload_or_delete(api, service):
    r = upload(api, "note.txt", b"some text " * 50, headers=R)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = api.delete("/v1/documents/llr-nps-board-update-2019", headers=R)
    assert r.status_code == 403 and "admin" in r.json()["error"]["message"]
    assert service.document("llr-nps-board-update-2019") is not None


def test_rate_limit_per_key_with_retry_after(service, tmp_path):
    settings = make_settings(tmp_path, api_keys=KEYS, rate_limit_per_minute=3)
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        codes = [client.get("/v1/documents", headers=R).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = client.get("/v1/documents", headers=R)
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert client.get("/v1/documents", headers=A).status_code == 200  # another key has its own allowance
        assert "assistant_rate_limited_total 2.0" in client.get("/metrics").text


def test_hashed_keys_are_accepted(service, tmp_path):
    from assistant.api.auth import hash_key

    settings = make_settings(tmp_path, api_keys=f"sha256:{hash_key('only-the-hash-is-stored')}:reader")
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        ok = client.get("/v1/documents", headers={"Authorization": "Bearer only-the-hash-is-stored"})
        assert ok.status_code == 200
        bad = client.get("/v1/documents", headers={"Authorization": f"Bearer {hash_key('only-the-hash-is-stored')}"})
        assert bad.status_code == 401


def test_without_keys_only_this_machine_is_served(service, tmp_path):
    settings = make_settings(tmp_path, api_keys=None)
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.post("/v1/ask", json={"question": "What is MAPPA?"}).status_code == 200
        # a caller elsewhere, as a reverse proxy on this machine would report it (uvicorn trusts 127.0.0.1)
        r = client.get("/v1/documents", headers={"X-Forwarded-For": "203.0.113.7"})
        assert r.status_code == 403 and "ASSISTANT_API_KEYS" in r.json()["error"]["message"]


@pytest.mark.parametrize("env,host,message", [
    ({}, "0.0.0.0", "without API keys"),
    ({}, "192.0.2.10", "without API keys"),
    ({"ASSISTANT_API_KEYS": "abc:superuser"}, "127.0.0.1", "role 'superuser'"),
])
def test_serve_refuses_to_bind_unsafely(tmp_path, monkeypatch, env, host, message):
    """In-process through typer's CliRunner: the refusal happens before uvicorn (or the model) is touched."""
    from typer.testing import CliRunner

    import assistant.config
    from assistant.cli import app

    monkeypatch.delenv("ASSISTANT_API_KEYS", raising=False)
    for name, value in {**env, "ASSISTANT_INDEX_DIR": str(tmp_path / "indexes"),
                        "ASSISTANT_CORPUS_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    assistant.config.get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "1"])
    finally:
        assistant.config.get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("body,field", [
    ({"question": ""}, "question"),
    ({"question": "   "}, "question"),
    ({"question": "x" * 2001}, "question"),
    ({}, "question"),
    ({"question": "workloads", "top_k": 0}, "top_k"),
    ({"question": "workloads", "top_k": 21}, "top_k"),
    ({"question": "workloads", "filters": {"doc_type": ["novel"]}}, "filters.doc_type.0"),
    ({"question": "workloads", "filters": {"doc_type": "inspection_report"}}, "filters.doc_type"),
    ({"question": "workloads", "filters": {"published_after": "last year"}}, "filters.published_after"),
    ({"question": "workloads", "filters": {"colour": "blue"}}, "filters.colour"),
    ({"question": "workloads", "mode": "psychic"}, "mode"),
])
def test_validation_errors_say_which_field(api, body, field):
    for path in ("/v1/ask", "/v1/search"):
        r = api.post(path, headers=R, json=body)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "invalid_request" and error["message"].startswith(f"{field}:")
        assert field in [f["field"] for f in error["fields"]]


def test_errors_are_json_without_stack_traces(api):
    cases = [
        api.get("/v1/nothing-here", headers=R),
        api.put("/v1/ask", headers=R),
        api.post("/v1/ask", headers={**R, "content-type": "application/json"}, content=b"{not json"),
        api.post("/v1/ask", headers={**R, "content-type": "application/json"},
                 content=b'{"question": "' + b"x" * 100_000 + b'"}'),
    ]
    assert [r.status_code for r in cases] == [404, 405, 422, 413]
    for r in cases:
        assert r.headers["content-type"].startswith("application/json")
        error = r.json()["error"]
        assert set(error) >= {"code", "message"} and "Traceback" not in r.text


# --- operations ----------------------------------------------------------------------------------
def test_health_ready_and_metrics(api, service):
    assert api.get("/healthz").json()["status"] == "ok"
    ready = api.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"] == {"index": "ok", "vector_store": "ok", "model": "ok"}
    assert body["passages"] == len(service.snapshot().passages)
    api.post("/v1/ask", headers=R, json={"question": "What is a MAPPA level 3 case?"})
    api.post("/v1/search", headers=R, json={"question": "OMIC transfers"})
    api.post("/v1/ask", headers=R, json={"question": ""})
    text = api.get("/metrics").text
    assert 'assistant_http_requests_total{method="POST",route="/v1/ask",status="200"}' in text
    assert 'assistant_http_requests_total{method="POST",route="/v1/ask",status="422"}' in text
    assert 'assistant_http_request_duration_seconds_bucket{le="0.5",method="POST",route="/v1/search"}' in text
    assert 'assistant_retrieval_seconds_count{endpoint="ask"}' in text
    assert "assistant_answer_seconds_count" in text
    assert f"assistant_index_passages {float(len(service.snapshot().passages))}" in text
    assert "assistant_index_documents 2.0" in text
    assert "# TYPE assistant_ingest_files_total counter" in text


def test_readyz_is_503_without_an_index(tmp_path):
    from assistant.service import Service

    empty = Service(make_settings(tmp_path))
    with serve_app(create_app(empty)) as url, httpx.Client(base_url=url, timeout=60) as client:
        wait_ready(client, timeout=1)
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["index"].startswith("empty")
        assert client.get("/healthz").status_code == 200


def test_openapi_docs_are_served(api):
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/search", "/v1/documents", "/v1/documents/{doc_id}", "/healthz", "/readyz",
            "/metrics"} <= set(paths)


# --- uploads and deletes -------------------------------------------------------------------------
@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\win.ini.TXT", "win.ini.txt"),
    ("/abs/path/Report 2019 (final).PDF", "report-2019-final.pdf"),
    ("\x00.hidden.md", "hidden.md"),
    ("....txt", "upload.txt"),
    ("会议记录.docx", "upload.docx"),
    ("a" * 300 + ".html", "a" * 100 + ".html"),
])
def test_file_names_are_sanitised(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["evil.exe", "noextension", "archive.tar.gz", "page.php", "x.txt/", ""])
def test_unsupported_file_names_are_refused(name):
    from assistant.api.uploads import UploadError

    with pytest.raises(UploadError) as info:
        safe_filename(name)
    assert info.value.status == 415


def test_upload_then_ask_then_delete(writable):
    client, service = writable
    corpus = Path(service.settings.corpus_dir)
    question = "How often must an apiary be inspected for American foulbrood?"
    assert "uploads/apiary-guidance" not in cited(client.post("/v1/ask", headers=R, json={"question": question}).json())

    r = upload(client, "../../Apiary Guidance.md", BEES.encode(), doc_type="mappa_guidance",
               published="2020-03-01", title="Apiary inspection guidance", area="Lincolnshire")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "added" and body["document"]["doc_id"] == "uploads/apiary-guidance"
    assert body["document"]["passages"] >= 1 and body["document"]["title"] == "Apiary inspection guidance"
    assert (corpus / "uploads" / "apiary-guidance.md").read_text() == BEES
    assert not list(corpus.parent.glob("*.md"))  # nothing escaped the uploads folder

    # answerable as soon as 201 came back: answer, dense, BM25 and the filters all see it
    answer = client.post("/v1/ask", headers=R, json={"question": question}).json()
    assert answer["status"] == "answered" and "uploads/apiary-guidance" in cited(answer)
    assert "weekly" in answer["answer"]
    for mode in ("dense", "bm25"):
        top = client.post("/v1/search", headers=R, json={"question": "honey bee swarm control", "mode": mode}).json()
        assert top["results"][0]["doc_id"] == "uploads/apiary-guidance", mode
    filtered = client.post("/v1/search", headers=R, json={"question": "inspection", "filters": {
        "published_after": "2020-01-01", "doc_type": ["mappa_guidance"]}}).json()
    assert {c["doc_id"] for c in filtered["results"]} == {"uploads/apiary-guidance"}
    doc = client.get("/v1/documents/uploads/apiary-guidance", headers=R).json()
    assert (doc["doc_type"], doc["published"], doc["area"]) == ("mappa_guidance", "2020-03-01", "Lincolnshire")

    # a later full `assistant ingest` keeps the upload as it was (same doc_id, metadata and hash)
    report = service.ingest()
    assert {r.doc_id: r.status for r in report.results}["uploads/apiary-guidance"] == "unchanged"
    assert service.document("uploads/apiary-guidance").doc_type == "mappa_guidance"

    # the same name again replaces it
    again = upload(client, "apiary guidance.md", (BEES + "\n3. Varroa mites are counted monthly.\n").encode(),
                   doc_type="mappa_guidance", published="2020-03-01", title="Apiary inspection guidance")
    assert again.status_code == 201 and again.json()["status"] == "updated"

    r = client.delete("/v1/documents/uploads/apiary-guidance", headers=A)
    assert r.status_code == 204
    answer = client.post("/v1/ask", headers=R, json={"question": question}).json()
    assert "uploads/apiary-guidance" not in cited(answer)
    for mode in ("dense", "bm25"):
        top = client.post("/v1/search", headers=R, json={"question": "honey bee swarm control", "mode": mode}).json()
        assert "uploads/apiary-guidance" not in {c["doc_id"] for c in top["results"]}
    assert client.get("/v1/documents/uploads/apiary-guidance", headers=R).status_code == 404
    assert client.delete("/v1/documents/uploads/apiary-guidance", headers=A).status_code == 404
    assert not (corpus / "uploads" / "apiary-guidance.md").exists()
    # and no later full ingest brings it back
    service.ingest()
    assert service.document("uploads/apiary-guidance") is None


def test_delete_of_a_corpus_document_removes_its_passages(writable):
    client, service = writable
    question = "How many long-term custody cases will transfer under OMIC?"
    assert "llr-nps-board-update-2019" in cited(client.post("/v1/ask", headers=R, json={"question": question}).json())
    assert client.delete("/v1/documents/llr-nps-board-update-2019", headers=A).status_code == 204
    after = client.post("/v1/ask", headers=R, json={"question": question}).json()
    assert "llr-nps-board-update-2019" not in cited(after)
    # the corpus file itself is not the API's to delete: a full ingest restores it
    assert Path(service.settings.corpus_dir, "llr-nps-board-update-2019.txt").exists()
    service.ingest()
    assert client.get("/v1/documents/llr-nps-board-update-2019", headers=R).status_code == 200


def test_bad_uploads_are_refused_and_leave_nothing_behind(writable, tmp_path):
    client, service = writable
    uploads = Path(service.settings.corpus_dir) / "uploads"
    before = sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []
    versions = service.snapshot().version

    r = upload(client, "tool.exe", b"MZ\x90\x00")
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_file_type"
    r = upload(client, "empty.txt", b"")
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_file"
    r = upload(client, "broken.pdf", b"%PDF-1.4 this is not really a pdf")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unreadable_document"
    r = upload(client, "report.txt", b"text " * 10, doc_type="novel")
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("doc_type:")
    r = client.post("/v1/documents", headers=A, data={"title": "no file"})
    assert r.status_code == 422 and "file" in r.json()["error"]["message"]

    assert sorted(p.name for p in uploads.iterdir()) == before  # no stray files, no manifest entries
    assert service.snapshot().version == versions


def test_upload_size_limit(writable, tmp_path):
    _, service = writable
    uploads = Path(service.settings.corpus_dir) / "uploads"
    before = sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []
    settings = make_settings(tmp_path, api_keys=KEYS, max_upload_mb=0.01)  # 10 kB
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        r = upload(client, "big.txt", b"word " * 5_000)  # 25 kB, under the body limit, over the file limit
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
        assert "0.0 MB" not in r.json()["error"]["message"]
        r = upload(client, "huge.txt", b"word " * 200_000)  # 1 MB: refused by the body limit itself
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    after = sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []
    assert [n for n in after if n not in (".uploads.lock",)] == [n for n in before if n != ".uploads.lock"]


def test_concurrent_asks_during_an_upload_all_succeed(writable):
    client, service = writable
    paragraphs = "\n\n".join(
        f"{i}. Paragraph {i} of the hedge maintenance schedule: the hawthorn and blackthorn hedges along field {i} "
        f"are cut in rotation every {i % 3 + 2} years, after the nesting season, leaving standard trees every "
        f"{20 + i} metres and a margin of uncut grass for ground-nesting birds and pollinators." for i in range(1, 121))
    document = f"# Hedgerow management plan\n\n{paragraphs}\n".encode()
    asks: list[tuple[float, float, int]] = []  # (start, end, status) of every ask
    window: dict = {}
    done = threading.Event()

    def do_upload():
        try:
            window["start"] = time.monotonic()
            window["response"] = upload(client, "hedgerows.md", document, doc_type="board_paper")
            window["end"] = time.monotonic()
        finally:
            done.set()

    def asker():
        with httpx.Client(base_url=str(client.base_url), timeout=120) as own:
            while not done.is_set():
                t0 = time.monotonic()
                r = own.post("/v1/ask", headers=R, json={"question": "What did inspectors say about workloads?"})
                asks.append((t0, time.monotonic(), r.status_code))

    askers = [threading.Thread(target=asker) for _ in range(4)]
    for t in askers:
        t.start()
    time.sleep(0.5)
    writer = threading.Thread(target=do_upload)
    writer.start()
    writer.join(timeout=300)
    for t in askers:
        t.join(timeout=120)
    assert window["response"].status_code == 201, window["response"].text
    assert window["response"].json()["document"]["passages"] >= 20
    overlapping = [a for a in asks if a[0] < window["end"] and a[1] > window["start"]]
    assert len(overlapping) >= 4, "no ask overlapped the upload"
    assert {status for _, _, status in asks} == {200}
    top = client.post("/v1/search", headers=R, json={"question": "hawthorn hedges cut after nesting season"}).json()
    assert top["results"][0]["doc_id"] == "uploads/hedgerows"
    assert client.delete("/v1/documents/uploads/hedgerows", headers=A).status_code == 204


@pytest.mark.slow  # starts `assistant` processes
def test_another_process_ingest_is_seen_without_restart(writable):
    """`assistant ingest` in a second process: the running server serves the new version, BM25 and dense."""
    client, service = writable
    corpus = Path(service.settings.corpus_dir)
    new = corpus / "beekeeping" / "apiary-notes.md"
    new.parent.mkdir(exist_ok=True)
    new.write_text(BEES, encoding="utf-8")
    version = client.get("/readyz").json()["index_version"]
    for mode in ("dense", "bm25"):  # prime the server's caches on the old version
        client.post("/v1/search", headers=R, json={"question": "honey bee swarm control", "mode": mode})

    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_INDEX_DIR": str(service.settings.index_dir)}
    result = subprocess.run([ASSISTANT, "ingest", str(new)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout

    assert client.get("/readyz").json()["index_version"] != version
    for mode in ("dense", "bm25"):
        top = client.post("/v1/search", headers=R, json={"question": "honey bee swarm control", "mode": mode}).json()
        assert top["results"][0]["doc_id"] == "beekeeping/apiary-notes", mode
    answer = client.post("/v1/ask", headers=R, json={"question": "How often must an apiary be inspected?"}).json()
    assert "beekeeping/apiary-notes" in cited(answer)
    assert client.delete("/v1/documents/beekeeping/apiary-notes", headers=A).status_code == 204
    new.unlink()


@pytest.mark.slow  # starts `assistant` processes
def test_serve_with_several_workers(tmp_path):
    """`assistant serve --workers 2`: an upload through one worker is served by every worker at once."""
    import socket

    from assistant.service import Service

    settings = make_settings(tmp_path)
    assert not Service(settings).ingest().failed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_API_KEYS": KEYS}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([ASSISTANT, "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            deadline = time.monotonic() + 240
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.poll() else ""
                time.sleep(0.25)
            r = upload(client, "apiary.md", BEES.encode(), doc_type="mappa_guidance")
            assert r.status_code == 201, r.text
            for _ in range(12):  # new connections: the kernel spreads them over both workers
                with httpx.Client(base_url=str(client.base_url), timeout=120) as fresh:
                    top = fresh.post("/v1/search", headers=R,
                                     json={"question": "honey bee swarm control", "mode": "dense"}).json()
                    assert top["results"][0]["doc_id"] == "uploads/apiary"
            metrics = client.get("/metrics").text
            line = next(x for x in metrics.splitlines() if x.startswith(
                'assistant_http_requests_total{method="POST",route="/v1/search",status="200"}'))
            assert float(line.split()[-1]) == 12.0  # summed over both workers
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_ratings_table_endpoint(api):
    assert api.get("/v1/ratings").status_code == 401
    r = api.get("/v1/ratings", headers=R)
    assert r.status_code == 200
    rows = r.json()["ratings"]  # the inspectorate's row; the board paper restating it is a supporting citation
    assert [(row["published"], row["body"], row["overall"]) for row in rows] == \
        [("2018-12-18", "NPS Midlands division", "Good")]
    assert [c["doc_id"] for c in rows[0]["supporting"]] == ["llr-nps-board-update-2019"]
    for row in rows:
        assert set(row) >= {"body", "area", "inspected", "published", "overall", "standards", "citation"}
        assert row["citation"]["doc_id"] and row["citation"]["quote"]


def test_each_router_mounts_alone():
    """The routers only need what create_app puts on app.state: the ops router alone on a bare app answers."""
    import threading

    import httpx
    from fastapi import FastAPI

    from assistant.api.routes import documents, ops, questions

    for module in (questions, documents, ops):
        assert module.router.routes, module.__name__
    bare = FastAPI()
    bare.state.warmed = threading.Event()
    bare.include_router(ops.router)
    with serve_app(bare) as url:
        assert httpx.get(f"{url}/healthz", timeout=30).json()["status"] == "ok"
