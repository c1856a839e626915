"""The page layer of PDF reading: words with positions and fonts, ruled tables, and page images for OCR.

Words come from pypdfium2 (PDFium's text page: every character's box, font size and font name), not from
pdfplumber: on the scaled library pdfplumber's `extract_words` (pdfminer layout analysis) took 191 ms a page
and made parsing 27 % of parse + embed, where PDFium reads the same characters in a few ms a page
(benchmarks/RESULTS.md). pdfplumber's ruled-table finder is still the best table reader we have, so it runs
only on the pages whose drawing holds enough straight-line segments to rule a table.

A word is a dict shaped like pdfplumber's (`text`, `x0`, `x1`, `top`, `bottom` from the page's top, `size`,
`fontname`); as with pdfplumber's `extract_words(extra_attrs=["size", "fontname"])`, a change of font or
size ends a word, so a superscript footnote marker is a word of its own.

Tables are still found by pdfplumber's ruled-table finder (its TableFinder and Table.extract, unchanged), but
on the page's ruling lines and characters as PDFium reads them, not as pdfplumber reads them: pdfplumber
parses the whole page with pdfminer (every character turned into a dict) before it looks for a single line,
which made reading the pages of 106 scaled-library reports (1,700 pages, 259 ruled) take 41.3 s of CPU where
PDFium's segments and characters take 23.8 s, for the same tables on every ruled page (benchmarks/RESULTS.md). The segments are classified as pdfminer does (a
single-segment path is a line, a closed axis-aligned four-point path a rectangle, anything else a curve) and
turned into pdfplumber's edges by pdfplumber's own functions, so the finder sees what it would have seen.
A rotated page, or one whose media box does not start at the origin, still goes through pdfplumber.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

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


class _Ruling(NamedTuple):
    """What pdfplumber's table finder reads from a page ("lines" strategy): its edges, its characters (for the
    cells' text) and its box. Built from PDFium's objects by `_ruling`."""
    edges: list[dict]
    chars: list[dict]
    bbox: tuple


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
            ruled = segments >= MIN_RULE_SEGMENTS
            # pdfplumber's coordinates are those of an unrotated page whose media box starts at the origin; any
            # other page's tables are read by pdfplumber itself
            native = ruled and page.get_rotation() == 0 and tuple(page.get_mediabox())[:2] == (0, 0)
            textpage = page.get_textpage()
            chars: list[dict] | None = [] if native else None
            words = _words(textpage.raw, height, chars)
            textpage.close()
            ruling = _Ruling(_edges(page, height), chars or [], (0, 0, width, height)) if native else None
            page.close()
            pdf_page = PdfPage(i + 1, width, height, words, images, segments)
            if ruled:
                pdf_page.tables = self._tables(pdf_page, ruling)
                if pdf_page.tables:
                    pdf_page.words = [w for w in words if not any(inside(w, b) for b, _, _ in pdf_page.tables)]
            out.append(pdf_page)
        return out

    def _tables(self, page: PdfPage, ruling: _Ruling | None = None):
        """Ruled tables only (pdfplumber's lines strategy): text-aligned guesses split prose into cells."""
        plumber_page = None
        if ruling is not None:
            from pdfplumber.table import TableFinder, TableSettings

            tables = TableFinder(ruling, TableSettings.resolve(None)).tables  # type: ignore[arg-type]
            for t in tables:  # Table.extract tests every char of its page against every row: give it its own
                x0, top, x1, bottom = t.bbox
                own = [c for c in ruling.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                       and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
                t.page = ruling._replace(chars=own)  # type: ignore[assignment]
        else:
            import pdfplumber

            if self._plumber is None:
                self._plumber = pdfplumber.open(str(self.path))
            plumber_page = self._plumber.pages[page.number - 1]
            tables = plumber_page.find_tables()
        found = []
        for t in tables:
            grid = normalise_grid(_fill_merged(t.extract()))
            if not is_data_table(grid):
                continue
            first_top = t.rows[0].bbox[1] if t.rows else t.bbox[1]
            first_bottom = t.rows[0].bbox[3] if t.rows else t.bbox[3]
            head = [w for w in page.words if inside(w, t.bbox) and first_top - 1 <= w["top"] <= first_bottom]
            bold_first = bool(head) and all(is_bold(w["fontname"]) for w in head)
            found.append((t.bbox, grid, guess_header_rows(grid, bold_first)))
        if plumber_page is not None:
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


def _words(textpage, height: float, chars_out: list[dict] | None = None) -> list[dict]:
    """Characters -> words: a space, a gap over X_TOLERANCE, a new line, or a change of font or size ends one.
    With `chars_out`, every character the page's content draws (spaces included, PDFium's generated line breaks
    not) is appended to it as pdfplumber's char dict, for the table finder's cell text."""
    from pypdfium2 import raw

    rect = raw.FS_RECTF()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    words: list[dict] = []
    chars: list[str] = []
    cur: dict | None = None
    for i in range(raw.FPDFText_CountChars(textpage)):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if chars_out is not None and code >= 0x20 and raw.FPDFText_IsGenerated(textpage, i) != 1:
            chars_out.append(_char(textpage, i, code, height, rect))
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


def _char(textpage, i: int, code: int, height: float, rect) -> dict:
    """One character as pdfplumber's dict (the keys its Table.extract reads); its box as in `_words`."""
    from pypdfium2 import raw

    raw.FPDFText_GetLooseCharBox(textpage, i, rect)
    size = round(raw.FPDFText_GetFontSize(textpage, i), 2)
    bottom = height - rect.bottom
    text = " " if code in _SPACE else chr(code)
    return {"text": text, "x0": rect.left, "x1": rect.right, "top": bottom - size, "bottom": bottom,
            "doctop": bottom - size, "upright": raw.FPDFText_GetCharAngle(textpage, i) == 0, "size": size}


def _edges(page, height: float) -> list[dict]:
    """The page's path segments as pdfplumber's edges: each painted path split into subpaths and classified
    as pdfminer's PDFPageAggregator.paint_path does (line, rectangle or curve), then pdfplumber's
    line_to_edge / rect_to_edges / curve_to_edges."""
    from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

    edges: list[dict] = []
    for path in _paths(page.raw, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)):
        for shape, pts in path:
            if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:  # a redundant "l" before "h"
                shape, pts = shape[:-2] + "h", pts[:-1]
            top_pts = [(x, height - y) for x, y in pts]
            if shape in ("mlh", "ml"):
                (ax, ay), (bx, by) = pts[0], pts[1]
                edges.append(line_to_edge(_box("line", min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), height,
                                               top_pts)))
                continue
            if shape in ("mlllh", "mllll"):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
                if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                         or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
                    edges.extend(rect_to_edges(_box("rect", min(x0, x2), min(y0, y2), max(x0, x2), max(y0, y2),
                                                    height, top_pts)))
                    continue
            xs, ys = [x for x, _ in pts], [y for _, y in pts]
            edges.extend(curve_to_edges(_box("curve", min(xs), min(ys), max(xs), max(ys), height, top_pts)))
    return edges


