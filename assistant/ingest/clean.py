"""Turn text as extracted from PDFs into clean, typed blocks.

Real documents arrive with lines broken mid-sentence (often with blank lines between),
page numbers and running headers, footnotes spliced into the paragraph they interrupt,
bullet glyphs from Symbol fonts (U+F0B7) and end-of-line hyphenation. The cleaner works
on a stream of (page, line) pairs so a paragraph that runs over a page break stays whole
and keeps the page it started on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.ingest.tables import Table

BULLET_GLYPHS = "\uf0b7\uf0a7\uf076\uf0d8\u2022\u25cf\u25aa\u25a0\u2023\u2043\u25e6\u00b7\u2219*"
_BULLET_RE = re.compile(rf"^\s*[{re.escape(BULLET_GLYPHS)}]\s*(?=\S)")
_SUB_BULLET_RE = re.compile(r"^\s*(?:o|\u25e6|-|\u2013)\s+(?=[A-Za-z0-9\"“‘(])")
_NUMBERED_RE = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,3})\.?\s+(?=[A-Z“\"‘(])")
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:(?:page|p\.)\s*)?(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*[-–—]\s*(\d{1,4})\s*[-–—]\s*$",
    re.IGNORECASE,
)
_ENDS_RE = re.compile(r"^[\s•\-–—\u2022\uf0b7]*ENDS[\s\-–—.]*$")
_TERMINAL = tuple(".!?:;”\"’)")
_SEPARATOR_MIN_SPACES = 10
_KEEP_HYPHEN_PREFIXES = {"re", "pre", "co", "non", "multi", "ex", "self", "well", "high", "low", "long", "short",
                         "sub", "inter", "cross", "post", "anti", "part", "full", "mid", "semi", "over"}


@dataclass
class Block:
    """A unit of text with its role: heading, numbered paragraph, bullet, plain text, footnote or table."""

    kind: str
    text: str
    page: int | None = None
    number: str | None = None
    level: int = 0
    section: str | None = None
    lines: list[str] = field(default_factory=list, repr=False)
    refs: list[str] = field(default_factory=list, repr=False)   # footnote numbers this block cites
    notes: list[str] = field(default_factory=list)               # "Footnote 1: ..." attached to this block
    table: Table | None = field(default=None, repr=False)       # assistant.ingest.tables.Table for kind "table"


def normalise_chars(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u00ad", "")
    return text.replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\t", " ")


def split_pages(pages: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Split on form feeds and on bare page-number lines; number the pages where that is possible.

    A bare number right after a wide blank line is a footnote marker, not a page number.
    """
    out: list[tuple[int | None, str]] = []
    for page_no, text in pages:
        parts = normalise_chars(text).split("\f")
        if len(parts) > 1 and parts[-1].strip() == "":
            parts = parts[:-1]
        for i, part in enumerate(parts):
            base = page_no if page_no is not None else (i + 1 if len(parts) > 1 else None)
            if len(parts) > 1 and page_no is not None:
                base = page_no + i
            out.extend(_split_on_page_number_lines(base, part))
    return out


def _split_on_page_number_lines(page_no: int | None, text: str) -> list[tuple[int | None, str]]:
    lines = text.split("\n")
    pieces: list[tuple[int | None, str]] = []
    current: list[str] = []
    current_page = page_no
    prev_raw = ""
    for raw in lines:
        m = _PAGE_NUMBER_RE.match(raw)
        prev_is_separator = prev_raw.strip() == "" and len(prev_raw) >= _SEPARATOR_MIN_SPACES
        if m and not prev_is_separator and _looks_like_page_number_line(raw, current):
            number = int(m.group(1) or m.group(2))
            pieces.append((current_page if current_page is not None else number, "\n".join(current)))
            current = []
            current_page = (current_page + 1) if current_page is not None else number + 1
        else:
            current.append(raw)
        if raw.strip():
            prev_raw = raw
        elif len(raw) >= _SEPARATOR_MIN_SPACES:
            prev_raw = raw
    pieces.append((current_page if pieces or page_no is not None else page_no, "\n".join(current)))
    if len(pieces) == 1 and page_no is None:
        return [(None, pieces[0][1])]
    return [(p, t) for p, t in pieces if t.strip()]


