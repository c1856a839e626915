"""Metric correctness against small examples computed by hand (and cross-checked once with pytrec_eval 0.5)."""

from __future__ import annotations

import math

import pytest

from assistant.evaluation import metrics as M
from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.runner import score_question, summarise

# Graded qrels and a run with a score tie: the pytrec_eval example.
QRELS = {"q1": {"d1": 2, "d2": 1, "d3": 0, "d4": 1},
         "q2": {"d5": 1},
         "q3": {"d9": 3, "d8": 1}}
RUN = {"q1": {"d2": 0.9, "d3": 0.8, "d7": 0.7, "d4": 0.7, "d1": 0.5},
       "q2": {"d6": 1.0, "d5": 0.2},
       "q3": {**{f"x{i:02d}": 1.0 - i / 100 for i in range(10)}, "d9": 0.5}}


def test_trec_eval_order_breaks_score_ties_by_doc_id_descending():
    assert M.rank_run(RUN["q1"]) == ["d2", "d3", "d7", "d4", "d1"]


def test_ndcg_at_10_graded_matches_hand_computation_and_pytrec_eval():
    # q1 ranking d2(1) d3(0) d7(-) d4(1) d1(2): DCG = 1/log2(2) + 1/log2(5) + 2/log2(6)
    dcg = 1 / math.log2(2) + 1 / math.log2(5) + 2 / math.log2(6)
    # ideal: 2, 1, 1 at ranks 1..3 (d3 judged 0 gains nothing)
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert dcg / idcg == pytest.approx(0.704066, abs=1e-6)  # pytrec_eval ndcg_cut_10 for q1
    ranked = M.rank_run(RUN["q1"])
    assert M.ndcg_at_k(ranked, QRELS["q1"], 10) == pytest.approx(dcg / idcg)
    # cut at 3: only d2 counts
    assert M.ndcg_at_k(ranked, QRELS["q1"], 3) == pytest.approx(1 / idcg)  # pytrec_eval ndcg_cut_3: 0.319394
    assert 1 / idcg == pytest.approx(0.319394, abs=1e-6)


def test_whole_run_matches_pytrec_eval_figures():
    result = M.evaluate_run(QRELS, RUN, ndcg_k=10, recall_k=100, mrr_k=10)
    per = result["per_query"]
    # q2: relevant d5 at rank 2 -> nDCG 1/log2(3), RR 1/2
    assert per["q2"]["ndcg@10"] == pytest.approx(0.630930, abs=1e-6)
    assert per["q2"]["mrr@10"] == 0.5
    # q3: d9 (rel 3) at rank 11: outside the nDCG@10 and MRR@10 cut, inside recall@100 (1 of 2 relevant)
    assert per["q3"] == {"ndcg@10": 0.0, "recall@100": 0.5, "mrr@10": 0.0}
    assert per["q1"]["recall@100"] == 1.0  # d3 is judged 0: not relevant, not counted
    assert per["q1"]["mrr@10"] == 1.0
    assert result["mean"]["ndcg@10"] == pytest.approx((0.704066 + 0.630930 + 0.0) / 3, abs=1e-6)
    assert result["mean"]["recall@100"] == pytest.approx(2.5 / 3)
    assert result["mean"]["mrr@10"] == pytest.approx(0.5)
    assert result["n"] == 3


def test_query_with_no_run_scores_zero_and_query_without_relevant_is_skipped():
    qrels = {"a": {"d1": 1}, "b": {"d2": 0}}
    result = M.evaluate_run(qrels, {}, ndcg_k=10, recall_k=100, mrr_k=10)
    assert result["n"] == 1 and result["mean"] == {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}


