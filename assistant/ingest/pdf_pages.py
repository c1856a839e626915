"""The page layer of PDF reading: words with positions and fonts, ruled tables, and page images for OCR.

Words come from pypdfium2 (PDFium's text page: every character's box, font size and font name), not from
pdfplumber: on the scaled library pdfplumber's `extract_words` (pdfminer layout analysis) took 191 ms a page
and made parsing 27 % of parse + embed, where PDFium reads the same characters in a few ms a page
(benchmarks/RESULTS.md). pdfplumber's ruled-table finder is still the best table reader we have, so it runs
only on the pages whose drawing holds enough straight-line segments to rule a table.

A word is a dict shaped like pdfplumber's (`text`, `x0`, `x1`, `top`, `bottom` from the page's top, `size`,
`fontname`); as with pdfplumber's `extract_words(extra_attrs=["size", "fontname"])`, a change of font or
size ends a word, so a superscript footnote marker is a word of its own.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.tables import guess_header_rows, is_data_table, normalise_grid

if TYPE_CHECKING:
    import pdfplumber

X_TOLERANCE = 3.0  # points of horizontal gap that end a word (pdfplumber's default)
Y_TOLERANCE = 3.0  # points of vertical jump that end a word (a new line)
MIN_RULE_SEGMENTS = 8  # path segments on a page before the table finder runs (a 2x2 ruled grid has 12+)
_BOLD = ("bold", "black", "heavy", "semibold", "demi")
_SPACE = {0x20, 0x09, 0x0A, 0x0D, 0xA0, 0x2002, 0x2003, 0x2009, 0xFFFE}


@dataclass
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    words: list[dict]
    has_images: bool
    rule_segments: int
    tables: list[tuple[tuple, list[list[str]], int]] = field(default_factory=list)  # (bbox, grid, header rows)


def is_bold(fontname: str) -> bool:
    return any(b in fontname.lower() for b in _BOLD)


def inside(word: dict, bbox: tuple) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


class PdfFile:
    """An open PDF: `pages()` reads every page's words; tables and page images on demand."""

    def __init__(self, path: Path):
        import pypdfium2

        self.path = path
        self.doc = pypdfium2.PdfDocument(str(path))
        self._plumber: pdfplumber.PDF | None = None

    def __enter__(self) -> PdfFile:
        return self

    def __exit__(self, *exc) -> None:
        if self._plumber is not None:
            self._plumber.close()
        self.doc.close()

    def __len__(self) -> int:
        return len(self.doc)

    def pages(self) -> list[PdfPage]:
        out = []
        for i in range(len(self.doc)):
            page = self.doc[i]
            width, height = page.get_size()
            images, segments = _drawing(page)
            textpage = page.get_textpage()
            words = _words(textpage.raw, height)
            textpage.close()
            page.close()
            pdf_page = PdfPage(i + 1, width, height, words, images, segments)
            if segments >= MIN_RULE_SEGMENTS:
                pdf_page.tables = self._tables(pdf_page)
                if pdf_page.tables:
                    pdf_page.words = [w for w in words if not any(inside(w, b) for b, _, _ in pdf_page.tables)]
            out.append(pdf_page)
        return out

    def _tables(self, page: PdfPage):
        """Ruled tables only (pdfplumber's lines strategy): text-aligned guesses split prose into cells."""
        import pdfplumber

        if self._plumber is None:
            self._plumber = pdfplumber.open(str(self.path))
        plumber_page = self._plumber.pages[page.number - 1]
        found = []
        for t in plumber_page.find_tables():
            grid = normalise_grid(_fill_merged(t.extract()))
            if not is_data_table(grid):
                continue
            first_top = t.rows[0].bbox[1] if t.rows else t.bbox[1]
            first_bottom = t.rows[0].bbox[3] if t.rows else t.bbox[3]
            head = [w for w in page.words if inside(w, t.bbox) and first_top - 1 <= w["top"] <= first_bottom]
            bold_first = bool(head) and all(is_bold(w["fontname"]) for w in head)
            found.append((t.bbox, grid, guess_header_rows(grid, bold_first)))
        plumber_page.close()
        return found

    def render(self, number: int, edge_share: float, dpi: int = 200):
        """The page as a PIL image at `dpi`, without its top and bottom `edge_share` (header and footer)."""
        page = self.doc[number - 1]
        _, height = page.get_size()
        cut = edge_share * height
        image = page.render(scale=dpi / 72, crop=(0, cut, 0, cut)).to_pil()
        page.close()
        return image


def _drawing(page) -> tuple[bool, int]:
    """(has an image, number of straight path segments): what decides OCR and the table finder."""
    from pypdfium2 import raw

    images = False
    segments = 0
    for obj in page.get_objects(max_depth=2):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            images = True
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            segments += max(0, raw.FPDFPath_CountSegments(obj.raw))
    return images, segments


def _words(textpage, height: float) -> list[dict]:
    """Characters -> words: a space, a gap over X_TOLERANCE, a new line, or a change of font or size ends one."""
    from pypdfium2 import raw

    rect = raw.FS_RECTF()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    words: list[dict] = []
    chars: list[str] = []
    cur: dict | None = None
    for i in range(raw.FPDFText_CountChars(textpage)):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code in _SPACE or raw.FPDFText_IsGenerated(textpage, i) == 1 or code < 0x20:
            if cur is not None:
                cur["text"] = "".join(chars)
                words.append(cur)
                cur = None
            continue
        raw.FPDFText_GetLooseCharBox(textpage, i, rect)
        size = round(raw.FPDFText_GetFontSize(textpage, i), 2)
        # pdfminer's box (as pdfplumber gives it): from the font's descent, one font size tall; PDFium's loose
        # box is ascent to descent (1.17 em for Helvetica), which makes lines of a column overlap their neighbours
        x0, x1, bottom = rect.left, rect.right, height - rect.bottom
        top = bottom - size
        if cur is not None and (size != cur["size"] or abs(top - cur["top"]) > Y_TOLERANCE
                                or x0 - cur["x1"] > X_TOLERANCE or x0 < cur["x0"] - X_TOLERANCE):
            cur["text"] = "".join(chars)
            words.append(cur)
            cur = None
        if cur is not None:
            raw.FPDFText_GetFontInfo(textpage, i, name, len(name), flags)
            if name.value != cur["_font"]:
                cur["text"] = "".join(chars)
                words.append(cur)
                cur = None
        if cur is None:
            raw.FPDFText_GetFontInfo(textpage, i, name, len(name), flags)
            font = name.value
            cur = {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "size": size, "_font": font,
                   "fontname": font.decode("latin-1", "replace")}
            chars = []
        chars.append(chr(code))
        cur["x1"] = max(cur["x1"], x1)
        cur["top"] = min(cur["top"], top)
        cur["bottom"] = max(cur["bottom"], bottom)
    if cur is not None:
        cur["text"] = "".join(chars)
        words.append(cur)
    for w in words:
        del w["_font"]
    return words


def _fill_merged(raw: list[list]) -> list[list[str]]:
    """pdfplumber gives None for positions a merged cell covers: repeat the header to the right, the row
    label downwards; other covered cells stay empty."""
    grid = [list(r) for r in raw]
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            if cell is None:
                if i == 0 and j > 0:
                    row[j] = row[j - 1]
                elif j == 0 and i > 0:
                    row[j] = grid[i - 1][0]
                else:
                    row[j] = ""
    return grid
