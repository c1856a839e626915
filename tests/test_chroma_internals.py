"""VectorStore.refresh relies on Chroma internals (assistant/store.py, forget_cached_system): if a Chroma
release renames or drops them, these tests fail with a message naming what changed, not a silent stale index."""

from __future__ import annotations

import numpy as np

from assistant.store import VectorStore, _chroma_system, forget_cached_system


def test_chroma_still_has_the_private_cache_refresh_uses():
    from chromadb.api.shared_system_client import SharedSystemClient as Shared

    for name in ("_identifier_to_system", "_identifier_to_refcount", "_refcount_lock"):
        assert hasattr(Shared, name), f"chromadb changed: SharedSystemClient.{name} is gone; fix store.forget_cached_system"
    assert isinstance(Shared._identifier_to_system, dict) and isinstance(Shared._identifier_to_refcount, dict)


def test_refresh_sees_what_another_client_wrote(tmp_path):
    """The behaviour refresh exists for: vectors written through another client of the same path become visible."""
    ours = VectorStore(tmp_path / "idx", "passages")
    identifier = getattr(ours.client, "_identifier", None)
    assert identifier, "chromadb changed: PersistentClient has no _identifier; fix store.forget_cached_system"
    assert _chroma_system(ours.client) is not None, "chromadb changed: systems are no longer cached per path"

    old, refs = forget_cached_system(identifier)  # as if another process held the path: a separate system
    assert old is not None and refs >= 1
    theirs = VectorStore(tmp_path / "idx", "passages")
    assert _chroma_system(theirs.client) is not old
    vec = np.ones(384, dtype=np.float32) / np.sqrt(384)
    theirs.collection.add(ids=["p1"], embeddings=[vec.tolist()], metadatas=[{"doc_id": "d"}])
    ours.refresh()
    assert ours.count() == 1
