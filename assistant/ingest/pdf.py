"""Layout-aware PDF reading: words with positions and fonts become typed blocks.

Plain text extraction (pypdf) loses what the page shows: which lines are headings, which are the
running header and page number, where the footnotes are, that a page has two columns, that a grid
of numbers is a table. pypdfium2 gives every word's box, font and size and pdfplumber finds ruled tables
(assistant/ingest/pdf_pages.py), so:

- headings are lines set larger than the body text, or wholly bold and short: they become `section`;
- lines near the top or bottom edge that recur on many pages (digits ignored), and page numbers, are dropped;
- lines with dot leaders ("Ratings ........ 4") are contents entries and are dropped;
- small-type numbered lines at the foot of a page are footnotes; their superscript markers are taken
  out of the text and the note is attached to the paragraph that cites it;
- a page whose lines split at the middle is read left column, then right column;
- ruled tables become Table blocks (assistant/ingest/tables.py), their words kept out of the prose;
- a page with no text layer is reported, and read by OCR when OCR is available (assistant/ingest/ocr.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.clean import _PAGE_NUMBER_RE, Block
from assistant.ingest.pdf_blocks import BlockBuilder, Line
from assistant.ingest.pdf_pages import PdfFile, PdfPage, is_bold

EDGE_SHARE = 0.09  # top and bottom 9 % of the page: where running headers, footers and page numbers sit
GUTTER_MIN = 12  # points of white space at the page's middle that make a line two columns


@dataclass
class PdfContent:
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)        # "page 7 has no text layer; OCR used"
    scanned_pages: list[int] = field(default_factory=list)
    page_count: int = 0
    title: str | None = None  # the first page's headline (largest type), when it is set larger than the body


def read_pdf(path: Path, ocr=None, no_ocr_reason: str = "OCR is off", budget=None) -> PdfContent:
    """`ocr`: a callable(PIL image) -> text, or None when OCR is off/unavailable (then the page is reported).
    `budget` (assistant.ingest.limits.ParseBudget), when given, is ticked page by page."""
    scanned: list[int] = []
    with PdfFile(path) as pdf:
        pages = pdf.pages()
        body_size = _body_size(w for p in pages for w in p.words)
        lines_by_page = [_page_lines(p, body_size) for p in pages]
        running = _running_keys(lines_by_page, [p.height for p in pages])
        reader = BlockBuilder(body_size)
        notes: list[str] = []
        title = None
        for page, lines in zip(pages, lines_by_page, strict=False):
            if budget is not None:
                budget.tick(page.number)
            lines = [ln for ln in lines if not _is_furniture(ln, page.height, running)]
            if sum(len(ln.text.split()) for ln in lines) < 3 and not page.tables and (page.has_images or not lines):
                scanned.append(page.number)
                # drawn at 200 dpi without the edges: header, footer and page number are furniture, whether in
                # a text layer or in the scanned image
                text = ocr(pdf.render(page.number, EDGE_SHARE)) if ocr is not None else None
                if text and text.strip():
                    notes.append(f"page {page.number} has no text layer; OCR used")
                    reader.add_ocr_page(page.number, text)
                else:
                    why = no_ocr_reason if ocr is None else "OCR found no text"
                    notes.append(f"page {page.number} has no text layer; not searchable ({why})")
                continue
            if title is None:
                title = headline(lines, body_size) or ""
            reader.add_page(page.number, page.height, lines, page.tables)
    return PdfContent(blocks=reader.finish(), notes=notes, scanned_pages=scanned, page_count=len(pages),
                      title=title or None)


HEADLINE_MIN = 1.35  # times the body size: a title, not a bold label line ("HM Inspectorate of Probation")


def headline(lines: list[Line], body_size: float) -> str | None:
    """The document's title as its first page shows it: the largest line, with the lines of the same size
    next to it (a title wrapped over two lines), when set clearly larger than the body text. The first line
    of the page is often the publisher ("HM Inspectorate of Probation", "PRESS RELEASE") and a press
    release's headline sits under it; titled by that first line, every passage of the release lacked the
    premises it is about (blind test, evals/blind)."""
    sized = [ln for ln in lines if ln.column == 0 and len(ln.text.split()) >= 2]
    if not sized:
        return None
    top = max(sized, key=lambda ln: ln.size)
    if top.size < HEADLINE_MIN * body_size:
        return None
    i = lines.index(top)
    j = i
    while j + 1 < len(lines) and abs(lines[j + 1].size - top.size) < 0.6:
        j += 1
    text = " ".join(ln.text.strip() for ln in lines[i:j + 1])
    return text if len(text) <= 160 else None


# --- words, lines, furniture -------------------------------------------------------------------

def _body_size(words) -> float:
    sizes: Counter[float] = Counter()
    for w in words:
        sizes[round(w["size"] * 2) / 2] += len(w["text"])
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _group_lines(words: list[dict]) -> list[list[dict]]:
    """Words whose vertical middle falls inside a line's band join it (superscripts included)."""
    lines: list[list[dict]] = []
    bands: list[list[float]] = []
    for w in sorted(words, key=lambda w: (w["bottom"], w["x0"])):
        mid = (w["top"] + w["bottom"]) / 2
        placed = False
        for band, line in zip(reversed(bands), reversed(lines), strict=False):
            if band[0] - 0.5 <= mid <= band[1] + 0.5:
                line.append(w)
                if w["size"] > 0.8 * max(x["size"] for x in line):
                    band[0], band[1] = min(band[0], w["top"]), max(band[1], w["bottom"])
                placed = True
                break
            if band[1] < w["top"] - 20:
                break
        if not placed:
            lines.append([w])
            bands.append([w["top"], w["bottom"]])
    return _attach_stray_markers([sorted(line, key=lambda w: w["x0"]) for line in lines])


