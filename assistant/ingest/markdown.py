"""Markdown (minutes, notes) into blocks: '#' and '**Bold line**' headings, lists, pipe tables.

The plain-text cleaner knows nothing of Markdown, so '**Minutes**' became a bullet (its '*' read as a
bullet glyph) and '# Actions' was not a heading. Markdown's own markers are read here instead.
"""

from __future__ import annotations

import re

from assistant.ingest.clean import _NUMBERED_RE, Block
from assistant.ingest.tables import Table, guess_header_rows, is_data_table, normalise_grid

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
_LIST = re.compile(r"^(\s*)(?:[-*+•])\s+(.*)$")
_ORDERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _inline(text: str) -> str:
    """Emphasis, code and link markup removed; the words stay."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](\S.*?\S|\S)[*_](?![\w*])", r"\1", text)
    text = text.replace("`", "")
    return " ".join(text.split())


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [_inline(c) for c in line.split("|")]


def markdown_blocks(text: str) -> list[Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    section: str | None = None
    para: list[str] = []

    def flush():
        nonlocal para
        if para:
            joined = _inline(" ".join(para))
            m = _NUMBERED_RE.match(joined)
            if m:
                blocks.append(Block(kind="para", text=joined[m.end():], number=m.group(1), section=section))
            elif joined:
                blocks.append(Block(kind="text", text=joined, section=section))
        para = []

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or _RULE.match(line) and not para:
            flush()
            i += 1
            continue
        if "|" in line and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            grid = normalise_grid(rows)
            caption = None
            if blocks and blocks[-1].kind == "text" and re.match(r"^(table|figure)\s+\w+", blocks[-1].text, re.I):
                caption = blocks.pop().text
            if is_data_table(grid):
                table = Table(rows=grid, header_rows=max(1, guess_header_rows(grid, True)), caption=caption,
                              section=section)
                blocks.append(Block(kind="table", text=caption or section or "Table", section=section, table=table))
            continue
        heading = _ATX.match(line) or (_BOLD_LINE.match(line) if not para else None)
        if heading:
            flush()
            assert heading.lastindex is not None  # both patterns capture the heading text
            section = _inline(heading.group(heading.lastindex)).rstrip(":")
            blocks.append(Block(kind="heading", text=section, section=section))
        elif m := _LIST.match(line):
            flush()
            level = 2 if len(m.group(1).expandtabs(4)) >= 2 else 1
            blocks.append(Block(kind="bullet", text=_inline(m.group(2)), section=section, level=level))
        elif (m := _ORDERED.match(line)) and not para:
            flush()
            blocks.append(Block(kind="para", text=_inline(m.group(2)), number=m.group(1), section=section))
        elif blocks and not para and blocks[-1].kind in ("bullet", "para") and line[:1].isspace():
            blocks[-1].text = f"{blocks[-1].text} {_inline(line)}"  # a list item's continuation line
        else:
            para.append(line.strip())
        i += 1
    flush()
    return [b for b in blocks if b.text.strip() or b.table is not None]
