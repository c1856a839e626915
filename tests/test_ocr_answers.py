"""A scanned page end to end (issue 12): ingest a report whose page 8 is an image with no text layer, then ask
about a fact found only on that page. With OCR the answer quotes the OCR text and cites page 8; with OCR off
the page is reported "not searchable" and the question gets no cited answer from other pages."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.ingest.ocr import tesseract_available
from tests import realdocs

QUESTION = "How many people did the courtyard garden project place on unpaid work?"


def _service(tmp_path, ocr: str):
    from assistant.service import Service

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    realdocs.build_report_pdf(corpus / "northvale-report.pdf")
    svc = Service(Settings(corpus_dir=corpus, index_dir=tmp_path / "indexes", ocr=ocr))
    report = svc.ingest()
    assert not report.failed
    return svc, report


@pytest.mark.skipif(not tesseract_available(), reason="tesseract-ocr + tesseract-ocr-eng not installed")
def test_question_about_scanned_page_is_answered_from_ocr_text(tmp_path):
    svc, report = _service(tmp_path, "auto")
    assert report.results[0].notes == ["page 8 has no text layer; OCR used"]
    answer = svc.ask(QUESTION)
    assert answer.status == "answered"
    assert "fourteen" in answer.answer.lower()
    assert any(c.page == 8 for c in answer.citations)


def test_scanned_page_with_ocr_off_is_reported_and_never_answered_wrongly(tmp_path):
    svc, _ = _service(tmp_path, "off")
    doc = svc.documents()[0]
    assert doc.notes == ["page 8 has no text layer; not searchable (OCR is off)"]
    answer = svc.ask(QUESTION)
    # the fact is on the unreadable page only: "could not find", never a confident answer from other pages
    assert answer.status == "no_answer", answer.answer