_MARKER_RE = re.compile(r"\d{1,3}(?:,\d{1,3})*")


def _attach_stray_markers(lines: list[list[dict]]) -> list[list[dict]]:
    """A superscript marker raised so far that its middle falls between two lines forms a "line" of its own;
    it joins the line whose word ends right where it starts (then `_make_line` takes it out as a marker)."""
    out = []
    for line in lines:
        w = line[0]
        if len(line) == 1 and _MARKER_RE.fullmatch(w["text"]):
            hosts = [other for other in lines if other is not line and any(0 <= w["x0"] - x["x1"] < 3 and
                     x["size"] * 0.85 > w["size"] and 0 < x["bottom"] - w["bottom"] < x["size"] for x in other)]
            if hosts:
                hosts[0].append(w)
                hosts[0].sort(key=lambda x: x["x0"])
                continue
        out.append(line)
    return out


def _make_line(words: list[dict], page: int, body_size: float, column: int = 0) -> Line | None:
    kept: list[dict] = []
    markers: list[str] = []
    main = max(w["size"] for w in words)
    for w in words:
        prev = kept[-1] if kept else None
        if (prev is not None and re.fullmatch(r"\d{1,3}(?:,\d{1,3})*", w["text"]) and w["size"] < 0.85 * main
                and w["x0"] - prev["x1"] < 3 and w["bottom"] < prev["bottom"] - 0.5):
            markers.extend(w["text"].split(","))  # a superscript footnote marker, not a word
            continue
        kept.append(w)
    if not kept:
        return None
    chars: Counter[float] = Counter()  # characters per font size
    bold = 0
    for w in kept:
        chars[round(w["size"] * 2) / 2] += len(w["text"])
        bold += len(w["text"]) if is_bold(w["fontname"]) else 0
    total = sum(chars.values())
    return Line(text=_words_text(kept), size=chars.most_common(1)[0][0], bold=bold >= 0.9 * total,
                x0=min(w["x0"] for w in kept), x1=max(w["x1"] for w in kept), top=min(w["top"] for w in kept),
                bottom=max(w["bottom"] for w in kept), page=page, column=column, markers=markers)


