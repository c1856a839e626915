"""The blind test (evals/blind): four documents the product was never tuned on, in real formats, and questions
written from them before the product was run on them.

The documents are generated into tmp_path (an inspection report PDF with contents page, running header,
"Page N of M" footer, hanging paragraph numbers and footnotes; a Word board paper with a table of quarterly
figures and an action log; a web page around a MAPPA guidance chapter; a press release PDF), ingested once
into one real index, and every question is asked through the real Service. What works is asserted; what does
not yet is xfail(strict=True) with its cause, so a fix shows up as an XPASS to be promoted.
"""

from __future__ import annotations

import re

import pytest

from evals.blind import generate
from evals.blind.score import load_questions, score_one
from tests.realdocs import indexed_service

QUESTIONS = {q["id"]: q for q in load_questions()}

# What still fails on the blind set, by cause (evals/blind, the report of branch `blind`).
NOT_YET = {
    # retrieval: the body's name, repeated by the cover, the ratings rows and another document, outranks the
    # paragraph that answers the asked attribute (which names the body only in its document title)
    "r-head": "retrieval: cover and ratings rows naming 'Wessex Vale PDU' outrank paragraph 1.1 (head of service)",
    "r-cases-inspected": "retrieval: paragraph 2.1 ('We inspected 34 cases') is not in the top 8; the foreword's "
                         "'We inspected Wessex Vale PDU ...' is quoted and the stage lets it answer 'how many'",
    # quoting: a second sentence of the passage is quoted with the answer, so the citation spans two paragraphs
    "r-risk-assessment": "quoting: 2.3 ('Only 9 of the 34 cases ...') is quoted beside 2.2, citation 2.2–2.3",
    "r-po-in-post": "quoting: 1.4 (another number about probation officers) is quoted beside 1.3, citation 1.3–1.4",
    "b-target": "retrieval/quoting: the table row (Q2) is quoted, not paragraph 2.2 that states the target",
    # the stage refuses an answerable question
    "b-owner-weather": "stage: an action-log row (Owner: Delroy Hatch) does not clearly answer 'who owns'",
    "m-review-l3": "stage: 'MAPPA' is only in the page's site name (dropped from the title) and doc type",
    "m-chair-l3": "word forms: 'chairs' in the question, 'chaired' in 13.3",
    # near-miss questions answered
    "n-spo-count": "stage: 'senior' is not missed (the sentence gives probation officers in post)",
    "n-pso-caseload": "stage: 'caseload' matched in the passage, the sentence is about officers in post",
    "n-board-chair": "stage: 'Board chair' as an action owner taken for the chair's name",
    "n-women-beds": "stage: 'women' is not missed ('for men released from prison')",
    "n-caseload-march": "stage: a month swapped (March for December) is not a conflict",
}


@pytest.fixture(scope="module")
def blind(tmp_path_factory):
    corpus = generate.build(tmp_path_factory.mktemp("blind-docs"))
    service = indexed_service(corpus, tmp_path_factory.mktemp("blind-index"))
    rows = {qid: score_one(q, service.ask(q["question"])) for qid, q in QUESTIONS.items()}
    return service, rows


def _cases():
    for qid in QUESTIONS:
        marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[qid])] if qid in NOT_YET else []
        yield pytest.param(qid, marks=marks, id=qid)


@pytest.mark.parametrize("qid", _cases())
def test_blind_question(blind, qid):
    """Answerable: the expected words, cited to the right document, page and numbered paragraph.
    Near-miss: not answered."""
    _, rows = blind
    row = rows[qid]
    assert row["ok"], row


def _passages(service, doc_id):
    return service.passages(doc_id) or []


