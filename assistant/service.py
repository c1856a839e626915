"""The one service every surface calls: ask, search, list documents, ingest, delete.

It loads the embedding model and the indexes once per process and notices (by the CURRENT file)
when another process has published a new index version, so serving processes pick it up without
a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.ask import AskState, run_steps
from assistant.audit import AuditLog
from assistant.config import Settings, get_settings, point_caches_at
from assistant.domain import ratings_rows
from assistant.embed import get_embedder
from assistant.glossary import load_glossary
from assistant.ingest.pipeline import Ingestor
from assistant.llm.answer import resolve_mode, stream_events
from assistant.llm.client import LLMClient
from assistant.models import Answer, DocumentInfo, Filters, ScoredPassage, validate_question
from assistant.privacy import searchable
from assistant.retrieve import CrossEncoderReranker, Retriever
from assistant.store import Snapshot, SnapshotStore, VectorStore


class Service:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        point_caches_at(self.settings)
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        self.snapshots = SnapshotStore(self.settings.index_dir)
        self.vectors = VectorStore(self.settings.index_dir, self.settings.collection, self.settings.chroma_url)
        self._snap: Snapshot | None = None
        self._snap_lock = threading.Lock()
        self._embedder = None
        self._retriever = None
        self._llm_client: LLMClient | None = None
        self._audit: AuditLog | None = None

    # --- components, created on first use -------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            s = self.settings
            self._embedder = get_embedder(s.embed_device, s.embed_batch_size, s.torch_threads, s.embed_backend)
        return self._embedder

    @property
    def retriever(self):
        if self._retriever is None:
            reranker = CrossEncoderReranker(self.settings.reranker_model) if self.settings.reranker_model else None
            self._retriever = Retriever(self.settings, self.vectors, self.embedder.embed_query, reranker)
        return self._retriever

    def snapshot(self) -> Snapshot:
        """The live index version; reloaded when another process has committed a newer one."""
        current = self.snapshots.current_version()
        snap = self._snap
        if snap is None or (current is not None and current != snap.version):
            with self._snap_lock:
                if self._snap is None or self._snap.version != self.snapshots.current_version():
                    loaded = self.snapshots.load(self.settings.bm25_k1, self.settings.bm25_b)
                    if self._snap is not None:  # another process wrote: its new embeddings must be seen too
                        self.vectors.refresh()
                    self._snap = loaded
            snap = self._snap
        return snap

    def warm(self) -> None:
        self.snapshot()
        self.embedder.for_serving(self.settings.query_threads)  # 1 thread per query: see assistant/embed.py
        self.embedder.query_cache_size = self.settings.query_cache
        self.embedder.embed_query("warm up")
        if self.settings.llm_url:
            self.llm_client  # noqa: B018 (the OpenAI client's import and set-up, before the first question)

    # --- queries --------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str | None = None) -> list[ScoredPassage]:
        query = searchable(validate_question(query))  # personal identifiers are never searched for (privacy.py)
        if self.settings.domain_features:
            query = self.glossary.expand_query(query)
        return self.retriever.search(self.snapshot(), query, k or self.settings.top_k, filters, mode)

    @property
    def llm_client(self) -> LLMClient:
        """One client per service: its connection pool is reused across questions."""
        if self._llm_client is None:
            self._llm_client = LLMClient(self.settings)
        return self._llm_client

    @property
    def audit(self) -> AuditLog:
        """The audit log every surface records to (who uploaded, deleted, ingested or asked: assistant/audit.py)."""
        if self._audit is None:
            with self._snap_lock:
                if self._audit is None:
                    self._audit = AuditLog.from_settings(self.settings)
        return self._audit

    @property
    def glossary(self):
        return load_glossary(str(Path(self.settings.corpus_dir) / "glossary.yaml"))

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None,
            mode: str | None = None, answer_mode: str | None = None,
            on_delta: Callable[[str], None] | None = None, context: str | None = None) -> Answer:
        """The one answer function every surface calls: the steps in assistant/ask.py, in order.
        `answer_mode` ("extractive" | "llm") overrides settings.answer_mode; with `on_delta`, checked generated
        text is passed on as it is produced. `context` is an earlier question of the same conversation (a Slack
        thread): it is searched with this one, while the glossary, ratings and date handling read only the new
        question."""
        question = validate_question(question)
        started = time.perf_counter()
        state = AskState(question=question, k=k or self.settings.top_k, filters=filters or Filters(),
                         snap=self.snapshot(), glossary=self.glossary if self.settings.domain_features else None,
                         mode=mode, answer_mode=answer_mode, on_delta=on_delta, context=context, started=started)
        return run_steps(self, state)

    def ask_stream(self, question: str, k: int | None = None, filters: Filters | None = None,
                   mode: str | None = None, answer_mode: str | None = None) -> Iterator[str | Answer]:
        """ask() as it happens: checked pieces of the generated answer (str), then the final Answer (last).
        A bad question or answer mode raises here, before anything is yielded."""
        validate_question(question)
        resolve_mode(self.settings, answer_mode)
        return stream_events(lambda on_delta: self.ask(question, k, filters, mode, answer_mode, on_delta))

    def ratings(self):
        """Every inspection rating found at ingest, newest first, each with its citation."""
        return sorted(ratings_rows(self.snapshot()), key=lambda r: r.published or "", reverse=True)

    # --- documents ------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return sorted(self.snapshot().documents.values(), key=lambda d: d.doc_id)

    def document(self, doc_id: str) -> DocumentInfo | None:
        return self.snapshot().documents.get(doc_id)

    # --- writes ---------------------------------------------------------------------------
    def ingestor(self):
        return Ingestor(self.settings, lambda: self.embedder, self.vectors, self.snapshots)

    def ingest(self, paths: list[Path] | None = None, progress=None, overrides: dict | None = None,
               lock_timeout: float = 0):
        report, snap = self.ingestor().run(paths, progress=progress, overrides=overrides, lock_timeout=lock_timeout)
        with self._snap_lock:
            if self._snap is not None and snap.version != self._snap.version:
                self.vectors.refresh()  # what other processes wrote since our last look, as well as our own
            self._snap = snap
        return report

    def doctor(self, repair: bool = False):
        """Drift between the vector store and the live snapshot (assistant/ingest/reconcile.py); with
        `repair`, under the write lock, orphan vectors are deleted and passages without one embedded."""
        from filelock import Timeout

        from assistant.ingest import reconcile
        from assistant.ingest.pipeline import IngestError

        if not repair:
            return reconcile.measure(self.snapshot(), self.vectors)
        try:
            with self.ingestor().lock.acquire(timeout=30):
                snap = self.snapshots.load(self.settings.bm25_k1, self.settings.bm25_b)
                return reconcile.repair(snap, self.vectors, self.embedder.embed)
        except Timeout as exc:
            raise IngestError("another ingest is writing the index; try again when it finishes") from exc

    def delete(self, doc_id: str) -> bool:
        snap = self.ingestor().remove(doc_id)
        if snap is None:
            return False
        with self._snap_lock:
            self.vectors.refresh()
            self._snap = snap
        return True


_service: Service | None = None
_service_lock = threading.Lock()


def get_service() -> Service:
    """One service per process (model and indexes loaded once)."""
    global _service
    with _service_lock:
        if _service is None:
            _service = Service()
        return _service
