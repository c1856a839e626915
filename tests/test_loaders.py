"""PDF, DOCX and HTML versions of real corpus text, built at test time, come back as the same text."""

import re

import pytest

from assistant.ingest.load import LoadError, load_document
from tests.conftest import CORPUS

PRESS = (CORPUS / "hmip-midlands-nps-press-release-2018.txt").read_text(encoding="utf-8")
PARAGRAPHS = [p.strip() for p in PRESS.split("ENDS")[0].split("\n\n") if p.strip() and "•" not in p][1:9]
HEADER = "HM Inspectorate of Probation | NPS Midlands press release"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def clean_text(path):
    return " ".join(b.text for b in load_document(path).blocks)


def test_pdf_keeps_pages_and_drops_header_footer_and_page_numbers(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    path = tmp_path / "press.pdf"

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, A4[1] - 40, HEADER)
        canvas.drawString(A4[0] / 2, 30, str(doc.page))
        canvas.restoreState()

    styles = getSampleStyleSheet()
    story = []
    for i, para in enumerate(PARAGRAPHS):
        story.append(Paragraph(para, styles["BodyText"]))
        if i % 2 == 1:
            story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=decorate, onLaterPages=decorate)

    blocks = load_document(path, ocr_setting="off").blocks
    assert {b.page for b in blocks} == {1, 2, 3, 4}
    text = " ".join(b.text for b in blocks)
    assert HEADER not in text
    assert words(text) == words(" ".join(PARAGRAPHS))
    workloads = next(b for b in blocks if b.text.startswith("Workloads were too high"))
    assert workloads.page == 3


def test_docx_body_without_header_and_footer(tmp_path):
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER
    section.footer.paragraphs[0].text = "Page 1"
    document.add_heading("Midlands NPS rated good", level=1)
    for i, para in enumerate(PARAGRAPHS):
        p = document.add_paragraph(para)
        if i == 3:
            p.add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Workloads are monitored monthly", style="List Bullet")
    path = tmp_path / "press.docx"
    document.save(str(path))

    blocks = load_document(path).blocks
    assert {b.page for b in blocks} == {1, 2}
    text = " ".join(b.text for b in blocks)
    assert HEADER not in text and "Page 1" not in text
    assert words(text) == words("Midlands NPS rated good " + " ".join(PARAGRAPHS) + " Workloads are monitored monthly")
    assert blocks[-1].kind == "bullet"


def test_html_drops_navigation_and_keeps_structure(tmp_path):
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (f"<html><head><title>x</title><style>p {{color: red}}</style></head><body>"
            f"<header>{HEADER}</header><nav><a href='/'>Home</a></nav><h1>Midlands NPS rated good</h1>{body}"
            f"<ol><li>Fieldwork took place in August 2018.</li></ol><footer>Page 1</footer>"
            f"<script>var x = 1;</script></body></html>")
    path = tmp_path / "press.html"
    path.write_text(html, encoding="utf-8")
    blocks = load_document(path).blocks
    text = " ".join(b.text for b in blocks)
    assert words(text) == words("Midlands NPS rated good " + " ".join(PARAGRAPHS) + " Fieldwork took place in August 2018.")
    assert blocks[0].kind == "heading"
    assert blocks[-1].kind == "bullet" and blocks[-1].text.startswith("Fieldwork took place")  # an <ol> item


def test_markdown_and_cp1252_text(tmp_path):
    md = tmp_path / "note.md"
    md.write_text("# MAPPA levels\n\nLevel 3 cases need senior oversight.\n", encoding="utf-8")
    assert "Level 3 cases need senior oversight." in clean_text(md)
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Her Majesty\x92s Inspectorate of Probation rated it \x93good\x94.".encode("latin-1"))
    assert "Her Majesty’s Inspectorate" in clean_text(legacy)


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02" * 100, "binary"),
    ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF could not be read"),
    ("broken.docx", b"PK\x03\x04 not a zip", "DOCX could not be read"),
    ("image.png", b"\x89PNG\r\n", "unsupported file type"),
])
def test_bad_files_raise_load_error_with_a_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        load_document(path)


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(LoadError, match="limit"):
        load_document(path, max_bytes=100)
