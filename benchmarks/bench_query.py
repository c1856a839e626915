"""Query latency at each corpus size, in-process, against the naive llama-index baseline and the floor.

For each size (the index is built by bench_ingest / build_index when missing):
- product: `Service.search` and `Service.ask` (extractive) over 200 questions, model warm, p50/p95/p99;
- naive baseline, same run, same passages: llama-index `VectorStoreIndex` with default settings
  (in-memory SimpleVectorStore) whose nodes carry the vectors already in Chroma (so the baseline is not
  re-embedded: its query path, which is what is timed, is exactly the default one), queried through
  `as_retriever(similarity_top_k=5)` with `HuggingFaceEmbedding` loaded by path; its "ask" is the top
  node's text, as in assistant/evaluation/naive.py;
- floor: one query embedding + one Chroma ANN lookup (50 ids) + one bm25s top-50 lookup, each timed alone.
A pyinstrument profile of the ask loop at the largest size names the hot spots.

    .venv/bin/python -m benchmarks.bench_query --sizes 1000 10000 100000
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import header, index_ready, load, publish, settings_for, summary_ms, verdict

TARGETS = {10000: 50.0, 100000: 100.0}  # ask p95 ms, in-process


def ensure_index(size: int, backend: str) -> None:
    if not index_ready(size, backend):
        from benchmarks.build_index import build_index

        build_index(size, backend)


def time_calls(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t0)
    return out


def naive_baseline(service, top_k: int = 5):
    """llama-index's quick-start index over the same passages and vectors; returns (search, ask, build_s)."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from assistant.embed import model_path

    t0 = time.perf_counter()
    snap = service.snapshot()
    ids = [p.id for p in snap.passages]
    vectors: dict[str, list[float]] = {}
    for i in range(0, len(ids), 2000):
        got = service.vectors.collection.get(ids=ids[i:i + 2000], include=["embeddings"])
        vectors.update({pid: list(map(float, emb)) for pid, emb in zip(got["ids"], got["embeddings"], strict=False)})
    nodes = [TextNode(id_=p.id, text=p.text, embedding=vectors[p.id],
                      metadata={"doc_id": p.doc_id, "title": p.title}) for p in snap.passages]
    embed_model = HuggingFaceEmbedding(model_name=model_path(), device="cpu")
    index = VectorStoreIndex(nodes, embed_model=embed_model)
    retriever = index.as_retriever(similarity_top_k=top_k)
    build_s = time.perf_counter() - t0

    def search(q):
        return retriever.retrieve(q)

    def ask(q):
        hits = retriever.retrieve(q)
        return {"status": "answered" if hits else "no_answer", "answer": hits[0].node.get_content() if hits else ""}

    return search, ask, build_s


def floor(service, queries: list[str], n: int = 50) -> dict:
    """The three unavoidable lookups, each timed alone: query embedding, ANN, BM25 top-n."""
    from assistant.store import tokenize

    snap = service.snapshot()
    emb, ann, bm = [], [], []
    service.embedder._query_cache.clear()
    for q in queries:
        t0 = time.perf_counter()
        v = service.embedder.embed_query(q)
        t1 = time.perf_counter()
        service.vectors.collection.query(query_embeddings=[v.tolist()], n_results=n, include=["distances"])
        t2 = time.perf_counter()
        tokens = tokenize([q])[0]
        if tokens:
            snap.bm25.retrieve([tokens], k=min(n, len(snap.passages)), show_progress=False, n_threads=1)
        t3 = time.perf_counter()
        emb.append(t1 - t0)
        ann.append(t2 - t1)
        bm.append(t3 - t2)
    total = [a + b + c for a, b, c in zip(emb, ann, bm, strict=False)]
    return {"total": summary_ms(total), "embed": summary_ms(emb), "ann": summary_ms(ann), "bm25": summary_ms(bm)}


def profile_ask(service, queries: list[str]) -> str:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for q in queries:
        service.ask(q)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False, time="percent_of_total")


