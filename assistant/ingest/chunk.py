"""Structure-aware chunking: numbered paragraphs stay whole, with their bullets and section heading.

llama-index's SentenceSplitter cuts by token count and knows nothing of "5." or "1.2.3", so it
would split a numbered paragraph across passages and lose the number a citation needs. Units are
built here from the cleaner's blocks; SentenceSplitter is used only to cut a single block that is
longer than the passage limit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.ingest.clean import Block

if TYPE_CHECKING:  # llama-index is imported where a file is chunked, not when the module loads:
    # an unchanged re-ingest chunks nothing and so skips its ~1-3 s import (issue 6, benchmarks/RESULTS.md)
    from llama_index.core.schema import TextNode

# Defaults for a direct call only: ingest passes Settings.chunk_min_words / chunk_max_words (80 / 300).
# all-MiniLM-L6-v2 reads at most 256 word pieces (~190 words); the end of a longer passage is not embedded
# (BM25 still indexes it). Measured lengths: `python -m docs.passage_lengths`.
DEFAULT_MIN_WORDS = 80
DEFAULT_MAX_WORDS = 200


@dataclass
class Unit:
    section: str | None
    page: int | None
    numbers: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    footnote: bool = False
    table: list[list[str]] | None = None  # the whole grid, for a table row's passage
    alone: bool = False  # never merged with neighbours: a cover field
    noted: bool = False  # carries a footnote's text: merged only into a short passage (see _merge_small)

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.parts)

    @property
    def paragraph(self) -> str | None:
        if not self.numbers:
            return None
        return self.numbers[0] if len(self.numbers) == 1 else f"{self.numbers[0]}–{self.numbers[-1]}"

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def _render(block: Block) -> str:
    if block.kind == "bullet":
        return ("  ◦ " if block.level >= 2 else "• ") + block.text
    if block.kind == "para":
        assert block.number is not None  # a "para" block is a numbered paragraph
        # "3. text" but "3.1 text": a multi-level number is printed without a final dot ("1.1." was a defect)
        return f"{block.number} {block.text}" if "." in block.number else f"{block.number}. {block.text}"
    return block.text


def _table_context(table, title: str | None) -> str | None:
    """The document's title joins a table's rows when neither caption nor section names what the title does
    (so a row of "Table 2" still says which report it is from)."""
    if not title:
        return None
    have = f"{table.caption or ''} {table.section or ''}"
    names = {w for w in re.findall(r"\b[A-Z][a-z]{3,}\b", title)} - {"Table", "Ratings", "Inspection", "Report"}
    return None if not names or any(n in have for n in names) else title


_FIELD = re.compile(r"^([A-Z][\w’'()/ -]{0,40}?):\s+\S")


def _field_lines(text: str) -> list[str] | None:
    """The "Label: value" lines of a block of short lines that is mostly such fields (a report's cover:
    "Fieldwork: March 2024", "Date of publication: 12 June 2024", "Lead inspector: ..."), else None."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    fields = [ln for ln in lines if (m := _FIELD.match(ln)) and len(m.group(1).split()) <= 4 and len(ln.split()) <= 16]
    return fields if len(lines) >= 3 and len(fields) >= 2 else None


def _field_units(block: Block, fields: list[str]) -> list[Unit]:
    """A cover's fields as a passage each, like a table's rows, saying whose field it is ("Saltmarsh Coast
    Probation Delivery Unit — Date of publication: 8 March 2023"); the other lines (inspectorate, body,
    region) stay one passage. As one short list, the cover embedded as "a list of names and dates" and
    twelve ratings rows naming the same body outranked it for "when was it published?"."""
    rest = [ln.strip() for ln in block.text.split("\n") if ln.strip() and ln.strip() not in fields]
    name = block.section or ""
    units = [Unit(section=block.section, page=block.page, parts=["\n".join(rest)], alone=True)] if rest else []
    for ln in fields:
        text = ln if not name or name.lower() in ln.lower() else f"{name} — {ln}"
        units.append(Unit(section=block.section, page=block.page, parts=[text.rstrip(".") + "."], alone=True))
    return units


