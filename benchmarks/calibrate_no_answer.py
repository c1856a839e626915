"""Calibrate the no-answer thresholds from an eval run's measured evidence (answerable vs unanswerable).

    .venv/bin/assistant eval evals/questions/*.yaml --out /tmp/run
    .venv/bin/python benchmarks/calibrate_no_answer.py /tmp/run/report.json [--config hybrid]

Each question's record holds the evidence the rule looks at (best cosine among the top 3 passages,
share of the question's content words they contain). This prints refusal accuracy over a grid of
(min_dense_score, min_term_coverage, DENSE_RESCUE) and a leave-one-out estimate: for each question,
thresholds chosen on all the others, then that question scored - an honest figure for a set this small.
Questions decided outside the rule (glossary definitions, the ratings table, names no document
mentions) count with their observed outcome.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answer import DENSE_RESCUE, Evidence, is_weak  # noqa: E402
from assistant.config import Settings  # noqa: E402

DENSE = [0.26, 0.28, 0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.42]
COVERAGE = [0.25, 0.30, 0.34, 0.40, 0.45, 0.50, 0.55]
RESCUE = [0.55, 0.60, 0.65, 0.70, 1.01]


def weak(ev: dict, md: float, mc: float, rescue: float) -> bool:
    import assistant.answer as answer

    saved = answer.DENSE_RESCUE
    answer.DENSE_RESCUE = rescue
    try:
        return is_weak(Evidence(top_dense=ev["top_dense"], coverage=ev["coverage"]), md, mc)
    finally:
        answer.DENSE_RESCUE = saved


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--config", default="hybrid")
    args = ap.parse_args()
    records = [q for q in json.loads(Path(args.report).read_text())["questions"] if q["config"] == args.config]
    s = Settings()
    current = (s.min_dense_score, s.min_term_coverage, DENSE_RESCUE)
    # a question is decided by the rule when the rule at the current thresholds reproduces its status
    decided = [q for q in records if q.get("evidence") and (q["status"] == "no_answer") == weak(q["evidence"], *current)]
    outside = [q for q in records if q not in decided]
    outside_ok = sum(q["checks"]["refusal_correct"] for q in outside)
    print(f"{len(records)} questions ({sum(not q['answerable'] for q in records)} unanswerable); "
          f"{len(decided)} decided by the evidence rule, {len(outside)} elsewhere ({outside_ok} right)")
    grid = list(itertools.product(DENSE, COVERAGE, RESCUE))

    def correct(q, params):
        return (not q["answerable"]) == weak(q["evidence"], *params)

    scores = {p: sum(correct(q, p) for q in decided) for p in grid}
    for rescue in RESCUE:
        print(f"\nDENSE_RESCUE={rescue}: refusal accuracy (all questions) by min_dense_score (rows) x min_term_coverage")
        print("        " + " ".join(f"{c:6.2f}" for c in COVERAGE))
        for d in DENSE:
            print(f"  {d:.2f}  " + " ".join(f"{(scores[(d, c, rescue)] + outside_ok) / len(records):6.3f}"
                                           for c in COVERAGE))
    print(f"\ncurrent {current}: {(scores.get(current, sum(correct(q, current) for q in decided)) + outside_ok) / len(records):.3f}")
    hits = 0
    for i, q in enumerate(decided):
        rest = decided[:i] + decided[i + 1:]
        best = max(grid, key=lambda p: (sum(correct(x, p) for x in rest), -abs(p[0] - current[0]) - abs(p[1] - current[1])))
        hits += correct(q, best)
    print(f"leave-one-out refusal accuracy: {(hits + outside_ok) / len(records):.3f}")


if __name__ == "__main__":
    main()
