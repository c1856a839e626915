"""Issue 12's retrieval causes on the generated library (evals/library), each asserted where it was fixed:

- a paragraph that carries a footnote was merged into a ~260-word passage where the note was diluted;
- a report's cover was one short list that ratings rows naming the same body outranked;
- an HTML row under a rowspan read "Calderbrook — Cohort: Fixed", not as the row reads ("Calderbrook Fixed");
- a passage that does not name its document (minutes' attendees, "6.1 ... now every six weeks") lost to table
  rows that repeat the title: passages are embedded with a short contextual header (document label, section),
  as a separate vector so it does not swamp a short passage.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embed import embed_with_headers, get_embedder
from assistant.ingest.chunk import embedding_header, embedding_text
from assistant.ingest.metadata import load_manifest
from tests import realdocs


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from evals.library.generate import build_library

    out = build_library(tmp_path_factory.mktemp("library"))
    return out, load_manifest(out)


@pytest.fixture(scope="module")
def harrowfield(library):
    out, manifest = library
    return realdocs.read_file(out / "reports" / "hmip-harrowfield-pdu-2024.pdf", out, manifest, ocr="off").passages


def test_a_paragraph_with_a_footnote_is_merged_only_into_a_short_passage(harrowfield):
    """Before: 2.1-2.9 and both notes in one 260-word passage (past the embedder's ~190-word window)."""
    for note, paragraph in (("Footnote 2: Staffing figures", "2.2 At the time of the inspection"),
                            ("Footnote 3: Probation services officers", "2.3 Caseloads were highest")):
        noted = [p for p in harrowfield if note in p.text]
        assert len(noted) == 1, note
        assert paragraph in noted[0].text
        assert len(noted[0].text.split()) <= 80  # min_words: short neighbours only
        assert "2.7 " not in noted[0].text


def test_cover_fields_are_passages_naming_the_body(harrowfield):
    texts = [p.text for p in harrowfield if p.page == 1]
    assert "Harrowfield Probation Delivery Unit — Date of publication: 12 June 2024." in texts
    assert "Harrowfield Probation Delivery Unit — Fieldwork: March 2024." in texts
    assert any(t.startswith("Harrowfield Probation Delivery Unit — Lead inspector: ") for t in texts)
    assert any("Northmoor region" in t and "Fieldwork" not in t for t in texts)  # the rest of the cover


def test_rowspan_group_label_joins_the_row_label(library):
    out, manifest = library
    passages = realdocs.read_file(out / "board" / "eastvale-csp-iom-performance-2024.html", out, manifest).passages
    rows = [p.text for p in passages if p.table]
    assert any("— Calderbrook Fixed — People in cohort: 40," in t for t in rows), rows
    assert any("— Calderbrook Flex — People in cohort: 27," in t for t in rows)
    total = next(t for t in rows if "Eastvale total" in t)
    assert total.count("Eastvale total") == 1  # a colspan over both label columns is said once


def test_header_leaves_out_what_the_text_already_says():
    title = "Southerly Downs Reducing Reoffending Board: minutes of 5 February 2024"
    assert embedding_header(title, "Attendees", "• Cllr Marguerite Oduya (Chair)") == f"{title} — Attendees"
    row = f"4. Performance — {title} — Licence recalls — Quarter 2 2023-24: 38."
    assert embedding_header(title, "4. Performance", row) == ""
    assert embedding_header(None, None, "text") == ""
    # the id follows the header: a new title or section re-embeds the passage
    assert embedding_text("A", "B", "text") != embedding_text("A", "C", "text")


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


def _cos(embedder, query: str, vector: np.ndarray) -> float:
    return float(embedder.embed_query(query) @ vector)


def test_header_lets_a_passage_that_does_not_name_its_document_match(embedder):
    title = "Southerly Downs Reducing Reoffending Board: minutes of 5 February 2024"
    text = ("• Cllr Marguerite Oduya (Chair), Southerly Downs County Council\n"
            "• Bartholomew Venn, Head of Saltmarsh Coast PDU, Probation Service")
    question = "Who chaired the Southerly Downs Reducing Reoffending Board meeting in February 2024?"
    bare = embedder.embed([text])[0]
    with_header = embed_with_headers(embedder, [text], [embedding_header(title, "Attendees", text)])[0]
    assert _cos(embedder, question, with_header) > _cos(embedder, question, bare) + 0.05


def test_header_does_not_swamp_a_short_passage(embedder):
    """Written into the text, a report's title outweighed "Source: local management information supplied by
    the PDU.", which then ranked above the cover's "Lead inspector" for "who led the inspection?"."""
    title = "An inspection of probation services in: Calderbrook and Wendle Probation Delivery Unit"
    short = "Source: local management information supplied by the PDU."
    field = "Calderbrook and Wendle Probation Delivery Unit — Lead inspector: Sadie Pennock."
    question = "Who led the inspection of Calderbrook and Wendle PDU?"
    texts = [short, field]
    headers = [embedding_header(title, "2. Organisational delivery", short),
               embedding_header(title, "Calderbrook and Wendle Probation Delivery Unit", field)]
    vectors = embed_with_headers(embedder, texts, headers)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert _cos(embedder, question, vectors[1]) > _cos(embedder, question, vectors[0])


def test_a_glossary_expansion_does_not_let_a_note_outrank_the_row_holding_the_cell():
    """"PSOs (FTE)": the row says "FTE"; a short note saying "full-time equivalent" twice must not win BM25
    on the expansion (library: Mossgate PSOs and Gullhaven Rural vacancies fell from rank 1 to 4)."""
    from assistant.config import Settings
    from assistant.glossary import Glossary
    from assistant.models import Passage
    from assistant.retrieve import Retriever
    from assistant.store import Snapshot

    glossary = Glossary.load()
    question = "How many PSOs (FTE) work in the Mossgate team?"
    assert glossary.bm25_query(question) == [(question, 1.0), ("full-time equivalent", 1 / 3)]
    assert glossary.bm25_query("How many staff work in the Mossgate team?") is None
    texts = {
        "row": "Table 1: Caseload and staffing by team — Mossgate — Cases supervised: 204, Probation officers (FTE): "
               "4.0, PSOs (FTE): 4.5, Vacancies (FTE): 0.0.",
        "other-row": "Table 1: Caseload and staffing by team — Oakmere — Cases supervised: 272, Probation officers "
                     "(FTE): 4.0, PSOs (FTE): 4.5, Vacancies (FTE): 1.0.",
        "note": "2.2 The PDU had 15.5 full-time equivalent vacancies across its teams. Footnote 2: Staffing figures "
                "are full-time equivalents.",
    }
    texts.update({f"filler-{i}": f"Paragraph {i} about unpaid work placements and court reports." for i in range(8)})
    snap = Snapshot.build("v", [Passage(id=k, doc_id="d", text=t) for k, t in texts.items()], {})
    retriever = Retriever(Settings(), vectors=None, embed_query=None)
    hits = retriever.search(snap, glossary.expand_query(question), k=3, mode="bm25",
                            bm25_query=glossary.bm25_query(question))
    assert hits[0].passage.id == "row"
    # the way it was: the expansion appended to the question put the note first
    assert retriever.search(snap, glossary.expand_query(question), k=3, mode="bm25")[0].passage.id == "note"
