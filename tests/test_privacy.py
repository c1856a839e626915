"""Audit log and personal data (issue 13 §6): identifiers are found and redacted, the audit log is
JSON lines, private, rotated and holds questions only when asked to."""

from __future__ import annotations

import json
import stat

import pytest

from assistant.audit import AuditLog
from assistant.privacy import redact, without_placeholders


@pytest.mark.parametrize("text,redacted,found", [
    ("What should I do about X123456 who missed an appointment?",
     "What should I do about [CRN] who missed an appointment?", ["a case reference"]),
    ("crn x123456 breached", "crn [CRN] breached", ["a case reference"]),
    ("PNC 2019/0123456A", "PNC [PNC]", ["a PNC ID"]),
    ("prison number A1234BC", "prison number [PRISON_NUMBER]", ["a prison number"]),
    ("NI QQ 12 34 56 C", "NI [NINO]", ["a National Insurance number"]),
    ("NI AB123456D", "NI [NINO]", ["a National Insurance number"]),
    ("DOB 12/03/1985", "[DOB]", ["a date of birth"]),
    ("born on 3 March 1985", "[DOB]", ["a date of birth"]),
    ("date of birth: 1985-03-12", "[DOB]", ["a date of birth"]),
    ("mail jo.bloggs@justice.gov.uk", "mail [EMAIL]", ["an email address"]),
    ("ring 07700 900123 or 0121 496 0000 or +44 20 7946 0958", "ring [PHONE] or [PHONE] or [PHONE]",
     ["a phone number"]),
])
def test_identifiers_are_redacted(text, redacted, found):
    r = redact(text)
    assert r.text == redacted and list(r.found) == found


@pytest.mark.parametrize("text", [
    "What did inspectors say in December 2018 about 350 cases?",
    "What rating did NPS Midlands get in the report published 18/12/2018?",
    "MAPPA level 2 and category 3 offenders; paragraph 2.13; the 2019/20 budget",
    "How many of the 1,234,567 cases? Since 2021-06-26?",
    "What does OMIC stand for, and what is a PDU?",
])
def test_ordinary_questions_are_left_alone(text):
    r = redact(text)
    assert r.text == text and not r.changed and r.warning() == ""


def test_the_warning_names_what_was_removed():
    assert redact("about X123456").warning() == "Your question contained a case reference; it was not stored."
    two = redact("X123456 on 07700 900123")
    assert two.warning() == "Your question contained a case reference and a phone number; they were not stored."
    assert without_placeholders(two.text) == "on"


def test_audit_log_is_private_json_lines_rotated_and_questions_only_when_enabled(tmp_path):
    path = tmp_path / "state" / "audit.jsonl"
    log = AuditLog(path, max_mb=0.001, backups=2)  # 1 kB: rotates after a few entries
    log.record("ask", "key:0123456789ab", "answered", ["doc-a", "doc-b", "doc-a"], question="hidden question")
    first = json.loads(path.read_text().splitlines()[0])
    assert first["actor"] == "key:0123456789ab" and first["action"] == "ask" and first["status"] == "answered"
    assert first["doc_ids"] == ["doc-a", "doc-b"] and "question" not in first and first["time"].endswith("+00:00")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for n in range(40):
        log.record("upload", "key:0123456789ab", "added", [f"uploads/doc-{n}"])
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in path.parent.iterdir())
    log.close()
    with_questions = AuditLog(tmp_path / "q.jsonl", questions=True)
    with_questions.record("ask", "slack:U123", "answered", question="what about [CRN]?")
    assert json.loads((tmp_path / "q.jsonl").read_text())["question"] == "what about [CRN]?"


def test_the_slack_store_keeps_questions_redacted_and_purges_old_rows(tmp_path):
    import sqlite3
    import time

    from assistant.models import Answer, Filters
    from bots.slack.store import SlackStore

    store = SlackStore(tmp_path / "slack.sqlite3")
    answer = Answer(question="Is X123456 on licence? call 07700 900123", status="no_answer", answer="I could not find")
    old_id = store.record_answer(user="U1", channel="C1", thread_ts="1.0", surface="mention",
                                 asked="Is X123456 on licence? call 07700 900123", answer=answer, filters=Filters())
    assert store.vote(old_id, "U2", "down")
    raw = (tmp_path / "slack.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("slack.sqlite3-*"))
    assert b"X123456" not in raw and b"07700" not in raw
    assert store.answer(old_id).asked == "Is [CRN] on licence? call [PHONE]"
    with sqlite3.connect(tmp_path / "slack.sqlite3") as db:  # make the first answer and its vote 400 days old
        db.execute("UPDATE answers SET created = ?", (time.time() - 400 * 86400,))
        db.execute("UPDATE feedback SET created = ?", (time.time() - 400 * 86400,))
    new_id = store.record_answer(user="U1", channel="C1", thread_ts="2.0", surface="mention", asked="workloads?",
                                 answer=answer.model_copy(update={"question": "workloads?"}), filters=Filters())
    assert store.purge(365 * 86400) == {"answers": 1, "feedback": 1}
    assert store.answer(old_id) is None and store.answer(new_id) is not None and store.feedback() == []


def test_ask_redacts_before_searching_and_warns_the_asker(service):
    plain = service.ask("How many long-term custody cases will transfer to prison offender management teams?")
    answer = service.ask("How many long-term custody cases will transfer to prison offender management teams? "
                         "Asking for X123456, DOB 12/03/1985")
    assert answer.question.endswith("Asking for [CRN], [DOB]") and "X123456" not in answer.model_dump_json()
    assert answer.notes[0] == "Your question contained a date of birth and a case reference; they were not stored."
    assert answer.status == plain.status == "answered" and "350" in answer.answer
    assert [c.doc_id for c in answer.citations] == [c.doc_id for c in plain.citations]
