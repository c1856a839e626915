"""Ingest throughput against the raw model encode throughput on the same passages, and unchanged re-ingest.

For each size: a fresh index is built from the scale corpus through the real pipeline (Service.ingest:
load, clean, chunk, embed, Chroma upsert, BM25, snapshot commit) with the model loaded and warmed
first; then the same passages (as the pipeline cut them) are encoded by the raw model alone,
`SentenceTransformer.encode` with its defaults (the hardware's limit for this model on this machine);
then the unchanged corpus is ingested again, in-process and as a fresh `assistant ingest` process.

    .venv/bin/python -m benchmarks.bench_ingest --sizes 1000 10000 [--backend torch|onnx] [--raw-sample 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time

from benchmarks.common import (
    ROOT,
    fresh_index,
    header,
    index_dir,
    load,
    save_json,
    settings_for,
    verdict,
    write_section,
)


def raw_encode_rate(texts: list[str], backend: str, device: str = "cpu") -> dict:
    """Passages/s of the bare model on these texts (no pipeline), in this process, model already warm."""
    if backend == "onnx":
        from assistant.embed import get_embedder

        emb = get_embedder("cpu", 64, None, "onnx")
        emb.embed(texts[:8])
        t0 = time.perf_counter()
        emb.embed(texts)
        return {"how": "OnnxEmbedder.embed (batch 64)", "seconds": time.perf_counter() - t0, "n": len(texts)}
    from sentence_transformers import SentenceTransformer

    from assistant.embed import model_path

    model = SentenceTransformer(model_path(), device=device)
    model.encode(texts[:8])
    t0 = time.perf_counter()
    model.encode(texts, normalize_embeddings=True)
    return {"how": "SentenceTransformer.encode defaults (batch 32)", "seconds": time.perf_counter() - t0,
            "n": len(texts)}


def run_size(size: int, backend: str, raw_sample: int, device: str = "cpu") -> dict:
    from assistant.service import Service

    fresh_index(size, backend)
    overrides = {}
    if device != "cpu":  # what `assistant ingest --device cuda` sets
        overrides = {"embed_device": device, "embed_batch_size": 256, "ingest_flush_passages": 4096}
    settings = settings_for(size, backend, **overrides)
    service = Service(settings)
    t0 = time.perf_counter()
    service.embedder.embed_query("warm up")  # model loaded once and warmed before the clock starts
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = service.ingest()
    first_s = time.perf_counter() - t0
    assert not report.failed, [r.error for r in report.failed][:3]
    passages = service.snapshot().passages
    rng = random.Random(size)
    sample = [p.text for p in (passages if len(passages) <= raw_sample else rng.sample(passages, raw_sample))]
    raw = raw_encode_rate(sample, backend, device)
    t0 = time.perf_counter()
    service.embedder.embed(sample)  # the product's own embedding step alone (batch size, sorting as configured)
    embed_step = {"seconds": time.perf_counter() - t0, "n": len(sample)}
    t0 = time.perf_counter()
    again = service.ingest()
    second_s = time.perf_counter() - t0
    assert again.embedded == 0 and again.count("unchanged") == report.count("added")
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(settings.corpus_dir), ASSISTANT_INDEX_DIR=str(index_dir(size, backend)),
               ASSISTANT_EMBED_BACKEND=backend)
    t0 = time.perf_counter()
    cli = subprocess.run([str(ROOT / ".venv" / "bin" / "assistant"), "ingest", "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    cli_s = time.perf_counter() - t0
    assert cli.returncode == 0, cli.stderr[-2000:]
    out = {
        "size": size, "backend": backend, "device": device, "passages": len(passages), "documents": len(service.snapshot().documents),
        "embedded": report.embedded, "model_load_s": round(load_s, 2), "first_ingest_s": round(first_s, 2),
        "pipeline_passages_per_s": round(report.embedded / first_s, 2),
        "raw_encode": {**raw, "passages_per_s": round(raw["n"] / raw["seconds"], 2)},
        "embed_step_passages_per_s": round(embed_step["n"] / embed_step["seconds"], 2),
        "reingest_in_process_s": round(second_s, 3), "reingest_cli_s": round(cli_s, 3),
        "load_average": load(),
    }
    out["pipeline_vs_raw"] = round(out["pipeline_passages_per_s"] / out["raw_encode"]["passages_per_s"], 3)
    out["pipeline_vs_embed_step"] = round(out["pipeline_passages_per_s"] / out["embed_step_passages_per_s"], 3)
    out["reingest_fraction"] = round(second_s / first_s, 4)
    out["reingest_cli_fraction"] = round(cli_s / first_s, 4)
    print(f"[{size}] {len(passages)} passages: ingest {first_s:.1f} s = {out['pipeline_passages_per_s']} passages/s; "
          f"raw encode {out['raw_encode']['passages_per_s']} passages/s on {raw['n']} of them -> "
          f"pipeline/raw {out['pipeline_vs_raw']:.1%}; unchanged re-ingest {second_s:.2f} s in-process "
          f"({out['reingest_fraction']:.2%}), {cli_s:.2f} s as `assistant ingest` ({out['reingest_cli_fraction']:.2%})",
          flush=True)
    return out


def markdown(rows: list[dict]) -> str:
    lines = [header("Ingest throughput (benchmarks/bench_ingest.py)"),
             "| passages | backend | first ingest | pipeline passages/s | raw encode passages/s (sample) | pipeline / raw "
             "(target ≥ 90%) | unchanged re-ingest in-process | as `assistant ingest` (new process) | "
             "fraction of first (target ≤ 2%) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['passages']:,} | {r['backend']} on {r.get('device', 'cpu')} | {r['first_ingest_s']:.1f} s | {r['pipeline_passages_per_s']:.1f} | "
            f"{r['raw_encode']['passages_per_s']:.1f} ({r['raw_encode']['n']:,}) | {r['pipeline_vs_raw']:.1%} "
            f"{verdict(r['pipeline_vs_raw'], 0.9, lower_is_better=False)} | {r['reingest_in_process_s']:.2f} s | "
            f"{r['reingest_cli_s']:.2f} s | {r['reingest_fraction']:.2%} in-process, {r['reingest_cli_fraction']:.2%} "
            f"CLI {verdict(r['reingest_cli_fraction'], 0.02)} |")
    lines.append("")
    lines.append("The product's embedding step alone on the same sample (assistant.embed, batch "
                 "and length sorting as configured): " + ", ".join(
                     f"{r['passages']:,}: {r['embed_step_passages_per_s']} passages/s (pipeline = "
                     f"{r['pipeline_vs_embed_step']:.1%} of it)" for r in rows if "embed_step_passages_per_s" in r) + ".")
    lines.append("")
    lines.append("Raw encode = " + rows[0]["raw_encode"]["how"] + " over the passages the pipeline produced "
                 "(a random sample where noted), in the same process right after the ingest. The model is loaded "
                 "and warmed before the ingest clock starts (load time: "
                 + ", ".join(f"{r['model_load_s']} s" for r in rows) + ").")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--backend", choices=["torch", "onnx"], default="torch")
    ap.add_argument("--device", default="cpu", help="cpu or cuda[:N] (the GPU ingest path)")
    ap.add_argument("--raw-sample", type=int, default=2000, help="passages the raw encode runs over (random sample)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args(argv)
    rows = [run_size(size, args.backend, args.raw_sample, args.device) for size in args.sizes]
    key = f"ingest-{args.backend}" + ("" if args.device == "cpu" else f"-{args.device.split(':')[0]}")
    save_json(key, {"rows": rows})
    if not args.no_write:
        write_section(key, markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
