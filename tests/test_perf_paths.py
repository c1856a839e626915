"""The performance paths of issue 6: length-sorted batching, the ONNX backend, `ingest --device`, the
single-query path, Chroma lookups without a count, partial-sort BM25 top-n. Real model, real Chroma."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import get_embedder, length_sorted_batches, load_tokenizer, pad_batch

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "MAPPA level 3 cases need the active involvement of senior people from the agencies.",
    "Inspectors rated the Midlands division good overall.",
    "The National Probation Service is part of Her Majesty's Prison and Probation Service, an executive agency of "
    "the Ministry of Justice, responsible for the statutory supervision of offenders managed under MAPPA and of "
    "others assessed as posing a high or very high risk of serious harm to the public. " * 6,
    "OMIC case transfers happen by September 2019.",
    "Workloads were too high in some teams.",
]


def test_length_sorted_batches_cover_every_text_longest_first():
    lengths = np.array([3, 9, 1, 9, 5, 2, 7])
    batches = length_sorted_batches(lengths, 3)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert list(lengths[flat]) == sorted(lengths, reverse=True)


def test_pad_batch_pads_to_the_longest_member_only():
    tok = load_tokenizer()
    enc = tok.encode_batch(["short text", "a somewhat longer text than the other one", "x"])
    lengths = np.array([len(e.ids) for e in enc])
    ids, mask = pad_batch(enc, np.array([0, 2]), lengths)
    assert ids.shape == (2, max(lengths[0], lengths[2]))
    assert mask.sum() == lengths[0] + lengths[2]
    assert list(ids[0, :lengths[0]]) == enc[0].ids


def test_parallel_tokenizer_gives_the_same_ids_and_truncates_at_256():
    serial, parallel = load_tokenizer(), load_tokenizer(parallel=True)
    try:
        a, b = serial.encode_batch(TEXTS), parallel.encode_batch(TEXTS)
        assert [e.ids for e in a] == [e.ids for e in b]
        assert max(len(e.ids) for e in a) == 256  # the long text is cut where the model stops reading
    finally:
        os.environ["TOKENIZERS_PARALLELISM"] = "false"


@pytest.fixture(scope="module")
def torch_embedder():
    return get_embedder("cpu", 2, None, "torch")  # batch of 2: several batches, sorted, must come back in order


def test_batched_torch_path_returns_vectors_in_input_order_and_matches_sentence_transformers(torch_embedder):
    got = torch_embedder.embed(TEXTS)
    ref = torch_embedder.model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * ref).sum(axis=1).min() > 0.9999
    alone = np.stack([torch_embedder.embed([t])[0] for t in TEXTS])
    assert (got * alone).sum(axis=1).min() > 0.9999
    # a shuffled input gives the same vectors, shuffled the same way
    perm = [3, 0, 4, 2, 1]
    assert np.allclose(torch_embedder.embed([TEXTS[i] for i in perm]), got[perm], atol=1e-5)


def test_query_path_equals_the_batch_path(torch_embedder):
    q = "What is a MAPPA level 3 case?"
    assert float(torch_embedder.embed_query(q) @ torch_embedder.embed([q])[0]) > 0.9999
    assert torch_embedder.embed([]).shape == (0, 384)


def test_onnx_backend_is_close_to_the_torch_model(torch_embedder):
    onnx = get_embedder("cpu", 2, None, "onnx")
    assert onnx.backend == "onnx"
    a, b = onnx.embed(TEXTS), torch_embedder.embed(TEXTS)
    assert (a * b).sum(axis=1).min() > 0.995  # int8 weights: close, not identical
    # what matters for retrieval: the same nearest text for each query
    queries = ["level 3 MAPPA cases", "how were the Midlands rated", "when do transfers happen"]
    assert list((onnx.embed(queries) @ a.T).argmax(1)) == list((torch_embedder.embed(queries) @ b.T).argmax(1))
    onnx.for_serving(1)
    assert float(onnx.embed_query(queries[0]) @ onnx.embed([queries[0]])[0]) > 0.9999


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="embed_backend"):
        get_embedder("cpu", 16, None, "tensorflow")


def test_chroma_lookup_without_count_on_empty_and_small_collections(tmp_path):
    from assistant.models import Passage
    from assistant.store import VectorStore

    store = VectorStore(tmp_path)
    v = np.zeros(384, dtype=np.float32)
    v[0] = 1
    assert store.query(v, 50) == []
    passages = [Passage(id=f"d#{i}", doc_id="d", title="t", text=f"text {i}", doc_type="board_paper")
                for i in range(3)]
    vecs = np.eye(3, 384, dtype=np.float32)
    store.upsert(passages, vecs)
    got = store.query(v, 50)
    assert [pid for pid, _ in got][0] == "d#0" and len(got) == 3
    assert got[0][1] == pytest.approx(1.0, abs=1e-5)


def test_bm25_top_n_is_ranked_by_score(service):
    results = service.search("MAPPA level 3 cases senior people", k=10, mode="bm25")
    scores = [r.bm25_score for r in results]
    assert scores and all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def _cli(args: list[str], tmp_path: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        import shutil

        shutil.copytree(ROOT / "corpus", corpus)
    env = dict(os.environ, ASSISTANT_CORPUS_DIR=str(corpus), ASSISTANT_INDEX_DIR=str(tmp_path / "indexes"))
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_ingest_device_cpu_embeds_through_the_batching_path(tmp_path):
    r = _cli(["ingest", "--device", "cpu", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    import json

    report = json.loads(r.stdout)
    assert report["embedded"] == report["passages"] > 0


def test_ingest_device_errors_are_one_line_exit_2(tmp_path):
    r = _cli(["ingest", "--device", "tpu"], tmp_path)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "--device must be cpu, cuda" in r.stderr
    import torch

    if not torch.cuda.is_available():
        r = _cli(["ingest", "--device", "cuda"], tmp_path)
        assert r.returncode == 2 and "sees no CUDA GPU" in r.stderr and r.stderr.strip().count("\n") == 0