def test_report_furniture_contents_and_footnote_markers_stay_out_of_passages(blind):
    service, _ = blind
    passages = _passages(service, generate.REPORT.removesuffix(".pdf"))
    text = "\n".join(p.text for p in passages)
    assert "Page 5 of 6" not in text and generate.REPORT_HEADER not in text
    assert not re.search(r"\.{6,}", text)  # contents entries with dot leaders
    assert not re.search(r"[a-z]\.\d\b", text)  # a footnote marker glued to a word ("supervision.2")
    placed = {(p.page, p.paragraph) for p in passages}
    assert any(p.page == 5 and "1.4 Workloads were high" in p.text and (p.paragraph or "").startswith("1.")
               for p in passages), placed
    assert any(p.page == 6 and (p.paragraph or "").startswith("2.1") for p in passages), placed
    notes = [p for p in passages if "The staff survey was completed by 58" in p.text]
    assert notes and all(p.page == 5 for p in notes)


def test_press_release_is_titled_by_its_headline_not_its_first_line(blind):
    service, _ = blind
    doc = service.document(generate.PRESS.removesuffix(".pdf"))
    assert doc is not None and doc.title == generate.PRESS_TITLE


def test_web_page_numbered_paragraphs_keep_their_numbers_and_boilerplate_is_dropped(blind):
    service, _ = blind
    passages = _passages(service, generate.MAPPA.removesuffix(".html"))
    text = "\n".join(p.text for p in passages)
    for number, _ in generate.MAPPA_PARAS:
        assert any(p.paragraph and re.search(rf"^{re.escape(number)} ", p.text, re.MULTILINE)
                   for p in passages), (number, [(p.paragraph, p.text[:40]) for p in passages])
    for junk in ("cookies", "Related links", "212 level 2", "Was this page useful", "Open Government"):
        assert junk not in text


def test_ratings_of_the_report_are_read_from_its_table(blind):
    service, _ = blind
    rows = [r for r in service.ratings() if r.doc_id == generate.REPORT.removesuffix(".pdf")]
    assert len(rows) == 1 and rows[0].source == "table"
    row = rows[0]
    assert "Wessex Vale" in row.body and row.inspected == "2025-09" and row.published == "2026-02-11"
    want = dict(generate.RATINGS)
    assert (row.overall or "").lower() == want.pop("Overall rating").lower()
    want = {name: rating for name, rating in want.items() if rating}
    assert {k.lower(): v.lower() for k, v in row.standards.items()} == \
        {k.lower(): v.lower() for k, v in want.items()}, row.standards


def test_a_citation_names_the_numbered_paragraph_its_quoted_sentences_sit_in():
    from assistant.quoted_paragraph import quoted_paragraph

    text = ("1.3 The PDU had 41 probation officers in post.\n1.4 Workloads were high. The average caseload "
            "was 48 cases.\n1.5 The PDU shared an office.\nFootnote 3: The office opened in May 2023.")
    assert quoted_paragraph("1.3–1.5", text, ["The average caseload was 48 cases."]) == "1.4"
    assert quoted_paragraph("1.3–1.5", text, ["Footnote 3: The office opened in May 2023."]) == "1.5"
    assert quoted_paragraph("1.3–1.5", text, ["1.3 The PDU had 41 probation officers in post.",
                                              "1.4 Workloads were high."]) == "1.3–1.4"
    assert quoted_paragraph("1.3–1.5", text, ["A sentence the passage does not hold."]) == "1.3–1.5"
    assert quoted_paragraph("1.4", text, ["1.3 The PDU had 41 probation officers in post."]) == "1.4"


def test_numbers_that_label_a_paragraph_or_row_are_not_the_number_asked_for():
    from assistant.answer import _holds_type

    asked = "How many cases did inspectors inspect?"
    assert not _holds_type("number", "1.5 The PDU shared an office with the police.", asked)
    assert not _holds_type("number", "Table 1: Ratings — 2. Case supervision — 2.3 Implementation: Good.", asked)
    assert _holds_type("number", "We inspected 34 cases.", asked)
    assert _holds_type("number", "12 Staff were trained.", asked)
    assert _holds_type("number", "Table 2 — Licences — Number: 10.", asked)
