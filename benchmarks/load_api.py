"""Load test of the HTTP API: requests/s and p50/p95/p99 latency of /v1/ask and /v1/search at 1, 8 and 32
concurrent clients, with the error count.

The server is a separate process (`assistant serve` on a free loopback port, its own index under
benchmarks/.cache/load_api/ unless --index-dir is given); this process is the clients: each client
sends one request, waits for the answer, and sends the next (closed loop), for --duration seconds
per endpoint and concurrency. Or point it at a running server with --url and --key.

    .venv/bin/python -m benchmarks.load_api                      # 30 s per cell, 1/8/32 clients
    .venv/bin/python -m benchmarks.load_api --duration 5 --concurrency 1,8
    .venv/bin/python -m benchmarks.load_api --workers 2          # server with two worker processes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "load_api"
BIN = Path(sys.executable).parent
KEY = "load-benchmark-key-0123456789"

QUESTIONS = [
    "What did inspectors say about workloads?",
    "What overall rating did inspectors give the NPS Midlands division?",
    "How many long-term custody cases will transfer under OMIC?",
    "When do OMIC case transfers happen?",
    "What did inspectors find about staffing shortages?",
    "What is the condition of probation premises and offices?",
    "What is a MAPPA level 3 case?",
    "How are victim liaison officers affected by workloads?",
    "What did the Chief Inspector say about leadership and strategy?",
    "What interventions are available to reduce reoffending?",
    "What is the capital of France?",
    "How is the Leicester, Leicestershire and Rutland area performing?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = "cpu"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB"


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


class Server:
    """`assistant serve` in its own process over an index it builds once (cached)."""

    def __init__(self, corpus_dir: Path | None, index_dir: Path | None, workers: int):
        self.corpus_dir = corpus_dir or CACHE / "corpus"
        self.index_dir = index_dir or CACHE / "indexes"
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        return {**os.environ, "ASSISTANT_CORPUS_DIR": str(self.corpus_dir), "ASSISTANT_INDEX_DIR": str(self.index_dir),
                "ASSISTANT_API_KEYS": f"{KEY}:reader", "ASSISTANT_RATE_LIMIT_PER_MINUTE": "100000000"}

    def __enter__(self) -> Server:
        if not self.corpus_dir.exists():
            shutil.copytree(ROOT / "corpus", self.corpus_dir)
        subprocess.run([str(BIN / "assistant"), "ingest"], env=self.env(), check=True, stdout=subprocess.DEVNULL)
        self.log = open(CACHE / "server.log", "w")
        self.proc = subprocess.Popen([str(BIN / "assistant"), "serve", "--port", str(self.port), "--workers",
                                      str(self.workers), "--log-level", "warning"], env=self.env(), stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=CACHE)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.25)
        self.__exit__()
        raise SystemExit(f"the server did not become ready; see {CACHE / 'server.log'}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log", None):
            self.log.close()


async def run_cell(url: str, key: str, endpoint: str, clients: int, duration: float) -> dict:
    """`clients` closed-loop clients against one endpoint for `duration` seconds."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as http:
        stop = time.perf_counter() + duration

        async def client(n: int) -> None:
            i = n
            while time.perf_counter() < stop:
                body = {"question": QUESTIONS[i % len(QUESTIONS)], "top_k": 5}
                i += clients
                t0 = time.perf_counter()
                try:
                    r = await http.post(f"/v1/{endpoint}", json=body)
                    ok = r.status_code == 200
                    reason = str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, reason = False, exc.__class__.__name__
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors[reason] = errors.get(reason, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    ms = np.asarray(latencies) * 1000
    q = (lambda p: round(float(np.percentile(ms, p)), 1)) if len(ms) else (lambda p: None)
    return {"endpoint": f"/v1/{endpoint}", "clients": clients, "seconds": round(elapsed, 1), "requests": len(ms),
            "rps": round(len(ms) / elapsed, 2), "p50_ms": q(50), "p95_ms": q(95), "p99_ms": q(99),
            "errors": sum(errors.values()), "error_kinds": errors}


def table(rows: list[dict]) -> str:
    out = ["| endpoint | clients | requests/s | p50 ms | p95 ms | p99 ms | requests | errors |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| `{r['endpoint']}` | {r['clients']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | "
                   f"{r['p99_ms']} | {r['requests']} | {r['errors']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per endpoint and concurrency (default 30)")
    ap.add_argument("--concurrency", default="1,8,32", help="comma-separated client counts (default 1,8,32)")
    ap.add_argument("--endpoints", default="ask,search", help="comma-separated: ask, search")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    ap.add_argument("--url", help="an already running server (then --key is its reader key)")
    ap.add_argument("--key", default=KEY)
    ap.add_argument("--corpus-dir", type=Path, help="corpus for the server's index (default: a copy of corpus/)")
    ap.add_argument("--index-dir", type=Path, help="index folder (default benchmarks/.cache/load_api/indexes)")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of unrecorded load first")
    ap.add_argument("--json", type=Path, default=CACHE / "results.json", help="where to write the figures")
    args = ap.parse_args(argv)
    CACHE.mkdir(parents=True, exist_ok=True)
    counts = [int(c) for c in args.concurrency.split(",") if c.strip()]
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]

    def run(url: str, key: str, passages: int | None) -> list[dict]:
        asyncio.run(run_cell(url, key, endpoints[0], max(counts), args.warmup))
        rows = []
        for endpoint in endpoints:
            for clients in counts:
                row = asyncio.run(run_cell(url, key, endpoint, clients, args.duration))
                print(f"{row['endpoint']:<11} {clients:>3} clients: {row['rps']:>7} req/s  p50 {row['p50_ms']} ms  "
                      f"p95 {row['p95_ms']} ms  p99 {row['p99_ms']} ms  errors {row['errors']} {row['error_kinds'] or ''}",
                      flush=True)
                rows.append(row)
        return rows

    load_before = loadavg()
    if args.url:
        rows = run(args.url, args.key, None)
        passages = None
    else:
        with Server(args.corpus_dir, args.index_dir, args.workers) as server:
            passages = httpx.get(f"{server.url}/readyz").json().get("passages")
            rows = run(server.url, KEY, passages)
    result = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
              "load_before": load_before, "load_after": loadavg(), "workers": args.workers, "passages": passages,
              "duration_s": args.duration, "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print()
    print(f"{result['date']}; {result['machine']}; server workers {args.workers}; index {passages} passages; "
          f"{args.duration:g} s per cell; load average before {load_before}, after {result['load_after']}")
    print(table(rows))
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