def _words_text(words: list[dict]) -> str:
    """Words joined as the page sets them: a word that touches the one before (a bold term and the regular
    colon after it, "programme" + ":") joins without a space."""
    out = words[0]["text"]
    for prev, w in zip(words, words[1:], strict=False):
        touching = w["x0"] - prev["x1"] < 0.1 * min(w["size"], prev["size"])
        out += w["text"] if touching else " " + w["text"]
    return out


def _page_lines(page: PdfPage, body_size: float) -> list[Line]:
    """Lines in reading order: a run of lines that split at the page's middle is read column by column."""
    groups = _group_lines(page.words)
    mid = page.width / 2

    def split(line_words):
        """(left, right) when a gutter of GUTTER_MIN points or more lies near the middle, else None."""
        if all(w["x1"] <= mid + 20 for w in line_words) or all(w["x0"] >= mid - 20 for w in line_words):
            return ([w for w in line_words if w["x1"] <= mid + 20], [w for w in line_words if w["x0"] >= mid - 20
                                                                      and w["x1"] > mid + 20])
        for a, b in zip(line_words, line_words[1:], strict=False):
            if a["x1"] <= mid + 20 and b["x0"] >= mid - 20 and b["x0"] - a["x1"] >= GUTTER_MIN:
                i = line_words.index(b)
                return line_words[:i], line_words[i:]
        return None

    splits = [split(g) for g in groups]
    two_sided = [i for i, s in enumerate(splits) if s is not None and s[0] and s[1] and not _edge(groups[i], page.height)]
    out: list[Line] = []
    if len(two_sided) >= 3 and len(two_sided) >= 0.3 * len(groups):
        lo, hi = two_sided[0], two_sided[-1]
        # widen the zone to single-sided lines next to it (a column that ends early)
        while lo > 0 and splits[lo - 1] is not None and not _edge(groups[lo - 1], page.height):
            lo -= 1
        while hi < len(groups) - 1 and splits[hi + 1] is not None and not _edge(groups[hi + 1], page.height):
            hi += 1
        before = [_make_line(g, page.number, body_size) for g in groups[:lo]]
        # a line crossing the middle inside the zone (rare: a wide cell or figure label) reads with the left column
        left = [_make_line(splits[i][0] if splits[i] else groups[i], page.number, body_size, 1)
                for i in range(lo, hi + 1) if splits[i] is None or splits[i][0]]
        right = [_make_line(splits[i][1], page.number, body_size, 2) for i in range(lo, hi + 1)
                 if splits[i] is not None and splits[i][1]]
        after = [_make_line(g, page.number, body_size) for g in groups[hi + 1:]]
        out = [ln for ln in before + left + right + after if ln is not None]
    else:
        out = [ln for ln in (_make_line(g, page.number, body_size) for g in groups) if ln is not None]
    return out


def _edge(words: list[dict], height: float, share: float = 0.05) -> bool:
    """In the outer 5 %: where a running header or footer, never a column, sits."""
    top = min(w["top"] for w in words)
    return top < share * height or top > (1 - share) * height


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _running_keys(lines_by_page: list[list[Line]], heights: list[float]) -> set[str]:
    """Edge lines that recur on at least a third of the pages (and on 2+ pages): running headers and footers."""
    counts: Counter[str] = Counter()
    for lines, height in zip(lines_by_page, heights, strict=False):
        counts.update({_edge_key(ln.text) for ln in lines
                       if ln.top < EDGE_SHARE * height or ln.bottom > (1 - EDGE_SHARE) * height})
    threshold = max(2, int(0.3 * len(lines_by_page)))
    return {k for k, c in counts.items() if c >= threshold}


def _is_furniture(line: Line, height: float, running: set[str]) -> bool:
    at_edge = line.top < EDGE_SHARE * height or line.bottom > (1 - EDGE_SHARE) * height
    return at_edge and (_edge_key(line.text) in running or bool(_PAGE_NUMBER_RE.match(line.text)))


