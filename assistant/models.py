"""The shapes every surface shares: filters in, passages and answers out (docs/architecture.md, "The answer JSON")."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

DOC_TYPES = ("inspection_report", "mappa_guidance", "board_paper")
MAX_QUESTION_CHARS = 2000


class Filters(BaseModel):
    doc_type: list[str] | None = None
    published_after: date | None = None
    published_before: date | None = None
    area: str | None = None
    # set by the service from the caller's Access (assistant/access.py); whatever a caller puts here is replaced
    include_restricted: bool = False

    def is_empty(self) -> bool:
        """No metadata filter given (whether restricted records pass is the service's decision, not the caller's)."""
        return not (self.doc_type or self.published_after or self.published_before or self.area)

    # The one statement of what a filter means, in the three forms the code needs: a single record
    # (`accepts`), a column-wise mask over the snapshot (`mask`) and a Chroma `where` clause (`chroma_where`).
    # Dates compare as YYYYMMDD integers; an undated record passes no date bound; area is a case-insensitive
    # substring; restricted records pass only with include_restricted.

    def bounds(self) -> tuple[int | None, int | None]:
        """(published on or after, published on or before) as YYYYMMDD integers, None where unbounded."""
        return (published_int(self.published_after.isoformat()) if self.published_after else None,
                published_int(self.published_before.isoformat()) if self.published_before else None)

    def accepts(self, *, doc_type: str | None, published: str | None, area: str, restricted: bool) -> bool:
        """Whether one record passes. `area` is the text the area filter searches (area, body...)."""
        lo, hi = self.bounds()
        when = published_int(published)
        if lo is not None and (not when or when < lo):
            return False
        if hi is not None and (not when or when > hi):
            return False
        if self.doc_type and doc_type not in self.doc_type:
            return False
        if self.area and self.area.lower() not in area.lower():
            return False
        return self.include_restricted or not restricted

    def mask(self, doc_type, published, area: Collection[str], restricted):
        """Boolean numpy mask over columns (doc_type array, published YYYYMMDD ints, lower-cased area texts,
        restricted bools); None when every record passes."""
        import numpy as np

        if self.is_empty() and self.include_restricted:
            return None
        lo, hi = self.bounds()
        keep = np.ones(len(area), dtype=bool)
        if self.doc_type:
            keep &= np.isin(doc_type, list(self.doc_type))
        if lo is not None:
            keep &= published >= lo
        if hi is not None:
            keep &= (published <= hi) & (published > 0)
        if self.area:
            needle = self.area.lower()
            keep &= np.array([needle in a for a in area], dtype=bool)
        if not self.include_restricted:
            keep &= ~restricted
        return keep

    def chroma_where(self) -> dict | None:
        """The same filter for Chroma's ANN lookup; area (a substring) is applied on the snapshot side."""
        lo, hi = self.bounds()
        clauses: list[dict] = []
        if self.doc_type:
            clauses.append({"doc_type": {"$in": list(self.doc_type)}})
        if lo is not None:
            clauses.append({"published": {"$gte": lo}})
        if hi is not None:
            clauses.append({"published": {"$lte": hi}})
            clauses.append({"published": {"$gt": 0}})
        if not self.include_restricted:
            clauses.append({"restricted": False})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def published_int(value: str | None) -> int:
    """'2019-03-01' -> 20190301; None or '' -> 0 (undated)."""
    return int(value.replace("-", "")) if value else 0


class Passage(BaseModel):
    """One retrievable passage and where it came from."""

    id: str
    doc_id: str
    text: str
    title: str = ""
    doc_type: str = ""
    published: str | None = None
    organisation: str | None = None
    area: str | None = None
    source: str = ""
    page: int | None = None
    section: str | None = None
    paragraph: str | None = None
    restricted: bool = False
    table: list[list[str]] | None = None  # the grid of the table this passage is a row of (issue 12)


class ScoredPassage(BaseModel):
    passage: Passage
    score: float
    dense_score: float | None = None  # the text's own cosine (what the no-answer floor reads)
    bm25_score: float | None = None
    ranked_dense: float | None = None  # the cosine fusion used: text and header re-mixed (retrieve.py)


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    doc_type: str
    published: str | None
    page: int | None
    section: str | None
    paragraph: str | None
    quote: str
    score: float
    source: str
    table: list[list[str]] | None = None
    passage_id: str = Field("", description="the cited passage's id (GET /v1/documents/{doc_id}/passages)")
    url: str | None = Field(None, description="the web viewer at this passage, when ASSISTANT_PUBLIC_URL is set")


class ReadAs(BaseModel):
    """How a follow-up was read in its conversation: the standalone question and the filters searched."""

    question: str = Field(description="the standalone question that was searched and answered")
    filters: dict = Field(default_factory=dict, description="the filters searched (given, carried or from the question)")
    follow_up: bool = Field(description="false when the question stood alone (a new topic): nothing was carried over")
    how: str = Field(description="standalone | ellipsis | pronoun | contrast | rewritten (by the language model)")


class Answer(BaseModel):
    question: str
    status: Literal["answered", "partial", "no_answer"] = Field(
        ..., description="answered | partial (part of the question is answered; the text says which part is not) "
                         "| no_answer (the text says what the nearest passages do not give)")
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    mode: str = "extractive"
    notes: list[str] = Field(default_factory=list, description="period searched, superseded sources, glossary")
    table: list[dict] | None = Field(None, description="rows of a ratings table, when the question asked for one")
    read_as: ReadAs | None = Field(None, description="in a conversation: how the question was read (null for /v1/ask)")
    answerability: dict | None = Field(None, description="the answerability stage's verdict: status, probability, "
                                                         "threshold, answer_type, missing, conflicts, reason")


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    doc_type: str
    published: str | None = None
    organisation: str | None = None
    area: str | None = None
    source: str = ""
    passages: int = 0
    sha256: str = ""
    restricted: bool = False
    path: str = ""
    supersedes: str | None = None
    superseded_by: str | None = None
    ratings: list[dict] = Field(default_factory=list, description="inspection ratings found at ingest (RatingRow)")
    notes: list[str] = Field(default_factory=list, description="what reading the file found, e.g. 'page 7 has no "
                                                               "text layer; OCR used'")
    ratings_authority: bool | None = Field(None, description="its ratings are the inspectorate's: an inspection "
                                           "report by declared type, or `ratings_authority: true` in the manifest")
    instruction_passages: int = Field(0, description="passages addressing instructions to AI systems: they support "
                                                     "nothing (assistant/safety.py)")


class QuestionError(ValueError):
    """A question the service refuses to run (empty, too long)."""


def validate_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise QuestionError("the question is empty")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(q)} characters; the limit is {MAX_QUESTION_CHARS}")
    return q
