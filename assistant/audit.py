"""Append-only audit log: who uploaded, deleted, ingested or asked what, and what came of it.

One JSON object per line in `settings.audit_log` (default `<state_dir>/audit.jsonl`), rotated by size
(`audit_max_mb`, keeping `audit_backups` old files), created 0600. Each line: time (UTC, ISO 8601),
actor (`key:<key id>`, the first 12 hex digits of the key's hash, never the key; `slack:<user id>`;
`cli:<login>`), action (upload | delete | ingest | ask | search), status, doc ids, and action details.
The question text is written only with ASSISTANT_AUDIT_QUESTIONS=true, and then already redacted
(assistant/privacy.py). Several worker processes may append to one file (each line is one write in
append mode); rotation is per process, so with several workers rotate with logrotate instead.
"""

from __future__ import annotations

import getpass
import json
import logging
import logging.handlers
import threading
from datetime import UTC, datetime
from pathlib import Path

from assistant.files import open_private, private_dir
from assistant.privacy import redact


def key_actor(key_id: str, anonymous: bool = False) -> str:
    """An HTTP caller: `key:<key id>` (12 hex digits of the key's hash), or `local:<address>` without keys."""
    return f"local:{key_id.removeprefix('anon-')}" if anonymous else f"key:{key_id}"


def slack_actor(user: str) -> str:
    return f"slack:{user or 'unknown'}"


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (a container without a passwd entry)
        return "cli:unknown"


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600 (the rotated-to file too)."""

    def _open(self):
        return open_private(Path(self.baseFilename), "a", encoding=self.encoding or "utf-8")


class AuditLog:
    def __init__(self, path: Path | None, max_mb: float = 10.0, backups: int = 10, questions: bool = False):
        self.path = Path(path) if path else None
        self.questions = questions
        self._handler = None
        self._lock = threading.Lock()
        if self.path is not None:
            private_dir(self.path.parent, tighten=False)
            self._handler = _PrivateRotatingHandler(self.path, maxBytes=int(max_mb * 1_000_000),
                                                    backupCount=backups, encoding="utf-8", delay=True)

    @classmethod
    def from_settings(cls, settings) -> AuditLog:
        path = getattr(settings, "audit_log", None) or Path(settings.state_dir) / "audit.jsonl"
        if str(path) in ("", "-", "off"):
            path = None
        return cls(path, getattr(settings, "audit_max_mb", 10.0), getattr(settings, "audit_backups", 10),
                   getattr(settings, "audit_questions", False))

    def record(self, action: str, actor: str, status: str, doc_ids: list[str] | tuple[str, ...] = (),
               question: str | None = None, **details) -> dict:
        """Append one entry; returns it. `question` is kept only if enabled, and then redacted (again: cheap)."""
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "actor": actor,
                 "action": action, "status": status, "doc_ids": sorted(set(doc_ids))}
        if question is not None and self.questions:
            entry["question"] = redact(question).text
        entry.update({k: v for k, v in details.items() if v is not None})
        if self._handler is not None:
            record = logging.LogRecord("assistant.audit", logging.INFO, __file__, 0,
                                       json.dumps(entry, ensure_ascii=False, default=str), None, None)
            with self._lock:
                self._handler.handle(record)
                self._handler.flush()
        return entry

    def close(self) -> None:
        if self._handler is not None:
            self._handler.close()
