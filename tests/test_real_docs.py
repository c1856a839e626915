"""Issue 12 on generated documents: the realistic library (evals/library) and small documents built here.

Each test fails on the reader before issue 12 (pypdf text, paragraphs-only DOCX, whole-page HTML,
plain-text Markdown, prose-only ratings, every year a publication filter, glossary only in corpus/).
"""

import json
import re
from pathlib import Path

import pytest

from assistant.dates import period_in
from assistant.glossary import Glossary
from assistant.ingest.metadata import load_manifest
from tests import realdocs

try:
    from assistant.ingest.ocr import tesseract_available
except ImportError:  # the code before issue 12 has no OCR at all: the OCR test runs (and fails) there
    def tesseract_available() -> bool:
        return True

needs_ocr = pytest.mark.skipif(not tesseract_available(),
                               reason="tesseract-ocr + tesseract-ocr-eng not installed (apt-get install them)")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from evals.library.generate import build_library

    out = build_library(tmp_path_factory.mktemp("library"))
    return out, json.loads((out / "truth.json").read_text()), load_manifest(out)


_cache: dict = {}


def read(path: Path, corpus: Path, manifest: dict, ocr: str = "auto"):
    """(read, metadata, passages) as ingest makes them (tests/realdocs.read_file)."""
    key = (str(path), ocr)
    if key not in _cache:
        got = realdocs.read_file(path, corpus, manifest, ocr)
        _cache[key] = (got, got.meta, got.passages)
    return _cache[key]


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    path = realdocs.build_report_pdf(tmp_path_factory.mktemp("small") / "report.pdf")
    return read(path, path.parent, {}, ocr="off")


# --- ratings ------------------------------------------------------------------------------------

def test_every_standard_and_overall_rating_of_every_report_is_read_from_its_table(library):
    out, truth, manifest = library
    for report in truth["reports"]:
        doc, meta, passages = read(out / f"{report['doc_id']}.pdf", out, manifest)
        rows = doc.ratings
        assert len(rows) == 1, report["doc_id"]
        row = rows[0]
        assert row.source == "table"
        assert row.body == report["body"]  # from the title/cover, never a sentence subject
        assert row.overall == report["overall"]  # not the scoring note's "overall rating of Inadequate"
        assert row.standards == report["ratings"]  # "Not inspected" kept as such
        assert row.published == report["published"]
        assert row.inspected == _month(report["fieldwork"])
        cited = {c.quote for c in row.standard_citations.values()}
        assert all(" — " in q for q in cited)  # each standard cites its own table row


def _month(text: str) -> str:
    months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december"]
    name, year = text.split()[-2:]
    return f"{year}-{months.index(name.lower()) + 1:02d}"


def test_ratings_row_passages_repeat_table_and_body(small_report):
    _, _, passages = small_report
    row = next(p for p in passages if "2.2 Planning" in p.text)
    assert row.text == "Table 1: Ratings for Northvale PDU — 2. Court work and case supervision — 2.2 Planning: Inadequate."
    assert row.table[0] == ["Standard", "Rating"] and row.page == 4 and row.section == "Ratings"
    overall = next(p for p in passages if "Overall rating" in p.text)
    assert "Court work" not in overall.text  # the overall row is not part of the last group


# --- PDF layout ---------------------------------------------------------------------------------

def test_pdf_sections_contents_and_running_lines(library):
    out, truth, manifest = library
    doc, meta, passages = read(out / f"{truth['reports'][0]['doc_id']}.pdf", out, manifest)
    assert all(p.section for p in passages)
    text = "\n".join(p.text for p in passages)
    assert not re.search(r"(?:\.\s?){6,}", text)  # no contents entries
    assert "Inspection of probation services:" not in text  # running header
    assert not re.search(r"\bPage \d+\b", text)


def test_footnotes_are_detached_and_attached_to_the_citing_paragraph(small_report):
    _, _, passages = small_report
    p = next(p for p in passages if "cut reoffending" in p.text)
    assert "reoffending." in p.text and "reoffending.1" not in p.text
    assert f"Footnote 1: {realdocs.FOOTNOTE_1}" in p.text
    assert not any(p.text.strip() in ("1.", "2.") for p in passages)


def test_two_column_page_reads_column_by_column(small_report):
    _, _, passages = small_report
    left = next(p for p in passages if p.section == "Victim work")
    right = next(p for p in passages if p.section == "Digital tools")
    assert left.text.startswith("Victim liaison officers") and "caseload tool" not in left.text
    assert right.text.startswith("Sentence management staff") and "Victim" not in right.text