def _looks_like_page_number_line(raw: str, before: list[str]) -> bool:
    """A bare number counts as a page number when it stands alone between blank lines or ends a page."""
    stripped = raw.strip()
    if stripped.lower().startswith(("page", "p.")) or "of" in stripped.lower() or stripped.startswith(("-", "–", "—")):
        return True
    # a bare number: only when the text before it ended a line (not a list item like "1" then text)
    return bool(before) and (before[-1].strip() == "" or before[-1].rstrip().endswith(_TERMINAL))


def drop_running_lines(pages: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Drop headers and footers: lines that recur at the top or bottom of most pages (digits ignored)."""
    if len(pages) < 3:
        return pages
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())
    edge_counts: Counter[str] = Counter()
    for _, text in pages:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        edges = {key(ln) for ln in lines[:2] + lines[-2:]}
        edge_counts.update(edges)
    threshold = max(3, int(0.6 * len(pages)))
    running = {k for k, c in edge_counts.items() if c >= threshold and k}
    if not running:
        return pages
    cleaned = []
    for page_no, text in pages:
        lines = text.split("\n")
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
        edge_idx = set(nonblank[:2] + nonblank[-2:])
        kept = [ln for i, ln in enumerate(lines) if not (i in edge_idx and key(ln) in running)]
        cleaned.append((page_no, "\n".join(kept)))
    return cleaned


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL)


def _join(prev: str, nxt: str) -> str:
    """Join a broken line onto the text before it, undoing end-of-line hyphenation."""
    prev = prev.rstrip()
    nxt = nxt.strip()
    if not prev:
        return nxt
    m = re.search(r"([A-Za-z]+)-$", prev)
    if m and nxt[:1].islower():
        if m.group(1).lower() in _KEEP_HYPHEN_PREFIXES:
            return prev + nxt
        return prev[:-1] + nxt
    return prev + " " + nxt


def _follows(last: str | None, number: str) -> bool:
    """'2' after '1', '3.2' after '3.1': a numbered list whose items carry no full stop."""
    if last is None:
        return number == "1"
    a, b = last.split("."), number.split(".")
    return len(a) == len(b) and a[:-1] == b[:-1] and int(b[-1]) == int(a[-1]) + 1


def _is_heading(lines: list[str], i: int, prev_text_ended: bool, first: bool = False) -> bool:
    s = lines[i].strip()
    words = s.split()
    # the document's first line may be a long title; later headings are short
    if not words or len(words) > (25 if first else 10) or len(s) > (200 if first else 90):
        return False
    if s.endswith((".", ",", ";")) or ". " in s or not (s[0].isupper() or s[0].isdigit()) or s.isdigit():
        return False
    if not prev_text_ended:
        return False
    # a heading stands alone: a blank line follows it, then a new paragraph starts
    j = i + 1
    if j >= len(lines) or lines[j].strip():
        return False
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines):
        return False
    nxt = lines[j].strip()
    return nxt[:1].isupper() or nxt[:1].isdigit() or bool(_BULLET_RE.match(lines[j]))


def clean_pages(pages: list[tuple[int | None, str]]) -> list[Block]:
    """The whole cleaning pass: page split, running lines dropped, lines rebuilt into blocks."""
    pages = drop_running_lines(split_pages(pages))
    stream: list[tuple[int | None, str]] = []
    for page_no, text in pages:
        for line in text.split("\n"):
            stream.append((page_no, line if not line.strip() else line.rstrip()))
    return _blocks_from_lines(stream)


def _blocks_from_lines(stream: list[tuple[int | None, str]]) -> list[Block]:
    lines = [ln for _, ln in stream]
    blocks: list[Block] = []
    cur: Block | None = None
    interrupted: Block | None = None  # the block a footnote cut into
    footnote: Block | None = None
    footnote_first_line = False
    separator_seen = False
    blank_before = True
    section: str | None = None
    last_number: str | None = None

    def start(kind: str, text: str, page: int | None, **kw) -> Block:
        nonlocal cur
        block = Block(kind=kind, text=text.strip(), page=page, section=section, **kw)
        blocks.append(block)
        cur = block
        return block

    for i, (page, raw) in enumerate(stream):
        s = raw.strip()
        if not s:
            if len(raw) >= _SEPARATOR_MIN_SPACES:
                separator_seen = True
            blank_before = True
            continue
        # footnotes: a wide blank line, then a bare number, then the note's text
        if separator_seen and re.fullmatch(r"\d{1,2}", s):
            interrupted = cur if cur is not None and cur.kind != "footnote" else interrupted
            footnote = Block(kind="footnote", text="", page=page, number=s, section="Footnotes")
            blocks.append(footnote)
            cur = footnote
            footnote_first_line = True
            separator_seen = False
            blank_before = False
            continue
        separator_seen = False
        if footnote is not None:
            resumes = not footnote_first_line and (raw[:1].isspace() or _NUMBERED_RE.match(raw))
            if not resumes:
                footnote.text = _join(footnote.text, s)
                footnote_first_line = False
                blank_before = False
                continue
            footnote = None
            if interrupted is not None and raw[:1].isspace() and s[:1].islower():
                cur = interrupted
                cur.text = _join(cur.text, s)
                interrupted = None
                blank_before = False
                continue
            cur = interrupted
            interrupted = None
        if _ENDS_RE.match(s):
            section = "Notes to editors"
            cur = None
            blank_before = True
            continue
        prev_ended = cur is None or cur.kind == "heading" or _ends_sentence(cur.text)
        numbered = _NUMBERED_RE.match(raw)
        if numbered and (prev_ended or blank_before or _follows(last_number, numbered.group(1))):
            start("para", raw[numbered.end():], page, number=numbered.group(1))
            last_number = numbered.group(1)
        elif _BULLET_RE.match(raw):
            start("bullet", _BULLET_RE.sub("", raw), page, level=1)
        elif _SUB_BULLET_RE.match(raw) and cur is not None and (
            prev_ended or blank_before or (cur.kind == "bullet" and cur.level == 2)
        ):
            start("bullet", _SUB_BULLET_RE.sub("", raw), page, level=2)
        elif (blank_before or cur is None) and _is_heading(lines, i, prev_ended, first=cur is None):
            heading = s.rstrip(":").strip()
            if heading.lower().startswith("notes to editors"):
                heading = "Notes to editors"
            section = heading
            start("heading", heading, page)
        elif blank_before and prev_ended and (s[:1].isupper() or s[:1] in "“\"‘(" or s[:1].isdigit()):
            # a new paragraph; an indented one after a colon or a bullet is a bullet whose glyph was lost
            lost_glyph = raw[:1].isspace() and cur is not None and (cur.kind == "bullet" or cur.text.rstrip().endswith(":"))
            start("bullet" if lost_glyph else "text", s, page, level=1 if lost_glyph else 0)
        elif cur is None:
            start("text", s, page)
        else:
            cur.text = _join(cur.text, s)
        blank_before = False

    blocks = [b for b in blocks if b.text.strip()]
    _strip_footnote_markers(blocks)
    for b in blocks:
        b.text = re.sub(r"\s+([,;])", r"\1", re.sub(r"[ ]{2,}", " ", b.text)).strip()
    return blocks


def _strip_footnote_markers(blocks: list[Block]) -> None:
    """Remove footnote reference digits glued to words: '(MAPPA)1, other' -> '(MAPPA), other'."""
    numbers = sorted({b.number for b in blocks if b.kind == "footnote" and b.number}, key=len, reverse=True)
    for n in numbers:
        pattern = re.compile(rf"(?<=[A-Za-z\)\]”\"’]){re.escape(n)}(?=[\s.,;:]|$)")
        for b in blocks:
            if b.kind != "footnote":
                b.text = pattern.sub("", b.text)
