"""Fusion as evaluated (assistant/retrieve.py): the score blend, its completed scores, and the alternatives."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from assistant.config import Settings
from assistant.evaluation.beir import ArrayVectors
from assistant.retrieve import fuse, minmax_blend, rrf, score_blend


def test_score_blend_by_hand():
    fused = score_blend({"a": 0.8, "b": 0.5}, {"b": 10.0, "c": 5.0}, [0.7, 0.3])
    assert fused == pytest.approx({"a": 0.56, "b": 0.35 + 0.3, "c": 0.15})


def test_rrf_and_minmax_by_hand():
    assert rrf([["a", "b"], ["b"]], [1.0, 1.0], 60) == pytest.approx({"a": 1 / 61, "b": 1 / 62 + 1 / 61})
    assert minmax_blend([{"a": 0.9, "b": 0.5}, {"b": 4.0, "c": 2.0}], [0.4, 0.6]) == pytest.approx(
        {"a": 0.4, "b": 0.6, "c": 0.0})
    s = SimpleNamespace(fusion="rrf", dense_weight=1.0, bm25_weight=1.0, rrf_k=60)
    assert fuse({"a": 0.1, "b": 0.9}, {}, s) == pytest.approx({"b": 1 / 61, "a": 1 / 62})


def test_unknown_fusion_is_refused_by_settings():
    with pytest.raises(ValidationError):
        Settings(fusion="magic")


def test_hybrid_results_carry_both_scores_and_the_blend(service):
    """Every hybrid candidate gets its exact cosine and its BM25 score, and the fused score is the blend."""
    results = service.search("victim liaison officers workloads", k=10, mode="hybrid")
    assert len(results) >= 5
    with_bm25 = [r for r in results if r.bm25_score is not None]
    assert all(r.dense_score is not None for r in results)
    top = max(r.bm25_score for r in with_bm25)
    s = service.settings
    for r in results:
        # the blend reads the cosine that ranks (text and header re-mixed); dense_score is the text's own
        expected = s.dense_weight * r.ranked_dense + s.bm25_weight * (r.bm25_score or 0.0) / top
        assert r.score == pytest.approx(expected, rel=1e-6)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    completed = service.vectors.similarity(service.embedder.embed_query("victim liaison officers workloads"),
                                           [results[0].passage.id, "no-such-id"])
    assert list(completed) == [results[0].passage.id]


def test_array_vectors_are_exact():
    m = np.eye(3, dtype=np.float32)
    v = ArrayVectors(["x", "y", "z"], m)
    got = v.query(np.array([0.1, 0.9, 0.3], dtype=np.float32), 2)
    assert [d for d, _ in got] == ["y", "z"] and [s for _, s in got] == pytest.approx([0.9, 0.3])
    assert v.similarity(np.array([0.5, 0, 0], dtype=np.float32), ["x", "q"]) == {"x": 0.5}
