"""What the answerability stage adds to `ask`: its own time (assistant.answerability.assess) per question.

    PYTHONPATH=. .venv/bin/python benchmarks/answerability_cost.py [--repeat 3]

The stage reads only the top 3 retrieved passages, so its cost does not grow with the index: this measures
it in-process over the retrieval results of every question of evals/questions/ (first call = cold stem
cache, later repeats warm), not a whole 10k-passage `ask` (benchmarks/bench_query.py measures that; on the
shared 2-core machine its p95 noise is larger than the stage).
"""

from __future__ import annotations

import argparse
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
    args = ap.parse_args()
    from assistant.answer import evidence_for, select_sentences
    from assistant.answerability import _EVIDENCE, _stem_tuple, assess
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
        for label, clear in (("cold stem cache", True), ("warm", False)):
            times = []
            for _ in range(1 if clear else args.repeat):
                if clear:
                    _stem_tuple.cache_clear()
                    _EVIDENCE.clear()
                for question, results, ev in prepared:
                    chosen = select_sentences(question, results)  # the answer step's own work, there before
                    t0 = time.perf_counter()
                    assess(question, chosen, ev.top_dense, ev.coverage, [r.passage.text for r in results[:3]], g)
                    times.append((time.perf_counter() - t0) * 1000)
            print(f"{label}: {len(times)} calls, p50 {np.percentile(times, 50):.2f} ms, "
                  f"p95 {np.percentile(times, 95):.2f} ms, max {max(times):.2f} ms")


if __name__ == "__main__":
    main()
