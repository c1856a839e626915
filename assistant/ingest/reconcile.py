"""Keep the vector store equal to the live snapshot: no orphan vectors, no passage without its vector.

Why: a kill -9 between writing vectors and publishing the snapshot leaves vectors no snapshot lists
(3,500 orphans for 3,800 passages in one incident); a later unchanged ingest used to leave them, and
for 3 of 10 queries every dense candidate was an orphan. Every ingest now ends with `reconcile`, and
`assistant doctor` reports (and with --repair, mends) drift in either direction.
Ids are read and deleted in bounded batches, so a large collection never has to fit one request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.store import Snapshot, VectorStore

BATCH = 1000


@dataclass
class Drift:
    passages: int
    vectors: int
    orphans: list[str] = field(default_factory=list)  # in the vector store, not in the live snapshot
    missing: list[str] = field(default_factory=list)  # in the live snapshot, no vector

    @property
    def clean(self) -> bool:
        return not self.orphans and not self.missing and self.passages == self.vectors

    def as_dict(self) -> dict:
        return {"passages": self.passages, "vectors": self.vectors, "orphans": len(self.orphans),
                "missing": len(self.missing), "clean": self.clean}


def measure(snap: Snapshot, vectors: VectorStore, batch: int = BATCH) -> Drift:
    live = snap.id_to_index
    seen: set[str] = set()
    orphans: list[str] = []
    for ids in vectors.iter_ids(batch):
        for pid in ids:
            if pid in live:
                seen.add(pid)
            else:
                orphans.append(pid)
    missing = [p.id for p in snap.passages if p.id not in seen]
    return Drift(passages=len(snap.passages), vectors=len(seen) + len(orphans), orphans=orphans, missing=missing)


def delete_orphans(snap: Snapshot, vectors: VectorStore, batch: int = BATCH) -> int:
    """Delete every vector the live snapshot does not hold; returns how many."""
    drift = measure(snap, vectors, batch)
    if drift.orphans:
        vectors.delete(drift.orphans, batch=batch)
    return len(drift.orphans)


def repair(snap: Snapshot, vectors: VectorStore, embed: Callable[[list[str]], np.ndarray], batch: int = BATCH) -> Drift:
    """Delete orphans and embed the passages that have no vector; returns the drift found before."""
    drift = measure(snap, vectors, batch)
    if drift.orphans:
        vectors.delete(drift.orphans, batch=batch)
    if drift.missing:
        todo = [snap.passages[snap.id_to_index[pid]] for pid in drift.missing]
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            vectors.upsert(chunk, embed([p.text for p in chunk]))
    return drift
