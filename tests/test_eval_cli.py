"""`assistant eval` and `assistant eval-beir` end to end: real CLI process over the real corpus index, real
llama-index baseline, a small BEIR-format dataset through the product Retriever with the embedding cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "evals" / "questions" / "smoke.yaml"
DESIGN_KEYS = {"hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "answer_contains", "citation_precision",
               "refusal_accuracy", "latency_p50_ms", "latency_p95_ms", "n"}
runner = CliRunner()


def _cli(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.mark.slow
def test_eval_compare_writes_report_files(service, tmp_path):
    out = tmp_path / "report"
    env = {"ASSISTANT_INDEX_DIR": str(service.settings.index_dir), "ASSISTANT_CORPUS_DIR": str(service.settings.corpus_dir)}
    done = _cli("eval", str(SMOKE), "--compare", "hybrid,naive", "--out", str(out), "--gate",
                str(ROOT / "evals" / "gate.yaml"), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refusal_accuracy" in done.stdout and "report.json" in done.stdout
    report = json.loads((out / "report.json").read_text())
    assert list(report["summary"]) == ["hybrid", "naive"]
    for name, s in report["summary"].items():
        assert DESIGN_KEYS | {"passage_hit@1", "passage_hit@5", "passage_mrr@10"} <= set(s), name
        assert s["n"] == 10
        for key, value in s.items():
            if value is not None and not key.endswith("_ms") and not key.startswith(("n", "errors", "answer_words",
                                                                                      "retrieved_words")):
                assert 0.0 <= value <= 1.0, (name, key, value)
    # naive never refuses: the three unanswerable smoke questions are wrong for it, right for the product
    assert report["summary"]["naive"]["no_answer_recall"] == 0.0
    assert report["summary"]["hybrid"]["refusal_accuracy"] > report["summary"]["naive"]["refusal_accuracy"]
    questions = report["questions"]
    assert len(questions) == 20 and {q["config"] for q in questions} == {"hybrid", "naive"}
    q = next(q for q in questions if q["config"] == "hybrid" and q["id"] == "omic-cases-transferring")
    assert q["retrieved"][0]["rank"] == 1 and q["retrieved"][0]["doc_id"] == "llr-nps-board-update-2019"
    assert q["status"] == "answered" and "350" in q["answer"] and q["checks"]["passage_rank"] == 1
    assert set(q["timings_ms"]) >= {"retrieve", "answer", "total"} and q["evidence"]["coverage"] > 0
    # the newcomer baseline: llama-index's default top-2 nodes of the corpus documents, top node text as answer
    naive = [q for q in questions if q["config"] == "naive"]
    assert all(len(q["retrieved"]) == 2 and q["status"] == "answered" for q in naive)
    assert {r["doc_id"] for q in naive for r in q["retrieved"]} <= {d.doc_id for d in service.documents()}
    assert all(q["answer"].startswith(q["retrieved"][0]["text"][:100]) for q in naive)
    md = (out / "report.md").read_text()
    for heading in ("## Summary", "## Per question type", "## Worst questions", "## Configurations"):
        assert heading in md
    for png in ("metrics.png", "latency.png"):
        data = (out / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_eval_on_an_empty_index_says_so(tmp_path):
    done = _cli("eval", str(SMOKE), env={"ASSISTANT_INDEX_DIR": str(tmp_path / "empty")}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "error: the index is empty: run `assistant ingest` first"


@pytest.mark.parametrize("args, message", [
    (["eval", "no/such.yaml"], "no/such.yaml: no such question file"),
    (["eval", str(SMOKE), "--compare", "hybrid,fancy"], "unknown configuration 'fancy'"),
    (["eval", str(SMOKE), "--config", "dense", "--compare", "bm25"], "either --config NAME or --compare"),
    (["eval", str(SMOKE), "--gate", "no/gate.yaml"], "no such gate file"),
    (["eval-beir", "no/such/dir"], "is not a folder"),
    (["eval-beir", str(ROOT / "evals"), "--config", "dense"], "corpus.jsonl is missing"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_bad_question_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nquestions:\n  - id: x\n    question: What?\n    expected_quote: q\n")
    result = runner.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 2 and "question x: " in result.stderr and "expected_sources" in result.stderr


def _beir(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    (root / "qrels").mkdir(parents=True)
    docs = {
        "d1": ("Probation workloads", "Victim liaison officers carry workloads that are too high."),
        "d2": ("Prison transfers", "Long-term custody cases move to prison offender management teams."),
        "d3": ("Bread", "Sourdough bread needs a starter, flour, water and salt."),
        "d4": ("Football", "The World Cup final was played in Moscow."),
        "d5": ("Inspection rating", "Inspectors rated the division good overall."),
        "d6": ("Staffing", "There are substantial staffing shortages among probation officers."),
    }
    (root / "corpus.jsonl").write_text("".join(json.dumps({"_id": k, "title": t, "text": x}) + "\n"
                                               for k, (t, x) in docs.items()))
    queries = {"q1": "victim liaison officer workloads", "q2": "how do I bake sourdough",
               "q3": "probation staff shortages and workloads", "q9": "unjudged query"}
    (root / "queries.jsonl").write_text("".join(json.dumps({"_id": k, "text": v}) + "\n" for k, v in queries.items()))
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\nq3\td6\t2\nq3\td1\t1\n")
    return root


def test_eval_beir_scores_configurations_and_caches_embeddings(tmp_path):
    data, cache, out = _beir(tmp_path), tmp_path / "cache", tmp_path / "out"
    result = runner.invoke(app, ["eval-beir", str(data), "--compare", "dense,bm25,hybrid", "--cache-dir", str(cache),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert list(report["summary"]) == ["dense", "bm25", "hybrid"]
    for s in report["summary"].values():
        assert DESIGN_KEYS | {"recall@100"} <= set(s) and s["n"] == 3  # q9 has no judgements
        assert s["refusal_accuracy"] is None  # no answers in a retrieval benchmark
    # q2's only relevant document shares the rare words: BM25 puts it first, nDCG 1
    q2 = next(q for q in report["questions"] if q["config"] == "bm25" and q["id"] == "q2")
    assert q2["retrieved"][0]["id"] == "d3" and q2["metrics"]["ndcg@10"] == 1.0
    assert report["summary"]["hybrid"]["recall@100"] == 1.0  # six documents: all retrieved
    assert report["meta"]["embeddings_from_cache"] is False and len(list(cache.glob("tiny-*.npy"))) == 1
    again = runner.invoke(app, ["eval-beir", str(data), "--config", "dense", "--cache-dir", str(cache),
                                "--out", str(tmp_path / "out2")])
    assert again.exit_code == 0, again.output
    second = json.loads((tmp_path / "out2" / "report.json").read_text())
    assert second["meta"]["embeddings_from_cache"] is True
    assert second["summary"]["dense"]["ndcg@10"] == report["summary"]["dense"]["ndcg@10"]
    assert (tmp_path / "out2" / "report.md").read_text().startswith("# BEIR tiny (test)")


def test_beir_missing_split_names_the_ones_present(tmp_path):
    data = _beir(tmp_path)
    result = runner.invoke(app, ["eval-beir", str(data), "--split", "train"])
    assert result.exit_code == 2 and "splits here: test" in result.stderr


def test_naive_cannot_run_on_beir(tmp_path):
    result = runner.invoke(app, ["eval-beir", str(_beir(tmp_path)), "--config", "naive",
                                 "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 2 and "cannot run on a BEIR dataset" in result.stderr
