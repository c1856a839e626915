"""Scale-out: ASSISTANT_CHROMA_URL points the service at a real Chroma server (`chroma run` on a free
loopback port, started and stopped here) instead of the embedded store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from tests.conftest import make_settings, serve_app

CHROMA = Path(sys.executable).with_name("chroma")
ADMIN = "chroma-test-admin-0123456789"
A = {"Authorization": f"Bearer {ADMIN}"}
BEES = ("# Apiary inspection guidance\n\n1. Every apiary must be inspected weekly between April and September for "
        "signs of American foulbrood in the honey bee colonies. The inspector records brood pattern, queen status "
        "and honey stores for each hive.\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"the chroma CLI is not installed ({CHROMA}); it comes with the chromadb package")
    data = tmp_path_factory.mktemp("chroma_server_data")
    port = free_port()
    log = open(data.parent / f"chroma-{port}.log", "wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--port", str(port), "--host", "127.0.0.1"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"chroma run did not start: {(data.parent / f'chroma-{port}.log').read_text()[-2000:]}")
        time.sleep(0.1)
    server = {"url": url, "proc": proc, "data": data}
    yield server
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.close()


@pytest.fixture(scope="module")
def remote(chroma_server, tmp_path_factory):
    """A service whose vectors live in the Chroma server, served over HTTP."""
    from assistant.service import Service

    settings = make_settings(tmp_path_factory.mktemp("chroma_client"), chroma_url=chroma_server["url"],
                             api_keys=f"{ADMIN}:admin")
    service = Service(settings)
    report = service.ingest()
    assert not report.failed and report.total_passages > 0
    with serve_app(create_app(service)) as url, httpx.Client(base_url=url, timeout=120) as client:
        for _ in range(600):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.1)
        yield client, service


def server_count(url: str, collection: str = "passages") -> int:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    return client.get_collection(collection).count()


def test_the_embeddings_live_in_the_server(remote, chroma_server):
    client, service = remote
    assert not (Path(service.settings.index_dir) / "chroma").exists()  # no embedded store was made
    assert server_count(chroma_server["url"]) == len(service.snapshot().passages)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["vector_store"] == "ok"


def test_ask_and_search_through_the_server(remote):
    client, _ = remote
    answer = client.post("/v1/ask", headers=A, json={"question": "What did inspectors say about workloads?"}).json()
    assert answer["status"] == "answered" and answer["citations"]
    dense = client.post("/v1/search", headers=A, json={"question": "victim liaison officers", "mode": "dense",
                                                        "filters": {"doc_type": ["inspection_report"]}}).json()
    assert dense["results"] and {c["doc_type"] for c in dense["results"]} == {"inspection_report"}
    assert all(c["score"] > 0 for c in dense["results"])


def test_upload_and_delete_through_the_server(remote, chroma_server):
    client, service = remote
    before = server_count(chroma_server["url"])
    r = client.post("/v1/documents", headers=A, files={"file": ("apiary.md", BEES.encode())},
                    data={"doc_type": "mappa_guidance"})
    assert r.status_code == 201, r.text
    added = r.json()["document"]["passages"]
    assert server_count(chroma_server["url"]) == before + added
    top = client.post("/v1/search", headers=A, json={"question": "honey bee hive inspection", "mode": "dense"}).json()
    assert top["results"][0]["doc_id"] == "uploads/apiary"
    assert client.delete("/v1/documents/uploads/apiary", headers=A).status_code == 204
    top = client.post("/v1/search", headers=A, json={"question": "honey bee hive inspection", "mode": "dense"}).json()
    assert "uploads/apiary" not in {c["doc_id"] for c in top["results"]}
    assert server_count(chroma_server["url"]) == before


def test_a_second_host_writing_is_seen_at_once(remote, chroma_server):
    """Another service (another host, sharing the index folder and the Chroma server) ingests; this one serves it."""
    from assistant.service import Service

    client, service = remote
    other = Service(service.settings)
    new = Path(service.settings.corpus_dir) / "apiary-notes.md"
    new.write_text(BEES, encoding="utf-8")
    report = other.ingest([new])
    assert report.count("added") == 1
    for mode in ("dense", "bm25"):
        top = client.post("/v1/search", headers=A, json={"question": "honey bee hive inspection", "mode": mode}).json()
        assert top["results"][0]["doc_id"] == "apiary-notes", mode
    assert other.delete("apiary-notes")
    new.unlink()


def test_readyz_reports_an_unreachable_server(remote, chroma_server):
    """Runs last: stops the Chroma server, and the API says it is not ready (and still answers healthz)."""
    client, _ = remote
    chroma_server["proc"].terminate()
    chroma_server["proc"].wait(timeout=20)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["vector_store"].startswith("unreachable")
    assert client.get("/healthz").status_code == 200
    r = client.post("/v1/search", headers=A, json={"question": "workloads", "mode": "dense"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable" and r.headers["retry-after"]
