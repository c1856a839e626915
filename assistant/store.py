"""Where passages live: a Chroma collection of embeddings and versioned snapshots (passages + BM25).

A snapshot directory under indexes/snapshots/ holds the live passage list, the document table
(with each file's content hash: the ingest manifest) and the BM25 index. `indexes/CURRENT` names
the live snapshot and is replaced atomically, so a reader sees the old version or the new one,
never half of each; a kill -9 during ingest leaves CURRENT on the last complete version.
Chroma may briefly hold embeddings the live snapshot does not list (an interrupted run); they are
filtered out at query time (over-fetching so they never crowd out live passages) and deleted by the
next ingest, changed or not (assistant/ingest/reconcile.py).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from assistant.files import make_tree_private, open_private, private_dir
from assistant.models import DocumentInfo, Filters, Passage, published_int
from assistant.text import tokenize

if TYPE_CHECKING:
    import bm25s

def bm25_text(p: Passage) -> str:
    """Title and section are indexed with the passage so a question naming them still matches."""
    return "\n".join(x for x in (p.title, p.section or "", p.text) if x)




def crash_point(name: str) -> None:
    """Fault injection for the interruption tests: ASSISTANT_CRASH_AT=name kills the process here (kill -9)."""
    if os.environ.get("ASSISTANT_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def atomic_write(path: Path, data: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open_private(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class YamlFileError(ValueError):
    """A YAML file that cannot be read as a mapping; the message names the file."""


def read_yaml(path: Path) -> dict:
    """The one YAML loader for our own files (manifests, glossary, question sets): safe_load, {} when the file
    is absent or empty, YamlFileError naming the file when it is not valid YAML or not a mapping."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{path}: not valid YAML ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YamlFileError(f"{path}: expected a mapping at the top level")
    return data


