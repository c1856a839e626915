"""Incremental ingest: only new or changed files are parsed and embedded; the live snapshot is swapped at the end.

Order of writes (why a kill -9 at any point is safe):
1. embeddings of new passages are upserted into Chroma under content-addressed ids (not yet live);
2. a complete new snapshot (passages, documents with file hashes, BM25) is written to its own folder;
3. CURRENT is atomically pointed at it: the only step that changes what readers see;
4. embeddings no snapshot lists any more are deleted from Chroma.
A run killed before 3 leaves the previous version live, and the next run reuses the embeddings from 1.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.embed import embed_with_headers
from assistant.files import private_dir
from assistant.ingest.chunk import chunk_blocks, embedding_header
from assistant.ingest.limits import ParseBudget, check_file
from assistant.ingest.load import SUPPORTED_SUFFIXES, LoadError, load_document
from assistant.ingest.metadata import ManifestError, load_manifest, resolve_metadata
from assistant.ingest.reconcile import delete_orphans
from assistant.models import DocumentInfo, Passage
from assistant.ratings import extract_ratings
from assistant.safety import count_instruction_passages
from assistant.store import Snapshot, SnapshotStore, VectorStore, crash_point, new_version


class IngestError(Exception):
    """The run as a whole cannot start (missing path, another writer, bad manifest)."""


@dataclass
class FileResult:
    path: str
    doc_id: str | None
    status: str  # added | updated | unchanged | removed | failed
    passages: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # "page 7 has no text layer; OCR used"
    new_passages: list[Passage] = field(default_factory=list, repr=False)
    document: DocumentInfo | None = field(default=None, repr=False)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    embedded: int = 0
    seconds: float = 0.0
    version: str | None = None
    total_passages: int = 0
    total_documents: int = 0
    orphans_deleted: int = 0

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def file_sha256(path: Path, extra: dict | None = None) -> str:
    h = hashlib.sha256(path.read_bytes())
    if extra:
        h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


def discover(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            files.append(p)
    return files


class Ingestor:
    """The only writer. A file lock under the state dir keeps a second writer (CLI or API) out."""

    def __init__(self, settings, embedder_factory: Callable, vectors: VectorStore, snapshots: SnapshotStore):
        self.settings = settings
        self.embedder_factory = embedder_factory
        self.vectors = vectors
        self.snapshots = snapshots
        private_dir(settings.state_dir)  # locks, feedback, audit log: this user only
        self.lock = FileLock(str(settings.state_dir / "write.lock"))

    def run(self, paths: list[Path] | None = None, progress: Callable[[str, str], None] | None = None,
            overrides: dict[str, dict] | None = None, lock_timeout: float = 0) -> tuple[IngestReport, Snapshot]:
        """Ingest `paths` (default: the whole corpus folder, removing documents whose file is gone)."""
        corpus_dir = Path(self.settings.corpus_dir)
        full_run = not paths
        targets = [corpus_dir] if full_run else [Path(p) for p in paths or []]
        missing = [str(p) for p in targets if not p.exists()]
        if missing:
            raise IngestError(f"no such file or folder: {', '.join(missing)} (nothing was changed)")
        try:
            with self.lock.acquire(timeout=lock_timeout):
                return self._run(targets, full_run, corpus_dir, progress or (lambda *_: None), overrides or {})
        except Timeout as exc:
            raise IngestError("another ingest is writing the index; try again when it finishes") from exc

    def _run(self, targets, full_run, corpus_dir, progress, overrides):
        started = time.perf_counter()
        try:
            manifest = load_manifest(corpus_dir)
        except (ManifestError, ValueError) as exc:
            raise IngestError(str(exc)) from exc
        old = self.snapshots.load(self.settings.bm25_k1, self.settings.bm25_b)
        report = IngestReport()
        documents = dict(old.documents)
        by_doc: dict[str, list[Passage]] = {}
        for p in old.passages:
            by_doc.setdefault(p.doc_id, []).append(p)
        files = discover(targets)
        progress("start", str(len(files)))
        seen_docs: dict[str, str] = {}
        pending: list[Passage] = []

        for path in files:
            result = self._ingest_file(path, corpus_dir, manifest, overrides.get(str(path)), documents, seen_docs)
            report.results.append(result)
            if result.status in ("added", "updated"):
                by_doc[result.doc_id] = result.new_passages
                documents[result.doc_id] = result.document
                pending.extend(result.new_passages)
                if len(pending) >= self.settings.ingest_flush_passages:
                    report.embedded += self._store_embeddings(pending)
                    pending = []
                    crash_point("after_embed_batch")
            progress("file", f"{result.status}: {path}")
        report.embedded += self._store_embeddings(pending)

        if full_run:
            for doc_id, info in list(documents.items()):
                if doc_id not in seen_docs and _under(Path(info.path), corpus_dir) and not Path(info.path).exists():
                    documents.pop(doc_id)
                    by_doc.pop(doc_id, None)
                    report.results.append(FileResult(info.source, doc_id, "removed"))

        changed = any(r.status in ("added", "updated", "removed") for r in report.results)
        snap = old
        if changed or self.snapshots.current_version() is None:
            snap = self._commit(documents, by_doc)
        else:  # unchanged: still collect what an interrupted run left in the vector store
            report.orphans_deleted = delete_orphans(snap, self.vectors)
        report.version = snap.version
        report.total_passages = len(snap.passages)
        report.total_documents = len(snap.documents)
        report.seconds = time.perf_counter() - started
        return report, snap

    def remove(self, doc_id: str, lock_timeout: float = 30) -> Snapshot | None:
        """Remove one document; returns the new snapshot, or None if it was not indexed."""
        try:
            with self.lock.acquire(timeout=lock_timeout):
                old = self.snapshots.load(self.settings.bm25_k1, self.settings.bm25_b)
                if doc_id not in old.documents:
                    return None
                documents = {k: v for k, v in old.documents.items() if k != doc_id}
                by_doc: dict[str, list[Passage]] = {}
                for p in old.passages:
                    if p.doc_id != doc_id:
                        by_doc.setdefault(p.doc_id, []).append(p)
                return self._commit(documents, by_doc)
        except Timeout as exc:
            raise IngestError("another ingest is writing the index; try again when it finishes") from exc

    def _commit(self, documents: dict[str, DocumentInfo], by_doc: dict[str, list[Passage]]) -> Snapshot:
        passages = [p for doc_id in sorted(by_doc) for p in by_doc[doc_id] if doc_id in documents]
        for doc_id, info in documents.items():
            info.passages = len(by_doc.get(doc_id, []))
            # "B supersedes A" in the manifest is enough: A is marked superseded_by B
            if info.supersedes and info.supersedes in documents and not documents[info.supersedes].superseded_by:
                documents[info.supersedes].superseded_by = doc_id
        snap = Snapshot.build(new_version(), passages, documents, self.settings.bm25_k1, self.settings.bm25_b)
        crash_point("before_commit")
        self.snapshots.commit(snap)
        crash_point("after_commit")
        delete_orphans(snap, self.vectors)  # step 4: vectors no snapshot lists, in bounded batches
        return snap

    def _store_embeddings(self, passages: list[Passage]) -> int:
        """Embed only passages Chroma does not already hold (content-addressed ids); returns how many."""
        if not passages:
            return 0
        existing = self.vectors.existing_ids([p.id for p in passages])
        todo = [p for p in passages if p.id not in existing]
        if existing:
            self.vectors.update_metadata([p for p in passages if p.id in existing])
        if todo:
            vectors = embed_with_headers(self.embedder_factory(), [p.text for p in todo],
                                         [embedding_header(p.title, p.section, p.text) for p in todo])
            self.vectors.upsert(todo, vectors)
        return len(todo)

    def _ingest_file(self, path, corpus_dir, manifest, override, documents, seen_docs) -> FileResult:
        from assistant.ingest.metadata import doc_id_for

        entry = _manifest_entry(path, corpus_dir, manifest)
        entry.update(override or {})
        doc_id = entry.get("doc_id") or doc_id_for(path, corpus_dir)
        try:
            sha = file_sha256(path, {k: v for k, v in entry.items()} or None)
        except OSError as exc:
            return FileResult(str(path), doc_id, "failed", error=f"cannot read the file ({exc.strerror})")
        if doc_id in seen_docs:
            return FileResult(str(path), doc_id, "failed", error=f"doc_id {doc_id!r} is already used by {seen_docs[doc_id]}")
        seen_docs[doc_id] = str(path)
        existing = documents.get(doc_id)
        # read again once if it was indexed before ratings authority and instruction flags were recorded
        if existing is not None and existing.sha256 == sha and existing.ratings_authority is not None:
            return FileResult(str(path), doc_id, "unchanged", passages=existing.passages)
        try:
            check_file(path, self.settings)  # zip bombs, page and size budgets: before any parser runs
            loaded = load_document(path, max_bytes=int(self.settings.max_file_mb * 1e6),
                                   ocr_setting=getattr(self.settings, "ocr", "auto"),
                                   budget=ParseBudget.start(path, self.settings))
            blocks = loaded.blocks
            if loaded.title and not (override or {}).get("title") and not entry.get("title"):
                override = {**(override or {}), "title": loaded.title}
            meta = resolve_metadata(path, corpus_dir, manifest, blocks, overrides=override)
            nodes = chunk_blocks(blocks, meta, self.settings.chunk_min_words, self.settings.chunk_max_words)
            if not nodes:
                raise LoadError("no passages could be made from the text")
        except LoadError as exc:
            return FileResult(str(path), doc_id, "failed", error=str(exc))
        except Exception as exc:  # one bad file must never stop the run or lose the index
            return FileResult(str(path), doc_id, "failed", error=f"{exc.__class__.__name__}: {exc}")
        passages = [Passage(id=n.id_, text=n.text, **{k: n.metadata.get(k) for k in (
            "doc_id", "title", "doc_type", "published", "organisation", "area", "source", "page", "section",
            "paragraph", "restricted", "table")}) for n in nodes]
        ratings = [r.model_dump() for r in extract_ratings(passages, blocks, meta)]
        document = DocumentInfo(
            doc_id=doc_id, title=meta["title"], doc_type=meta["doc_type"], published=meta["published"],
            organisation=meta["organisation"], area=meta["area"], source=meta["source"], passages=len(passages),
            sha256=sha, restricted=meta["restricted"], path=str(path.resolve()),
            supersedes=meta.get("supersedes"), superseded_by=meta.get("superseded_by"), ratings=ratings,
            notes=loaded.notes, ratings_authority=ratings_authority(entry, doc_id),
            instruction_passages=count_instruction_passages(passages))
        return FileResult(str(path), doc_id, "updated" if existing is not None else "added", passages=len(passages),
                          new_passages=passages, document=document, notes=loaded.notes)


def ratings_authority(entry: dict, doc_id: str) -> bool:
    """Whose ratings are the inspectorate's: `ratings_authority` in the manifest when given, else a document
    the manifest declares an inspection report (an inferred type or an upload does not make one)."""
    if entry.get("ratings_authority") is not None:
        return bool(entry["ratings_authority"])
    return entry.get("doc_type") == "inspection_report" and not doc_id.startswith("uploads/")


def _manifest_entry(path: Path, corpus_dir: Path, manifest: dict) -> dict:
    try:
        rel = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        rel = path.name
    return dict(manifest.get(rel) or manifest.get(path.name) or {})


def _under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
