"""Short numbered items ("Notes to editors" 1-6: a publication time, a staff count, a fieldwork month, a press
contact) are separate statements. Gathered into one ~150-word passage, each item's fact was diluted among the
others and a question about one of them ranked the passage second to fifth behind paragraphs that only share
its words (repository corpus). Chunking gathers numbered items only into a short passage (up to min_words);
the fact's passage then ranks first. Real cleaning and chunking, real embedder, real Chroma, small document."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.embed import embed_with_headers, get_embedder, header_vectors
from assistant.ingest.chunk import DEFAULT_MIN_WORDS, chunk_blocks, embedding_header
from assistant.ingest.clean import clean_pages
from assistant.models import DocumentInfo, Passage
from assistant.retrieve import Retriever
from assistant.store import Snapshot, VectorStore

TITLE = "Kestlebury PDU inspection: press release"
RELEASE = """Kestlebury PDU - Rated 'requires improvement' on keeping people safe

Probation inspectors found that the Kestlebury probation delivery unit has committed leaders and a stable \
workforce, but that its work to keep people safe requires improvement. Inspectors read the records of \
sixty cases and interviewed the practitioners who held them. In too many cases the assessment of risk of \
harm was not reviewed when circumstances changed, and information from the police about domestic abuse \
was not always requested before the court report was written. The inspection report praises the unit's \
partnership with local housing providers, which meant that fewer people left prison without somewhere to \
live, and its use of volunteers to support people through their first weeks of supervision. The chief \
inspector said the unit should now make sure that every case has a review of risk within a month of a \
significant change, and that managers check the quality of that review.

Notes to editors:


  1. The report will be published on the inspectorate's website at 09.00 on Thursday 7 March 2024.
  2. The inspectorate is the independent inspector of probation and youth justice services.
  3. Kestlebury PDU covers two market towns and the rural district around them.
  4. The unit supervises around 2,300 people on probation and employs 96 full-time-equivalent staff, \
including 31 probation officers and 40 probation services officers, supported by administrators who \
handle case allocation, court work and the records of people released on licence from the local prison.
  5. Inspectors carried out the fieldwork for this inspection in October 2023.
  6. For media enquiries please contact the press office on 020 7946 0000.
"""
META = {"doc_id": "kestlebury", "title": TITLE, "doc_type": "press_release", "published": "2024-03-07",
        "organisation": None, "area": None, "source": "kestlebury.txt", "restricted": False}


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    nodes = chunk_blocks(clean_pages([(None, RELEASE)]), META)
    return [Passage(id=n.id_, text=n.text, **{k: n.metadata.get(k) for k in (
        "doc_id", "title", "doc_type", "published", "organisation", "area", "source", "page", "section",
        "paragraph", "restricted", "table")}) for n in nodes]


def test_short_numbered_items_gather_only_into_a_short_passage(passages):
    notes = [p for p in passages if p.section == "Notes to editors"]
    assert len(notes) > 1  # not one passage of all six
    for p in notes:
        if "–" in (p.paragraph or ""):  # several items gathered: only up to min_words
            assert len(p.text.split()) <= DEFAULT_MIN_WORDS
    fieldwork = next(p for p in notes if "October 2023" in p.text)
    assert len(fieldwork.text.split()) <= DEFAULT_MIN_WORDS and "09.00 on Thursday" not in fieldwork.text
    # nothing lost or repeated
    assert " ".join(p.text for p in notes).count("the press office on 020 7946 0000") == 1


@pytest.fixture(scope="module")
def indexed(passages, tmp_path_factory):
    embedder = get_embedder()
    vectors = VectorStore(tmp_path_factory.mktemp("idx"))
    vectors.upsert(passages, embed_with_headers(embedder, [p.text for p in passages],
                                                [embedding_header(p.title, p.section, p.text) for p in passages]))
    snap = Snapshot.build("v", passages, {"kestlebury": DocumentInfo(doc_id="kestlebury", title=TITLE,
                                                                      doc_type="press_release")})
    retriever = Retriever(Settings(), vectors, embedder.embed_query,
                          embed_headers=lambda headers: header_vectors(embedder, headers))
    return retriever, snap


@pytest.mark.parametrize("question, fact", [
    ("When did the fieldwork for the Kestlebury inspection take place?", "October 2023"),
    ("How many full-time-equivalent staff does Kestlebury PDU employ?", "96 full-time-equivalent staff"),
])
def test_a_question_about_one_item_ranks_its_passage_first(indexed, question, fact):
    retriever, snap = indexed
    hits = retriever.search(snap, question, k=3)
    assert fact in hits[0].passage.text
    assert len(hits[0].passage.text.split()) <= DEFAULT_MIN_WORDS
