"""Contextual headers at query time (assistant/retrieve.py Retriever._weigh_headers): a stored passage vector,
normalise(text + 0.8 x header), separates again into the text's and the header's cosines, so the no-answer
floor reads the text's own cosine and ranking weighs the header by what it can tell apart in the collection.
Real embedder, real Chroma."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.embed import embed_with_headers, get_embedder, headed_cosine, header_vectors, split_headed
from assistant.ingest.chunk import embedding_header
from assistant.models import DocumentInfo, Passage
from assistant.retrieve import Retriever, collection_header_weight
from assistant.store import Snapshot, VectorStore

TITLE = "Southerly Downs Reducing Reoffending Board: minutes of 5 February 2024"
PASSAGES = {
    "attendees": ("Attendees", "• Cllr Marguerite Oduya (Chair), Southerly Downs County Council\n"
                               "• Bartholomew Venn, Head of Saltmarsh Coast PDU, Probation Service"),
    "housing": ("3. Accommodation", "Housing officers reported that 41 people left custody without settled "
                                    "accommodation in the quarter, up from 33."),
    "source": ("3. Accommodation", "Source: local management information supplied by the PDU."),
}
QUESTION = "Who chaired the Southerly Downs Reducing Reoffending Board meeting in February 2024?"


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


def _documents(n: int) -> dict[str, DocumentInfo]:
    return {f"d{i}": DocumentInfo(doc_id=f"d{i}", title=TITLE if i == 0 else f"Other paper {i}", doc_type="board")
            for i in range(n)}


@pytest.fixture(scope="module")
def indexed(embedder, tmp_path_factory):
    passages = [Passage(id=pid, doc_id="d0", title=TITLE, section=section, text=text, doc_type="board")
                for pid, (section, text) in PASSAGES.items()]
    vectors = VectorStore(tmp_path_factory.mktemp("idx"))
    vectors.upsert(passages, embed_with_headers(embedder, [p.text for p in passages],
                                                [embedding_header(p.title, p.section, p.text) for p in passages]))
    return passages, vectors


def _retriever(embedder, vectors, **settings) -> Retriever:
    return Retriever(Settings(**settings), vectors, embedder.embed_query,
                     embed_headers=lambda headers: header_vectors(embedder, headers))


def test_split_headed_gives_the_texts_own_cosine(embedder, indexed):
    passages, vectors = indexed
    q = embedder.embed_query(QUESTION)
    stored = vectors.embeddings([p.id for p in passages])
    for p in passages:
        t = embedder.embed([p.text])[0]
        h = header_vectors(embedder, [embedding_header(p.title, p.section, p.text)])
        h = next(iter(h.values()))
        m = stored[p.id]
        text_q, text_h = split_headed(m @ q, m @ h, h @ q)
        assert text_q == pytest.approx(float(t @ q), abs=2e-4)
        assert text_h == pytest.approx(float(t @ h), abs=2e-4)
        # re-mixed at the ingest weight, the stored cosine comes back; at weight 0, the text's own
        assert headed_cosine(text_q, h @ q, text_h, 0.8) == pytest.approx(float(m @ q), abs=2e-4)
        assert headed_cosine(text_q, h @ q, text_h, 0.0) == pytest.approx(float(t @ q), abs=2e-4)


def test_the_floor_reads_the_text_cosine_and_ranking_keeps_the_header(embedder, indexed):
    """Among ten documents the header counts as stored: the attendees list, which names no board, ranks first
    for a question naming the board, while the cosine reported to the no-answer floor is the list's own."""
    passages, vectors = indexed
    snap = Snapshot.build("v", passages, _documents(10))
    hits = _retriever(embedder, vectors).search(snap, QUESTION, k=3, mode="dense")
    assert hits[0].passage.id == "attendees"
    q = embedder.embed_query(QUESTION)
    bare = float(embedder.embed([PASSAGES["attendees"][1]])[0] @ q)
    stored = float(vectors.embeddings(["attendees"])["attendees"] @ q)
    assert stored > bare + 0.05  # the header lifts the stored vector's cosine
    assert hits[0].dense_score == pytest.approx(bare, abs=2e-4)
    assert hits[0].score == pytest.approx(stored, abs=2e-4)
    assert hits[0].ranked_dense == pytest.approx(stored, abs=2e-4)
    # without a header embedder (SciFact runs) the stored cosine is used as it is
    plain = Retriever(Settings(), vectors, embedder.embed_query).search(snap, QUESTION, k=1, mode="dense")[0]
    assert plain.dense_score == pytest.approx(stored, abs=2e-4)


def test_the_header_counts_less_among_few_documents(embedder, indexed):
    passages, vectors = indexed
    settings = Settings()
    assert collection_header_weight(Snapshot.build("v", passages, _documents(10)), settings) == pytest.approx(0.8)
    assert collection_header_weight(Snapshot.build("v", passages, _documents(40)), settings) == pytest.approx(0.8)
    two = collection_header_weight(Snapshot.build("v", passages, _documents(2)), settings)
    assert two == pytest.approx(0.8 * np.log(2) / np.log(10))
    assert collection_header_weight(Snapshot.build("v", passages, _documents(1)), settings) == 0.0
    same_title = {d: info.model_copy(update={"title": "Normans"}) for d, info in _documents(40).items()}
    assert collection_header_weight(Snapshot.build("v", passages, same_title), settings) == 0.0  # one title
    q = embedder.embed_query(QUESTION)
    one = Snapshot.build("v", passages, _documents(1))
    hits = _retriever(embedder, vectors).search(one, QUESTION, k=3, mode="dense")
    # one document: the header tells nothing apart, so ranking is by the texts' own cosines
    texts = {p.id: float(embedder.embed([p.text])[0] @ q) for p in passages}
    assert [h.passage.id for h in hits] == sorted(texts, key=lambda pid: -texts[pid])
    assert all(h.score == pytest.approx(texts[h.passage.id], abs=2e-4) for h in hits)
