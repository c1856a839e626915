"""Request and response bodies of the HTTP API. The answer itself is assistant.models.Answer
(docs/architecture.md, "The answer JSON")."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from assistant.models import MAX_QUESTION_CHARS, Citation, DocumentInfo, Filters
from assistant.ratings import RatingRow

DocType = Literal["inspection_report", "mappa_guidance", "board_paper"]
Mode = Literal["hybrid", "dense", "bm25"]


class FiltersIn(BaseModel):
    """Metadata filters; every field optional, all given ones must hold."""

    model_config = ConfigDict(extra="forbid")

    doc_type: list[DocType] | None = Field(None, max_length=3, description="any of these document types")
    published_after: date | None = Field(None, description="published on or after (YYYY-MM-DD)")
    published_before: date | None = Field(None, description="published on or before (YYYY-MM-DD)")
    area: str | None = Field(None, min_length=1, max_length=200, description="area name contains this (case-insensitive)")

    def to_filters(self) -> Filters:
        return Filters(doc_type=list(self.doc_type) if self.doc_type else None, published_after=self.published_after,
                       published_before=self.published_before, area=self.area)


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "What did inspectors say about workloads?", "filters": {"doc_type": ["inspection_report"]}}]})

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS,
                          description=f"the question, 1..{MAX_QUESTION_CHARS} characters")
    filters: FiltersIn | None = None
    top_k: int = Field(5, ge=1, le=20, description="how many passages to retrieve (1..20)")
    mode: Mode | None = Field(None, description="retrieval mode; default from the server's settings (hybrid)")


class AskIn(QueryIn):
    stream: bool = Field(False, description="true: answer as server-sent events (delta..., answer, done)")


class SearchOut(BaseModel):
    query: str
    results: list[Citation] = Field(description="ranked passages: citation fields and the fused score")


class DocumentOut(DocumentInfo):
    """A document's metadata and how many passages it has in the live index (never the server's file path)."""

    path: SkipJsonSchema[str] = Field("", exclude=True)

    @classmethod
    def of(cls, d: DocumentInfo) -> DocumentOut:
        return cls.model_validate(d.model_dump())


class RatingsOut(BaseModel):
    ratings: list[RatingRow] = Field(description="body, area, inspected, published, overall, standards, citation")


class DocumentList(BaseModel):
    documents: list[DocumentOut]
    total: int
    limit: int
    offset: int


class UploadOut(BaseModel):
    status: Literal["added", "updated", "unchanged"]
    document: DocumentOut
    index_version: str | None = None
    seconds: float


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[dict] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
    index_version: str | None = None
    documents: int | None = None
    passages: int | None = None


class PassageOut(BaseModel):
    """One passage as the source viewer shows it, in reading order."""

    id: str
    n: int = Field(description="position in the document's reading order, from 1")
    page: int | None = None
    section: str | None = None
    paragraph: str | None = None
    text: str
    table: list[list[str]] | None = Field(None, description="the grid of the table this passage is a row of, if any")


class PassageList(BaseModel):
    document: DocumentOut
    file_type: str | None = Field(None, description="media type of the original file at .../file; null: none to serve")
    passages: list[PassageOut]
