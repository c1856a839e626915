"""Build the index for one scale size through the real pipeline (Service.ingest).

1k and 10k: a plain ingest, the model embedding every passage.

100k: embedding 100,000 passages with the torch model on this 2-core CPU takes about 55 minutes
(measured 30 passages/s; the ONNX int8 backend is slower in bulk, see RESULTS.md), more than a
benchmark run can spend. The 100k index is therefore built by the same pipeline (load, clean, chunk,
Chroma upsert, BM25, snapshot commit) with one substitution, the `embed` call: every passage of the
scale corpus is a concatenation of real sentences, so each distinct sentence is embedded once by the
real model (cached in benchmarks/.cache/sentence-vectors-*.npy) and a passage's vector is the
token-weighted mean of its sentences' vectors, scaled to unit length. These vectors sit in the same
space and cluster like real passage vectors (cosine to the true passage embedding is reported when
built), so HNSW search cost, memory and BM25 are those of a real 100k index; only the ingest *time*
at 100k is not a measurement (it is estimated from the 10k throughput in RESULTS.md).

    .venv/bin/python -m benchmarks.build_index 100000
"""

from __future__ import annotations

import hashlib
import re
import sys
import time

import numpy as np

from benchmarks.common import CACHE, fresh_index, settings_for

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\d])")
REAL_LIMIT = 10000  # sizes up to this are embedded passage by passage


class SentenceComposedEmbedder:
    """The Embedder interface (embed, embed_query, dimension, calls) over cached real sentence vectors."""

    backend = "sentence-composed"

    def __init__(self, real, cache_name: str):
        self.real = real
        self.dimension = real.dimension
        self.calls = 0
        self.file = CACHE / f"sentence-vectors-{cache_name}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        self.tokens: dict[str, int] = {}
        if self.file.is_file():
            data = np.load(self.file)
            for key, vec, n in zip(data["keys"], data["vectors"], data["tokens"], strict=False):
                self.vectors[str(key)] = vec
                self.tokens[str(key)] = int(n)

    @staticmethod
    def _key(sentence: str) -> str:
        return hashlib.sha1(sentence.encode()).hexdigest()

    def save(self) -> None:
        keys = list(self.vectors)
        tmp = self.file.with_name(self.file.stem + ".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]),
                 tokens=np.array([self.tokens[k] for k in keys]))
        tmp.replace(self.file)

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        split = [[s for s in _SENT.split(t.replace("\n", " ")) if s.strip()] for t in texts]
        missing = sorted({s for parts in split for s in parts if self._key(s) not in self.vectors})
        if missing:
            vecs = self.real.embed(missing)
            for s, v in zip(missing, vecs, strict=False):
                k = self._key(s)
                self.vectors[k] = v
                self.tokens[k] = len(self.real.tokenizer.encode(s).ids)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, parts in enumerate(split):
            for s in parts:
                k = self._key(s)
                out[i] += self.vectors[k] * self.tokens[k]
        out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        self.calls += len(texts)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)


def build_index(size: int, backend: str = "torch") -> dict:
    from assistant.service import Service

    fresh_index(size, backend)
    service = Service(settings_for(size, backend))
    t0 = time.perf_counter()
    if size <= REAL_LIMIT:
        report = service.ingest()
        return {"size": size, "seconds": time.perf_counter() - t0, "embedded": report.embedded, "how": "real"}
    composed = SentenceComposedEmbedder(service.embedder, backend)
    service._embedder = composed  # the one substitution: see the module docstring
    report = service.ingest()
    composed.save()
    seconds = time.perf_counter() - t0
    assert not report.failed
    # how close the composed vectors are to the model's own passage vectors, on a sample
    sample = [p.text for p in service.snapshot().passages[:: max(1, size // 200)]][:200]
    cos = (composed.embed(sample) * composed.real.embed(sample)).sum(axis=1)
    info = {"size": size, "seconds": round(seconds, 1), "embedded": report.embedded, "how": "sentence-composed",
            "sentences_embedded": len(composed.vectors), "cosine_to_true_mean": round(float(cos.mean()), 3),
            "cosine_to_true_min": round(float(cos.min()), 3)}
    (CACHE / f"index-{size}-{backend}" / "BUILD.txt").write_text(repr(info) + "\n")
    print(info, flush=True)
    return info


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100000"]:
        build_index(int(arg))
