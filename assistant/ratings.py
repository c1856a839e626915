"""Inspection ratings pulled out of the text at ingest: who was inspected, when, and how it was rated.

HMIP rates on a four-point scale (Outstanding, Good, Requires improvement, Inadequate), overall and
per standard. Each row keeps the passage it came from, so every row of a ratings table is cited.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.models import Passage

RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
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
    supporting: list[RatingCitation] = Field(default_factory=list, description="other documents restating this "
                                             "rating (board papers, uploads): citations for it, never rows")


def normalise_rating(text: str) -> str:
    text = " ".join(text.split()).lower()
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
        if 2 <= len(p) <= 60 and not re.search(r"\b(?:report|inspection|division|overall)\b", p, re.IGNORECASE):
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


def extract_ratings(passages: list[Passage]) -> list[RatingRow]:
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
            body = _body(sentence, p.area) or _body(p.text, p.area) or _body(title, p.area) or _body(doc_text, p.area)
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
