"""PDF lines of successive pages -> typed blocks: headings become `section`, the cover one passage, contents
entries dropped, footnotes detached and attached to the paragraph that cites them, tables placed among the
lines and joined over a page break (the reading rules are listed in assistant/ingest/pdf.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.clean import _BULLET_RE, _NUMBERED_RE, Block, _join, clean_pages
from assistant.ingest.tables import Table

_LEADER_RE = re.compile(r"(?:\.\s?){6,}\s*\d{0,4}\s*$|…{2,}\s*\d{0,4}\s*$")
_CONTENTS_RE = re.compile(r"^(?:table\s+of\s+)?contents$", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:table|figure|chart)\s+\w+", re.IGNORECASE)
_FOOTNOTE_START = re.compile(r"^(\d{1,3})\s+(\S.*)$")


@dataclass
class Line:
    """One printed line: its text, main font size, whether it is wholly bold, its box, and the footnote markers
    taken out of it."""
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


class BlockBuilder:
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
        for prev, ln in zip([None, *lines], lines, strict=False):
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
        ordered: list[Line | tuple[float, list[list[str]], int]] = []
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
            self._new_block("heading", text, ln.page).section = text
            return
        numbered = _NUMBERED_RE.match(text)
        bullet = _BULLET_RE.match(text)
        cur = self.cur
        continues = (cur is not None and cur.kind in ("para", "text", "bullet") and prev is not None
                     and not numbered and not bullet)
        if continues:
            assert cur is not None and prev is not None  # narrowed by `continues`
            if prev.page != ln.page or prev.column != ln.column:
                continues = not cur.text.rstrip().endswith((".", "!", "?", ":")) or ln.text[:1].islower()
            else:
                gap = ln.top - prev.bottom
                continues = gap < 0.45 * ln.size and abs(prev.size - ln.size) < 1.0
        if continues:
            assert cur is not None
            cur.text = _join(cur.text, text)
            block = cur
        elif numbered:
            block = self._new_block("para", text[numbered.end():], ln.page, number=numbered.group(1))
        elif bullet:
            block = self._new_block("bullet", _BULLET_RE.sub("", text), ln.page, level=1)
        else:
            block = self._new_block("text", text, ln.page)
        block.refs.extend(ln.markers)

    def _continued_table(self, page: int, grid: list[list[str]]) -> Table | None:
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
            self._new_block("table", previous.caption or previous.section or "Table", page).table = table
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
        self._new_block("table", caption or self.section or "Table", page).table = table
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
