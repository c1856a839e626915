"""Uploaded documents: safe file names, the uploads folder under the corpus, and its manifest.

An upload is saved as `<corpus>/uploads/<safe name>` and its metadata in `<corpus>/uploads/manifest.yaml`,
so a later full `assistant ingest` (or a rebuild of indexes/ from scratch) gives the same doc_id
(`uploads/<stem>`), the same metadata and the same content hash: the document stays as uploaded.
Deleting an upload removes its file and manifest entry, so no later ingest brings it back.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

import yaml
from filelock import FileLock

from assistant.files import open_private, private_dir
from assistant.ingest.load import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import IngestError
from assistant.store import atomic_write, read_yaml

ALLOWED_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))  # what ingest can read is what an upload may be
UPLOADS = "uploads"
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
MAX_STEM = 100


class UploadError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def safe_filename(name: str | None) -> str:
    """A file name that cannot leave the uploads folder: basename only, [a-z0-9._-], allowed suffix."""
    name = unicodedata.normalize("NFKC", name or "").replace("\x00", "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, suffix = name.rpartition(".")
    suffix = "." + suffix.lower() if dot else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(415, "unsupported_file_type",
                          f"file type {suffix or '(none)'} is not accepted; allowed: {', '.join(ALLOWED_SUFFIXES)}")
    stem = _UNSAFE.sub("-", stem.lower())
    stem = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", stem)).strip(".-_")[:MAX_STEM].strip(".-_")
    return (stem or "upload") + suffix


class Uploads:
    """The uploads folder of one corpus. A file lock serialises uploads and deletes across workers."""

    def __init__(self, corpus_dir: Path):
        self.folder = Path(corpus_dir) / UPLOADS
        self.manifest_path = self.folder / "manifest.yaml"

    def lock(self, timeout: float) -> FileLock:
        private_dir(self.folder)
        return FileLock(str(self.folder / ".uploads.lock"), timeout=timeout)

    def target(self, safe_name: str) -> Path:
        path = (self.folder / safe_name).resolve()
        if path.parent != self.folder.resolve():  # belt and braces: safe_filename already forbids this
            raise UploadError(400, "invalid_file_name", "the file name is not acceptable")
        return path

    def contains(self, path: str | Path) -> bool:
        try:
            return Path(path).resolve().parent == self.folder.resolve()
        except OSError:
            return False

    def same_stem(self, target: Path) -> list[Path]:
        """Other uploads that would get the same doc_id (report.pdf vs report.txt)."""
        return [p for p in self.folder.glob(f"{target.stem}.*") if p.suffix.lower() in ALLOWED_SUFFIXES
                and p.stem == target.stem and p.name != target.name]

    def receive(self, source: BinaryIO, safe_name: str, max_bytes: int) -> Path:
        """Copy the upload to a hidden temporary file beside its target (ingest never sees hidden files)."""
        private_dir(self.folder)
        tmp = self.folder / f".{safe_name}.{uuid.uuid4().hex}.part"
        size = 0
        try:
            with open_private(tmp, "wb") as out:  # 0600: an upload may be restricted
                while chunk := source.read(1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadError(413, "payload_too_large",
                                          f"the file is larger than the limit of {max_bytes / 1e6:g} MB")
                    out.write(chunk)
            if size == 0:
                raise UploadError(422, "empty_file", "the file is empty")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    # --- manifest of uploads ----------------------------------------------------------------
    def read_manifest(self) -> dict[str, dict]:
        return dict(read_yaml(self.manifest_path).get("documents") or {})

    def write_manifest(self, entries: dict[str, dict]) -> None:
        private_dir(self.folder)
        text = ("# Written by the HTTP API (POST /v1/documents): metadata of uploaded files.\n"
                + yaml.safe_dump({"documents": entries}, sort_keys=True, allow_unicode=True))
        atomic_write(self.manifest_path, text)

    def set_entry(self, name: str, metadata: dict | None) -> dict | None:
        """Set (or with None/{} remove) one file's entry; returns the previous entry."""
        entries = self.read_manifest()
        previous = entries.pop(name, None)
        if metadata:
            entries[name] = metadata
        if entries != self.read_manifest():
            self.write_manifest(entries)
        return previous

    @staticmethod
    def place(tmp: Path, target: Path) -> Path | None:
        """Move the upload into place; the file it replaces (if any) is kept hidden until commit/rollback."""
        backup = None
        if target.exists():
            backup = target.with_name(f".{target.name}.{uuid.uuid4().hex}.bak")
            os.replace(target, backup)
        os.replace(tmp, target)
        return backup

    @staticmethod
    def rollback(target: Path, backup: Path | None) -> None:
        if backup is not None:
            os.replace(backup, target)
        else:
            target.unlink(missing_ok=True)

    @staticmethod
    def commit(backup: Path | None) -> None:
        if backup is not None:
            backup.unlink(missing_ok=True)

    # --- the upload transaction -------------------------------------------------------------
    def ingest(self, service, tmp: Path, target: Path, metadata: dict, metrics, *, lock_timeout: float,
               display_name: str | None):
        """Put `tmp` in place as `target` and index it; on any failure the previous file and manifest entry
        come back, so nothing already indexed is lost. Returns (ingest report, the file's result)."""
        name = target.name
        try:
            with self.lock(lock_timeout):
                clash = self.same_stem(target)
                if clash:
                    raise UploadError(409, "conflict", f"{clash[0].name} is already uploaded with the same doc_id "
                                                       f"(uploads/{target.stem}); delete it first or rename the file")
                backup = self.place(tmp, target)
                previous_entry = self.set_entry(name, metadata)
                try:
                    report = service.ingest([target], overrides={str(target): metadata}, lock_timeout=lock_timeout)
                except BaseException as exc:
                    self.rollback(target, backup)
                    self.set_entry(name, previous_entry)
                    if isinstance(exc, IngestError):
                        metrics.ingest_failures.labels("busy").inc()
                        raise UploadError(409, "conflict", str(exc), headers={"Retry-After": "5"}) from exc
                    raise
                result = report.results[0]
                metrics.ingest_files.labels(result.status).inc()
                if result.status == "failed":
                    self.rollback(target, backup)
                    self.set_entry(name, previous_entry)
                    metrics.ingest_failures.labels("unreadable").inc()
                    raise UploadError(422, "unreadable_document", f"{display_name}: {result.error}")
                self.commit(backup)
        except TimeoutError as exc:  # filelock.Timeout is a TimeoutError
            metrics.ingest_failures.labels("busy").inc()
            raise UploadError(409, "conflict", "another upload or delete is running; try again",
                              headers={"Retry-After": "5"}) from exc
        finally:
            tmp.unlink(missing_ok=True)
        return report, result

