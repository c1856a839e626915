"""Question sets (YAML; the format is in docs/architecture.md, "Question sets"): loaded, validated, merged.

```yaml
name: example
questions:
  - id: midlands-rating
    type: factual                       # free label for the per-type breakdown
    question: What overall rating did inspectors give the NPS Midlands division?
    expected_sources: [doc_id, ...]     # any of these counts as a document hit
    expected_answer_contains: [good]    # case-insensitive substrings, all must appear in the answer
    expected_quote: overall performance as good   # or a list: a passage containing any of them answers
    filters: {published_after: 2019-01-01, published_before: ..., doc_type: [board_paper], area: ...}
  - id: off-topic
    question: What is the capital of France?
    answerable: false                   # the right output is status no_answer
```
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.models import Filters


class QuestionSetError(ValueError):
    """A question file that cannot be used (the message names the file and the question)."""


class EvalQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    type: str = "factual"
    answerable: bool = True
    expected_sources: list[str] = Field(default_factory=list)
    expected_answer_contains: list[str] = Field(default_factory=list)
    expected_quote: list[str] = Field(default_factory=list)
    filters: Filters | None = None
    notes: str | None = None
    set: str = ""

    @field_validator("expected_quote", "expected_sources", "expected_answer_contains", mode="before")
    @classmethod
    def _listify(cls, v):
        if v is None:
            return []
        if isinstance(v, (str, int, float)):
            return [str(v)]
        return [str(x) for x in v]

    @field_validator("id", "question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not str(v).strip():
            raise ValueError("must not be empty")
        return str(v).strip()

    @model_validator(mode="after")
    def _consistent(self):
        if self.answerable and not self.expected_sources:
            raise ValueError("an answerable question needs expected_sources")
        if not self.answerable and (self.expected_sources or self.expected_quote or self.expected_answer_contains):
            raise ValueError("an unanswerable question (answerable: false) must not list expected sources, "
                             "quotes or answer substrings")
        return self

    def content_key(self) -> str:
        return tuple(self.model_dump(exclude={"set"}).items()).__repr__()


def load_file(path: Path | str) -> tuple[str, list[EvalQuestion]]:
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(f"{path}: no such question file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise QuestionSetError(f"{path}: not valid YAML{where} ({getattr(exc, 'problem', None) or exc})") from exc
    if isinstance(raw, dict) and isinstance(raw.get("conversations"), list):  # a multi-turn set: its standalone forms
        from assistant.evaluation.conversations import as_questions, load_conversations

        conv_name, conversations = load_conversations(path)
        return conv_name, as_questions(conv_name, conversations)
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
        raise QuestionSetError(f"{path}: expected a mapping with a 'questions' list")
    name = str(raw.get("name") or path.stem)
    out = []
    for i, item in enumerate(raw["questions"], start=1):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        if not isinstance(item, dict):
            raise QuestionSetError(f"{path}: question {label} is not a mapping")
        try:
            out.append(EvalQuestion.model_validate({**item, "set": name}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "question"
            raise QuestionSetError(f"{path}: question {label}: {where}: {first['msg']}") from exc
    if not out:
        raise QuestionSetError(f"{path}: the question list is empty")
    return name, out


def load_sets(paths: Iterable[Path | str]) -> tuple[list[str], list[EvalQuestion]]:
    """Questions from several files. The same id in two files is allowed only for identical questions
    (smoke.yaml repeats questions of the full set) and is then run once."""
    names: list[str] = []
    questions: list[EvalQuestion] = []
    by_id: dict[str, EvalQuestion] = {}
    for path in paths:
        name, qs = load_file(path)
        names.append(name)
        for q in qs:
            seen = by_id.get(q.id)
            if seen is None:
                by_id[q.id] = q
                questions.append(q)
            elif seen.content_key() != q.content_key():
                raise QuestionSetError(f"{path}: question id {q.id!r} is also in set {seen.set!r} with different "
                                       "content; ids must be unique")
    if not questions:
        raise QuestionSetError("no question files given")
    return names, questions
