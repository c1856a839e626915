"""Bounded resources for every file (issue 13 §3): generated bombs are refused before parsing, fast,
with a clear reason, over the CLI/service and over real HTTP while the server keeps answering."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.ingest.limits import ParseBudget, ResourceLimitError, check_file
from assistant.ingest.load import load_document
from tests.bombs import docx_bomb, many_members_docx
from tests.conftest import make_settings, serve_app

ADMIN = "admin-key-for-limit-tests-0123456789"
READER = "reader-key-for-limit-tests-0123456789"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return docx_bomb(tmp_path_factory.mktemp("bombs") / "board-paper.docx")  # 3.7 MB -> 1 GiB of XML


def _pdf(path: Path, pages: int) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_docx_bomb_is_refused_from_its_directory_in_well_under_a_second(bomb):
    assert bomb.stat().st_size < 5_000_000
    started = time.perf_counter()
    with pytest.raises(ResourceLimitError, match=r"inflates to 1,073 MB; the limit is 200 MB .*zip bomb"):
        check_file(bomb, Settings())
    assert time.perf_counter() - started < 0.5


def test_ratio_and_member_limits(tmp_path):
    small = docx_bomb(tmp_path / "small.docx", inflated=30_000_000)  # under the size limit, 1000:1
    with pytest.raises(ResourceLimitError, match="max_archive_ratio"):
        check_file(small, Settings())
    check_file(small, Settings(max_archive_ratio=5000))  # the ratio alone refused it
    crowded = many_members_docx(tmp_path / "crowded.docx", 60)
    with pytest.raises(ResourceLimitError, match="holds 63 members; the limit is 50"):
        check_file(crowded, Settings(max_archive_members=50))
    check_file(crowded, Settings())


def test_an_ordinary_docx_passes(tmp_path):
    import docx

    document = docx.Document()
    for n in range(50):
        document.add_paragraph(f"{n}. Probation caseloads were reviewed by the board in May.")
    document.save(tmp_path / "ok.docx")
    check_file(tmp_path / "ok.docx", Settings())


def test_pdf_page_and_time_budgets_and_html_size(tmp_path):
    pdf = _pdf(tmp_path / "long.pdf", 12)
    with pytest.raises(ResourceLimitError, match="12 pages; the limit is 10"):
        check_file(pdf, Settings(max_pdf_pages=10))
    check_file(pdf, Settings())
    with pytest.raises(ResourceLimitError, match="max_parse_seconds"):
        load_document(pdf, ocr_setting="off", budget=ParseBudget.start(pdf, Settings(max_parse_seconds=0)))
    html = tmp_path / "big.html"
    html.write_text("<p>" + "word " * 300_000 + "</p>")
    with pytest.raises(ResourceLimitError, match="max_html_mb"):
        check_file(html, Settings(max_html_mb=1))


def test_http_upload_of_a_bomb_is_422_fast_and_the_server_keeps_answering(tmp_path, bomb):
    from assistant.api import create_app
    from assistant.service import Service

    settings = make_settings(tmp_path, api_keys=f"{ADMIN}:admin,{READER}:reader", rate_limit_per_minute=100_000)
    service = Service(settings)
    assert not service.ingest().failed
    with serve_app(create_app(service)) as url, httpx.Client(base_url=url, timeout=60) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        statuses: list[int] = []
        stop = threading.Event()

        def ask_meanwhile():
            with httpx.Client(base_url=url, timeout=60) as other:
                while not stop.is_set():
                    r = other.post("/v1/search", json={"question": "OMIC transfers", "top_k": 2},
                                   headers={"Authorization": f"Bearer {READER}"})
                    statuses.append(r.status_code)

        asker = threading.Thread(target=ask_meanwhile)
        asker.start()
        try:
            started = time.perf_counter()
            r = client.post("/v1/documents", files={"file": ("board-paper.docx", bomb.read_bytes())},
                            headers={"Authorization": f"Bearer {ADMIN}"})
            elapsed = time.perf_counter() - started
            time.sleep(0.3)
        finally:
            stop.set()
            asker.join(timeout=60)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "unreadable_document"
        assert "zip bomb" in r.json()["error"]["message"]
        assert elapsed < 1.0, elapsed
        assert statuses and set(statuses) == {200}
        docs = client.get("/v1/documents", headers={"Authorization": f"Bearer {READER}"}).json()
        assert docs["total"] == 2  # nothing indexed was lost, the bomb left nothing behind
        assert not list((Path(settings.corpus_dir) / "uploads").glob("*.docx"))

    # the same bomb in the corpus folder: a full ingest fails it alone, with the reason, and keeps the rest
    shutil.copy(bomb, Path(settings.corpus_dir) / "board-paper.docx")
    report = service.ingest()
    assert [Path(r.path).name for r in report.failed] == ["board-paper.docx"]
    assert "zip bomb" in report.failed[0].error
    assert report.total_documents == 2 and report.count("unchanged") == 2
