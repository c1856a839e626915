"""Layout-aware PDF reading: words with positions and fonts (pdfplumber) become typed blocks.

Plain text extraction (pypdf) loses what the page shows: which lines are headings, which are the
running header and page number, where the footnotes are, that a page has two columns, that a grid
of numbers is a table. pdfplumber gives every word's box, font and size, and finds ruled tables, so:

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

from assistant.ingest.clean import _BULLET_RE, _NUMBERED_RE, _PAGE_NUMBER_RE, Block, _join, clean_pages
from assistant.ingest.tables import Table, guess_header_rows, is_data_table, normalise_grid

EDGE_SHARE = 0.09  # top and bottom 9 % of the page: where running headers, footers and page numbers sit
_LEADER_RE = re.compile(r"(?:\.\s?){6,}\s*\d{0,4}\s*$|…{2,}\s*\d{0,4}\s*$")
GUTTER_MIN = 12  # points of white space at the page's middle that make a line two columns
_CONTENTS_RE = re.compile(r"^(?:table\s+of\s+)?contents$", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:table|figure|chart)\s+\w+", re.IGNORECASE)
_FOOTNOTE_START = re.compile(r"^(\d{1,3})\s+(\S.*)$")
_BOLD = ("bold", "black", "heavy", "semibold", "demi")


@dataclass
class Line:
    text: str
    size: float
    bold: bool
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    column: int = 0
    markers: list[str] = field(default_factory=list)


@dataclass
class PdfContent:
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)        # "page 7 has no text layer; OCR used"
    scanned_pages: list[int] = field(default_factory=list)
    page_count: int = 0


def read_pdf(path: Path, ocr=None, no_ocr_reason: str = "OCR is off") -> PdfContent:
    """`ocr`: a callable(PIL image) -> text, or None when OCR is off/unavailable (then the page is reported)."""
    import pdfplumber

    pages_words: list[tuple[object, list[dict], list[tuple[tuple, list[list[str]], int]]]] = []
    scanned: list[int] = []
    with pdfplumber.open(str(path)) as pdf:
        n_pages = len(pdf.pages)
        for page in pdf.pages:
            words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False)
            tables = _find_tables(page, words)
            if tables:
                words = [w for w in words if not any(_inside(w, bbox) for bbox, _, _ in tables)]
            pages_words.append((page, words, tables))
        body_size = _body_size(w for _, ws, _ in pages_words for w in ws)
        lines_by_page = [_page_lines(page, ws, body_size) for page, ws, _ in pages_words]
        running = _running_keys(lines_by_page, [p.height for p, _, _ in pages_words])
        reader = _BlockBuilder(body_size)
        notes: list[str] = []
        for (page, words, tables), lines in zip(pages_words, lines_by_page):
            lines = [ln for ln in lines if not _is_furniture(ln, page.height, running)]
            if sum(len(ln.text.split()) for ln in lines) < 3 and not tables and (page.images or not lines):
                scanned.append(page.page_number)
                text = _ocr_page(page, ocr) if ocr is not None else None
                if text and text.strip():
                    notes.append(f"page {page.page_number} has no text layer; OCR used")
                    reader.add_ocr_page(page.page_number, text)
                else:
                    why = no_ocr_reason if ocr is None else "OCR found no text"
                    notes.append(f"page {page.page_number} has no text layer; not searchable ({why})")
                continue
            reader.add_page(page.page_number, page.height, lines, tables)
    return PdfContent(blocks=reader.finish(), notes=notes, scanned_pages=scanned, page_count=n_pages)


# --- words, lines, furniture -------------------------------------------------------------------

def _inside(word: dict, bbox: tuple) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def _body_size(words) -> float:
    sizes: Counter[float] = Counter()
    for w in words:
        sizes[round(w["size"] * 2) / 2] += len(w["text"])
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _is_bold(fontname: str) -> bool:
    return any(b in fontname.lower() for b in _BOLD)


def _group_lines(words: list[dict]) -> list[list[dict]]:
    """Words whose vertical middle falls inside a line's band join it (superscripts included)."""
    lines: list[list[dict]] = []
    bands: list[list[float]] = []
    for w in sorted(words, key=lambda w: (w["bottom"], w["x0"])):
        mid = (w["top"] + w["bottom"]) / 2
        placed = False
        for band, line in zip(reversed(bands), reversed(lines)):
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
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


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
    chars = Counter()
    bold = 0
    for w in kept:
        chars[round(w["size"] * 2) / 2] += len(w["text"])
        bold += len(w["text"]) if _is_bold(w["fontname"]) else 0
    total = sum(chars.values())
    return Line(text=_words_text(kept), size=chars.most_common(1)[0][0], bold=bold >= 0.9 * total,
                x0=min(w["x0"] for w in kept), x1=max(w["x1"] for w in kept), top=min(w["top"] for w in kept),
                bottom=max(w["bottom"] for w in kept), page=page, column=column, markers=markers)


