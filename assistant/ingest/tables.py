"""Tables as first-class passages: one passage per row, repeating the caption, header and row label.

A table flattened into text loses which header a cell sits under ("74% 78% 64%" pages away from
"Completion rate"); a passage per row that says "Table 2 — Q3 2023 — Completion rate: 64%" keeps
that, so a question about one cell retrieves and quotes its row. The whole grid travels in the
passage's `table` field so a surface can draw it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_GRID_ROWS = 80  # a grid larger than this is kept in passages but not copied into every row's metadata
MAX_CELL_CHARS = 300


@dataclass
class Table:
    rows: list[list[str]]
    header_rows: int = 1
    caption: str | None = None
    section: str | None = None
    page: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        """One label per column: stacked header rows (a colspan over sub-headers) joined."""
        if not self.rows or not self.header_rows:
            return [""] * (len(self.rows[0]) if self.rows else 0)
        labels = []
        for j in range(len(self.rows[0])):
            parts: list[str] = []
            for r in self.rows[: self.header_rows]:
                if r[j] and r[j] not in parts:
                    parts.append(r[j])
            labels.append(" ".join(parts))
        return labels

    @property
    def body(self) -> list[list[str]]:
        return self.rows[self.header_rows:]


def clean_cell(value) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.replace("\u00a0", " ").split())[:MAX_CELL_CHARS]


def normalise_grid(rows: list[list]) -> list[list[str]]:
    """Cells as clean strings, rows padded to one width, empty rows and columns dropped."""
    grid = [[clean_cell(c) for c in row] for row in rows]
    grid = [r for r in grid if any(r)]
    if not grid:
        return []
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    keep = [j for j in range(width) if any(r[j] for r in grid)]
    return [[r[j] for j in keep] for r in grid]


def is_data_table(grid: list[list[str]]) -> bool:
    """At least two rows and two columns with something in them: a layout box or a lone cell is not a table."""
    return len(grid) >= 2 and len(grid[0]) >= 2 and sum(1 for r in grid if sum(1 for c in r if c) >= 2) >= 1


def guess_header_rows(grid: list[list[str]], bold_first: bool | None = None) -> int:
    """The first row is a header unless it looks like data (numbers in its value cells); a second row
    counts too when the first has gaps that a colspan left (a two-level header)."""
    if len(grid) < 2:
        return 0
    first = grid[0]
    if bold_first is False and any(_numeric(c) for c in first[1:]):
        return 0
    if any(_numeric(c) for c in first[1:]) and not bold_first:
        return 0
    second = grid[1]
    # a colspan shows as a gap (HTML, PDF) or as the same text repeated in neighbouring cells (DOCX)
    spanned = "" in first[1:] or any(a and a == b for a, b in zip(first[1:], first[2:], strict=False))
    if len(grid) > 2 and spanned and not any(_numeric(c) for c in second[1:]) and all(second[1:]) \
            and len(set(second[1:])) == len(second[1:]):
        return 2
    return 1


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[£$€]?[-+]?[\d,.]+%?", text.strip()))


def row_passages(table: Table, context: str | None = None) -> list[str]:
    """'<caption> — <group> — <row label> — <header>: <cell>; ...' for every data row."""
    head = table.header
    prefix = " — ".join(x.rstrip(" .") for x in (table.caption or table.section or "Table", context) if x)
    out: list[str] = []
    group: str | None = None
    two_columns = len(head) == 2
    keys = _label_columns(table)
    for row in table.body:
        if keys == 2:
            # "Calderbrook" (a rowspan over two rows) + "Fixed": the row is "Calderbrook Fixed", as it reads
            label = row[0] if row[1] in ("", row[0]) else f"{row[0]} {row[1]}"
            row = [label, *row[2:]]
            head_row = [head[0], *head[2:]]
        else:
            head_row = head
        label, values = row[0], row[1:]
        if label and not any(values):
            group = label  # a row that only names a group of the rows below it ("2. Court work ...")
            continue
        cells = [(h, v) for h, v in zip(head_row[1:], values, strict=False) if v and v != label]
        if two_columns and cells:
            body = f"{label}: {cells[0][1]}" if label else f"{cells[0][0]}: {cells[0][1]}"
        else:
            # cells joined by commas: a row is one statement, and "; " would split it into sentences
            # (assistant/text.py) so an extractive answer quotes the label without the asked-for cell
            body = ", ".join(f"{h}: {v.rstrip('.;')}" if h else v.rstrip(".;") for h, v in cells)
            if label:
                body = f"{label} — {body}" if body else label
        parts = [prefix]
        if group and _in_group(group, label) and not (label or "").startswith(group):
            parts.append(group)
        parts.append(body)
        out.append(" — ".join(p for p in parts if p).rstrip(".") + ".")
    return out


def _label_columns(table: Table) -> int:
    """2 when the first column groups the rows (a rowspan: its value repeats on consecutive rows) and the
    second, a text column, tells them apart ("Calderbrook" / "Fixed", "Flex"); else 1."""
    body = table.body
    if len(table.header) < 3 or len(body) < 2:
        return 1
    repeats = any(a[0] and a[0] == b[0] for a, b in zip(body, body[1:], strict=False))
    text_second = all(not _numeric(r[1]) for r in body if r[1])
    return 2 if repeats and text_second else 1


def _in_group(group: str, label: str) -> bool:
    """'2.2 Planning' sits under '2. Court work'; 'Overall rating' does not."""
    g = re.match(r"^(?:domain\s+|section\s+|part\s+)?(\d+)[.):]?\s", group, re.IGNORECASE)
    lab = re.match(r"^(\d+)[.)]", label or "")
    if g:
        return lab is not None and lab.group(1) == g.group(1)
    return not lab


def grid_for_metadata(table: Table) -> list[list[str]]:
    return table.rows[:MAX_GRID_ROWS]


# --- HTML and DOCX grids -----------------------------------------------------------------------

def html_grid(table_el) -> tuple[list[list[str]], int]:
    """A BeautifulSoup <table> as a rectangular grid, rowspan and colspan expanded (the value repeats in
    every cell it covers); returns the grid and how many leading rows are headers (<thead> or all <th>)."""
    rows = [tr for tr in table_el.find_all("tr") if tr.find_parent("table") is table_el]
    grid: dict[tuple[int, int], str] = {}
    header_rows = 0
    counting_header = True
    for i, tr in enumerate(rows):
        j = 0
        cells = tr.find_all(["td", "th"], recursive=False)
        in_thead = tr.find_parent("thead") is not None
        if counting_header and cells and (in_thead or all(c.name == "th" for c in cells)):
            header_rows = i + 1
        else:
            counting_header = False
        for cell in cells:
            while (i, j) in grid:
                j += 1
            text = clean_cell(cell.get_text(" ", strip=True))
            rs, cs = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for di in range(rs):
                for dj in range(cs):
                    grid.setdefault((i + di, j + dj), text)
            j += cs
    if not grid:
        return [], 0
    n_rows = max(i for i, _ in grid) + 1
    n_cols = max(j for _, j in grid) + 1
    out = [[grid.get((i, j), "") for j in range(n_cols)] for i in range(n_rows)]
    return out, header_rows


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1


def docx_grid(table) -> list[list[str]]:
    """A python-docx table as a grid; merged cells repeat their text (python-docx returns the merged
    cell once per grid position it covers)."""
    out: list[list[str]] = []
    for row in table.rows:
        out.append([clean_cell(cell.text) for cell in row.cells])
    return out
