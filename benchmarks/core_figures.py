"""Core figures for the README and issue notes: corpus size, full and unchanged ingest time,
search/ask latency p50/p95 over every question in evals/questions/ (in-process, extractive).

    .venv/bin/python benchmarks/core_figures.py [--repeat 3]

Builds a throw-away index under a temporary folder (the real indexes/ is left alone).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the question set")
    args = parser.parse_args()

    from assistant.config import Settings
    from assistant.service import Service

    questions = [q["question"] for f in sorted((ROOT / "evals" / "questions").glob("*.yaml"))
                 for q in (yaml.safe_load(f.read_text()) or {}).get("questions", [])]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        svc = Service(Settings(corpus_dir=corpus, index_dir=Path(tmp) / "indexes"))
        svc.warm()  # model load is start-up cost, not ingest cost
        t = time.perf_counter()
        first = svc.ingest()
        full = time.perf_counter() - t
        t = time.perf_counter()
        svc.ingest()
        unchanged = time.perf_counter() - t
        search_ms, ask_ms = [], []
        for _ in range(args.repeat):
            for q in questions:
                t = time.perf_counter()
                svc.search(q)
                search_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                svc.ask(q)
                ask_ms.append((time.perf_counter() - t) * 1000)
    lines = [
        f"## Core figures ({date.today().isoformat()}, {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"2 cores; benchmarks/core_figures.py)",
        "",
        f"- corpus: {first.total_documents} files, {first.total_passages} passages",
        f"- full ingest (model already loaded): {full:.2f} s; unchanged re-ingest: {unchanged * 1000:.1f} ms "
        f"({unchanged / full:.2%} of the first)",
        f"- {len(questions)} questions x {args.repeat}: search p50 {statistics.median(search_ms):.1f} ms, "
        f"p95 {pct(search_ms, 95):.1f} ms; ask p50 {statistics.median(ask_ms):.1f} ms, p95 {pct(ask_ms, 95):.1f} ms",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
