"""The fictional library generator (evals/library): every file it writes opens with its own library, the
scanned page has no text layer, and the product reads its manifest. Extraction quality is tested elsewhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from assistant.ingest.metadata import load_manifest
from evals.library.generate import RESTRICTED_CANARY, build_library
from evals.library.truth import BANDS, NOT_INSPECTED, STANDARDS, fixed_reports, ratings_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return build_library(tmp_path_factory.mktemp("library"))


def test_manifest_parses_with_the_products_reader_and_names_every_file(library):
    manifest = load_manifest(library)
    files = {p.relative_to(library).as_posix() for p in library.rglob("*")
             if p.is_file() and p.name not in ("manifest.yaml", "truth.json")}
    assert set(manifest) == files
    assert len(files) == 10
    restricted = [name for name, e in manifest.items() if e.get("restricted")]
    assert restricted == ["restricted/northmoor-mappa-level3-review-2024.md"]
    assert RESTRICTED_CANARY in (library / restricted[0]).read_text()
    old, new = manifest["mappa/northmoor-mappa-protocol-2022.docx"], manifest["mappa/northmoor-mappa-protocol-2024.docx"]
    assert old["superseded_by"] == "mappa/northmoor-mappa-protocol-2024"
    assert new["supersedes"] == "mappa/northmoor-mappa-protocol-2022"


def test_reports_open_and_the_scanned_page_has_no_text_layer(library):
    truth = json.loads((library / "truth.json").read_text())
    for report in truth["reports"]:
        reader = PdfReader(str(library / f"{report['doc_id']}.pdf"))
        assert 8 <= len(reader.pages) <= 15
        scan = truth["image_only_page"][report["doc_id"]]
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            if number == scan:
                assert text.strip() == ""
                ops = page.get_contents().get_data()
                tokens = set(ops.split())
                assert not tokens & {b"Tj", b"TJ", b"'", b'"'} and b"Do" in tokens  # shows no text; draws an image
            else:
                assert text.strip(), f"page {number} of {report['doc_id']} has no text"
        cover = " ".join(reader.pages[0].extract_text().split())
        assert report["body"] in cover and report["fieldwork"] in cover
        assert "a total of 0 to 6 gives an overall rating of Inadequate" in " ".join(
            (p.extract_text() or "") for p in reader.pages).replace("\n", " ")
    board = PdfReader(str(library / "board" / "northmoor-rrb-accommodation-2024.pdf"))
    assert "Dunholme and Pike" in board.pages[0].extract_text()


def test_mappa_protocols_open_with_headings_and_tables(library):
    for year, frequency in ((2022, "eight weeks"), (2024, "six weeks")):
        d = docx.Document(str(library / "mappa" / f"northmoor-mappa-protocol-{year}.docx"))
        assert any(p.style.name == "Heading 1" for p in d.paragraphs)
        assert len(d.tables) == 3
        assert [c.text for c in d.tables[0].columns[0].cells][1:] == ["Category 1", "Category 2", "Category 3"]
        merged = d.tables[2].rows[0].cells
        assert merged[1].text == merged[2].text == "Attendance required at"
        assert frequency in d.tables[1].rows[2].cells[3].text


def test_html_and_markdown_carry_what_the_questions_ask(library):
    html = (library / "board" / "eastvale-csp-iom-performance-2024.html").read_text()
    assert 'rowspan="2">3/4</td>' in html and 'colspan="2"' in html and "cookie-banner" in html
    minutes = (library / "board" / "southerly-downs-rrb-minutes-2024-02.md").read_text()
    assert "**Minutes**" in minutes and "| Measure |" in minutes


def test_truth_ratings_follow_the_scoring_bands():
    rows = ratings_rows()
    assert len(rows) == 3 * (len(STANDARDS) + 1)
    for spec in fixed_reports():
        (band,) = [r for lo, hi, r in BANDS if lo <= spec.score <= hi]
        assert spec.overall == band
    assert {s.overall for s in fixed_reports()} == {"Good", "Requires improvement", "Inadequate"}
    assert any(r["rating"] == NOT_INSPECTED for r in rows)


def test_command_line_scale_is_deterministic_by_seed(tmp_path):
    def run(out: Path, seed: int) -> dict:
        proc = subprocess.run([sys.executable, "-m", "evals.library.generate", str(out), "--scale", "4",
                               "--seed", str(seed)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads((out / "truth.json").read_text())
    a, b, c = run(tmp_path / "a", 7), run(tmp_path / "b", 7), run(tmp_path / "c", 8)
    assert len(a["reports"]) == 4 and a == b and a["reports"][3] != c["reports"][3]
    assert a["reports"][:3] == c["reports"][:3]  # the fixed reports never depend on the seed
    bad = subprocess.run([sys.executable, "-m", "evals.library.generate", str(tmp_path / "d"), "--scale", "0"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--scale" in bad.stderr


def test_ratings_scorer_counts_only_exact_per_report_agreement(library):
    from evals.library.score_ratings import score

    truth = json.loads((library / "truth.json").read_text())
    perfect = [{"body": r["body"], "inspected": r["fieldwork"], "published": r["published"], "overall": r["overall"],
                "standards": r["ratings"], "citation": {"doc_id": r["doc_id"]}} for r in truth["reports"]]
    result = score(truth, perfect)
    assert (result["standards_right"], result["standards"], result["overall_right"], result["body_right"]) == (30, 30, 3, 3)
    # the scoring note read as the rating, plus a conflicting second row: wrong, never half right
    misread = [dict(row, overall="Inadequate") for row in perfect]
    misread[0] = dict(misread[0], standards={**perfect[0]["standards"], "2.2 Planning": "Good"})
    misread.append(dict(perfect[1], body="The PDU", standards={}))
    result = score(truth, misread)
    assert result["overall_right"] == 1  # only the report that really is Inadequate
    assert result["standards_right"] == 29 and result["body_right"] == 2


def _document_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if path.suffix == ".docx":
        d = docx.Document(str(path))
        rows = [" ".join(c.text for c in row.cells) for t in d.tables for row in t.rows]
        return "\n".join([p.text for p in d.paragraphs] + rows)
    if path.suffix == ".html":
        from bs4 import BeautifulSoup
        return BeautifulSoup(path.read_text(), "html.parser").get_text(" ")
    return path.read_text()


def test_question_set_names_library_documents_and_quotes_their_text(library):
    """Consistency of evals/questions/library.yaml with what the generator writes (not extraction quality):
    every source is a generated document, every quote and expected answer is in its text (scanned-page
    quotes excepted: they exist only as pixels)."""
    from assistant.evaluation.metrics import normalise
    from assistant.evaluation.questions import load_file

    _, questions = load_file(ROOT / "evals" / "questions" / "library.yaml")
    assert len(questions) >= 120 and sum(not q.answerable for q in questions) >= 15
    paths = {p.relative_to(library).with_suffix("").as_posix(): p for p in library.rglob("*")
             if p.is_file() and p.name not in ("manifest.yaml", "truth.json")}
    texts = {doc_id: normalise(_document_text(p)) for doc_id, p in paths.items()}
    for q in questions:
        if not q.answerable:
            continue
        assert set(q.expected_sources) <= set(paths), q.id
        if q.type == "scanned":
            assert not any(normalise(quote) in texts[d] for quote in q.expected_quote for d in q.expected_sources), q.id
            continue
        assert any(normalise(quote) in texts[d] for quote in q.expected_quote for d in q.expected_sources), q.id
        for needle in q.expected_answer_contains:
            assert any(normalise(needle) in texts[d] for d in q.expected_sources), (q.id, needle)
