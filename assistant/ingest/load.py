"""Read a file into typed blocks (headings, paragraphs, bullets, tables), each with its page where the format has pages.

One entry point, `load_document`; the per-format readers live beside it (pdf*.py, html.py, markdown.py)."""

from __future__ import annotations

import re
from pathlib import Path

SUPPORTED_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}


class LoadError(Exception):
    """A file that cannot be read: the message says why, in words a user can act on."""


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise LoadError("the file looks binary, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError("the text is in an unreadable encoding (not UTF-8 or Windows-1252)")


class LoadedDocument:
    """What a file holds, as blocks ready for chunking, plus what the reader has to tell the user."""

    def __init__(self, blocks, notes: list[str] | None = None, title: str | None = None,
                 scanned_pages: list[int] | None = None):
        self.blocks = blocks
        self.notes = notes or []
        self.title = title
        self.scanned_pages = scanned_pages or []


def load_document(path: Path, max_bytes: int | None = None, ocr_setting: str | None = "auto",
                  budget=None) -> LoadedDocument:
    """PDF (layout-aware), DOCX (body in order, tables kept), HTML (main content only), Markdown and text.
    `budget` (assistant.ingest.limits.ParseBudget) is ticked page by page in a PDF: over it, the parse stops."""
    from assistant.ingest.clean import clean_pages

    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    size = path.stat().st_size
    if size == 0:
        raise LoadError("the file is empty")
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB")
    if suffix == ".pdf":
        doc = _read_pdf_blocks(path, ocr_setting, budget)
    elif suffix == ".docx":
        doc = LoadedDocument(_docx_blocks(path))
    elif suffix in (".html", ".htm"):
        from assistant.ingest.html import html_blocks

        blocks, title = html_blocks(_read_text(path))
        doc = LoadedDocument(blocks, title=title)
    elif suffix in (".md", ".markdown"):
        from assistant.ingest.markdown import markdown_blocks

        doc = LoadedDocument(markdown_blocks(_read_text(path)))
    else:
        doc = LoadedDocument(clean_pages([(None, _read_text(path))]))
    if not any(b.text.strip() or b.table is not None for b in doc.blocks):
        if doc.scanned_pages:
            raise LoadError("no text could be extracted: " + "; ".join(doc.notes))
        raise LoadError("no text could be extracted")
    return doc


def _read_pdf_blocks(path: Path, ocr_setting: str | None, budget=None) -> LoadedDocument:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException
    from pypdfium2 import PdfiumError

    from assistant.ingest.ocr import ocr_for, ocr_unavailable_reason
    from assistant.ingest.pdf import read_pdf

    try:
        content = read_pdf(path, ocr_for(ocr_setting), ocr_unavailable_reason(ocr_setting), budget=budget)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise LoadError("the PDF is encrypted") from exc
    except (PdfminerException, PdfiumError, PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise LoadError("the PDF is encrypted") from exc
        raise LoadError(f"the PDF could not be read ({cause.__class__.__name__}: {cause})") from exc
    return LoadedDocument(content.blocks, notes=content.notes, scanned_pages=content.scanned_pages,
                          title=content.title)


_HEADING_STYLE = ("heading", "title", "subtitle")


def _docx_blocks(path: Path):
    """Paragraphs and tables in body order; heading styles (or a short all-bold paragraph) become sections;
    explicit page breaks count pages."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    from assistant.ingest.clean import _BULLET_RE, _NUMBERED_RE, Block
    from assistant.ingest.tables import Table, docx_grid, guess_header_rows, is_data_table, normalise_grid

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"the DOCX could not be read ({exc.__class__.__name__})") from exc
    blocks: list[Block] = []
    section: str | None = None
    page = 1
    any_break = False
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            grid = normalise_grid(docx_grid(DocxTable(child, document)))
            if not grid:
                continue
            if not is_data_table(grid):  # a one-row or one-column "table" used for layout: keep its text
                blocks.append(Block(kind="text", text=" ".join(c for r in grid for c in r if c), page=page,
                                    section=section))
                continue
            caption = None
            if blocks and blocks[-1].kind == "text" and re.match(r"^(table|figure)\s+\w+", blocks[-1].text, re.I):
                caption = blocks.pop().text
            first_bold = _docx_row_bold(DocxTable(child, document))
            table = Table(rows=grid, header_rows=guess_header_rows(grid, first_bold), caption=caption,
                          section=section, page=page)
            blocks.append(Block(kind="table", text=caption or section or "Table", page=page, section=section,
                                table=table))
            continue
        if child.tag != qn("w:p"):
            continue
        para = Paragraph(child, document)
        breaks = sum(1 for br in child.iter(qn("w:br")) if br.get(qn("w:type")) == "page")
        text = " ".join(para.text.split())
        style = (para.style.name or "").lower() if para.style is not None else ""
        if text:
            runs = [r for r in para.runs if r.text.strip()]
            all_bold = bool(runs) and all(r.bold for r in runs)
            if style.startswith(_HEADING_STYLE) or (all_bold and len(text.split()) <= 12 and not text.endswith(".")):
                section = text
                blocks.append(Block(kind="heading", text=text, page=page, section=section))
            elif style.startswith("list") or _BULLET_RE.match(text):
                blocks.append(Block(kind="bullet", text=_BULLET_RE.sub("", text), page=page, section=section, level=1))
            elif m := _NUMBERED_RE.match(text):
                blocks.append(Block(kind="para", text=text[m.end():], page=page, section=section, number=m.group(1)))
            else:
                blocks.append(Block(kind="text", text=text, page=page, section=section))
        if breaks:
            any_break = True
            page += breaks
    if not any_break:
        for b in blocks:
            b.page = None
            if b.table is not None:
                b.table.page = None
    return blocks


def _docx_row_bold(table) -> bool | None:
    try:
        runs = [r for c in table.rows[0].cells for p in c.paragraphs for r in p.runs if r.text.strip()]
    except IndexError:
        return None
    return bool(runs) and all(r.bold for r in runs) if runs else None
