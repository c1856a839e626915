"""The `naive` baseline: what a newcomer builds from the llama-index quick start, over the same corpus files.

- `SimpleDirectoryReader` over the corpus's document files (those ingest reads), raw text, no cleaning;
- `VectorStoreIndex.from_documents` with the default `SentenceSplitter` (1024 tokens, overlap 20);
- embeddings from `HuggingFaceEmbedding` on the same all-MiniLM-L6-v2 files (offline, by path);
- dense top-k retrieval with llama-index's default `similarity_top_k` (2) unless a configuration sets k;
- the "answer" is the top node's text; it never refuses; no metadata filters.

Nothing of the product (cleaning, chunking, BM25, fusion, answer selection, no-answer rule) is used,
so every report shows how far ahead of the obvious approach the product is.
"""

from __future__ import annotations

import time
from pathlib import Path

import assistant  # noqa: F401  (offline environment before transformers is imported)
from assistant.models import Filters


class NaiveBaseline:
    def __init__(self, corpus_dir: Path | str, top_k: int | None = None, include_restricted: bool = False):
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        from assistant.embed import model_path

        self.corpus_dir = Path(corpus_dir).resolve()
        from llama_index.core.constants import DEFAULT_SIMILARITY_TOP_K

        self.top_k = top_k or DEFAULT_SIMILARITY_TOP_K  # what as_retriever() gives a newcomer: 2
        embed_model = HuggingFaceEmbedding(model_name=model_path(), device="cpu")
        from assistant.ingest.pipeline import discover

        # the same document files ingest reads (not manifest.yaml or glossary.yaml)
        files = [str(f) for f in discover([self.corpus_dir])
                 if include_restricted or not _restricted(f, self.corpus_dir)]
        if not files:
            raise ValueError(f"no documents under {self.corpus_dir}")
        documents = SimpleDirectoryReader(input_files=files).load_data()
        self.index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)
        self.nodes = list(self.index.docstore.docs.values())

    def doc_id(self, node) -> str:
        """The product's doc_id convention (path under the corpus folder, no extension), so sources compare."""
        path = Path(node.metadata.get("file_path", ""))
        try:
            rel = path.resolve().relative_to(self.corpus_dir)
        except ValueError:
            rel = Path(path.name)
        return str(rel.with_suffix("")).replace("\\", "/")

    def search(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[dict]:
        """Top nodes as {id, doc_id, text, score} (filters are ignored: the newcomer has none)."""
        nodes = self.retriever.retrieve(question)
        return [{"id": n.node.node_id, "doc_id": self.doc_id(n.node), "text": n.node.get_content(),
                 "score": float(n.score or 0.0)} for n in nodes[:k or self.top_k]]

    def ask(self, question: str, filters: Filters | None = None) -> tuple[list[dict], dict]:
        """(retrieved nodes, answer dict shaped like the product's Answer: status, answer, citations, timings)."""
        t0 = time.perf_counter()
        hits = self.search(question)
        t1 = time.perf_counter()
        answer = {"status": "answered" if hits else "no_answer", "answer": hits[0]["text"] if hits else "",
                  "citations": [{"n": 1, "doc_id": hits[0]["doc_id"]}] if hits else []}
        t2 = time.perf_counter()
        answer["timings_ms"] = {"retrieve": round((t1 - t0) * 1000, 2), "answer": round((t2 - t1) * 1000, 2),
                                "total": round((t2 - t0) * 1000, 2)}
        return hits, answer


def _restricted(path: Path, corpus_dir: Path) -> bool:
    """Marked `restricted: true` in the manifest: left out of a run that was not asked to include them."""
    from assistant.ingest.metadata import load_manifest

    manifest = load_manifest(corpus_dir)
    rel = path.resolve().relative_to(corpus_dir).as_posix()
    return bool((manifest.get(rel) or manifest.get(path.name) or {}).get("restricted", False))
