"""Over HTTP: latency of /v1/search and /v1/ask, throughput under load, and the serving process's peak RSS.

For each size, `assistant serve` runs as its own process on 127.0.0.1 over the scale index (rate limit off
for the run: ASSISTANT_RATE_LIMIT_PER_MINUTE=0, no API keys, loopback only; query-vector cache off,
ASSISTANT_QUERY_CACHE=0, so repeated questions in the load loops cost what new ones do). This process is the client:
- sequential latency: p50/p95/p99 of POST /v1/search and POST /v1/ask over the benchmark questions;
- load: 1, 8 and 32 concurrent clients (asyncio + httpx, one connection each) send /v1/ask for a fixed
  time each; requests/s, p50/p95 latency and the error count (any non-200 or transport error);
- memory: VmHWM (peak resident set) of the server process after all of the above.

    .venv/bin/python -m benchmarks.bench_http --sizes 1000 10000 100000 [--load-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx

from benchmarks.common import ROOT, header, load, peak_rss_mb, publish, rss_mb, settings_for, summary_ms, verdict


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(size: int, backend: str, index_backend: str | None = None) -> tuple[subprocess.Popen, str, float]:
    settings = settings_for(size, backend, index_backend)
    port = free_port()
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(settings.corpus_dir), ASSISTANT_INDEX_DIR=str(settings.index_dir),
               ASSISTANT_EMBED_BACKEND=backend, ASSISTANT_RATE_LIMIT_PER_MINUTE="0",
               ASSISTANT_QUERY_CACHE="0")  # every request pays for its query embedding, repeats included
    env.pop("ASSISTANT_API_KEYS", None)
    log = open(settings.index_dir / f"serve-{backend}.log", "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "assistant"), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log.name}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return proc, base, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("server not ready after 300 s")


def sequential(base: str, path: str, queries: list[str]) -> tuple[list[float], int]:
    times, errors = [], 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for q in queries:
            t0 = time.perf_counter()
            r = client.post(path, json={"question": q})
            times.append(time.perf_counter() - t0)
            errors += r.status_code != 200
    return times, errors


async def _load(base: str, queries: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(n: int):
        nonlocal errors
        i = n
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while time.perf_counter() < stop:
                q = queries[i % len(queries)]
                i += clients
                t0 = time.perf_counter()
                try:
                    r = await client.post("/v1/ask", json={"question": q})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    elapsed = time.perf_counter() - t0
    return {"clients": clients, "requests": len(latencies), "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "latency": summary_ms(latencies), "errors": errors}


def run_size(size: int, backend: str, n_queries: int, load_seconds: float, levels: list[int],
             index_backend: str | None = None) -> dict:
    from benchmarks.bench_query import ensure_index
    from benchmarks.scale_corpus import queries as bench_queries

    ensure_index(size, index_backend or backend)
    qs = bench_queries(n_queries)
    proc, base, ready_s = start_server(size, backend, index_backend)
    try:
        sequential(base, "/v1/ask", qs[:10])  # warm the request path
        s_times, s_err = sequential(base, "/v1/search", qs)
        a_times, a_err = sequential(base, "/v1/ask", qs)
        loads = [asyncio.run(_load(base, qs, c, load_seconds)) for c in levels]
        row = {"size": size, "backend": backend, "ready_s": round(ready_s, 1), "search": summary_ms(s_times),
               "ask": summary_ms(a_times), "sequential_errors": s_err + a_err, "load": loads,
               "server_peak_rss_mb": round(peak_rss_mb(proc.pid), 1), "server_rss_mb": round(rss_mb(proc.pid), 1),
               "load_average": load()}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"[{size}] HTTP ask p50/p95/p99 {row['ask']['p50']}/{row['ask']['p95']}/{row['ask']['p99']} ms; "
          + "; ".join(f"{x['clients']} clients {x['rps']} req/s p95 {x['latency']['p95']} ms errors {x['errors']}"
                      for x in loads) + f"; server peak RSS {row['server_peak_rss_mb']} MB", flush=True)
    return row


def markdown(rows: list[dict], what: str = "torch") -> str:
    f = lambda s: f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}"  # noqa: E731
    lines = [header(f"Over HTTP, under load, and memory, {what} (benchmarks/bench_http.py)"),
             "`assistant serve` (one uvicorn worker) in its own process on 127.0.0.1; the client is the benchmark "
             "process. Rate limit and query-vector cache off for the run. Milliseconds p50 / p95 / p99.\n",
             "| passages | /v1/search | /v1/ask | server peak RSS (target ≤ 1.5 GB at 100k) |", "|---:|---|---|---:|"]
    for r in rows:
        tgt = f" {verdict(r['server_peak_rss_mb'], 1536)}" if r["size"] == 100000 else ""
        lines.append(f"| {r['size']:,} | {f(r['search'])} | {f(r['ask'])} | {r['server_peak_rss_mb']:.0f} MB{tgt} |")
    lines += ["", "| passages | concurrent clients | requests/s | p50 ms | p95 ms | errors | target |",
              "|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        for x in r["load"]:
            tgt = ""
            if x["clients"] == 8:
                tgt = f"≥ 40 req/s, 0 errors: {verdict(x['rps'], 40, False) if x['errors'] == 0 else '**missed** (errors)'}"
            lines.append(f"| {r['size']:,} | {x['clients']} | {x['rps']} | {x['latency']['p50']:.1f} | "
                         f"{x['latency']['p95']:.1f} | {x['errors']} | {tgt} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--backend", choices=["torch", "onnx"], default="torch")
    ap.add_argument("--index-backend", choices=["torch", "onnx"], default=None,
                    help="serve the index built by this backend (default: --backend's own)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--load-seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    rows = [run_size(s, args.backend, args.queries, args.load_seconds, args.clients, args.index_backend)
            for s in args.sizes]
    publish("http", args.backend, args.index_backend, rows, markdown, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
