"""Which inspection and which body a ratings question asks about, and the order of a quoted answer, on three
small invented documents through the real Service (causes found by the blind set, evals/blind):

- a body no ratings row covers, that a press release says "has been rated 'Good'", was refused instead of
  searched, and the refusal spelt its name from sorted words ("Grange, Tolley");
- "at its previous inspection" got the latest ratings: only the asked inspection's ratings are stated, or the
  answer says which inspection's ratings are indexed;
- "On what dates ..." was not read as asking for a date;
- a newer document's sentence that answers less of the question was put first (newest first).
"""

from __future__ import annotations

import pytest

from tests import realdocs

MANIFEST = """documents:
  kestrel-vale-pdu-2021.md: {doc_id: kestrel-vale-pdu-2021, doc_type: inspection_report, published: 2021-05-20,
                             title: "An inspection of probation services in Kestrel Vale PDU"}
  kestrel-vale-pdu-2024.md: {doc_id: kestrel-vale-pdu-2024, doc_type: inspection_report, published: 2024-07-02,
                             title: "An inspection of probation services in Kestrel Vale PDU"}
  tolley-grange-press-release.md: {doc_id: tolley-grange-press-release, doc_type: board_paper, published: 2025-11-04,
                                   title: "Tolley Grange approved premises gives residents a stable start"}
"""
REPORT = """# An inspection of probation services in Kestrel Vale PDU

Fieldwork took place in {month}.

## Ratings

Leadership was rated '{leadership}'. Planning was rated '{planning}'.

## Staffing

{staffing}
"""
PRESS = """# Tolley Grange approved premises gives residents a stable start

Tolley Grange, an 18-bed approved premises in the Kestrel region, has been rated 'Good' by HM Inspectorate of
Probation.

The inspection took place in September 2025. Residents said staff were available when they needed them.
"""


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    return realdocs.service_over(tmp_path_factory, "ratings-asked", {
        "manifest.yaml": MANIFEST,
        "kestrel-vale-pdu-2021.md": REPORT.format(
            month="February 2021", leadership="Requires improvement", planning="Inadequate",
            staffing="Inspectors said that workloads were too high for probation officers in Kestrel Vale."),
        "kestrel-vale-pdu-2024.md": REPORT.format(
            month="March 2024", leadership="Good", planning="Requires improvement",
            staffing="The PDU opened an office in Wyke Abbey. Staff turnover had an effect on workloads in some teams."),
        "tolley-grange-press-release.md": PRESS})


def test_a_body_without_ratings_rows_that_a_passage_says_was_rated_is_searched(svc):
    answer = svc.ask("What rating did inspectors give Tolley Grange?")
    assert answer.status == "answered" and "rated 'Good'" in answer.answer
    assert answer.citations[0].doc_id == "tolley-grange-press-release"
    # a standard asked of it: the prose's rating is not that standard's, and Kestrel Vale's row is not Tolley's
    assert svc.ask("What rating did Tolley Grange get for leadership?").status == "no_answer"


def test_a_refusal_names_the_body_in_the_order_the_question_writes_it(svc):
    for question, name in (("What rating did Wyke Abbey get?", "Wyke Abbey"),  # known, never said to be rated
                           ("What rating did Tolley Grange get at its last inspection?", "Tolley Grange")):
        answer = svc.ask(question)
        assert answer.status == "no_answer" and name in answer.answer, answer.answer


def test_only_the_ratings_of_the_inspection_asked_about_are_stated(svc):
    previous = svc.ask("What rating did Kestrel Vale PDU get at its previous inspection?")
    assert previous.status == "answered" and [c.doc_id for c in previous.citations] == ["kestrel-vale-pdu-2021"]
    assert "Inadequate" in previous.answer and "Leadership: Good" not in previous.answer
    latest = svc.ask("What is the most recent rating of Kestrel Vale PDU?")
    assert [c.doc_id for c in latest.citations] == ["kestrel-vale-pdu-2024"] and "2021" not in latest.answer
    both = svc.ask("What rating did Kestrel Vale PDU get?")  # no inspection named: every indexed one, newest first
    assert [c.doc_id for c in both.citations] == ["kestrel-vale-pdu-2024", "kestrel-vale-pdu-2021"]


def test_an_earlier_inspection_that_is_not_indexed_is_refused_saying_which_one_is():
    from assistant.ratings import RatingCitation, RatingRow
    from assistant.ratings_asked import inspection_asked, rows_of_inspection

    row = RatingRow(body="Kestrel Vale PDU", inspected="2024-03", published="2024-07-02", overall="Good",
                    citation=RatingCitation(doc_id="kestrel-vale-pdu-2024", quote="x"))
    for question in ("What rating did Kestrel Vale PDU get at its previous inspection?",
                     "What was Kestrel Vale PDU rated last time?", "How was it rated before that?"):
        assert inspection_asked(question) == "earlier", question
        rows, refusal = rows_of_inspection(question, [row])
        assert rows == [] and refusal and "inspected 2024-03, published 2024-07-02" in refusal
    assert rows_of_inspection("What rating did Kestrel Vale PDU get?", [row]) == ([row], None)
    # a summary of the same inspection (same fieldwork month) is not an earlier inspection
    summary = row.model_copy(update={"published": "2024-08-01", "citation": row.citation.model_copy(
        update={"doc_id": "kestrel-vale-pdu-2024-summary"})})
    assert rows_of_inspection("What was Kestrel Vale PDU rated last time?", [row, summary])[0] == []
    assert rows_of_inspection("What is Kestrel Vale PDU's latest rating?", [row, summary])[0] == [row, summary]


def test_on_what_dates_asks_for_a_date():
    from assistant.question_parse import parse

    for question in ("On what dates did the fieldwork take place?", "On what date was the report published?",
                     "In which years was the PDU inspected?"):
        assert parse(question).answer_type == "date", question


def test_the_best_supported_sentence_leads_not_the_newest(svc):
    answer = svc.ask("What did inspectors say about workloads?")
    assert answer.status == "answered" and len(answer.citations) == 2
    assert answer.answer.startswith("Inspectors said that workloads were too high"), answer.answer
    assert "(2024-07-02)" in answer.answer and "(2021-05-20)" in answer.answer  # each document's date stays