def blocks_to_units(blocks: list[Block], title: str | None = None) -> list[Unit]:
    """A numbered paragraph collects the bullets and plain text after it, up to the next number or heading.
    A table gives one unit per row (assistant/ingest/tables.py); footnotes attached to a block follow it."""
    from assistant.ingest.tables import grid_for_metadata, row_passages

    units: list[Unit] = []
    cur: Unit | None = None
    for b in blocks:
        if b.kind == "heading":
            cur = None
            continue
        if b.kind == "table" and b.table is not None:
            grid = grid_for_metadata(b.table)
            for text in row_passages(b.table, _table_context(b.table, title)):
                units.append(Unit(section=b.table.section or b.section, page=b.page, parts=[text], table=grid))
            cur = None
            continue
        if b.kind == "text" and (fields := _field_lines(b.text)):
            units.extend(_field_units(b, fields))
            cur = None
            continue
        if b.kind == "footnote":
            units.append(Unit(section="Footnotes", page=b.page, numbers=[f"footnote {b.number}"],
                              parts=[f"Footnote {b.number}: {b.text}"], footnote=True))
            continue
        if cur is None or b.kind == "para" or cur.section != b.section or (b.kind == "text" and not cur.numbers):
            cur = Unit(section=b.section, page=b.page, numbers=[b.number] if b.number else [])
            units.append(cur)
        if b.notes and cur.parts:  # a paragraph that cites a footnote starts its own unit, with its note
            cur = Unit(section=b.section, page=b.page, numbers=[b.number] if b.number else [])
            units.append(cur)
        cur.parts.append(_render(b))
        cur.parts.extend(b.notes)
        cur.noted = cur.noted or bool(b.notes)
    return units


def _split_long(unit: Unit, max_words: int) -> list[Unit]:
    if unit.words <= max_words:
        return [unit]
    pieces: list[Unit] = []
    if unit.table is not None:
        return [unit]
    cur = Unit(unit.section, unit.page, list(unit.numbers))
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(chunk_size=max_words, chunk_overlap=0)
    for part in unit.parts:
        segments = [part] if len(part.split()) <= max_words else splitter.split_text(part)
        for seg in segments:
            if cur.parts and cur.words + len(seg.split()) > max_words:
                pieces.append(cur)
                cur = Unit(unit.section, unit.page, list(unit.numbers))
            cur.parts.append(seg)
    if cur.parts:
        pieces.append(cur)
    return pieces


_GLOSSARY_SECTION = re.compile(r"\b(?:glossary|abbreviations|acronyms|definitions|terms used)\b", re.IGNORECASE)
_DEFINITION = re.compile(r"^[A-Z][\w’'()/\- ]{0,48}:\s+\S")


def _is_definition(unit: Unit) -> bool:
    """An entry of a glossary ("OASys: the Offender Assessment System..."): like a table row, it answers
    one question ("what is X?") and keeps its own passage instead of drowning in a page-long list."""
    return (len(unit.parts) == 1 and bool(_GLOSSARY_SECTION.search(unit.section or ""))
            and bool(_DEFINITION.match(unit.parts[0])))


def _items(u: Unit) -> bool:
    """Numbered at the top level ("4."), as a list of separate points is; "3.14" is a paragraph within a
    report's section, continuing its argument."""
    return bool(u.numbers) and all(n.isdigit() for n in u.numbers)


