"""Runs question sets against named configurations and scores them (report.json's summary and questions).

For every question and configuration the runner calls the service exactly as a surface does:
`search(question, k=10)` for the ranking (document- and passage-level metrics) and `ask(question, k)`
for the answer (status, text, citations, timings). Nothing here re-implements retrieval or answering.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.access import PUBLIC, Access
from assistant.evaluation import metrics as M
from assistant.evaluation.configs import EvalConfig
from assistant.evaluation.questions import EvalQuestion

DEPTH = 10          # ranking depth scored (hit@10, MRR@10, nDCG@10)
HIT_KS = (1, 3, 5, 10)
PASSAGE_KS = (1, 3, 5, 10)


class EvalRunError(RuntimeError):
    """The run cannot start (empty index, unknown document ids...)."""


# --- one question ---------------------------------------------------------------------------

def score_question(q: EvalQuestion, retrieved: list[dict], answer: dict) -> dict:
    """Per-question checks from the ranked list [{id, doc_id, text, ...}] and the answer {status, answer, citations}."""
    doc_ranking = M.dedupe(r["doc_id"] for r in retrieved)
    expected = set(q.expected_sources)
    for r in retrieved:
        r["relevant_doc"] = r["doc_id"] in expected
        r["relevant_passage"] = bool(q.expected_quote) and any(M.contains(r["text"], qt) for qt in q.expected_quote)
    checks: dict = {}
    status = answer.get("status")
    # `partial` answers part and says what is missing: a refusal of an unanswerable question, an answer to an
    # answerable one
    refused = status in ("no_answer", "partial")
    answered = status in ("answered", "partial")
    checks["refusal_correct"] = (refused if not q.answerable else answered)
    if q.answerable:
        passage_ids = [r["id"] for r in retrieved]
        doc_flags = [r["doc_id"] for r in retrieved]
        checks["doc_rank"] = M.first_relevant_rank(doc_flags, expected)
        for k in HIT_KS:
            checks[f"hit@{k}"] = M.hit_at_k(doc_flags, expected, k)
        checks["mrr@10"] = M.reciprocal_rank_at_k(doc_flags, expected, 10)
        checks["ndcg@10"] = M.ndcg_at_k(doc_ranking, expected, 10)
        checks["recall@5"] = M.recall_at_k(M.dedupe(doc_flags[:5]), expected, 5)
        checks["recall@10"] = M.recall_at_k(doc_ranking, expected, 10)
        if q.expected_quote:
            relevant = {r["id"] for r in retrieved if r["relevant_passage"]}
            checks["passage_rank"] = M.first_relevant_rank(passage_ids, relevant)
            for k in PASSAGE_KS:
                checks[f"passage_hit@{k}"] = M.hit_at_k(passage_ids, relevant, k)
            checks["passage_mrr@10"] = M.reciprocal_rank_at_k(passage_ids, relevant, 10)
        if q.expected_answer_contains:
            text = answer.get("answer") or ""
            checks["answer_contains"] = (answered
                                         and all(M.contains(text, s) for s in q.expected_answer_contains))
            checks["answer_missing"] = [s for s in q.expected_answer_contains if not M.contains(text, s)]
        cited = [c["doc_id"] for c in answer.get("citations", [])]
        if answered and cited:
            checks["citation_precision"] = sum(d in expected for d in cited) / len(cited)
    return checks


# --- summaries ------------------------------------------------------------------------------

SUMMARY_KEYS = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "recall@5", "recall@10",
                "passage_hit@1", "passage_hit@3", "passage_hit@5", "passage_hit@10", "passage_mrr@10",
                "answer_contains", "citation_precision", "refusal_accuracy", "no_answer_recall",
                "false_refusal_rate", "answered_rate", "refused_rate", "partial_rate", "latency_p50_ms", "latency_p95_ms", "retrieve_p50_ms", "retrieve_p95_ms",
                "answer_p50_ms", "answer_p95_ms", "answer_words_p50", "retrieved_words_p50", "n", "n_answerable", "n_unanswerable",
                "errors")


def summarise(records: list[dict]) -> dict:
    """Means over the questions each metric applies to (null when none does); latencies in ms."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]

    def mean(key: str, rows: list[dict]) -> float | None:
        return M.mean_or_none(_num(r["checks"].get(key)) for r in rows)

    out: dict = {}
    for key in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "recall@5", "recall@10",
                "passage_hit@1", "passage_hit@3", "passage_hit@5", "passage_hit@10", "passage_mrr@10",
                "answer_contains", "citation_precision"):
        out[key] = mean(key, answerable)
    out["refusal_accuracy"] = mean("refusal_correct", records)
    out["no_answer_recall"] = mean("refusal_correct", unanswerable)
    out["false_refusal_rate"] = M.mean_or_none(float(r["status"] == "no_answer") for r in answerable) \
        if answerable else None
    # the answerability trade-off: answerable questions answered (answered or partial), unanswerable refused
    out["answered_rate"] = M.mean_or_none(float(r["status"] in ("answered", "partial")) for r in answerable) \
        if answerable else None
    out["refused_rate"] = M.mean_or_none(float(r["status"] in ("no_answer", "partial")) for r in unanswerable) \
        if unanswerable else None
    out["partial_rate"] = M.mean_or_none(float(r["status"] == "partial") for r in records) if records else None
    timings = [r["timings_ms"] for r in records if r.get("timings_ms")]
    for name, key in (("latency", "total"), ("retrieve", "retrieve"), ("answer", "answer")):
        vals = [t[key] for t in timings if key in t]
        out[f"{name}_p50_ms"] = _round(M.percentile(vals, 50))
        out[f"{name}_p95_ms"] = _round(M.percentile(vals, 95))
    words = [len((r.get("answer") or "").split()) for r in records if r["status"] in ("answered", "partial")]
    out["answer_words_p50"] = M.percentile(words, 50)
    # how big the retrieved units are: a passage hit in a 700-word node is not the same as in a 150-word one
    out["retrieved_words_p50"] = M.percentile([r.get("words", 0) for rec in records for r in rec.get("retrieved", [])], 50)
    out["n"] = len(records)
    out["n_answerable"] = len(answerable)
    out["n_unanswerable"] = len(unanswerable)
    out["errors"] = sum(1 for r in records if r.get("error"))
    return {k: (round(v, 4) if isinstance(v, float) and not k.endswith("_ms") else v) for k, v in out.items()}


