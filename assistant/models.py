"""The shapes every surface shares: filters in, passages and answers out (DESIGN.md's answer JSON)."""

from __future__ import annotations

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
    include_restricted: bool = True

    def is_empty(self) -> bool:
        return not (self.doc_type or self.published_after or self.published_before or self.area) and self.include_restricted


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


class ScoredPassage(BaseModel):
    passage: Passage
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None


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


class QuestionError(ValueError):
    """A question the service refuses to run (empty, too long)."""


def validate_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise QuestionError("the question is empty")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(q)} characters; the limit is {MAX_QUESTION_CHARS}")
    return q
