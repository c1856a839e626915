"""Ask latency of two checkouts of the code, in-process, interleaved (A B A B ...) so that the shared machine's
load drifts over both alike. Used for issue 13's "p95 ask latency changes by less than 5 %".

Each round starts one worker process per checkout (PYTHONPATH = that checkout): it loads its own index of the
repository corpus (built on the first round, into benchmarks/.cache/ask-overhead/<label>), warms the model,
then times `Service.ask` (extractive, query cache off) over every question in evals/questions/, `--passes`
times. The driver pools each checkout's timings and prints p50/p95 per round and overall.

    .venv/bin/python benchmarks/ask_overhead.py --a /work/main --b . --rounds 4
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "ask-overhead"


def questions() -> list[str]:
    import yaml

    out = []
    for path in sorted((ROOT / "evals" / "questions").glob("*.yaml")):
        out += [q["question"] for q in yaml.safe_load(path.read_text())["questions"]]
    return out


def worker(index_dir: Path, passes: int) -> None:
    """Runs with the checkout under test first on sys.path; prints one JSON line of latencies (seconds)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from assistant.config import Settings
    from assistant.service import Service

    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=index_dir, query_cache=0)
    service = Service(settings)
    if service.snapshots.current_version() is None:
        assert not service.ingest().failed
    service.warm()
    qs = questions()
    for q in qs[:20]:
        service.ask(q)
    times = []
    for _ in range(passes):
        for q in qs:
            t0 = time.perf_counter()
            service.ask(q)
            times.append(time.perf_counter() - t0)
    print(json.dumps({"code": sys.modules["assistant"].__file__, "times": times}))


def pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) * 1000


def run(label: str, code: Path, passes: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(code.resolve())}
    env = {k: v for k, v in env.items() if not (k.startswith("ASSISTANT_") and k != "ASSISTANT_EMBED_DEVICE")}
    with tempfile.TemporaryDirectory() as cwd:  # no assistant.toml of either checkout is read
        out = subprocess.run([sys.executable, str(HERE), "--worker", str(CACHE / label), "--passes", str(passes)],
                             env=env, cwd=cwd, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert str(code.resolve()) in data["code"], data["code"]
    return data["times"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", type=Path, help="the baseline checkout")
    ap.add_argument("--b", type=Path, help="the checkout compared with it")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.passes)
    pooled: dict[str, list[float]] = {"a": [], "b": []}
    print(f"A = {args.a}, B = {args.b}; {args.rounds} rounds, {args.passes} passes over {len(questions())} questions")
    for r in range(args.rounds):
        for label, code in (("a", args.a), ("b", args.b)) if r % 2 == 0 else (("b", args.b), ("a", args.a)):
            times = run(label, code, args.passes)
            pooled[label] += times
            print(f"round {r + 1} {label.upper()}: p50 {pct(times, 50):.2f} ms  p95 {pct(times, 95):.2f} ms  "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
    a95, b95 = pct(pooled["a"], 95), pct(pooled["b"], 95)
    print(f"pooled A: p50 {pct(pooled['a'], 50):.2f} ms  p95 {a95:.2f} ms  (n={len(pooled['a'])})")
    print(f"pooled B: p50 {pct(pooled['b'], 50):.2f} ms  p95 {b95:.2f} ms  (n={len(pooled['b'])})")
    print(f"p95 change B vs A: {100 * (b95 - a95) / a95:+.1f} %")


if __name__ == "__main__":
    main()
