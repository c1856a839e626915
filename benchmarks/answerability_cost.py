"""What the answerability stage adds to `ask`: its own time (assistant.answerability.assess) per question.

    PYTHONPATH=. .venv/bin/python benchmarks/answerability_cost.py [--repeat 3]

The stage reads only the top 3 retrieved passages, so its cost does not grow with the index: this measures
it in-process over the retrieval results of every question of evals/questions/, cold (every cache of the
stage emptied before each call: the question's passages never seen before) and warm, not a whole
10k-passage `ask` (benchmarks/bench_query.py measures that; on the shared 2-core machine its p95 noise is
larger than the stage). Figures per call, and per question as the median of --repeat calls (the shared
machine's scheduling stalls land on single calls; the median shows what the stage itself costs), and the
calls' CPU time (on a shared machine, wall time counts other processes' turns on the core). The load
average is printed before and after. "Every cache" is every cache of words, sentences and passages
(sentence_evidence.clear_caches); the lexicons and compiled patterns, built once per process, stay. --decisions writes every verdict, to show a speed-up changes none.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--decisions", type=Path, help="write every question's verdict (status, probability, reason) "
                                                   "as JSON, to check that a speed-up changes no decision")
    args = ap.parse_args()
    from assistant.answer import evidence_for, select_sentences
    from assistant.answerability import assess, clear_caches
    from assistant.config import Settings
    from assistant.evaluation.questions import load_sets
    from assistant.service import Service

    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Settings(index_dir=Path(tmp) / "idx"))
        svc.ingest()
        _, qs = load_sets(sorted((ROOT / "evals" / "questions").glob("*.yaml")))
        g = svc.glossary
        prepared = []
        for q in qs:
            results = svc.retriever.search(svc.snapshot(), g.expand_query(q.question), 5, None, None)
            if results:
                prepared.append((q.question, results, evidence_for(q.question, results)))
        if args.decisions:
            verdicts = {}
            for question, results, ev in prepared:
                v = assess(question, select_sentences(question, results), ev.top_dense, ev.coverage,
                           [r.passage.text for r in results[:3]], g)
                verdicts[question] = {**v.describe(), "features": v.features}
            args.decisions.write_text(json.dumps(verdicts, indent=1, sort_keys=True), encoding="utf-8")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for label, cold in (("cold (every cache of the stage emptied before each call)", True), ("warm", False)):
            times: dict[int, list[float]] = {i: [] for i in range(len(prepared))}
            cpu: list[float] = []
            for _ in range(args.repeat):
                for i, (question, results, ev) in enumerate(prepared):
                    chosen = select_sentences(question, results)  # the answer step's own work, there before
                    if cold:
                        clear_caches()
                    t0, c0 = time.perf_counter(), time.thread_time()
                    assess(question, chosen, ev.top_dense, ev.coverage, [r.passage.text for r in results[:3]], g)
                    cpu.append((time.thread_time() - c0) * 1000)
                    times[i].append((time.perf_counter() - t0) * 1000)
            flat = [t for ts in times.values() for t in ts]
            medians = [float(np.median(ts)) for ts in times.values()]
            print(f"{label}: {len(flat)} calls, p50 {np.percentile(flat, 50):.2f} ms, "
                  f"p95 {np.percentile(flat, 95):.2f} ms, max {max(flat):.2f} ms; per question (median of "
                  f"{args.repeat}): p50 {np.percentile(medians, 50):.2f} ms, p95 {np.percentile(medians, 95):.2f} ms, "
                  f"max {max(medians):.2f} ms; CPU time a call (the thread's own, without the time other "
                  f"processes held the core): p50 {np.percentile(cpu, 50):.2f} ms, p95 {np.percentile(cpu, 95):.2f} ms")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
