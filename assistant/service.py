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

from assistant import word_forms
from assistant.access import PUBLIC, Access
from assistant.answer import evidence_for, is_weak
from assistant.ask import AskState, run_steps
from assistant.audit import AuditLog
from assistant.config import Settings, get_settings, point_caches_at
from assistant.conversation import Turn
from assistant.domain import ratings_rows
from assistant.embed import get_embedder, header_vectors
from assistant.glossary import load_glossary
from assistant.ingest.pipeline import Ingestor
from assistant.llm.answer import resolve_mode, stream_events
from assistant.llm.client import LLMClient
from assistant.models import Answer, DocumentInfo, Filters, Passage, ScoredPassage, validate_question
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
        self._by_doc: tuple[str | None, dict[str, list[Passage]]] = (None, {})
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
            self._retriever = Retriever(self.settings, self.vectors, self.embedder.embed_query, reranker,
                                        lambda headers: header_vectors(self.embedder, headers))
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
        word_forms.load()  # the word-form dictionaries (0.7 s), not on the first question
        if self.settings.llm_url:
            self.llm_client  # noqa: B018 (the OpenAI client's import and set-up, before the first question)

    # --- queries --------------------------------------------------------------------------
    # Every query takes the caller's `access` (assistant/access.py) and defaults to PUBLIC: restricted documents
    # are denied unless the surface says the caller holds the grant. The restricted part of any Filters passed
    # in is ignored; `_effective` decides it here.

    @staticmethod
    def _effective(snap: Snapshot, filters: Filters | None, access: Access) -> Filters:
        return access.filters(filters, any_restricted=bool(snap.restricted.any()))

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str | None = None, *, access: Access = PUBLIC) -> list[ScoredPassage]:
        query = searchable(validate_question(query))  # personal identifiers are never searched for (privacy.py)
        bm25_query = None
        if self.settings.domain_features:  # as in ask: both forms embedded; BM25 counts the other form as one word
            bm25_query = self.glossary.bm25_query(query)
            query = self.glossary.expand_query(query)
        snap = self.snapshot()
        return self.retriever.search(snap, query, k or self.settings.top_k, self._effective(snap, filters, access),
                                     mode, bm25_query=bm25_query)

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
            on_delta: Callable[[str], None] | None = None, context: str | None = None,
            history: list[Turn] | None = None, *, access: Access = PUBLIC) -> Answer:
        """The one answer function every surface calls: the steps in assistant/ask.py, in order.
        `answer_mode` ("extractive" | "llm") overrides settings.answer_mode; with `on_delta`, checked generated
        text is passed on as it is produced. `history`: the conversation's earlier turns (oldest first); the
        question is then read as the standalone question it stands for and the answer says how (`read_as`).
        `context` is one earlier question, the same as a history of one turn."""
        question = validate_question(question)
        if context and history is None:
            history = [Turn(question=context)]
        if history is not None:
            history = history[-self.settings.conversation_turns:]
        started = time.perf_counter()
        snap = self.snapshot()
        state = AskState(question=question, k=k or self.settings.top_k, filters=self._effective(snap, filters, access),
                         snap=snap, access=access, glossary=self.glossary if self.settings.domain_features else None,
                         mode=mode, answer_mode=answer_mode, on_delta=on_delta, history=history, started=started)
        return run_steps(self, state)

    def rewrite_client(self) -> LLMClient | None:
        """The LLM that reads follow-ups, when conversation_rewrite says to use one (else None)."""
        choice = self.settings.conversation_rewrite
        if choice == "deterministic" or (choice == "auto" and not self.settings.llm_url):
            return None
        return self.llm_client

    def strong_alone(self, question: str, filters: Filters, *, access: Access = PUBLIC) -> bool:
        """Whether a question's own retrieval evidence would answer it (a follow-up that may be a new topic)."""
        query = self.glossary.expand_query(question) if self.settings.domain_features else question
        snap = self.snapshot()
        results = self.retriever.search(snap, query, self.settings.top_k, self._effective(snap, filters, access),
                                        bm25_query=self.glossary.bm25_query(question)
                                        if self.settings.domain_features else None)
        return bool(results) and not is_weak(evidence_for(question, results), self.settings.min_dense_score,
                                             self.settings.min_term_coverage)

    def ask_stream(self, question: str, k: int | None = None, filters: Filters | None = None,
                   mode: str | None = None, answer_mode: str | None = None,
                   history: list[Turn] | None = None, *, access: Access = PUBLIC) -> Iterator[str | Answer]:
        """ask() as it happens: checked pieces of the generated answer (str), then the final Answer (last).
        A bad question or answer mode raises here, before anything is yielded."""
        validate_question(question)
        resolve_mode(self.settings, answer_mode)
        return stream_events(lambda on_delta: self.ask(question, k, filters, mode, answer_mode, on_delta,
                                                       history=history, access=access))

    def ratings(self, *, access: Access = PUBLIC):
        """The inspectorate's ratings found at ingest (domain.ratings_rows), newest first, each with its citation."""
        return sorted(ratings_rows(self.snapshot(), access), key=lambda r: r.published or "", reverse=True)

    # --- documents ------------------------------------------------------------------------
    def documents(self, *, access: Access = PUBLIC) -> list[DocumentInfo]:
        return sorted((d for d in self.snapshot().documents.values() if access.may_see(d)), key=lambda d: d.doc_id)

    def document(self, doc_id: str, *, access: Access = PUBLIC) -> DocumentInfo | None:
        """None for an unknown document and for one the caller may not see: the two look the same."""
        doc = self.snapshot().documents.get(doc_id)
        return doc if access.may_see(doc) else None

    def passages(self, doc_id: str) -> list[Passage] | None:
        """A document's passages in reading order (None: no such document). Goes through document(), so whatever
        decides who may read a document decides this too."""
        if self.document(doc_id) is None:
            return None
        snap = self.snapshot()
        version, by_doc = self._by_doc
        if version != snap.version:  # one pass per index version, not per request (a 100k-passage scan is ~10 ms)
            by_doc = {}
            for p in snap.passages:  # the snapshot keeps each document's passages together, in chunk order
                by_doc.setdefault(p.doc_id, []).append(p)
            self._by_doc = (snap.version, by_doc)
        return by_doc.get(doc_id, [])

    def document_file(self, doc_id: str) -> Path | None:
        """The original file of a document, only if it still exists inside the corpus folder (never a path
        outside it, whatever the index says); None otherwise. Readable by whoever may read document()."""
        doc = self.document(doc_id)
        if doc is None or not doc.path:
            return None
        corpus = Path(self.settings.corpus_dir).resolve()
        path = Path(doc.path)
        path = (path if path.is_absolute() else corpus / path).resolve()
        if not path.is_relative_to(corpus) or not path.is_file():
            return None
        return path

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
