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

from assistant.answer import extractive_answer
from assistant.config import Settings, get_settings, point_caches_at
from assistant.llm.answer import client_for, llm_answer, resolve_mode, stream_events
from assistant.privacy import redact, without_placeholders
from assistant.models import MAX_QUESTION_CHARS, Answer, DocumentInfo, Filters, ScoredPassage, validate_question
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

    # --- components, created on first use -------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from assistant.embed import get_embedder

            s = self.settings
            self._embedder = get_embedder(s.embed_device, s.embed_batch_size, s.torch_threads, s.embed_backend)
        return self._embedder

    @property
    def retriever(self):
        if self._retriever is None:
            from assistant.retrieve import CrossEncoderReranker, Retriever

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
            client_for(self)  # the OpenAI client's import and set-up, before the first question

    # --- queries --------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str | None = None) -> list[ScoredPassage]:
        redacted = without_placeholders(redact(validate_question(query)).text)
        query = validate_question(redacted or "[redacted]")
        if self.settings.domain_features:
            query = self.glossary.expand_query(query)
        return self.retriever.search(self.snapshot(), query, k or self.settings.top_k, filters, mode)

    @property
    def glossary(self):
        from assistant.glossary import load_glossary

        return load_glossary(str(Path(self.settings.corpus_dir) / "glossary.yaml"))

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None,
            mode: str | None = None, answer_mode: str | None = None,
            on_delta: Callable[[str], None] | None = None, context: str | None = None) -> Answer:
        """The one answer function every surface calls. `answer_mode` ("extractive" | "llm") overrides
        settings.answer_mode; with `on_delta`, checked generated text is passed on as it is produced.
        `context` is an earlier question of the same conversation (a Slack thread): it is searched with
        this one, while the glossary, ratings and date handling read only the new question."""
        from assistant import domain
        from assistant.answer import NO_ANSWER_TEXT
        from assistant.dates import period_in

        # personal identifiers never reach the search, an LLM, a log or a store (assistant/privacy.py)
        redaction = redact(validate_question(question))
        question = validate_question(without_placeholders(redaction.text) or redaction.text)
        if context:
            context = without_placeholders(redact(context).text)
        t0 = time.perf_counter()
        snap = self.snapshot()
        use_domain = self.settings.domain_features
        glossary = self.glossary if use_domain else None
        notes: list[str] = []
        filters = filters or Filters()
        period = period_in(question) if use_domain else None
        if period and not (filters.published_after or filters.published_before):
            filters = filters.model_copy(update={"published_after": period.after, "published_before": period.before})
            notes.append(f"Searched {period.describe()} (the question says “{period.phrase}”).")

        # deterministic answers first: a glossary definition, a ratings table
        answer: Answer | None = None
        term = glossary.definition_question(question) if glossary else None
        if term is not None:
            answer = domain.definition_answer(question, term, snap)
        if answer is None and use_domain and domain.is_ratings_question(question):
            answer = domain.ratings_answer(question, snap, filters)
        t1 = time.perf_counter()
        if answer is None:
            full = question
            if context and context.strip() and context.strip().lower() != question.lower():
                full = f"{context.strip()[-(MAX_QUESTION_CHARS - len(question) - 1):]} {question}".strip()
            query = glossary.expand_query(full) if glossary else full
            results = self.retriever.search(snap, query, k or self.settings.top_k, filters, mode)
            t1 = time.perf_counter()
            answer = extractive_answer(full, results, self.settings.min_dense_score,
                                       self.settings.min_term_coverage, self.settings.answer_sentences)
            answer.question = question
            if use_domain:
                answer = self._domain_checks(question, answer, term, snap, notes)
            if answer.status == "answered" and resolve_mode(self.settings, answer_mode) == "llm":
                answer = llm_answer(self, question, results, answer, glossary, on_delta)  # checked, or the fallback
                notes.extend(answer.notes)
        notes.extend(domain.supersession_notes(answer, snap.documents))
        if redaction.changed:
            notes.insert(0, redaction.warning())
            answer.question = redaction.text
        answer.notes = notes
        if answer.status == "no_answer" and period:
            answer.answer = NO_ANSWER_TEXT.replace("indexed documents", f"indexed {period.describe()}", 1)
        t2 = time.perf_counter()
        answer.timings_ms = {"retrieve": round((t1 - t0) * 1000, 2), "answer": round((t2 - t1) * 1000, 2),
                             "total": round((t2 - t0) * 1000, 2)}
        return answer

    def _domain_checks(self, question: str, answer: Answer, term, snap: Snapshot, notes: list[str]) -> Answer:
        """Glossary expansion and newest-first order; refuse when the question names something the corpus
        never mentions, or asks to define a term the glossary knows no document defines."""
        from assistant import domain
        from assistant.answer import NO_ANSWER_TEXT

        answer = domain.newest_first(domain.apply_glossary(answer, self.glossary))
        refuse = answer.model_copy(update={"status": "no_answer", "answer": NO_ANSWER_TEXT,
                                           "citations": answer.citations[:3]})
        missing = domain.unknown_names(question, snap, self.glossary) if answer.status == "answered" else []
        if missing:
            notes.append(f"The indexed documents never mention {', '.join(m.title() for m in missing)}.")
            answer = refuse
        if term is not None and not term.defined_in:
            answer = refuse  # passages that merely mention the term are not a definition of it
        if answer.status == "no_answer" and term is not None:
            notes.append(domain.glossary_note(term))
        return answer

    def ask_stream(self, question: str, k: int | None = None, filters: Filters | None = None,
                   mode: str | None = None, answer_mode: str | None = None) -> Iterator[str | Answer]:
        """ask() as it happens: checked pieces of the generated answer (str), then the final Answer (last).
        A bad question or answer mode raises here, before anything is yielded."""
        validate_question(question)
        resolve_mode(self.settings, answer_mode)
        return stream_events(lambda on_delta: self.ask(question, k, filters, mode, answer_mode, on_delta))

    def ratings(self):
        """Every inspection rating found at ingest, newest first, each with its citation."""
        from assistant.domain import ratings_rows

        return sorted(ratings_rows(self.snapshot()), key=lambda r: r.published or "", reverse=True)

    # --- documents ------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return sorted(self.snapshot().documents.values(), key=lambda d: d.doc_id)

    def document(self, doc_id: str) -> DocumentInfo | None:
        return self.snapshot().documents.get(doc_id)

    # --- writes ---------------------------------------------------------------------------
    def ingestor(self):
        from assistant.ingest.pipeline import Ingestor

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