def per_type(records: list[dict]) -> dict:
    """{type: {config: {n, hit@5, passage_hit@5, passage_mrr@10, answer_contains, refusal_accuracy}}}."""
    out: dict = {}
    for r in records:
        out.setdefault(r["type"], {}).setdefault(r["config"], []).append(r)
    return {t: {c: {k: v for k, v in summarise(rows).items()
                    if k in ("n", "hit@5", "passage_hit@5", "passage_mrr@10", "answer_contains", "refusal_accuracy")}
                for c, rows in by_config.items()} for t, by_config in sorted(out.items())}


def per_set(records: list[dict]) -> dict:
    """{set: {config: {n, answered_rate, refused_rate, partial_rate, refusal_accuracy}}}: both sides of the
    answerability trade-off for every question set."""
    out: dict = {}
    for r in records:
        out.setdefault(r["set"], {}).setdefault(r["config"], []).append(r)
    keys = ("n", "n_answerable", "n_unanswerable", "answered_rate", "refused_rate", "partial_rate", "refusal_accuracy",
            "passage_hit@5", "passage_mrr@10", "answer_contains")
    return {name: {c: {k: v for k, v in summarise(rows).items() if k in keys} for c, rows in by_config.items()}
            for name, by_config in sorted(out.items())}


def answerability_curve(records: list[dict], points: int = 101) -> dict:
    """{config: [(threshold, answered_rate, refused_rate)]}: what the answerability threshold trades, from
    each record's probability. A question decided before the stage (no probability: the evidence floor, a
    ratings table, a definition) keeps its observed outcome at every threshold."""
    import numpy as np

    out: dict = {}
    for config in dict.fromkeys(r["config"] for r in records):
        rows = [r for r in records if r["config"] == config]
        curve = []
        for t in np.linspace(0.0, 1.0, points):
            ans: list[bool] = []
            ref: list[bool] = []
            for r in rows:
                a = r.get("answerability") or {}
                p = a.get("probability")
                if r["status"] == "no_answer" and a.get("status") != "no_answer":
                    p = None  # refused after the stage (a name no document mentions): fixed outcome
                answers = (p >= t) if p is not None else r["status"] in ("answered", "partial")
                (ans if r["answerable"] else ref).append(answers if r["answerable"] else not answers)
            curve.append((round(float(t), 3), M.mean_or_none(map(float, ans)), M.mean_or_none(map(float, ref))))
        out[config] = curve
    return out