def _box(kind: str, x0: float, y0: float, x1: float, y1: float, height: float, pts) -> dict:
    return {"object_type": kind, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": height - y1, "bottom": height - y0,
            "doctop": height - y1, "width": x1 - x0, "height": y1 - y0, "pts": pts}


def _paths(container, matrix: tuple, in_form: bool = False):
    """Per painted path object (forms descended into, their matrices applied): its subpaths as pdfminer
    builds them, each (shape, points) with shape like "mlllh" and one point per operator ("h": the start)."""
    from pypdfium2 import raw

    count = raw.FPDFFormObj_CountObjects(container) if in_form else raw.FPDFPage_CountObjects(container)
    m = raw.FS_MATRIX()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(count):
        obj = raw.FPDFFormObj_GetObject(container, k) if in_form else raw.FPDFPage_GetObject(container, k)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            continue
        raw.FPDFPageObj_GetMatrix(obj, m)
        om = _compose((m.a, m.b, m.c, m.d, m.e, m.f), matrix)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            yield from _paths(obj, om, True)
            continue
        raw.FPDFPath_GetDrawMode(obj, fill, stroke)
        if not fill.value and not stroke.value:
            continue
        subpaths: list[tuple[str, list]] = []
        pts: list[tuple[float, float]] = []
        shape, start, bezier = "", None, 0
        for j in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, j)
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            a, b, c, d, e, f = om
            pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            typ = raw.FPDFPathSegment_GetType(seg)
            if typ == raw.FPDF_SEGMENT_MOVETO:
                if shape:
                    subpaths.append((shape, pts))
                shape, pts, start, bezier = "m", [pt], pt, 0
            elif typ == raw.FPDF_SEGMENT_BEZIERTO:
                bezier += 1  # PDFium stores a curve as three points; pdfminer keeps its end point
                if bezier % 3 == 0:
                    shape, pts = shape + "c", pts + [pt]
            else:
                shape, pts = shape + "l", pts + [pt]
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                shape, pts = shape + "h", pts + [start]
        if shape:
            subpaths.append((shape, pts))
        yield [(sh, p) for sh, p in subpaths if sh.startswith("m") and len(sh) > 1]


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix applying `inner`, then `outer` (PDF's row-vector convention: inner x outer)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


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
