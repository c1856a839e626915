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


def _draw_tables(path) -> None:
    """Ruled tables as reportlab draws them: a platypus grid with a shaded header, a spanned cell and a wrapped
    cell; the same grid inside a form XObject placed by a translation; and a rotated page."""
    from reportlab.lib import colors
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Table, TableStyle

    def grid():
        wrapped = Paragraph("1.2 Staff, who said caseloads were too high", getSampleStyleSheet()["BodyText"])
        t = Table([["Standard", "Rating", "Score"], ["1.1 Leadership", "Good", "2"],
                   [wrapped, "Requires improvement", "1"],
                   ["Overall", "Requires improvement", ""]], colWidths=[150, 120, 60])
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightblue), ("SPAN", (1, 3), (2, 3))]))
        t.wrapOn(c, 400, 400)
        return t

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(72, 780, "Table 1: ratings")
    grid().drawOn(c, 72, 600)
    c.showPage()
    c.beginForm("ratings")
    grid().drawOn(c, 0, 0)
    c.endForm()
    c.saveState()
    c.translate(90, 500)
    c.doForm("ratings")
    c.restoreState()
    c.showPage()
    c.setPageRotation(90)
    grid().drawOn(c, 72, 600)
    c.showPage()
    c.save()


def test_tables_from_pdfium_segments_are_pdfplumbers_tables(tmp_path, monkeypatch):
    """The table finder fed with PDFium's segments and characters finds what pdfplumber's own page parse finds
    (same grid, header rows and box), for a plain grid, a grid in a form XObject and a rotated page."""
    _draw_tables(tmp_path / "t.pdf")
    real = PdfFile._tables
    native: list[bool] = []

    def spy(self, page, ruling=None):
        native.append(ruling is not None)
        return real(self, page, ruling)

    monkeypatch.setattr(PdfFile, "_tables", spy)
    with PdfFile(tmp_path / "t.pdf") as pdf:
        fast = pdf.pages()
    assert native == [True, True, False]  # the rotated page is left to pdfplumber
    monkeypatch.setattr(PdfFile, "_tables", lambda self, page, ruling=None: real(self, page, None))
    with PdfFile(tmp_path / "t.pdf") as pdf:
        slow = pdf.pages()
    assert [len(p.tables) for p in fast] == [1, 1, 1]
    assert fast[0].tables[0][1][2] == ["1.2 Staff, who said caseloads were too high", "Requires improvement", "1"]
    assert any(w["text"] == "Table" for w in fast[0].words) and not any(w["text"] == "Leadership" for w in fast[0].words)
    assert fast[0].tables[0][1][3] == ["Overall", "Requires improvement", ""]  # spanned: only a header repeats
    for f, s in zip(fast, slow, strict=True):
        assert [(t[1], t[2]) for t in f.tables] == [(t[1], t[2]) for t in s.tables]
        assert all(abs(a - b) < 1e-3 for ft, st in zip(f.tables, s.tables, strict=True) for a, b in zip(ft[0], st[0], strict=True))
        assert f.words == s.words
