"""GET /v1/documents/{doc_id}/passages and .../file over real HTTP: auth, order, 404s, content types, containment."""

from __future__ import annotations

import httpx
import pytest

from assistant.api import create_app
from tests.helpers import make_settings, serve_app

READER = "reader-key-for-sources-tests"
R = {"Authorization": f"Bearer {READER}"}
BOARD = "llr-nps-board-update-2019"


@pytest.fixture(scope="module")
def api(web_service, tmp_path_factory):
    """A reader key over the web corpus (conftest.web_service)."""
    settings = make_settings(tmp_path_factory.mktemp("sources_api"), api_keys=f"{READER}:reader",
                             rate_limit_per_minute=100_000)
    with serve_app(create_app(web_service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client, web_service


def test_passages_in_reading_order_with_ids_and_places(api):
    client, service = api
    r = client.get(f"/v1/documents/{BOARD}/passages", headers=R)
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["doc_id"] == BOARD and "path" not in body["document"]
    assert body["file_type"] == "text/plain; charset=utf-8"
    passages = body["passages"]
    assert [p["n"] for p in passages] == list(range(1, len(passages) + 1))
    assert len({p["id"] for p in passages}) == len(passages) == service.document(BOARD).passages
    assert passages[0]["text"].startswith("1. The National Probation Service")  # the paper's first paragraph
    numbers = [int(p["paragraph"]) for p in passages if (p["paragraph"] or "").isdigit()]
    assert numbers == sorted(numbers) and len(numbers) >= 5
    assert any(p["section"] for p in passages)
    # the same ids the answers cite
    answer = client.post("/v1/ask", headers=R, json={"question": "How did Midlands NPS rank among inspected areas?"})
    cited = [c for c in answer.json()["citations"] if c["doc_id"] == BOARD]
    assert cited and cited[0]["passage_id"] in {p["id"] for p in passages}


def test_pdf_passages_carry_pages_and_the_file_is_served_as_pdf(api):
    client, _ = api
    body = client.get("/v1/documents/apiary-guide/passages", headers=R).json()
    assert body["file_type"] == "application/pdf"
    assert [p["page"] for p in body["passages"]] == [1, 2, 3]
    r = client.get("/v1/documents/apiary-guide/file", headers=R)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("inline")


def test_a_100_page_report_keeps_its_page_markers(api):
    client, _ = api
    passages = client.get("/v1/documents/long-report/passages", headers=R).json()["passages"]
    pages = [p["page"] for p in passages]
    assert pages == list(range(1, 101))  # one numbered paragraph a page, each its own passage
    assert [p["paragraph"] for p in passages] == [str(n) for n in range(1, 101)]
    assert any("Tobermory" in p["text"] and p["page"] == 73 for p in passages)
    assert "Chapter 8" in next(p["section"] for p in passages if p["page"] == 73)


def test_text_and_html_files_have_their_types_and_html_is_sandboxed(api):
    client, _ = api
    r = client.get(f"/v1/documents/{BOARD}/file", headers=R)
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Midlands NPS ranked the highest overall" in r.text
    r = client.get("/v1/documents/bees/file", headers=R)
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"].startswith("sandbox")  # its script never runs as our page


def test_no_key_or_unknown_key_is_401(api):
    client, _ = api
    for path in (f"/v1/documents/{BOARD}/passages", f"/v1/documents/{BOARD}/file"):
        assert client.get(path).status_code == 401
        r = client.get(path, headers={"Authorization": "Bearer not-a-key"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_unknown_document_is_404_json(api):
    client, _ = api
    for path in ("/v1/documents/no-such-doc/passages", "/v1/documents/no-such-doc/file",
                 "/v1/documents/../../etc/passwd/file", "/v1/documents/%2e%2e%2fsecret/file"):
        r = client.get(path, headers=R)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"


def test_a_file_deleted_since_ingest_is_404_but_its_text_stays_readable(api):
    client, _ = api
    r = client.get("/v1/documents/gone/file", headers=R)
    assert r.status_code == 404 and "no original file" in r.json()["error"]["message"]
    body = client.get("/v1/documents/gone/passages", headers=R).json()
    assert body["file_type"] is None and "Hedgehog" in body["passages"][0]["text"]


def test_never_a_file_outside_the_corpus(api):
    """A symlink in the corpus to a file elsewhere: its text may be indexed, its file is never served."""
    client, service = api
    assert service.document("linked") is not None
    r = client.get("/v1/documents/linked/file", headers=R)
    assert r.status_code == 404 and "otters" not in r.text
    assert client.get("/v1/documents/linked/passages", headers=R).json()["file_type"] is None


def test_key_required_endpoint_needs_no_key(api):
    client, _ = api
    r = client.get("/auth/required")
    assert r.status_code == 200 and r.json() == {"key_required": True}


# --- deep links: set once in the question path, carried by every surface ---------------------------------------

def test_with_a_public_url_every_citation_links_to_the_viewer_in_json_slack_and_cli(api, monkeypatch):
    from typer.testing import CliRunner

    import assistant.service
    from assistant.cli import app
    from bots.slack import render

    client, service = api
    question = "How did Midlands NPS rank among the areas inspected?"
    assert all(c["url"] is None for c in client.post("/v1/ask", headers=R, json={"question": question}).json()["citations"])

    monkeypatch.setattr(service.settings, "public_url", "https://intranet.example/assistant")
    answer = client.post("/v1/ask", headers=R, json={"question": question}).json()
    off_topic = client.post("/v1/ask", headers=R, json={"question": "What is the boiling point of mercury?"}).json()
    for c in answer["citations"] + off_topic["citations"]:  # nearest passages of a no-answer too
        assert c["url"] == f"https://intranet.example/assistant/#doc={c['doc_id']}&p={c['passage_id'].replace('#', '%23')}"
    assert off_topic["status"] == "no_answer" and off_topic["citations"]

    first = service.ask(question).citations[0]
    assert render.citation_text(first).startswith(f"*[1]* <{first.url}|")  # the Slack source line links to it

    monkeypatch.setattr(assistant.service, "_service", service)
    printed = CliRunner().invoke(app, ["ask", question])
    assert printed.exit_code == 0 and first.url in printed.stdout
