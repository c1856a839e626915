"""Inspection ratings pulled out of documents at ingest: who was inspected, when, and how it was rated.

HMIP rates on a four-point scale (Outstanding, Good, Requires improvement, Inadequate), overall and
per standard, and publishes the ratings as a table. The table is the source (issue 12): each of its
rows is a standard or the overall rating; the inspected body comes from the manifest, the title or
the cover, never from a sentence's subject; fieldwork month and publication date from the cover.
Prose that restates a rating is kept only as a supporting citation, and a scoring note that explains
the scale ("a total of 0 to 6 gives an overall rating of Inadequate") is never read as a rating.
Documents with no ratings table fall back to the prose patterns (press releases, board papers).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.models import Passage

RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
NOT_INSPECTED = "Not inspected"
_TABLE_VALUE = re.compile(r"^\s*(outstanding|good|requires\s+improvement|inadequate|not\s+inspected|not\s+rated)\s*\.?\s*$",
                          re.IGNORECASE)
_SCALE_NOTE = re.compile(r"\b(?:scored?|scoring|total\s+of|points?|scale|gives?\s+an?\s+overall|\d+\s*(?:to|-|–)\s*\d+)\b",
                         re.IGNORECASE)
_BODY_SUFFIX = (r"(?:Probation\s+Delivery\s+Unit|PDU|Community\s+Rehabilitation\s+Company|CRC|division|Division|"
                r"Youth\s+Offending\s+(?:Service|Team)|Youth\s+Justice\s+Service|YOS|YOT)")
_TITLE_BODY = [
    re.compile(rf"\b((?:[A-Z][\w'’&-]*\s+(?:(?:and|&|of|upon|on)\s+)?){{1,6}}?{_BODY_SUFFIX})\b"),
    re.compile(r"\binspection\s+of\s+(?:the\s+)?(?:probation\s+services\s+(?:in|delivered\s+by|for)\s+|"
               r"youth\s+offending\s+services\s+in\s+)?(?P<b>[A-Z][^:,.;()]{2,70}?)\s*(?:$|[:,.;(]|\s+\d{4}\b)"),
]
_COVER_FIELDWORK = re.compile(r"\bfieldwork\b[^.\n]{0,40}?(?:\d{1,2}\s*(?:[–-]|to)\s*\d{1,2}\s+|\d{1,2}\s+)?"
                              r"(January|February|March|April|May|June|July|August|September|October|November|"
                              r"December)\s+(\d{4})", re.IGNORECASE)
_RATING = r"(outstanding|good|requires\s+improvement|inadequate)"
_Q = r"['\"“‘]?"
_OVERALL = [
    re.compile(rf"overall\s+(?:performance|rating)\s+(?:as|was|of)\s+{_Q}{_RATING}", re.IGNORECASE),
    re.compile(rf"an?\s+overall\s+{_Q}{_RATING}{_Q}\s+rating", re.IGNORECASE),
    re.compile(rf"rated\s+{_Q}{_RATING}{_Q}\s+overall", re.IGNORECASE),
    re.compile(rf"overall\s+{_Q}{_RATING}{_Q}\s+assessment", re.IGNORECASE),
    re.compile(rf"\brated\s+{_Q}{_RATING}{_Q}\s+with\b", re.IGNORECASE),
]
# "<standards> were rated 'Outstanding'" / "with <standards> rated as outstanding"
_STANDARDS = re.compile(rf"(?:^|[.;:]\s+|\bwith\s+|,\s+)(?P<what>[A-Za-z][A-Za-z ,\-]{{3,160}}?),?\s+(?:were|was|are|is)?\s*"
                        rf"rated\s+(?:as\s+)?{_Q}(?P<rating>{_RATING[1:-1]}){_Q}", re.IGNORECASE)
_BODY = [
    re.compile(r"\b(?:NPS|National Probation Service)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:division|Division)\b"),
    re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:division|Division)\s+of\s+the\s+National\s+Probation\s+Service"),
    re.compile(r"\bNPS\s+([A-Z][a-z]+)\b(?!\s+(?:areas|is|are|have|has|will|representatives))"),
    re.compile(r"\b([A-Z][a-z]+)\s+NPS\b"),
    re.compile(r"\b([A-Z][\w&,' ]{2,60}?)\s+(?:Community Rehabilitation Company|CRC)\b"),
    re.compile(r"\b([A-Z][\w' ]{2,40}?)\s+(?:probation delivery unit|PDU)\b"),
]
_FIELDWORK = re.compile(r"(?:fieldwork|inspectors?)\b[^.]{0,80}?\b(?:in|during)\s+(January|February|March|April|May|June|"
                        r"July|August|September|October|November|December)\s+(\d{4})", re.IGNORECASE)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_STOP_STANDARD = re.compile(r"^(?:and|the|with|that|these|those|which|it|they)\s+", re.IGNORECASE)


class RatingCitation(BaseModel):
    doc_id: str
    page: int | None = None
    paragraph: str | None = None
    quote: str


class RatingRow(BaseModel):
    body: str
    area: str | None = None
    inspected: str | None = None
    published: str | None = None
    overall: str | None = None
    standards: dict[str, str] = Field(default_factory=dict)
    citation: RatingCitation
    doc_type: str | None = None
    title: str | None = None
    doc_id: str | None = None
    source: str = Field("prose", description="table: read from the report's ratings table | prose")
    standard_citations: dict[str, RatingCitation] = Field(default_factory=dict,
                                                          description="the table row each standard was read from")
    supporting: list[RatingCitation] = Field(default_factory=list,
                                             description="prose that restates a rating: elsewhere in the "
                                             "document, or other documents (board papers, uploads)")


def rows_for_year(rows: list[RatingRow], year: int) -> list[RatingRow]:
    """The rows of inspections done (fieldwork) or published in `year`: "rated in 2017" means that year's
    inspection, never a later one's rating."""
    return [r for r in rows if str(year) in ((r.inspected or "")[:4], (r.published or "")[:4])]