def _words_text(words: list[dict]) -> str:
    """Words joined as the page sets them: a word that touches the one before (a bold term and the regular
    colon after it, "programme" + ":") joins without a space."""
    out = words[0]["text"]
    for prev, w in zip(words, words[1:]):
        touching = w["x0"] - prev["x1"] < 0.1 * min(w["size"], prev["size"])
        out += w["text"] if touching else " " + w["text"]
    return out


def _page_lines(page, words: list[dict], body_size: float) -> list[Line]:
    """Lines in reading order: a run of lines that split at the page's middle is read column by column."""
    groups = _group_lines(words)
    mid = page.width / 2

    def split(line_words):
        """(left, right) when a gutter of GUTTER_MIN points or more lies near the middle, else None."""
        if all(w["x1"] <= mid + 20 for w in line_words) or all(w["x0"] >= mid - 20 for w in line_words):
            return ([w for w in line_words if w["x1"] <= mid + 20], [w for w in line_words if w["x0"] >= mid - 20
                                                                      and w["x1"] > mid + 20])
        for a, b in zip(line_words, line_words[1:]):
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
        before = [_make_line(g, page.page_number, body_size) for g in groups[:lo]]
        # a line crossing the middle inside the zone (rare: a wide cell or figure label) reads with the left column
        left = [_make_line(splits[i][0] if splits[i] else groups[i], page.page_number, body_size, 1)
                for i in range(lo, hi + 1) if splits[i] is None or splits[i][0]]
        right = [_make_line(splits[i][1], page.page_number, body_size, 2) for i in range(lo, hi + 1)
                 if splits[i] is not None and splits[i][1]]
        after = [_make_line(g, page.page_number, body_size) for g in groups[hi + 1:]]
        out = [ln for ln in before + left + right + after if ln is not None]
    else:
        out = [ln for ln in (_make_line(g, page.page_number, body_size) for g in groups) if ln is not None]
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
    for lines, height in zip(lines_by_page, heights):
        counts.update({_edge_key(ln.text) for ln in lines
                       if ln.top < EDGE_SHARE * height or ln.bottom > (1 - EDGE_SHARE) * height})
    threshold = max(2, int(0.3 * len(lines_by_page)))
    return {k for k, c in counts.items() if c >= threshold}


def _is_furniture(line: Line, height: float, running: set[str]) -> bool:
    at_edge = line.top < EDGE_SHARE * height or line.bottom > (1 - EDGE_SHARE) * height
    return at_edge and (_edge_key(line.text) in running or bool(_PAGE_NUMBER_RE.match(line.text)))


# --- tables ------------------------------------------------------------------------------------

def _find_tables(page, words: list[dict]):
    """Ruled tables only (pdfplumber's lines strategy): text-aligned guesses split prose into cells."""
    if not (page.rects or page.lines):
        return []  # no rules drawn: no ruled table (and the table finder's cost is skipped)
    found = []
    for t in page.find_tables():
        raw = t.extract()
        grid = _fill_merged(raw)
        grid = normalise_grid(grid)
        if not is_data_table(grid):
            continue
        first_top = t.rows[0].bbox[1] if t.rows else t.bbox[1]
        first_bottom = t.rows[0].bbox[3] if t.rows else t.bbox[3]
        head_words = [w for w in words if _inside(w, t.bbox) and first_top - 1 <= w["top"] <= first_bottom]
        bold_first = bool(head_words) and all(_is_bold(w["fontname"]) for w in head_words)
        found.append((t.bbox, grid, guess_header_rows(grid, bold_first)))
    return found


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


def _ocr_page(page, ocr) -> str | None:
    """The page drawn at 200 dpi without its top and bottom edges (running header, footer and page number are
    furniture, whether they sit in a text layer or in the scanned image)."""
    crop = page.crop((0, EDGE_SHARE * page.height, page.width, (1 - EDGE_SHARE) * page.height))
    image = crop.to_image(resolution=200).original
    return ocr(image)


# --- blocks ------------------------------------------------------------------------------------