@dataclass
class Snapshot:
    """One immutable version of the index as readers see it."""

    version: str
    passages: list[Passage]
    documents: dict[str, DocumentInfo]
    bm25: bm25s.BM25 | None = None
    k1: float = 1.2
    b: float = 0.75
    id_to_index: dict[str, int] = field(default_factory=dict)
    doc_type: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    published: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    area: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    restricted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self):
        self.id_to_index = {p.id: i for i, p in enumerate(self.passages)}
        self.doc_type = np.array([p.doc_type for p in self.passages], dtype=object)
        self.published = np.array([published_int(p.published) for p in self.passages], dtype=np.int64)
        self.area = np.array([(p.area or "").lower() for p in self.passages], dtype=object)
        self.restricted = np.array([p.restricted for p in self.passages], dtype=bool)

    @classmethod
    def build(cls, version: str, passages: list[Passage], documents: dict[str, DocumentInfo],
              k1: float = 1.2, b: float = 0.75) -> Snapshot:
        snap = cls(version=version, passages=passages, documents=documents, k1=k1, b=b)
        snap.bm25 = _build_bm25([bm25_text(p) for p in passages], k1, b) if passages else None
        return snap

    @cached_property
    def superseded_docs(self) -> frozenset[str]:
        """Documents a newer one supersedes (computed once per version, not per query: 5 % of an ask at 100k)."""
        return frozenset(d for d, info in self.documents.items() if info.superseded_by)

    @cached_property
    def passages_by_doc(self) -> dict[str, list[int]]:
        """Passage indices per document, in order (computed once per version)."""
        out: dict[str, list[int]] = {}
        for i, p in enumerate(self.passages):
            out.setdefault(p.doc_id, []).append(i)
        return out

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask of passages that pass the filters (None = all pass): Filters.mask over the columns."""
        if filters is None:
            return None
        return filters.mask(self.doc_type, self.published, self.area, self.restricted)

    def bm25_scores(self, query: str) -> np.ndarray:
        if self.bm25 is None:
            return np.zeros(len(self.passages), dtype=np.float32)
        tokens = tokenize([query])[0]
        if not tokens:
            return np.zeros(len(self.passages), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)


def _build_bm25(texts: list[str], k1: float, b: float):
    import bm25s

    retriever = bm25s.BM25(k1=k1, b=b)
    retriever.index(tokenize(texts), show_progress=False)
    return retriever


class SnapshotStore:
    """Reads and writes snapshot directories and the CURRENT pointer."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self.snapshots_dir = self.index_dir / "snapshots"
        self.current_file = self.index_dir / "CURRENT"

    def current_version(self) -> str | None:
        try:
            return self.current_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def load(self, k1: float = 1.2, b: float = 0.75) -> Snapshot:
        version = self.current_version()
        if version is None:
            return Snapshot.build("empty", [], {}, k1, b)
        folder = self.snapshots_dir / version
        passages = [Passage.model_validate_json(line) for line in
                    (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        docs_raw = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        documents = {d["doc_id"]: DocumentInfo.model_validate(d) for d in docs_raw}
        snap = Snapshot(version=version, passages=passages, documents=documents, k1=k1, b=b)
        if passages:
            import bm25s

            snap.bm25 = bm25s.BM25.load(str(folder / "bm25"), load_vocab=True, show_progress=False)
        return snap

    def commit(self, snap: Snapshot, keep: int = 3) -> None:
        """Write a new snapshot fully, then point CURRENT at it (one atomic rename)."""
        private_dir(self.snapshots_dir)  # passages (restricted ones too) are readable by this user only
        folder = self.snapshots_dir / snap.version
        tmp = self.snapshots_dir / f".{snap.version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        private_dir(tmp)
        (tmp / "passages.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in snap.passages), encoding="utf-8")
        (tmp / "documents.json").write_text(
            json.dumps([d.model_dump() for d in snap.documents.values()], indent=1), encoding="utf-8")
        if snap.bm25 is not None:
            snap.bm25.save(str(tmp / "bm25"), show_progress=False)
        make_tree_private(tmp)
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        os.replace(tmp, folder)
        crash_point("before_current")
        atomic_write(self.current_file, snap.version + "\n")
        self._prune(keep, snap.version)

    def _prune(self, keep: int, current: str) -> None:
        versions = sorted(p.name for p in self.snapshots_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        for old in versions[:-keep]:
            if old != current:
                shutil.rmtree(self.snapshots_dir / old, ignore_errors=True)
        for tmp in self.snapshots_dir.glob(".*.tmp"):
            shutil.rmtree(tmp, ignore_errors=True)


def new_version() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"


class VectorStore:
    """The Chroma collection: embeddings by passage id, with filterable metadata."""

    def __init__(self, index_dir: Path, collection: str = "passages", url: str | None = None):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self.url = url
        self._collection_name = collection
        if url:
            from urllib.parse import urlparse

            parsed = urlparse(url)
            self.client = chromadb.HttpClient(host=parsed.hostname or "localhost", port=parsed.port or 8000,
                                              ssl=parsed.scheme == "https", settings=chroma_settings)
        else:
            path = Path(index_dir) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        # embedding_function=None: Chroma must never embed (its default downloads a model)
        self.collection = self.client.get_or_create_collection(
            name=collection, embedding_function=None, metadata={"hnsw:space": "cosine"})
        self._system = None if url else _chroma_system(self.client)
        self._retired: list[tuple[float, Any]] = []  # (when, chromadb System)

    RETIRE_AFTER_S = 60.0

    def refresh(self) -> None:
        """Re-open the embedded store so embeddings written by another process become visible.

        Chroma's embedded client keeps one in-memory HNSW index per path per process and never re-reads
        it, so a serving process would not see vectors that `assistant ingest` (or another worker)
        added. A fresh client re-reads the index and log from disk. The old one is not stopped at once,
        so a query still running on it finishes; it is stopped (its memory freed) at a later refresh,
        RETIRE_AFTER_S on, if no other client in this process shares it. A Chroma server (url set)
        serves every client the same index: nothing to do.
        """
        if self.url:
            return
        import chromadb

        identifier = getattr(self.client, "_identifier", None)
        old, refs = forget_cached_system(identifier)
        exclusive = old is not None and old is self._system and refs <= 2
        assert identifier is not None  # a PersistentClient is keyed by its path
        client = chromadb.PersistentClient(path=identifier, settings=self.client.get_settings())
        collection = client.get_or_create_collection(
            name=self._collection_name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        self.client, self.collection = client, collection
        self._system = _chroma_system(client)
        now = time.monotonic()
        if exclusive:  # one PersistentClient holds 2 references (itself and its admin client): only ours
            self._retired.append((now, old))
        for retired_at, system in [r for r in self._retired if now - r[0] > self.RETIRE_AFTER_S]:
            self._retired.remove((retired_at, system))
            try:
                system.stop()
            except Exception:  # freeing memory is best effort
                pass

    def count(self) -> int:
        return self.collection.count()

    def heartbeat(self) -> bool:
        self.client.heartbeat()
        return True

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 1000):
            found.update(self.collection.get(ids=ids[i:i + 1000], include=[])["ids"])
        return found

    def all_ids(self) -> set[str]:
        return {pid for ids in self.iter_ids() for pid in ids}

    def iter_ids(self, batch: int = 1000):
        """Every stored id, a bounded page at a time (a large collection never travels in one request)."""
        offset = 0
        while True:
            ids = self.collection.get(include=[], limit=batch, offset=offset)["ids"]
            if not ids:
                return
            yield ids
            if len(ids) < batch:
                return
            offset += len(ids)

    def upsert(self, passages: list[Passage], embeddings: np.ndarray, batch: int = 1000) -> None:
        for i in range(0, len(passages), batch):
            chunk = passages[i:i + batch]
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=embeddings[i:i + batch].tolist(),
                metadatas=[_chroma_metadata(p) for p in chunk],
            )

    def update_metadata(self, passages: list[Passage], batch: int = 1000) -> None:
        for i in range(0, len(passages), batch):
            chunk = passages[i:i + batch]
            self.collection.update(ids=[p.id for p in chunk], metadatas=[_chroma_metadata(p) for p in chunk])

    def delete(self, ids: list[str], batch: int = 1000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i:i + batch])

    def query(self, embedding: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        # No count() first: Chroma returns what it holds when n is larger, and the extra SQLite round trip
        # cost ~0.4 ms of ~0.8 ms per lookup (issue 6, benchmarks/RESULTS.md).
        try:
            result = self.collection.query(query_embeddings=[embedding.tolist()], n_results=n,
                                           where=_chroma_where(filters), include=["distances"])
        except Exception:  # an empty collection (or an older Chroma that rejects n > count)
            total = self.count()
            if total == 0:
                return []
            result = self.collection.query(query_embeddings=[embedding.tolist()], n_results=min(n, total),
                                           where=_chroma_where(filters), include=["distances"])
        distances = result["distances"]
        assert distances is not None  # include=["distances"]
        # cosine distance -> cosine similarity
        return [(pid, 1.0 - float(d)) for pid, d in zip(result["ids"][0], distances[0], strict=True)]

    def similarity(self, embedding: np.ndarray, ids: list[str]) -> dict[str, float]:
        """Exact cosine of the query with the stored vectors of `ids` (hybrid fusion completes the scores
        of passages only BM25 found); ids Chroma does not hold are left out."""
        stored = self.embeddings(ids)
        if not stored:
            return {}
        vectors = np.stack(list(stored.values()))
        q = np.asarray(embedding, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(q) or 1.0)
        sims = vectors @ q / np.where(norms > 0, norms, 1.0)
        return {pid: float(v) for pid, v in zip(stored, sims, strict=True)}

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of `ids` (those Chroma holds), one request."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        if got["embeddings"] is None or not len(got["embeddings"]):
            return {}
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], vectors, strict=True))


