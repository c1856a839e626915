"""The CI quality gate and the question sets: the smoke set, run in-process on the real corpus, must keep
the thresholds recorded in evals/gate.yaml; every question in evals/questions/ must fit the corpus."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant.evaluation.configs import CONFIGS, EvalConfig
from assistant.evaluation.gate import GateError, check_gate, load_gate
from assistant.evaluation.metrics import contains
from assistant.evaluation.questions import QuestionSetError, load_file, load_sets
from assistant.evaluation.runner import run_questions, summarise, targets_for

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "evals" / "questions"
GATE = ROOT / "evals" / "gate.yaml"


def _run(service, path: Path, config: EvalConfig):
    _, questions = load_sets([path])
    with targets_for([config], service) as targets:
        records = run_questions(questions, targets)
    return summarise(records), records


def test_smoke_set_keeps_the_recorded_thresholds(service):
    gate = load_gate(GATE)
    assert date.fromisoformat(str(gate["measured_on"])) <= date.today()
    assert {"hit@5", "refusal_accuracy"} <= set(gate["thresholds"])
    summary, records = _run(service, ROOT / gate["question_set"], CONFIGS[gate["config"]])
    assert summary["n"] == 10 and summary["errors"] == 0
    failures = check_gate(summary, gate)
    worst = [(r["id"], r["status"], r["checks"].get("passage_rank")) for r in records
             if not r["checks"]["refusal_correct"] or r["checks"].get("passage_hit@5") == 0.0]
    assert not failures, f"{failures}; failing questions: {worst}"


def test_gate_trips_when_a_change_breaks_answers(service):
    """A configuration that refuses everything (coverage threshold above 1) must fail the same gate."""
    gate = load_gate(GATE)
    broken = EvalConfig("broken", "refuses everything", mode="hybrid", overrides={"min_term_coverage": 1.01})
    summary, _ = _run(service, ROOT / gate["question_set"], broken)
    failures = check_gate(summary, gate)
    assert any(f.startswith("refusal_accuracy") for f in failures)


def test_gate_file_errors(tmp_path):
    bad = tmp_path / "gate.yaml"
    bad.write_text("thresholds: {hit@5: 0.9}\n")
    with pytest.raises(GateError, match="measured_on"):
        load_gate(bad)
    bad.write_text("measured_on: 2026-01-01\nthresholds: {hit@5: 9}\n")
    with pytest.raises(GateError, match="0..1"):
        load_gate(bad)
    assert check_gate({"hit@5": 0.5}, {"measured_on": "x", "thresholds": {"hit@5": 0.9, "mrr@10": 0.5}}) == [
        "hit@5 = 0.500 is below the threshold 0.9 (measured ? on x)", "mrr@10 was not measured (threshold 0.5)"]


def test_question_sets_fit_the_corpus(service):
    """>= 60 questions, >= 15 unanswerable, every expected source indexed and every expected_quote verbatim
    in some passage (so passage-level metrics measure something), smoke.yaml a 10-question subset."""
    # library.yaml is about the generated library (its own index: make eval-library), not corpus/
    files = sorted(f for f in QUESTIONS.glob("*.yaml") if f.name != "library.yaml")
    names, questions = load_sets(files)
    answerable = [q for q in questions if q.answerable]
    assert len(questions) >= 60 and len(questions) - len(answerable) >= 15
    docs = {d.doc_id for d in service.documents()}
    passages = service.snapshot().passages
    for q in answerable:
        assert set(q.expected_sources) <= docs, q.id
        assert q.expected_answer_contains, q.id
        assert q.expected_quote, q.id
        for quote in q.expected_quote:
            assert any(contains(p.text, quote) and p.doc_id in q.expected_sources for p in passages), (q.id, quote)
    types = {q.type for q in questions}
    assert {"off-topic", "not-in-corpus", "date-filter", "typo", "abbreviation", "staff-phrasing"} <= types
    assert any(q.filters and (q.filters.published_after or q.filters.published_before) for q in questions)
    _, smoke = load_file(QUESTIONS / "smoke.yaml")
    _, full = load_sets([f for f in files if f.name != "smoke.yaml"])
    assert len(smoke) == 10 and {q.id for q in smoke} <= {q.id for q in full} and len(full) == len(questions)


def test_question_file_errors_name_the_file_and_question(tmp_path):
    f = tmp_path / "q.yaml"
    f.write_text("name: x\nquestions:\n  - id: a\n    question: What?\n")
    with pytest.raises(QuestionSetError, match=r"q.yaml: question a: .*expected_sources"):
        load_file(f)
    f.write_text("name: x\nquestions:\n  - id: a\n    question: What?\n    answerable: false\n"
                 "    expected_sources: [d]\n")
    with pytest.raises(QuestionSetError, match="must not list expected"):
        load_file(f)
    f.write_text("questions: [\n")
    with pytest.raises(QuestionSetError, match=re.escape("not valid YAML")):
        load_file(f)
    g = tmp_path / "g.yaml"
    f.write_text(yaml.safe_dump({"questions": [{"id": "a", "question": "Q1?", "answerable": False}]}))
    g.write_text(yaml.safe_dump({"questions": [{"id": "a", "question": "Q2?", "answerable": False}]}))
    with pytest.raises(QuestionSetError, match="ids must be unique"):
        load_sets([f, g])
