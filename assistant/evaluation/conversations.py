"""Multi-turn question sets: each follow-up scored as read in its conversation, against the same question asked
standalone (the form a person would write) and asked alone without the conversation.

```yaml
name: conversations
conversations:
  - id: omic-cases
    turns:
      - question: What happens to cases in custody under OMIC?
        expected_sources: [llr-nps-board-update-2019]
        expected_quote: case management function for all cases in custody
        expected_answer_contains: [custody]
      - question: how many cases?
        kind: ellipsis                      # ellipsis | pronoun | contrast | topic_change
        standalone: How many custody cases will be transferred under OMIC?
        expected_sources: [llr-nps-board-update-2019]
        expected_quote: approximately 350 of our long-term custody cases
        expected_answer_contains: ["350"]
```

A topic_change turn needs no `standalone` (it is its own); it passes only if nothing was carried over. Each
turn is also a plain question (its standalone form), so `assistant eval` scores the set's questions too.
The scoring is the runner's (`score_question`); the ranking is the service's search over the question and
filters the answer reports in `read_as`, so the figures measure what a surface would have shown.
"""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.conversation import Turn
from assistant.evaluation import metrics as M
from assistant.evaluation.questions import EvalQuestion, QuestionSetError
from assistant.evaluation.runner import DEPTH, score_question
from assistant.models import Filters

KINDS = ("first", "ellipsis", "pronoun", "contrast", "topic_change")


class ConversationTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    kind: str = "first"
    standalone: str | None = None
    answerable: bool = True
    expected_sources: list[str] = Field(default_factory=list)
    expected_quote: list[str] | str = Field(default_factory=list)
    expected_answer_contains: list[str] = Field(default_factory=list)
    filters: Filters | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.kind not in ("first", "topic_change") and not self.standalone:
            raise ValueError("a follow-up needs its standalone form (standalone: ...)")
        if self.answerable and not self.expected_sources:
            raise ValueError("an answerable turn needs expected_sources")
        return self

    @property
    def standalone_question(self) -> str:
        return self.standalone or self.question


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    turns: list[ConversationTurn] = Field(min_length=2, max_length=4)
    notes: str | None = None