# --- Chroma internals: the only two places that use them ------------------------------------------------
# Chroma has no public way to re-open one path's embedded store in a running process (clear_system_cache()
# stops every store the process has open, queries in flight included), so refresh() forgets the cached system
# of one path through SharedSystemClient's private class attributes. tests/test_chroma_internals.py
# fails loudly if a Chroma release renames or drops them.

def forget_cached_system(identifier) -> tuple[object | None, int]:
    """Drop Chroma's cached system for one path so the next client loads the store afresh.
    -> (the system that was cached or None, how many clients referenced it)."""
    from chromadb.api.shared_system_client import SharedSystemClient as Shared

    with Shared._refcount_lock:
        old = Shared._identifier_to_system.pop(identifier, None)
        refs = Shared._identifier_to_refcount.pop(identifier, 0)
    return old, refs


def _chroma_system(client):
    """The system Chroma caches for an embedded client's path (None for a server client)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    return SharedSystemClient._identifier_to_system.get(getattr(client, "_identifier", None))


def _chroma_metadata(p: Passage) -> dict:
    return {"doc_id": p.doc_id, "doc_type": p.doc_type or "", "published": published_int(p.published),
            "area": (p.area or "").lower(), "restricted": bool(p.restricted)}


def _chroma_where(filters: Filters | None) -> dict | None:
    return filters.chroma_where() if filters is not None else None

