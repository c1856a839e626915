"""Answers the bot gave and the 👍/👎 staff gave them, in SQLite under the state dir.

Each answer is kept (who asked, where, the question as asked and as searched, filters, status, answer,
citations) so that a thread follow-up can find the thread's earlier question, "More sources" can search
again with the same filters, and feedback can be exported as a question set for `assistant eval`.
A feedback row copies the question, answer and citations, so it stands on its own. One vote per user
per answer: voting again replaces the earlier vote.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.files import private_dir, private_file
from assistant.models import Answer, Citation, Filters
from assistant.privacy import redact

VOTES = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id          TEXT PRIMARY KEY,
    created     REAL NOT NULL,
    user        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    thread_ts   TEXT,
    surface     TEXT NOT NULL,
    asked       TEXT NOT NULL,
    question    TEXT NOT NULL,
    filters     TEXT NOT NULL,
    status      TEXT NOT NULL,
    answer      TEXT NOT NULL,
    citations   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_thread ON answers(channel, thread_ts, created);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id   TEXT NOT NULL REFERENCES answers(id),
    user        TEXT NOT NULL,
    vote        TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    created     REAL NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    status      TEXT NOT NULL,
    citations   TEXT NOT NULL,
    filters     TEXT NOT NULL,
    reason      TEXT,
    PRIMARY KEY (answer_id, user)
);
"""


@dataclass
class AnswerRecord:
    id: str
    created: float
    user: str
    channel: str
    thread_ts: str | None
    surface: str
    asked: str
    question: str
    filters: Filters
    status: str
    answer: str
    citations: list[Citation]


class SlackStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        private_dir(self.path.parent, tighten=False)  # staff questions: 0600 in a 0700 folder (assistant/files.py)
        private_file(self.path)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(_SCHEMA)
            if "reason" not in {r["name"] for r in db.execute("PRAGMA table_info(feedback)")}:
                db.execute("ALTER TABLE feedback ADD COLUMN reason TEXT")  # a file from before reasons

    @contextmanager
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.row_factory = sqlite3.Row
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # --- answers ----------------------------------------------------------------------------
    def record_answer(self, *, user: str, channel: str, thread_ts: str | None, surface: str, asked: str,
                      answer: Answer, filters: Filters) -> str:
        answer_id = uuid.uuid4().hex
        asked, question = redact(asked).text, redact(answer.question).text  # never a case reference on disk
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO answers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
                answer_id, time.time(), user, channel, thread_ts, surface, asked, question,
                filters.model_dump_json(), answer.status, answer.answer,
                json.dumps([c.model_dump() for c in answer.citations])))
        return answer_id

    def answer(self, answer_id: str) -> AnswerRecord | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        return AnswerRecord(id=row["id"], created=row["created"], user=row["user"], channel=row["channel"],
                            thread_ts=row["thread_ts"], surface=row["surface"], asked=row["asked"],
                            question=row["question"], filters=Filters.model_validate_json(row["filters"]),
                            status=row["status"], answer=row["answer"],
                            citations=[Citation.model_validate(c) for c in json.loads(row["citations"])])

    def set_thread_ts(self, answer_id: str, thread_ts: str) -> None:
        """An answer posted as a new message (/ask --share) starts a thread of its own."""
        with self._lock, self._connect() as db:
            db.execute("UPDATE answers SET thread_ts = ? WHERE id = ?", (thread_ts, answer_id))

    def thread_turns(self, channel: str, thread_ts: str, last: int) -> list:
        """The thread's last questions (as asked, as read, filters given, cited documents), oldest first: the
        turns the service reads a follow-up with."""
        from assistant.conversation import Turn

        with self._connect() as db:
            rows = db.execute("SELECT asked, question, filters, citations FROM answers WHERE channel = ? AND "
                              "thread_ts = ? ORDER BY created DESC LIMIT ?", (channel, thread_ts, last)).fetchall()
        return [Turn(question=r["asked"], read_as=r["question"], filters=Filters.model_validate_json(r["filters"]),
                     cited=list(dict.fromkeys(c["doc_id"] for c in json.loads(r["citations"]))))
                for r in reversed(rows)]

    # --- feedback ---------------------------------------------------------------------------
    def vote(self, answer_id: str, user: str, vote: str) -> bool:
        """Store (or replace) a user's vote on an answer; False when the answer is unknown."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}")
        with self._lock, self._connect() as db:
            row = db.execute("SELECT question, answer, status, citations, filters FROM answers WHERE id = ?",
                             (answer_id,)).fetchone()
            if row is None:
                return False
            # a second vote replaces the first; a reason belongs to the 👎 it was given with
            db.execute("INSERT INTO feedback (answer_id, user, vote, created, question, answer, status, citations, "
                       "filters) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(answer_id, user) DO UPDATE SET "
                       "reason = CASE WHEN feedback.vote = excluded.vote THEN feedback.reason END, "
                       "vote = excluded.vote, created = excluded.created",
                       (answer_id, user, vote, time.time(), row["question"], row["answer"], row["status"],
                        row["citations"], row["filters"]))
        return True

    def set_reason(self, answer_id: str, user: str, reason: str) -> bool:
        """The reason a user gave for their 👎 (at most 1000 characters); False when they have no 👎 on it."""
        with self._lock, self._connect() as db:
            cur = db.execute("UPDATE feedback SET reason = ? WHERE answer_id = ? AND user = ? AND vote = 'down'",
                             ((reason or "").strip()[:1000] or None, answer_id, user))
        return cur.rowcount == 1

    def tally(self, answer_id: str) -> tuple[int, int]:
        """(👍, 👎) on one answer, one vote per person."""
        with self._connect() as db:
            rows = db.execute("SELECT vote, COUNT(*) AS n FROM feedback WHERE answer_id = ? GROUP BY vote",
                              (answer_id,)).fetchall()
        counts = {r["vote"]: r["n"] for r in rows}
        return counts.get("up", 0), counts.get("down", 0)

    def feedback(self) -> list[dict]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY created").fetchall()
        return [dict(r) for r in rows]

    def purge(self, older_than_s: float) -> dict[str, int]:
        """Delete answers and feedback older than `older_than_s` seconds (retention); returns the counts."""
        cutoff = time.time() - older_than_s
        with self._lock, self._connect() as db:
            db.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left in free pages
            feedback = db.execute("DELETE FROM feedback WHERE created < ? OR answer_id IN "
                                  "(SELECT id FROM answers WHERE created < ?)", (cutoff, cutoff)).rowcount
            answers = db.execute("DELETE FROM answers WHERE created < ? AND id NOT IN "
                                 "(SELECT answer_id FROM feedback)", (cutoff,)).rowcount
        with self._lock, self._connect() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and not left in the write-ahead log either
        return {"answers": answers, "feedback": feedback}

    # --- export -----------------------------------------------------------------------------
    def question_set(self, vote: str = "all", name: str = "slack-feedback") -> tuple[dict, list[dict]]:
        """Feedback as a question set (docs/architecture.md), loadable by `assistant eval`, plus the items a person
        must review first. One item per answer; the majority vote decides, a tie counts as 👎.

        👍 on an answer:     expected_sources = the cited documents, expected_quote = the first cited sentence.
        👍 on a no-answer:   answerable: false (staff agreed the documents do not answer it).
        👎 on anything:      needs review (status: needs_review), with the reasons staff gave and the sources
                             they rejected. A 👎 alone says the reply did not help, not what the right answer
                             is (nor that there is none), so it is never exported as a label.
        """
        if vote not in ("all", *VOTES):
            raise ValueError("vote must be up, down or all")
        groups: dict[str, list[dict]] = {}
        for row in self.feedback():
            groups.setdefault(row["answer_id"], []).append(row)
        questions: list[dict] = []
        review: list[dict] = []
        for answer_id, rows in groups.items():
            ups = sum(r["vote"] == "up" for r in rows)
            downs = len(rows) - ups
            verdict = "up" if ups > downs else "down"
            if vote != "all" and verdict != vote:
                continue
            first = rows[0]
            citations = [Citation.model_validate(c) for c in json.loads(first["citations"])]
            cited = list(dict.fromkeys(c.doc_id for c in citations))
            last = datetime.fromtimestamp(max(r["created"] for r in rows), UTC).isoformat(timespec="seconds")
            tally = f"Slack feedback: {ups} up, {downs} down, last {last}."
            item: dict = {"id": f"slack-{answer_id[:12]}", "type": f"slack_{verdict}", "question": first["question"]}
            filt = _filters_for_export(Filters.model_validate_json(first["filters"]))
            if verdict == "down":
                item["status"] = "needs_review"
                item["reply"] = first["status"]
                if cited:
                    item["rejected_sources"] = cited
                item["reasons"] = [r["reason"] for r in rows if r["vote"] == "down" and r["reason"]]
                if filt:
                    item["filters"] = filt
                item["notes"] = tally
                review.append(item)
                continue
            if first["status"] == "answered":
                item["expected_sources"] = cited
                quote = _expected_quote(first["answer"], citations)
                if quote:
                    item["expected_quote"] = quote
                notes = tally
            else:
                item["answerable"] = False
                notes = tally + " Staff agreed the documents do not answer this."
            if filt:
                item["filters"] = filt
            item["notes"] = notes
            questions.append(item)
        return {"name": name, "questions": questions}, review


_MARKERS = re.compile(r"\s*\[\d+\]")
_WS = re.compile(r"\s+")


def _expected_quote(answer: str, citations: list[Citation], max_words: int = 20) -> str | None:
    """The answer's first sentence (extractive answers quote the passage verbatim), cut to max_words, when it
    really is in the first cited passage (matched as the eval runner does: case-insensitive, spaces collapsed)."""
    if not citations:
        return None
    passage = _WS.sub(" ", citations[0].quote).strip().lower()
    first = re.split(r"\s*\[\d+\]", answer or "", maxsplit=1)[0]
    words = _WS.sub(" ", _MARKERS.sub("", first)).strip().split(" ")
    candidate = " ".join(words[:max_words]).strip()
    if candidate and candidate.lower() in passage:
        return candidate
    opening = " ".join(_WS.sub(" ", citations[0].quote).strip().split(" ")[:12])
    return opening or None


def _filters_for_export(f: Filters) -> dict:
    out: dict = {}
    if f.doc_type:
        out["doc_type"] = list(f.doc_type)
    if f.published_after:
        out["published_after"] = f.published_after.isoformat()
    if f.published_before:
        out["published_before"] = f.published_before.isoformat()
    if f.area:
        out["area"] = f.area
    return out