def normalise_rating(text: str) -> str:
    text = " ".join(text.split()).lower().rstrip(".")
    if text in ("not inspected", "not rated"):
        return NOT_INSPECTED
    return next(r for r in RATINGS if r.lower() == text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?”])\s+(?=[A-Z“])|\n+", text) if s.strip()]


def _standard_names(what: str) -> list[str]:
    what = _STOP_STANDARD.sub("", what.strip())
    what = re.sub(r"^(?:I am particularly pleased that|pleased that|that)\s+", "", what, flags=re.IGNORECASE)
    parts = [p.strip(" ,") for p in re.split(r",\s*and\s+|,\s+|\s+and\s+", what) if p.strip(" ,")]
    names = []
    for p in parts:
        p = _STOP_STANDARD.sub("", p)
        if 2 <= len(p) <= 60 and not re.search(r"\b(?:report|inspection|division|overall|standards?|was|were|"
                                               r"is|are|one)\b", p, re.IGNORECASE) \
                and not re.search(rf"\b{_BODY_SUFFIX}$", p):  # "Northvale PDU rated 'Good'": the body, not a standard
            names.append(p[0].upper() + p[1:])
    return names


def _body(text: str, area: str | None) -> str | None:
    for pattern in _BODY:
        m = pattern.search(text)
        if m:
            name = m.group(1).strip()
            if pattern is _BODY[4]:
                return f"{name} CRC"
            if pattern is _BODY[5]:
                return f"{name} PDU"
            return f"NPS {name} division"
    return None


def extract_ratings(passages: list[Passage], blocks: list | None = None, meta: dict | None = None) -> list[RatingRow]:
    """The report's ratings table when it has one; otherwise the ratings its prose states."""
    table_rows = _from_tables(passages, blocks or [], meta or {})
    if table_rows:
        return table_rows
    # prose: the body only from a title that names one (a manifest organisation may be a partnership's owner)
    title_only = {"title": (meta or {}).get("title")}
    body = next((m.group(1).strip() for m in [_TITLE_BODY[0].search(title_only["title"] or "")] if m), None)
    return _from_prose(passages, body)


def _rating_column(grid: list[list[str]], header_rows: int) -> int | None:
    """The column whose cells are ratings (at least two, and most of its filled cells)."""
    body = grid[header_rows:]
    best = None
    for j in range(1, len(grid[0]) if grid else 0):
        values = [r[j] for r in body if r[j]]
        hits = sum(1 for v in values if _TABLE_VALUE.match(v))
        if hits >= 2 and hits >= 0.6 * len(values) and (best is None or hits > best[0]):
            best = (hits, j)
    return best[1] if best else None


def inspected_body(meta: dict, blocks: list, caption: str | None = None) -> str | None:
    """Manifest organisation, else the title, else the cover page, else the table's caption."""
    org = str(meta.get("organisation") or "")
    if org and not re.search(r"inspectorate|HMIP|HMI\b", org, re.IGNORECASE):  # the manifest may name the inspector
        return org
    cover = [b.text for b in blocks[:8] if b.kind in ("heading", "text") and (b.page in (None, 1) or b is blocks[0])]
    for text in [meta.get("title") or "", *cover, caption or ""]:
        for pattern in _TITLE_BODY:
            m = pattern.search(text)
            if m:
                body = (m.groupdict().get("b") or m.group(1)).strip()
                body = re.sub(r"^(?:An?|The)\s+", "", body)
                body = re.sub(r"^(?:inspection\s+of\s+)?(?:probation\s+services\s+in\s+)", "", body, flags=re.I)
                if len(body.split()) <= 8:
                    return body
    return None


def _cover_dates(blocks: list, meta: dict) -> tuple[str | None, str | None]:
    from assistant.ingest.metadata import infer_published

    cover = "\n".join(b.text for b in blocks if b.page in (None, 1) and b.kind in ("heading", "text"))[:3000] \
        or "\n".join(b.text for b in blocks[:10])
    inspected = None
    m = _COVER_FIELDWORK.search(cover) or _FIELDWORK.search(cover)
    if m:
        inspected = f"{m.group(2)}-{_MONTHS.index(m.group(1).lower()) + 1:02d}"
    published = meta.get("published") or infer_published(cover)
    return inspected, published