class _BlockBuilder:
    """Lines of successive pages -> blocks, with headings as sections and footnotes attached."""

    def __init__(self, body_size: float):
        self.body = body_size
        self.blocks: list[Block] = []
        self.section: str | None = None
        self.cur: Block | None = None
        self.prev_line: Line | None = None
        self.loose_notes: list[Block] = []

    def _heading_level(self, ln: Line) -> bool:
        words = ln.text.split()
        if not words or len(words) > 20 or ln.text.isdigit() or ln.text.endswith((".", ",", ";")) and len(words) > 3:
            return False
        if ln.size >= self.body + 1.5 and (ln.bold or ln.size >= 1.35 * self.body):
            return True
        return ln.bold and ln.size >= self.body - 0.5 and len(words) <= 14 and not ln.text.endswith((".", ":", ","))

    def _is_cover(self, lines: list[Line], tables) -> bool:
        """The report's first page: a title set large, a few short lines (body, region, dates), no paragraphs."""
        if self.blocks or tables or not lines:
            return False
        words = sum(len(ln.text.split()) for ln in lines)
        return (words <= 80 and max(ln.size for ln in lines) >= 1.35 * self.body
                and not any(_NUMBERED_RE.match(ln.text) for ln in lines))

    def _add_cover(self, page: int, lines: list[Line]) -> None:
        """One passage for the whole cover, so its lines ("Date of publication: ...") stay with the body's name;
        the largest line is the title (a heading), not every bold cover line a section of its own."""
        title = max(lines, key=lambda ln: ln.size)
        title_lines = [ln for ln in lines if abs(ln.size - title.size) < 0.6]
        title_text = " ".join(ln.text.strip() for ln in title_lines)
        self.section = title_text
        self._new_block("heading", title_text, page)
        rows: list[str] = []
        for prev, ln in zip([None, *lines], lines):
            if prev is not None and prev in title_lines and ln in title_lines:
                rows[-1] = f"{rows[-1]} {ln.text.strip()}"  # the title wrapped over two lines
            else:
                rows.append(ln.text.strip())
        self._new_block("text", "\n".join(rows), page)
        self.section = None
        self.cur = None
        self.prev_line = None

    def add_page(self, page: int, height: float, lines: list[Line], tables) -> None:
        if self._is_cover(lines, tables):
            self._add_cover(page, lines)
            return
        lines = self._drop_contents(lines)
        lines, footnotes = self._split_footnotes(lines, height)
        items: list[tuple[float, int, object]] = [(ln.top if ln.column == 0 else -1, 0, ln) for ln in lines]
        # columns keep their order; tables sit by their top edge among full-width lines
        ordered: list[object] = []
        table_items = sorted(((bbox[1], grid, hdr) for bbox, grid, hdr in tables), key=lambda t: t[0])
        for ln in lines:
            while table_items and ln.column == 0 and table_items[0][0] < ln.top:
                ordered.append(table_items.pop(0))
            ordered.append(ln)
        ordered.extend(table_items)
        del items
        page_blocks_start = len(self.blocks)
        for item in ordered:
            if isinstance(item, Line):
                self._add_line(item)
            else:
                self._add_table(page, *item)
        self._attach_footnotes(page, footnotes, self.blocks[page_blocks_start:])

    def add_ocr_page(self, page: int, text: str) -> None:
        blocks = clean_pages([(page, text)])
        for b in blocks:
            if b.kind == "heading":
                self.section = b.text
            b.section = self.section if b.kind != "heading" else b.text
            b.page = page
        self.blocks.extend(blocks)
        self.cur = None
        self.prev_line = None

    @staticmethod
    def _drop_contents(lines: list[Line]) -> list[Line]:
        leaders = [ln for ln in lines if _LEADER_RE.search(ln.text)]
        if not leaders:
            return lines
        contents_page = len(leaders) >= 2
        return [ln for ln in lines if not _LEADER_RE.search(ln.text)
                and not (contents_page and _CONTENTS_RE.match(ln.text.strip()))]

    def _split_footnotes(self, lines: list[Line], height: float) -> tuple[list[Line], dict[str, str]]:
        """Small-type lines after the page's last body line, from the first that starts with a number."""
        last_body = max((i for i, ln in enumerate(lines) if ln.size >= self.body - 0.5 and ln.column == 0
                         or ln.size >= self.body - 0.5 and ln.column), default=-1)
        tail = lines[last_body + 1:]
        start = next((i for i, ln in enumerate(tail) if _FOOTNOTE_START.match(ln.text) and ln.top > 0.4 * height
                      and ln.size < self.body - 0.5), None)
        if start is None:
            return lines, {}
        notes: dict[str, str] = {}
        current = None
        for ln in tail[start:]:
            m = _FOOTNOTE_START.match(ln.text)
            if m:
                current = m.group(1)
                notes[current] = m.group(2)
            elif current is not None:
                notes[current] = _join(notes[current], ln.text)
        return lines[: last_body + 1] + tail[:start], notes

    def _new_block(self, kind: str, text: str, page: int, **kw) -> Block:
        block = Block(kind=kind, text=text, page=page, section=self.section, **kw)
        self.blocks.append(block)
        self.cur = block
        return block

    def _add_line(self, ln: Line) -> None:
        prev = self.prev_line
        self.prev_line = ln
        text = ln.text.strip()
        if self._heading_level(ln):
            if self.cur is not None and self.cur.kind == "heading" and prev is not None and prev.page == ln.page \
                    and abs(prev.size - ln.size) < 0.6 and ln.top - prev.bottom < ln.size:
                self.cur.text = f"{self.cur.text} {text}"  # a heading wrapped over two lines
                self.section = self.cur.text
                self.cur.section = self.section
                return
            self.section = text
            self._new_block("heading", text, ln.page)
            self.cur.section = text
            return
        numbered = _NUMBERED_RE.match(text)
        bullet = _BULLET_RE.match(text)
        cur = self.cur
        continues = (cur is not None and cur.kind in ("para", "text", "bullet") and prev is not None
                     and not numbered and not bullet)
        if continues:
            if prev.page != ln.page or prev.column != ln.column:
                continues = not cur.text.rstrip().endswith((".", "!", "?", ":")) or ln.text[:1].islower()
            else:
                gap = ln.top - prev.bottom
                continues = gap < 0.45 * ln.size and abs(prev.size - ln.size) < 1.0
        if continues:
            cur.text = _join(cur.text, text)
        elif numbered:
            self._new_block("para", text[numbered.end():], ln.page, number=numbered.group(1))
        elif bullet:
            self._new_block("bullet", _BULLET_RE.sub("", text), ln.page, level=1)
        else:
            self._new_block("text", text, ln.page)
        self.cur.refs.extend(ln.markers)

    def _continued_table(self, page: int, grid: list[list[str]]):
        """The previous page's table, when this one opens the page with the same columns: a table that runs
        over a page break (its caption and header are printed once, above the first part)."""
        last = self.blocks[-1] if self.blocks else None
        if last is None or last.kind != "table" or last.table is None or last.page != page - 1:
            return None
        if self.cur is not None or len(grid[0]) != len(last.table.rows[0]):
            return None
        return last.table

    def _add_table(self, page: int, top: float, grid: list[list[str]], header_rows: int) -> None:
        previous = self._continued_table(page, grid)
        if previous is not None:
            head = previous.rows[:previous.header_rows]
            body = grid[header_rows:] if grid[:header_rows] == head else grid
            table = Table(rows=head + body, header_rows=previous.header_rows, caption=previous.caption,
                          section=previous.section, page=page)
            self._new_block("table", previous.caption or previous.section or "Table", page)
            self.cur.table = table
            self.cur = None
            self.prev_line = None
            return
        caption = None
        # the caption is the text block just above the table: "Table 2: ...", or any short line set right on
        # top of it ("Ratings for Harrowfield PDU, fieldwork completed March 2024.")
        near = (self.prev_line is not None and self.prev_line.page == page
                and 0 <= top - self.prev_line.bottom < 2.5 * self.prev_line.size)
        if self.cur is not None and self.cur.kind == "text" and (_CAPTION_RE.match(self.cur.text) or near) \
                and len(self.cur.text.split()) <= 25:
            caption = self.cur.text
            self.blocks.remove(self.cur)
        table = Table(rows=grid, header_rows=header_rows, caption=caption, section=self.section, page=page)
        self._new_block("table", caption or self.section or "Table", page)
        self.cur.table = table
        self.cur = None
        self.prev_line = None

    def _attach_footnotes(self, page: int, notes: dict[str, str], page_blocks: list[Block]) -> None:
        for number, text in notes.items():
            target = next((b for b in page_blocks if number in b.refs), None)
            if target is None:  # a marker set in body type: "reoffending.1"
                glued = re.compile(rf"(?<=[A-Za-z\)\]”\"’.,;:]){re.escape(number)}(?=[\s.,;:]|$)")
                target = next((b for b in page_blocks if b.kind != "table" and glued.search(b.text)), None)
                if target is not None:
                    target.text = glued.sub("", target.text, count=1)
            if target is None:
                self.loose_notes.append(Block(kind="footnote", text=text, page=page, number=number,
                                              section="Footnotes"))
                continue
            target.notes.append(f"Footnote {number}: {text}")

    def finish(self) -> list[Block]:
        blocks = [b for b in self.blocks if b.text.strip() or b.table is not None]
        for b in blocks:
            b.text = re.sub(r"\s+([,;.])(?=\s|$)", r"\1", re.sub(r"[ ]{2,}", " ", b.text)).strip()
        return blocks + self.loose_notes