def _num(v):
    if v is None:
        return None
    return float(v)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


# --- running --------------------------------------------------------------------------------

class ServiceTarget:
    """A configuration served by the product's Service, as a caller with `access` (restricted documents only
    when the run asks for them: `assistant eval --include-restricted`)."""

    def __init__(self, config: EvalConfig, service, access: Access = PUBLIC):
        self.config = config
        self.service = service
        self.access = access

    def run(self, q: EvalQuestion) -> tuple[list[dict], dict, dict | None]:
        from assistant.answer import evidence_for

        # a question that says `include_restricted: false` is asked as a caller without the grant: the service
        # decides access from the caller alone (Access.filters overwrites what Filters say), so the run must
        access = PUBLIC if q.filters and "include_restricted" in q.filters.model_fields_set \
            and not q.filters.include_restricted else self.access
        results = self.service.search(q.question, k=DEPTH, filters=q.filters, mode=self.config.mode, access=access)
        answer = self.service.ask(q.question, k=self.config.k, filters=q.filters, mode=self.config.mode,
                                  access=access)
        retrieved = [{"rank": i, "id": r.passage.id, "doc_id": r.passage.doc_id, "text": r.passage.text,
                      "page": r.passage.page, "section": r.passage.section, "paragraph": r.passage.paragraph,
                      "score": round(float(r.score), 6),
                      "dense_score": None if r.dense_score is None else round(float(r.dense_score), 4),
                      "bm25_score": None if r.bm25_score is None else round(float(r.bm25_score), 4)}
                     for i, r in enumerate(results, start=1)]
        ev = evidence_for(q.question, results[: (self.config.k or self.service.settings.top_k)])
        evidence = {"top_dense": None if ev.top_dense is None else round(float(ev.top_dense), 4),
                    "coverage": round(float(ev.coverage), 4)}
        return retrieved, {"status": answer.status, "answer": answer.answer, "answerability": answer.answerability,
                           "citations": [{"n": c.n, "doc_id": c.doc_id, "paragraph": c.paragraph, "page": c.page}
                                         for c in answer.citations],
                           "timings_ms": dict(answer.timings_ms), "mode": answer.mode}, evidence

    def warm(self) -> None:
        self.service.warm()


class NaiveTarget:
    def __init__(self, config: EvalConfig, baseline):
        self.config = config
        self.baseline = baseline

    def run(self, q: EvalQuestion) -> tuple[list[dict], dict, dict | None]:
        hits, answer = self.baseline.ask(q.question, filters=q.filters)
        retrieved = [{"rank": i, **h, "score": round(h["score"], 6)} for i, h in enumerate(hits, start=1)]
        return retrieved, answer, None

    def warm(self) -> None:
        self.baseline.search("warm up")