def run_size(size: int, backend: str, n_queries: int, baseline_queries: int, profile: bool,
             index_backend: str | None = None) -> dict:
    from assistant.service import Service
    from benchmarks.scale_corpus import queries as bench_queries

    ensure_index(size, index_backend or backend)
    qs = bench_queries(n_queries)
    service = Service(settings_for(size, backend, index_backend))
    t0 = time.perf_counter()
    service.warm()
    warm_s = time.perf_counter() - t0
    for q in qs[:10]:
        service.ask(q)
    cache = service.embedder._query_cache
    cache.clear()  # every timed question is new to the process: the query-vector cache is measured apart
    search = time_calls(service.search, qs)
    cache.clear()
    ask = time_calls(service.ask, qs)
    repeated = time_calls(service.ask, qs)  # the same questions again: query vectors come from the cache
    answered = sum(service.ask(q).status == "answered" for q in qs[:20])
    flo = floor(service, qs)
    b_search_fn, b_ask_fn, b_build = naive_baseline(service)
    # the baseline scans every vector in Python per query (~1 s at 100k): fewer questions there
    bq = qs[:baseline_queries if size <= 10000 else max(20, baseline_queries // 4)]
    for q in bq[:3]:
        b_ask_fn(q)
    b_search = time_calls(b_search_fn, bq)
    b_ask = time_calls(b_ask_fn, bq)
    row = {"size": size, "backend": backend, "passages": len(service.snapshot().passages), "warm_start_s": round(warm_s, 2),
           "search": summary_ms(search), "ask": summary_ms(ask), "ask_repeated": summary_ms(repeated), "floor": flo,
           "baseline": {"search": summary_ms(b_search), "ask": summary_ms(b_ask), "build_s": round(b_build, 1)},
           "answered_of_20": answered, "load_average": load()}
    row["speedup_vs_baseline_p95"] = round(row["baseline"]["ask"]["p95"] / row["ask"]["p95"], 1)
    print(f"[{size}] ask p50/p95/p99 {row['ask']['p50']}/{row['ask']['p95']}/{row['ask']['p99']} ms; search p95 "
          f"{row['search']['p95']} ms; baseline ask p95 {row['baseline']['ask']['p95']} ms "
          f"({row['speedup_vs_baseline_p95']}x); floor p95 {flo['total']['p95']} ms "
          f"(embed {flo['embed']['p50']}, ann {flo['ann']['p50']}, bm25 {flo['bm25']['p50']} ms p50)", flush=True)
    if profile:
        cache.clear()
        row["profile"] = profile_ask(service, qs[:100])
    return row


def markdown(rows: list[dict], what: str = "torch") -> str:
    lines = [header(f"Query latency, in-process, {what} (benchmarks/bench_query.py)"),
             "Milliseconds, p50 / p95 / p99 over the same questions (SciFact claims and probation questions); the "
             "baseline is measured in the same run over the same passages and vectors.\n",
             "| passages | product ask | product search | naive llama-index ask | naive search | floor (embed + ANN + "
             "BM25) | ask target (p95) | product vs baseline (ask p95) |",
             "|---:|---|---|---|---|---|---|---|"]
    f = lambda s: f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}"  # noqa: E731
    for r in rows:
        target = TARGETS.get(r["size"])
        tgt = f"≤ {target:.0f} ms: {verdict(r['ask']['p95'], target)}" if target else "—"
        speed = f"{r['speedup_vs_baseline_p95']}×" + (f" (target ≥ 3×: {verdict(r['speedup_vs_baseline_p95'], 3, False)})"
                                                      if r["size"] == 10000 else "")
        lines.append(f"| {r['passages']:,} | {f(r['ask'])} | {f(r['search'])} | {f(r['baseline']['ask'])} | "
                     f"{f(r['baseline']['search'])} | {f(r['floor']['total'])} | {tgt} | {speed} |")
    lines.append("")
    lines.append("Floor components, p50 ms: " + "; ".join(
        f"{r['passages']:,}: embed {r['floor']['embed']['p50']}, ANN {r['floor']['ann']['p50']}, "
        f"BM25 top-50 {r['floor']['bm25']['p50']}" for r in rows) + ".")
    lines.append("Repeated questions (query vector from the cache), ask p50 / p95 / p99: " + "; ".join(
        f"{r['passages']:,}: {f(r['ask_repeated'])}" for r in rows) + ".")
    prof = [r for r in rows if r.get("profile")]
    if prof:
        r = prof[-1]
        lines += ["", f"pyinstrument profile of 100 `ask` calls at {r['passages']:,} passages:", "", "```",
                  _trim_profile(r["profile"]), "```"]
    return "\n".join(lines)


def _trim_profile(text: str, width: int = 140, max_lines: int = 45) -> str:
    keep = [line[:width] for line in text.splitlines() if line.strip()]
    return "\n".join(keep[:max_lines])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--backend", choices=["torch", "onnx"], default="torch")
    ap.add_argument("--index-backend", choices=["torch", "onnx"], default=None,
                    help="serve the index built by this backend (default: --backend's own)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--baseline-queries", type=int, default=100)
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for i, size in enumerate(args.sizes):
        rows.append(run_size(size, args.backend, args.queries, args.baseline_queries,
                             profile=not args.no_profile and i == len(args.sizes) - 1, index_backend=args.index_backend))
    publish("query", args.backend, args.index_backend, rows, markdown, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