def _cite(p: Passage, quote: str | None = None) -> RatingCitation:
    return RatingCitation(doc_id=p.doc_id, page=p.page, paragraph=p.paragraph, quote=quote or p.text)


def _from_tables(passages: list[Passage], blocks: list, meta: dict) -> list[RatingRow]:
    tables = [b.table for b in blocks if b.kind == "table" and b.table is not None]
    row: RatingRow | None = None
    for table in tables:
        col = _rating_column(table.rows, table.header_rows)
        if col is None:
            continue
        body = inspected_body(meta, blocks, table.caption)
        if body is None:
            continue
        inspected, published = _cover_dates(blocks, meta)
        table_passages = [p for p in passages if p.table is not None and p.table == table.rows[:len(p.table)]]
        for cells in table.rows[table.header_rows:]:
            label, value = cells[0], cells[col]
            if not label or not _TABLE_VALUE.match(value or ""):
                continue
            rating = normalise_rating(value)
            source = next((p for p in table_passages if label in p.text and value in p.text), None)
            if source is None:
                source = next((p for p in passages if label in p.text and value in p.text), None)
            if source is None:
                continue
            if row is None:
                row = RatingRow(body=body, area=meta.get("area"), inspected=inspected, published=published,
                                doc_type=meta.get("doc_type"), title=meta.get("title"), doc_id=source.doc_id,
                                source="table", citation=_cite(source))
            if re.match(r"^overall", label, re.IGNORECASE):
                row.overall = rating
                row.citation = _cite(source)
            else:
                row.standards[label] = rating
                row.standard_citations[label] = _cite(source)
    if row is None:
        return []
    if row.overall is None and row.standard_citations:
        row.citation = next(iter(row.standard_citations.values()))
    # prose restating a rating: a supporting citation, never a source of ratings
    for p in passages:
        if p.table is not None:
            continue
        for sentence in _sentences(p.text):
            if _SCALE_NOTE.search(sentence):
                continue
            if any(pat.search(sentence) for pat in _OVERALL) or _STANDARDS.search(sentence):
                row.supporting.append(_cite(p, sentence))
                break
        if len(row.supporting) >= 5:
            break
    return [row]


def body_key(body: str) -> str:
    """'Harrowfield Probation Delivery Unit' and 'Harrowfield PDU' are one body."""
    key = " ".join(body.lower().split())
    for long, short in (("probation delivery unit", "pdu"), ("community rehabilitation company", "crc")):
        key = key.replace(long, short)
    return re.sub(r"^(?:the|nps)\s+", "", key)


def _from_prose(passages: list[Passage], known_body: str | None = None) -> list[RatingRow]:
    """One row per document and inspected body, with the overall rating and per-standard ratings found."""
    rows: dict[str, RatingRow] = {}
    doc_text = " ".join(p.text for p in passages)
    inspected = None
    m = _FIELDWORK.search(doc_text)
    if m:
        inspected = f"{m.group(2)}-{_MONTHS.index(m.group(1).lower()) + 1:02d}"
    title = passages[0].title if passages else ""
    for p in passages:
        for sentence in _sentences(f"{p.text}"):
            if _SCALE_NOTE.search(sentence) and re.search(r"\d", sentence):
                continue  # "a total of 0 to 6 gives an overall rating of Inadequate" explains the scale
            overall = None
            for pattern in _OVERALL:
                om = pattern.search(sentence)
                if om:
                    overall = normalise_rating(om.group(1))
                    break
            standards: dict[str, str] = {}
            for sm in _STANDARDS.finditer(sentence):
                rating = normalise_rating(sm.group("rating"))
                for name in _standard_names(sm.group("what")):
                    standards[name] = rating
            if overall is None and not standards:
                continue
            body = known_body or _body(sentence, p.area) or _body(p.text, p.area) or _body(title, p.area) \
                or _body(doc_text, p.area)
            if body is None:
                continue
            row = rows.get(body)
            if row is None:
                row = rows[body] = RatingRow(
                    body=body, area=p.area, inspected=inspected, published=p.published, doc_type=p.doc_type,
                    title=p.title, citation=RatingCitation(doc_id=p.doc_id, page=p.page, paragraph=p.paragraph,
                                                           quote=sentence))
            if overall and not row.overall:
                row.overall = overall
                row.citation = RatingCitation(doc_id=p.doc_id, page=p.page, paragraph=p.paragraph, quote=sentence)
            for name, rating in standards.items():
                row.standards.setdefault(name, rating)
    out = []
    for r in rows.values():
        if not (r.overall or r.standards):
            continue
        # "planning" said once and "case supervision planning" said later are one standard
        names = list(r.standards)
        r.standards = {n: v for n, v in r.standards.items()
                       if not any(o != n and o.lower().endswith(" " + n.lower()) for o in names)}
        if r.body.startswith("NPS ") and r.body.endswith(" division"):
            r.area = r.body[4:-9]
        out.append(r)
    return out