@contextlib.contextmanager
def targets_for(configs: list[EvalConfig], base_service, naive_factory: Callable | None = None,
                access: Access = PUBLIC):
    """One target per configuration. Configurations that change what ingest builds (chunking, BM25
    parameters) get a private index built from the corpus in a temporary folder, removed afterwards."""
    from assistant.service import Service

    with contextlib.ExitStack() as stack:
        targets: list[NaiveTarget | ServiceTarget] = []
        for config in configs:
            if config.kind == "naive":
                from assistant.evaluation.naive import NaiveBaseline

                baseline = (naive_factory(config) if naive_factory else
                            NaiveBaseline(base_service.settings.corpus_dir, top_k=config.k,
                                          include_restricted=access.restricted))
                targets.append(NaiveTarget(config, baseline))
                continue
            if config.overrides.get("answer_mode") == "llm" and not base_service.settings.llm_url:
                raise EvalRunError(f"configuration {config.name} needs ASSISTANT_LLM_URL: an OpenAI-compatible "
                                   "endpoint")
            settings = config.settings_for(base_service.settings)
            if config.needs_private_index(base_service.settings):
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"eval-{config.name}-")))
                settings = settings.model_copy(update={"index_dir": tmp / "indexes"})
                service = Service(settings)
                report = service.ingest()
                if report.failed:
                    raise EvalRunError(f"configuration {config.name}: ingest failed for "
                                       f"{', '.join(r.path for r in report.failed)}")
            elif settings is base_service.settings:
                service = base_service
            else:
                service = Service(settings)
            targets.append(ServiceTarget(config, service, access))
        yield targets


def check_index(service, questions: list[EvalQuestion], access: Access = PUBLIC) -> None:
    """Refuse to score an empty index, or questions naming documents the index does not hold (or that the run
    may not see: restricted ones without --include-restricted)."""
    docs = {d.doc_id for d in service.documents(access=access)}
    if not docs:
        raise EvalRunError("the index is empty: run `assistant ingest` first")
    named = {s for q in questions for s in q.expected_sources}
    missing = sorted(named - docs)
    if missing:
        raise EvalRunError(f"expected_sources name documents the index does not hold: {', '.join(missing)} "
                           f"(indexed: {', '.join(sorted(docs))})")


def run_questions(questions: list[EvalQuestion], targets: list, progress: Callable[[str], None] | None = None) -> list[dict]:
    """Every question against every target; returns one record per (configuration, question)."""
    records = []
    for target in targets:
        target.warm()
        for q in questions:
            record = {"config": target.config.name, "id": q.id, "set": q.set, "type": q.type, "question": q.question,
                      "answerable": q.answerable,
                      "filters": q.filters.model_dump(mode="json", exclude_defaults=True) if q.filters else None,
                      "expected_sources": q.expected_sources, "expected_quote": q.expected_quote,
                      "expected_answer_contains": q.expected_answer_contains, "error": None}
            t0 = time.perf_counter()
            try:
                retrieved, answer, evidence = target.run(q)
            except Exception as exc:  # one broken question must not lose the whole run
                retrieved, answer, evidence = [], {"status": "error", "answer": "", "citations": [],
                                                   "timings_ms": {}}, None
                record["error"] = f"{type(exc).__name__}: {exc}"
            record["wall_ms"] = round((time.perf_counter() - t0) * 1000, 2)
            record["checks"] = score_question(q, retrieved, answer)
            for r in retrieved:
                r["words"] = len(r["text"].split())
                r["text"] = r["text"][:300]  # enough to read in the report, not the whole corpus again
            record.update({"status": answer["status"], "mode": answer.get("mode"), "answer": answer["answer"],
                           "citations": answer["citations"],
                           "timings_ms": answer["timings_ms"], "evidence": evidence, "retrieved": retrieved,
                           "answerability": answer.get("answerability")})
            records.append(record)
            if progress:
                progress(target.config.name)
    return records


def build_report(records: list[dict], configs: list[EvalConfig], meta: dict) -> dict:
    summary = {c.name: summarise([r for r in records if r["config"] == c.name]) for c in configs}
    return {"summary": summary, "per_type": per_type(records), "per_set": per_set(records),
            "answerability_curve": answerability_curve(records), "questions": records,
            "meta": {**meta, "configs": [c.describe() for c in configs]}}
