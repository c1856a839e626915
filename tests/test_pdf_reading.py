"""PDF page reading details on tiny PDFs drawn here (reportlab): superscript markers between lines, fonts."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from assistant.ingest.pdf import read_pdf
from assistant.ingest.pdf_pages import PdfFile


def _draw(path, marker_rise: float) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 700
    c.setFont("Helvetica-Bold", 12)
    c.drawString(72, y + 40, "Reoffending")
    c.setFont("Helvetica", 10)
    c.drawString(72, y + 13.5, "1.1 The unit supervises about four thousand people and has cut its rates of")
    c.drawString(72, y, "reoffending.")
    end = 72 + c.stringWidth("reoffending.", "Helvetica", 10)
    c.setFont("Helvetica", 6)
    c.drawString(end + 0.5, y + marker_rise, "1")
    c.setFont("Helvetica", 10)
    c.drawString(72, y - 13.5, "Staff said the new rota made their caseloads fairer than before.")
    c.setFont("Helvetica", 8)
    c.drawString(72, 90, "1 Proven reoffending within twelve months of release.")
    c.showPage()
    c.save()


def test_words_carry_font_size_and_weight(tmp_path):
    _draw(tmp_path / "a.pdf", 4)
    with PdfFile(tmp_path / "a.pdf") as pdf:
        words = pdf.pages()[0].words
    head = next(w for w in words if w["text"] == "Reoffending")
    body = next(w for w in words if w["text"] == "reoffending.")
    assert head["size"] == 12 and "Bold" in head["fontname"] and body["size"] == 10 and "Bold" not in body["fontname"]


def test_a_marker_raised_between_two_lines_is_still_taken_out_and_its_note_attached(tmp_path):
    for rise in (3.5, 7.5):  # 7.5: the marker's middle lies between its line and the line above
        _draw(tmp_path / "m.pdf", rise)
        blocks = read_pdf(tmp_path / "m.pdf").blocks
        para = next(b for b in blocks if b.number == "1.1")
        assert "rates of reoffending." in para.text and "reoffending.1" not in para.text, rise
        assert not any(b.text.strip() == "1" for b in blocks), rise
        assert para.notes == ["Footnote 1: Proven reoffending within twelve months of release."], rise
