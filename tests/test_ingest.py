"""Incremental ingest, bad files and interruption safety, on a real Chroma and the real model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.ingest.pipeline import IngestError
from assistant.store import SnapshotStore
from tests.conftest import ROOT

PRESS = "hmip-midlands-nps-press-release-2018"
BOARD = "llr-nps-board-update-2019"


def state(svc):
    """(documents, passage ids in the live snapshot, ids in Chroma)."""
    snap = svc.snapshot()
    return set(snap.documents), [p.id for p in snap.passages], svc.vectors.all_ids()


def test_full_then_unchanged_reingest_embeds_nothing(fresh_service):
    report = fresh_service.ingest()
    docs, ids, chroma = state(fresh_service)
    assert docs == {PRESS, BOARD}
    assert report.count("added") == 2 and report.embedded == len(ids) == report.total_passages
    assert len(ids) == len(set(ids)) and set(ids) == chroma
    version = report.version
    calls = fresh_service.embedder.calls

    again = fresh_service.ingest()
    assert again.count("unchanged") == 2 and again.embedded == 0
    assert fresh_service.embedder.calls == calls  # no embedding call at all
    assert again.version == version  # nothing changed, no new snapshot
    assert state(fresh_service)[1] == ids


def test_modify_add_delete_keep_exact_counts(fresh_service):
    fresh_service.ingest()
    corpus = Path(fresh_service.settings.corpus_dir)
    before = {p.id: p for p in fresh_service.snapshot().passages}
    board_before = {i for i, p in before.items() if p.doc_id == BOARD}

    # modify: one paragraph of the board paper changes; only that passage is embedded again
    path = corpus / f"{BOARD}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("approximately 350 of our", "approximately 420 of our"), encoding="utf-8")
    calls = fresh_service.embedder.calls
    report = fresh_service.ingest()
    assert report.count("updated") == 1 and report.count("unchanged") == 1
    assert report.embedded == 1 and fresh_service.embedder.calls == calls + 1
    docs, ids, chroma = state(fresh_service)
    board_after = {i for i in ids if i.startswith(BOARD)}
    assert len(board_after) == len(board_before) and len(board_after - board_before) == 1
    assert set(ids) == chroma and len(ids) == len(set(ids))
    texts = " ".join(p.text for p in fresh_service.snapshot().passages)
    assert "approximately 420 of our" in texts and "approximately 350 of our" not in texts

    # add: a new file gets its own doc_id from its path
    shutil.copy(corpus / f"{PRESS}.txt", corpus / "sub-press.txt")
    (corpus / "nested").mkdir()
    shutil.copy(corpus / f"{PRESS}.txt", corpus / "nested" / "copy.txt")  # same format, so the same passages
    report = fresh_service.ingest()
    assert report.count("added") == 2
    docs, ids, chroma = state(fresh_service)
    assert docs == {PRESS, BOARD, "sub-press", "nested/copy"}
    assert set(ids) == chroma and len(ids) == len(set(ids))
    assert fresh_service.document("nested/copy").passages == fresh_service.document(PRESS).passages

    # delete: every passage of the removed file goes, from BM25 snapshot and from Chroma
    (corpus / "sub-press.txt").unlink()
    report = fresh_service.ingest()
    assert report.count("removed") == 1
    docs, ids, chroma = state(fresh_service)
    assert "sub-press" not in docs and not any(i.startswith("sub-press#") for i in ids)
    assert set(ids) == chroma
    hits = fresh_service.search("victim liaison officers workloads", k=10, mode="bm25")
    assert all(h.passage.doc_id != "sub-press" for h in hits)


def test_single_file_ingest_does_not_remove_others(fresh_service):
    corpus = Path(fresh_service.settings.corpus_dir)
    report = fresh_service.ingest([corpus / f"{PRESS}.txt"])
    assert report.count("added") == 1
    assert {d.doc_id for d in fresh_service.documents()} == {PRESS}
    fresh_service.ingest([corpus])
    assert {d.doc_id for d in fresh_service.documents()} == {PRESS, BOARD}


def test_bad_files_are_reported_and_skipped(fresh_service):
    corpus = Path(fresh_service.settings.corpus_dir)
    fresh_service.settings.max_file_mb = 0.05
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    (corpus / "latin.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 10)
    (corpus / "huge.txt").write_text("words " * 20000)
    report = fresh_service.ingest()
    failed = {Path(r.path).name: r.error for r in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "corrupt.pdf", "latin.txt", "huge.txt"}
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.txt"]
    assert "PDF" in failed["corrupt.pdf"] and "encoding" in failed["latin.txt"] and "limit" in failed["huge.txt"]
    assert {d.doc_id for d in fresh_service.documents()} == {PRESS, BOARD}

    # a file that was good and turns bad keeps its indexed passages (nothing lost) and is reported
    before = fresh_service.document(PRESS).passages
    (corpus / f"{PRESS}.txt").write_bytes(b"\x00\x00\x00 now binary")
    report = fresh_service.ingest()
    assert any(Path(r.path).name == f"{PRESS}.txt" for r in report.failed)
    assert fresh_service.document(PRESS).passages == before


def test_missing_path_is_an_error_and_changes_nothing(fresh_service):
    fresh_service.ingest()
    version = fresh_service.snapshot().version
    with pytest.raises(IngestError, match="no such file"):
        fresh_service.ingest([Path("/nonexistent/file.pdf")])
    assert fresh_service.snapshot().version == version
    assert len(fresh_service.documents()) == 2


def test_second_writer_is_refused_while_the_lock_is_held(fresh_service):
    ingestor = fresh_service.ingestor()
    with ingestor.lock:
        with pytest.raises(IngestError, match="another ingest"):
            fresh_service.ingest()


def _cli_ingest(settings, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(settings.corpus_dir), ASSISTANT_INDEX_DIR=str(settings.index_dir),
               ASSISTANT_INGEST_FLUSH_PASSAGES="4", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.pop("ASSISTANT_CRASH_AT", None)
    if crash_at:
        env["ASSISTANT_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_kill_9_at_any_stage_leaves_a_usable_index_and_the_next_run_completes(tmp_path):
    from assistant.service import Service
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    corpus = Path(settings.corpus_dir)
    assert _cli_ingest(settings).returncode == 0
    store = SnapshotStore(settings.index_dir)
    v1 = store.load()
    assert set(v1.documents) == {PRESS, BOARD}

    # each run below changes the corpus and is killed (SIGKILL) at a different point of the write path
    expected_docs = {PRESS, BOARD}
    for n, stage in enumerate(["after_embed_batch", "before_commit", "before_current", "after_commit"]):
        shutil.copy(corpus / f"{BOARD}.txt", corpus / f"copy-{n}.txt")
        (corpus / f"copy-{n}.txt").write_text((corpus / f"copy-{n}.txt").read_text() + f"\n\n18. Extra note {n}.\n")
        before = store.current_version()
        result = _cli_ingest(settings, crash_at=stage)
        assert result.returncode == -9, (stage, result.stderr[-2000:])
        snap = store.load()  # always a complete version: old before the CURRENT switch, new after it
        if stage == "after_commit":
            assert snap.version != before
            expected_docs |= {f"copy-{i}" for i in range(n + 1)}
        else:
            assert snap.version == before
        assert set(snap.documents) == expected_docs
        assert len({p.id for p in snap.passages}) == len(snap.passages)
        assert sum(d.passages for d in snap.documents.values()) == len(snap.passages)

    # a run killed after embedding a file that is then removed: its vectors belong to no version at all,
    # and the completing run below finds the corpus unchanged (it must still collect them)
    shutil.copy(corpus / f"{BOARD}.txt", corpus / "abandoned.txt")
    (corpus / "abandoned.txt").write_text((corpus / "abandoned.txt").read_text() + "\n\n19. Abandoned.\n")
    assert _cli_ingest(settings, crash_at="after_embed_batch").returncode == -9
    (corpus / "abandoned.txt").unlink()

    assert _cli_ingest(settings).returncode == 0
    svc = Service(settings)
    docs, ids, chroma = state(svc)
    assert docs == {PRESS, BOARD} | {f"copy-{i}" for i in range(4)}
    assert set(ids) == chroma and len(ids) == len(set(ids))  # orphans of killed runs collected, no duplicates
    assert svc.vectors.count() == len(ids) == len(store.load().passages)  # vectors == passages
    answer = svc.ask("How many long-term custody cases will transfer to prison offender management teams?")
    assert answer.status == "answered" and "350" in answer.answer