def test_hits_recall_and_reciprocal_rank_on_a_list():
    ranked = ["a", "b", "c", "d"]
    assert M.hit_at_k(ranked, {"c"}, 2) == 0.0 and M.hit_at_k(ranked, {"c"}, 3) == 1.0
    assert M.reciprocal_rank_at_k(ranked, {"c", "d"}, 10) == pytest.approx(1 / 3)
    assert M.reciprocal_rank_at_k(ranked, {"d"}, 3) == 0.0
    assert M.recall_at_k(ranked, {"b", "z"}, 4) == 0.5
    assert M.recall_at_k(ranked, set(), 4) is None
    assert M.first_relevant_rank(ranked, {"z"}) is None


def test_normalise_collapses_space_case_and_typographic_quotes():
    assert M.contains("The Inspectorate’s\n  recommendations", "inspectorate's recommendations")
    assert not M.contains("overall good rating", "overall rating good")


def _q(**kw) -> EvalQuestion:
    base = {"id": "q", "question": "What rating?", "expected_sources": ["a"], "expected_quote": "rated good",
            "expected_answer_contains": ["good"]}
    return EvalQuestion.model_validate({**base, **kw})


def test_per_question_checks_document_and_passage_level():
    retrieved = [{"id": "p1", "doc_id": "b", "text": "nothing here"},
                 {"id": "p2", "doc_id": "a", "text": "other text from a"},
                 {"id": "p3", "doc_id": "a", "text": "It was RATED\ngood overall."}]
    answer = {"status": "answered", "answer": "It was rated Good [1]", "citations": [{"doc_id": "a"}, {"doc_id": "b"}]}
    c = score_question(_q(), retrieved, answer)
    assert (c["hit@1"], c["hit@3"], c["mrr@10"], c["doc_rank"]) == (0.0, 1.0, 0.5, 2)
    assert (c["passage_hit@1"], c["passage_hit@3"], c["passage_rank"]) == (0.0, 1.0, 3)
    assert c["passage_mrr@10"] == pytest.approx(1 / 3)
    # documents collapsed in first-seen order: b, a -> the one relevant doc at rank 2
    assert c["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert c["answer_contains"] is True and c["citation_precision"] == 0.5 and c["refusal_correct"] is True


def test_refusals_scored_both_ways_and_summary_rates():
    no = {"status": "no_answer", "answer": "I could not find this", "citations": [{"doc_id": "a"}]}
    yes = {"status": "answered", "answer": "good [1]", "citations": [{"doc_id": "a"}]}
    unanswerable = EvalQuestion(id="u", question="Capital of France?", answerable=False)
    rows = []
    for q, ans in [(_q(id="a1"), yes), (_q(id="a2"), no), (unanswerable, no),
                   (unanswerable.model_copy(update={"id": "u2"}), yes)]:
        rows.append({"config": "x", "answerable": q.answerable, "status": ans["status"], "answer": ans["answer"],
                     "timings_ms": {"total": 10.0, "retrieve": 8.0, "answer": 2.0},
                     "checks": score_question(q, [{"id": "p", "doc_id": "a", "text": "rated good"}], ans)})
    s = summarise(rows)
    assert s["refusal_accuracy"] == 0.5          # a1 right, a2 wrongly refused, u right, u2 wrongly answered
    assert s["no_answer_recall"] == 0.5 and s["false_refusal_rate"] == 0.5
    assert s["answer_contains"] == 0.5           # a refused answer does not contain the answer
    assert s["citation_precision"] == 1.0        # only answered questions' citations count
    assert s["hit@1"] == 1.0 and s["n"] == 4 and s["n_answerable"] == 2
    assert s["latency_p50_ms"] == 10.0 and s["retrieve_p95_ms"] == 8.0


def test_metric_with_no_applicable_question_is_null():
    unanswerable = EvalQuestion(id="u", question="Capital of France?", answerable=False)
    no = {"status": "no_answer", "answer": "", "citations": []}
    rows = [{"config": "x", "answerable": False, "status": "no_answer", "answer": "", "timings_ms": {},
             "checks": score_question(unanswerable, [], no)}]
    s = summarise(rows)
    assert s["hit@5"] is None and s["passage_mrr@10"] is None and s["latency_p50_ms"] is None
    assert s["refusal_accuracy"] == 1.0