def _merge_small(units: list[Unit], min_words: int, max_words: int) -> list[Unit]:
    """Merge short neighbours in the same section so passages carry enough context to match a question."""
    merged: list[Unit] = []
    for u in units:
        prev = merged[-1] if merged else None
        if prev is not None and (_is_definition(u) or _is_definition(prev)):
            merged.append(u)
            continue
        small_prev, small_u = prev is not None and prev.words < min_words, u.words < min_words
        # a numbered paragraph long enough to stand alone keeps its own passage (and citation)
        whole_paragraph = bool(u.numbers) and not small_u
        # a paragraph carrying its footnote is merged only into a short passage (up to min_words): in ~200
        # words the note's sentence was diluted and a question about the note missed it
        limit = min_words if u.noted or prev is not None and prev.noted else max_words
        # top-level numbered items are separate points ("Notes to editors" 1-6: a publication time, a staff
        # count, a fieldwork month, a press contact): gathered only into a short passage (up to min_words), as a
        # footnoted paragraph is. In one 148-word passage each item's fact was diluted and six questions ranked
        # it 2nd-5th (repository corpus passage MRR@10 0.897 -> 0.918; library unchanged: evals/README.md)
        if _items(u) and prev is not None and _items(prev):
            limit = min(limit, min_words)
        if (prev is not None and not u.footnote and not prev.footnote and not u.alone and not prev.alone
                and prev.section == u.section
                and u.table is None and prev.table is None
                and (small_prev or small_u) and not whole_paragraph
                and prev.words + u.words <= limit):
            prev.parts.extend(u.parts)
            prev.numbers.extend(n for n in u.numbers if n not in prev.numbers)
            prev.noted = prev.noted or u.noted
            continue
        merged.append(u)
    return merged


HEADER_MAX_WORDS = 16  # per part: a document label or section, not a paragraph


def _short(text: str) -> str:
    words = text.split()
    return " ".join(words[:HEADER_MAX_WORDS])


def embedding_header(title: str | None, section: str | None, text: str) -> str:
    """A passage's contextual header: its document label and section, short, leaving out what the text
    already says (a table row repeats its caption and title). A passage rarely names its document:
    "Cllr Marguerite Oduya (Chair)" or "6.1 Level 2 meetings are now held every six weeks" match a question
    about "the Southerly Downs board" or "the latest MAPPA protocol" only through it, while table rows, whose
    text repeats their caption, outranked them. The embedder reads it beside the text (assistant/embed.py
    embed_with_headers); BM25 gets title and section in full (assistant/store.py bm25_text)."""
    low = " ".join(text.lower().split())
    parts: list[str] = []
    for part in (title, section):
        part = " ".join((part or "").split())
        if part and part.lower() not in low and all(part.lower() not in p.lower() for p in parts):
            parts.append(_short(part))
    return " — ".join(parts)


def embedding_text(title: str | None, section: str | None, text: str) -> str:
    """Header and text together: what a passage's embedding depends on (its id is made from this)."""
    header = embedding_header(title, section, text)
    return f"{header}\n{text}" if header else text


def passage_id(doc_id: str, text: str, ordinal: int) -> str:
    """Content-addressed: the same text in the same document keeps its id (and its embedding). `text` is
    what is embedded (embedding_text), so a new title or section gives a new id and a fresh embedding."""
    digest = hashlib.sha1(f"{doc_id}\x00{text}\x00{ordinal}".encode()).hexdigest()[:16]
    return f"{doc_id}#{digest}"


def chunk_blocks(blocks: list[Block], doc_meta: dict, min_words: int = DEFAULT_MIN_WORDS,
                 max_words: int = DEFAULT_MAX_WORDS) -> list[TextNode]:
    """Blocks of one document -> llama-index TextNodes carrying the citation metadata."""
    from llama_index.core.schema import TextNode

    units: list[Unit] = []
    for u in blocks_to_units(blocks, doc_meta.get("title")):
        units.extend(_split_long(u, max_words))
    units = _merge_small(units, min_words, max_words)
    nodes: list[TextNode] = []
    seen: dict[str, int] = {}
    for u in units:
        text = u.text.strip()
        if not text:
            continue
        embedded = embedding_text(doc_meta.get("title"), u.section, text)
        ordinal = seen.get(embedded, 0)
        seen[embedded] = ordinal + 1
        meta = dict(doc_meta)
        meta.update({"page": u.page, "section": u.section, "paragraph": u.paragraph, "table": u.table})
        nodes.append(TextNode(id_=passage_id(doc_meta["doc_id"], embedded, ordinal), text=text, metadata=meta))
    return nodes