def load_conversations(path: Path | str) -> tuple[str, list[Conversation]]:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("conversations"), list):
        raise QuestionSetError(f"{path}: expected a mapping with a 'conversations' list")
    out = []
    for i, item in enumerate(raw["conversations"], start=1):
        try:
            out.append(Conversation.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
            raise QuestionSetError(f"{path}: conversation {label}: {where}: {first['msg']}") from exc
    return str(raw.get("name") or path.stem), out


def as_questions(name: str, conversations: list[Conversation]) -> list[EvalQuestion]:
    """Every turn in its standalone form, as a plain question (so `assistant eval` can read the file too)."""
    return [EvalQuestion(id=f"{c.id}#{i}", question=t.standalone_question, type=f"conversation-{t.kind}",
                         answerable=t.answerable,
                         expected_sources=t.expected_sources, expected_quote=t.expected_quote,
                         expected_answer_contains=t.expected_answer_contains, filters=t.filters, set=name)
            for c in conversations for i, t in enumerate(c.turns, start=1)]


def _ranked(service, answer, question: str, filters: Filters | None) -> tuple[list[dict], dict]:
    """The passages searched for what the answer says it read, and the answer as the runner scores it."""
    read = answer.read_as
    searched = Filters.model_validate(read.filters) if read else (filters or Filters())
    results = service.search(read.question if read else question, k=DEPTH, filters=searched)
    retrieved = [{"rank": i, "id": r.passage.id, "doc_id": r.passage.doc_id, "text": r.passage.text}
                 for i, r in enumerate(results, start=1)]
    return retrieved, {"status": answer.status, "answer": answer.answer,
                       "citations": [{"doc_id": c.doc_id} for c in answer.citations]}


def _score(service, q: EvalQuestion, question: str, filters, history) -> dict:
    answer = service.ask(question, filters=filters, history=history)
    retrieved, scored = _ranked(service, answer, question, filters)
    checks = score_question(q, retrieved, scored)
    return {"question": question, "read_as": answer.read_as.model_dump() if answer.read_as else None,
            "status": answer.status, "checks": checks}


def run_conversations(service, conversations: list[Conversation], name: str = "conversations") -> list[dict]:
    """One record per turn: as read in the conversation, standalone, and (follow-ups) asked alone."""
    records = []
    for conv in conversations:
        history: list[Turn] = []
        for i, turn in enumerate(conv.turns, start=1):
            q = EvalQuestion(id=f"{conv.id}#{i}", question=turn.standalone_question, type=turn.kind,
                             answerable=turn.answerable,
                             expected_sources=turn.expected_sources, expected_quote=turn.expected_quote,
                             expected_answer_contains=turn.expected_answer_contains, filters=turn.filters, set=name)
            in_thread = _score(service, q, turn.question, turn.filters, list(history))
            record = {"id": q.id, "conversation": conv.id, "turn": i, "kind": turn.kind, "asked": turn.question,
                      "standalone": turn.standalone_question, "in_conversation": in_thread}
            if i > 1:
                record["standalone_run"] = _score(service, q, turn.standalone_question, turn.filters, [])
                record["alone_run"] = _score(service, q, turn.question, turn.filters, [])
                read = in_thread["read_as"] or {}
                record["carried"] = bool(read.get("follow_up"))
            records.append(record)
            read = in_thread["read_as"] or {}
            history.append(Turn(question=turn.question, read_as=read.get("question", ""), filters=turn.filters))
    return records


def summarise(records: list[dict]) -> dict:
    """passage hit@5 (and document hit@5, answer-contains) per arm; topic changes that carried the old topic."""
    def mean(rows, arm, key):
        return M.mean_or_none(None if r[arm]["checks"].get(key) is None else float(r[arm]["checks"][key])
                              for r in rows)

    first = [r for r in records if r["turn"] == 1]
    follow = [r for r in records if r["turn"] > 1 and r["kind"] != "topic_change"]
    topic = [r for r in records if r["kind"] == "topic_change"]
    out: dict = {"conversations": len(first), "turns": len(records), "follow_ups": len(follow),
                 "topic_changes": len(topic), "topic_changes_carried": sum(r["carried"] for r in topic),
                 "follow_ups_not_carried": sum(not r["carried"] for r in follow)}
    for key in ("passage_hit@5", "passage_hit@1", "passage_mrr@10", "hit@5", "answer_contains", "refusal_correct"):
        out[f"turn1 {key}"] = mean(first, "in_conversation", key)
        for arm, label in (("in_conversation", "read in conversation"), ("standalone_run", "standalone"),
                           ("alone_run", "asked alone")):
            out[f"follow-up {key} {label}"] = mean(follow, arm, key)
            out[f"topic-change {key} {label}"] = mean(topic, arm, key)
    a, b = out["follow-up passage_hit@5 read in conversation"], out["follow-up passage_hit@5 standalone"]
    out["gap passage_hit@5 (standalone - conversation)"] = None if a is None or b is None else round(b - a, 4)
    out["per_kind passage_hit@5"] = {
        kind: {"n": len(rows), "read in conversation": mean(rows, "in_conversation", "passage_hit@5"),
               "standalone": mean(rows, "standalone_run", "passage_hit@5"),
               "asked alone": mean(rows, "alone_run", "passage_hit@5")}
        for kind in KINDS[1:] if (rows := [r for r in records if r["turn"] > 1 and r["kind"] == kind])}
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def eval_conversations_command(
        file: Path = typer.Argument(..., help="A multi-turn set (evals/questions/conversations.yaml)."),
        out: Path | None = typer.Option(None, "--out", help="Report folder (default evals/reports/<time>-...)."),
) -> None:
    """Score a multi-turn set (evals/questions/conversations.yaml): each follow-up as read in its conversation,
    standalone, and asked alone; topic changes must carry nothing over."""
    import json

    from assistant.cli_support import fail
    from assistant.evaluation.report import default_out_dir
    from assistant.evaluation.runner import EvalRunError, check_index
    from assistant.service import get_service

    try:
        name, conversations = load_conversations(file)
        service = get_service()
        check_index(service, as_questions(name, conversations))
    except (QuestionSetError, EvalRunError) as exc:
        fail(str(exc))
    service.warm()
    records = run_conversations(service, conversations, name)
    summary = summarise(records)
    out_dir = out or default_out_dir(f"{name}-multi-turn")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps({"summary": summary, "turns": records}, indent=1,
                                                    ensure_ascii=False), encoding="utf-8")
    for key, value in summary.items():
        typer.echo(f"{key}: {value}")
    typer.echo(f"report: {out_dir}/report.json")
