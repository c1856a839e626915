"""Crash leftovers never degrade answers (issue 13 §4): orphan vectors cannot crowd out live passages,
every ingest (also an unchanged one) deletes them, and `assistant doctor` reports and repairs drift."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from assistant.models import Passage
from tests.conftest import ROOT

QUESTION = "How many long-term custody cases will transfer to prison offender management teams?"


def _orphans(n: int, vector: np.ndarray) -> tuple[list[Passage], np.ndarray]:
    """Vectors no snapshot lists, each nearer the question than any real passage (the worst case)."""
    passages = [Passage(id=f"orphan-{i:04d}", doc_id="gone-after-a-crash", text="left over") for i in range(n)]
    return passages, np.tile(np.asarray(vector, dtype=np.float32), (n, 1))


def _doctor_cli(settings, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(settings.corpus_dir), ASSISTANT_INDEX_DIR=str(settings.index_dir),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "assistant.cli", "doctor", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_orphans_never_crowd_out_live_passages_and_any_ingest_collects_them(fresh_service):
    svc = fresh_service
    assert not svc.ingest().failed
    live = len(svc.snapshot().passages)
    orphans, vectors = _orphans(3 * svc.settings.candidates, svc.embedder.embed_query(QUESTION))
    svc.vectors.upsert(orphans, vectors)

    dense = svc.search(QUESTION, k=5, mode="dense")
    assert len(dense) == 5 and all(not r.passage.id.startswith("orphan-") for r in dense)
    answer = svc.ask(QUESTION, mode="dense")
    assert answer.status == "answered" and "350" in answer.answer

    drift = svc.doctor()
    assert (drift.passages, drift.vectors, len(drift.orphans), drift.missing) == (live, live + len(orphans),
                                                                                 len(orphans), [])
    cli = _doctor_cli(svc.settings)
    assert cli.returncode == 1 and f"DRIFT: {live} live passages" in cli.stdout and \
        f"{len(orphans)} orphan vectors" in cli.stdout, cli.stdout + cli.stderr

    report = svc.ingest()  # nothing changed in the corpus
    assert report.count("unchanged") == 2 and report.embedded == 0
    assert report.orphans_deleted == len(orphans)
    assert svc.vectors.count() == live and svc.doctor().clean


def test_doctor_repair_embeds_missing_vectors_and_deletes_orphans(fresh_service):
    svc = fresh_service
    assert not svc.ingest().failed
    snap = svc.snapshot()
    lost = [p.id for p in snap.passages[:3]]
    svc.vectors.delete(lost)
    orphans, vectors = _orphans(4, svc.embedder.embed_query("anything"))
    svc.vectors.upsert(orphans, vectors)

    found = svc.doctor(repair=True)
    assert sorted(found.missing) == sorted(lost) and len(found.orphans) == 4
    after = svc.doctor()
    assert after.clean and after.vectors == len(snap.passages)
    assert set(svc.vectors.similarity(svc.embedder.embed_query(QUESTION), lost)) == set(lost)
    cli = _doctor_cli(svc.settings, "--json")
    assert cli.returncode == 0 and '"clean": true' in cli.stdout