def test_data_table_rows_keep_headers(small_report):
    _, _, passages = small_report
    q3 = next(p for p in passages if "Q3 2023" in p.text)
    assert "Completion rate: 64%" in q3.text and q3.text.startswith("Table 2: Accredited programme referrals")


# --- scans --------------------------------------------------------------------------------------

def test_scanned_page_without_ocr_is_reported_not_searchable(small_report):
    doc, _, passages = small_report
    assert doc.notes == ["page 8 has no text layer; not searchable (OCR is off)"]
    assert not any("courtyard garden" in p.text for p in passages)


@needs_ocr
def test_scanned_page_is_read_by_ocr(library):
    out, truth, manifest = library
    report = truth["reports"][0]
    doc, _, passages = read(out / f"{report['doc_id']}.pdf", out, manifest)
    page = truth["image_only_page"][report["doc_id"]]
    assert f"page {page} has no text layer; OCR used" in doc.notes
    ocr_text = " ".join(p.text for p in passages if p.page == page)
    place = report["scan_fact"].split(" will close")[0].replace("office at ", "")
    assert place.split()[0] in ocr_text


# --- web pages, Word, Markdown ------------------------------------------------------------------

def test_web_page_boilerplate_never_becomes_a_passage_and_spanned_table_is_kept(library):
    out, _, manifest = library
    doc, _, passages = read(out / "board" / "eastvale-csp-iom-performance-2024.html", out, manifest)
    text = "\n".join(p.text for p in passages).lower()
    for junk in ("cookies", "main menu", "search this site", "breadcrumb", "accessibility statement"):
        assert junk not in text
    rows = [p for p in passages if p.table]
    assert rows and all(p.text.startswith("Table 1: IOM cohort") for p in rows)
    assert all(p.page is None for p in passages)  # no cell value became a page number


def test_small_web_page_rowspan_colspan(tmp_path):
    path = tmp_path / "board.html"
    path.write_text(realdocs.board_page_html(), encoding="utf-8")
    doc = realdocs.read_file(path, tmp_path, {})
    table = next((b.table for b in doc.blocks if getattr(b, "table", None) is not None), None)
    assert table is not None, "the table was dropped"
    assert table.header_rows == 2 and table.rows[2][0] == table.rows[3][0] == "Accommodation"  # rowspan
    assert table.header == ["Pathway", "Measure", "Share of releases Quarter 1", "Share of releases Quarter 2"]
    assert realdocs.COOKIE_TEXT not in " ".join(b.text for b in doc.blocks)


def test_word_tables_are_kept_with_their_section(library):
    out, _, manifest = library
    _, _, passages = read(out / "mappa" / "northmoor-mappa-protocol-2024.docx", out, manifest)
    rows = [p for p in passages if getattr(p, "table", None)]  # before issue 12 Word tables were dropped
    assert any(p.text.startswith("2. Identifying MAPPA cases") and "Category 1" in p.text for p in rows)
    assert any("Level 3" in p.text and p.section == "3. Levels of management" for p in rows)


def test_markdown_bold_line_is_a_heading_not_a_bullet(library):
    out, _, manifest = library
    doc, _, _ = read(out / "board" / "southerly-downs-rrb-minutes-2024-02.md", out, manifest)
    minutes = next((b for b in doc.blocks if b.text == "Minutes"), None)
    assert minutes is not None and minutes.kind == "heading", [b.text for b in doc.blocks[:3]]
    assert not any(b.text.startswith("*") for b in doc.blocks)


# --- dates and glossary -------------------------------------------------------------------------

def _filters(period) -> bool:
    # the service applies a period as a publication filter when `filters` says so; before issue 12 every
    # period found in a question was applied (it had no such flag)
    return getattr(period, "filters", True)


def test_an_event_year_is_not_a_publication_filter():
    assert _filters(period_in("How many hours of unpaid work were completed in 2023?")) is False
    assert _filters(period_in("Which reports were published in 2023?")) is True
    assert _filters(period_in("What did inspectors say about workloads in 2018?")) is True


def test_glossary_ships_with_the_package(tmp_path):
    glossary = Glossary.load(tmp_path / "glossary.yaml")  # a corpus folder with no glossary of its own
    assert glossary.get("MAPPA").expansion == "Multi-Agency Public Protection Arrangements"
    (tmp_path / "glossary.yaml").write_text("terms:\n- abbr: MAPPA\n  defined_in: my-doc\n- abbr: XYZ\n  expansion: Ex\n")
    glossary = Glossary.load(tmp_path / "glossary.yaml")
    assert glossary.get("MAPPA").defined_in == "my-doc" and glossary.get("MAPPA").expansion.startswith("Multi")
    assert glossary.get("XYZ").expansion == "Ex"
