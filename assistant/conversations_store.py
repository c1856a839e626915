"""API conversations in SQLite: who owns each one, and its turns (question, how it was read, the answer).

The file lives beside the other state (0600, in a 0700 folder) because it holds staff questions. A conversation
untouched for `conversation_retention_days` is deleted when the store is next used and by
`assistant conversations purge`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from assistant.conversation import Turn
from assistant.models import Answer, Filters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id       TEXT PRIMARY KEY,
    owner    TEXT NOT NULL,
    created  REAL NOT NULL,
    updated  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    n        INTEGER NOT NULL,
    created  REAL NOT NULL,
    question TEXT NOT NULL,
    filters  TEXT NOT NULL,
    answer   TEXT NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
"""

DAY_S = 86400.0


def private_file(path: Path) -> Path:
    """Create the folder 0700 and the file 0600 (staff questions are personal data)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    return path


class ConversationStore:
    def __init__(self, path: Path, retention_days: float = 30.0):
        self.path = private_file(path)
        self.retention_s = retention_days * DAY_S
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA journal_mode=WAL")
            db.row_factory = sqlite3.Row
            with db:
                yield db
        finally:
            db.close()

    def create(self, owner: str) -> dict:
        self.purge()
        now = time.time()
        cid = uuid.uuid4().hex
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO conversations VALUES (?,?,?,?)", (cid, owner, now, now))
        return {"id": cid, "created": now}

    def _owned(self, db, cid: str, owner: str) -> sqlite3.Row | None:
        row = db.execute("SELECT * FROM conversations WHERE id = ? AND owner = ?", (cid, owner)).fetchone()
        if row is not None and row["updated"] < time.time() - self.retention_s:
            return None  # expired: gone for every purpose, whether or not purge has run yet
        return row

    def exists(self, cid: str, owner: str) -> bool:
        with self._connect() as db:
            return self._owned(db, cid, owner) is not None

    def turns(self, cid: str, owner: str) -> list[dict] | None:
        """The turns, oldest first ({n, created, question, filters, answer}); None: no such conversation here."""
        with self._connect() as db:
            if self._owned(db, cid, owner) is None:
                return None
            rows = db.execute("SELECT * FROM turns WHERE conversation_id = ? ORDER BY n", (cid,)).fetchall()
        return [{"n": r["n"], "created": r["created"], "question": r["question"], "filters": json.loads(r["filters"]),
                 "answer": json.loads(r["answer"])} for r in rows]

    def history(self, cid: str, owner: str, last: int) -> list[Turn] | None:
        """The last turns as the resolver reads them."""
        turns = self.turns(cid, owner)
        if turns is None:
            return None
        out = []
        for t in turns[-last:]:
            answer = t["answer"]
            read = answer.get("read_as") or {}
            out.append(Turn(question=t["question"], read_as=read.get("question", ""),
                            filters=Filters.model_validate(t["filters"]) if t["filters"] else None,
                            cited=list(dict.fromkeys(c["doc_id"] for c in answer.get("citations", [])))))
        return out

    def add_turn(self, cid: str, owner: str, question: str, filters: Filters | None, answer: Answer) -> bool:
        with self._lock, self._connect() as db:
            if self._owned(db, cid, owner) is None:
                return False
            n = db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE conversation_id = ?", (cid,)).fetchone()[0]
            now = time.time()
            given = filters.model_dump(mode="json", exclude_defaults=True) if filters else {}
            db.execute("INSERT INTO turns VALUES (?,?,?,?,?,?)",
                       (cid, n, now, question, json.dumps(given), answer.model_dump_json()))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, cid))
        return True

    def delete(self, cid: str, owner: str) -> bool:
        with self._lock, self._connect() as db:
            if self._owned(db, cid, owner) is None:
                return False
            db.execute("DELETE FROM conversations WHERE id = ?", (cid,))
        return True

    def purge(self, older_than_s: float | None = None) -> int:
        """Delete conversations untouched for `older_than_s` (default: the retention); returns how many."""
        cutoff = time.time() - (self.retention_s if older_than_s is None else older_than_s)
        with self._lock, self._connect() as db:
            return db.execute("DELETE FROM conversations WHERE updated < ?", (cutoff,)).rowcount


def store_for(settings) -> ConversationStore:
    path = settings.conversations_db or settings.state_dir / "conversations.sqlite3"
    return ConversationStore(path, settings.conversation_retention_days)
