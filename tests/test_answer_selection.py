"""Which sentence an answer quotes, and the deterministic answers around it (issue 12), on small real documents
ingested into a real index: the generated Northvale PDU report (PDF with a cover, a ratings table with its
scoring note and a data table), MAPPA guidance in Markdown with a table of categories, a press release with a
lead inspector's quotation, and board minutes that name the body in every line.

Causes asserted here, each failing before its fix:
- a word every candidate passage holds (the body asked about) outweighed the asked attribute, and a cover field
  ("Date of publication: 14 June 2024") ranked below the top three passages was never read;
- a quotation of two sentences was cut after its first;
- a scale question ("what total score gives ... Good?") got the ratings table; "was X rated Inadequate
  overall?" listed X's Inadequate standards and not its overall rating;
- "what is MAPPA category 3?" was refused although the quoted table row defines it;
- an abbreviation's expansion was put inside a bracket that already holds it, garbling a quoted cell.
"""

from __future__ import annotations

import pytest

from assistant.text import split_sentences
from tests import realdocs

MAPPA_MD = """# Westmere MAPPA Operating Protocol

## 1. Purpose

1.1 This protocol sets out how the responsible authority agencies in Westmere manage people who pose a risk of
serious harm under the Multi-Agency Public Protection Arrangements (MAPPA).

## 2. Identifying MAPPA cases

2.1 Every person eligible for MAPPA must be identified by the lead agency within five working days of sentence.

| Category | Who is included | Example in Westmere |
|---|---|---|
| Category 1 | Registered sexual offenders: people required to notify the police of their details | Notification recorded on ViSOR |
| Category 2 | Violent offenders sentenced to 12 months or more in custody | A person released after a wounding offence |
| Category 3 | Other dangerous offenders: people with a conviction who pose a risk of serious harm | Referred by the Probation Service |
"""

PRESS = """PRESS RELEASE
HM Inspectorate of Probation. For immediate release: 20 June 2024.
Northvale PDU rated 'Requires improvement' by inspectors.
Inspectors have rated the Northvale Probation Delivery Unit as 'Requires improvement' overall.
The lead inspector, Marlow Quentin, said: "Staff in Northvale know the people they supervise well. They work across a wide coastal area with few bus routes."
The full report is available on the Inspectorate's website.
"""

MINUTES = """# Northvale Reducing Reoffending Board: minutes of 3 September 2024

## 2. Northvale PDU inspection: improvement plan

Ingrid Sollas reported progress on the Northvale PDU improvement plan that followed the inspection report.
Northvale PDU has finished nine of the twelve actions in the plan.
The Board thanked Northvale PDU staff for the progress made.
"""


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    return realdocs.service_over(tmp_path_factory, "selection", {
        "northvale-report.pdf": realdocs.build_report_pdf, "westmere-mappa-protocol.md": MAPPA_MD,
        "northvale-press-release.txt": PRESS, "northvale-rrb-minutes-2024-09.md": MINUTES,
        "manifest.yaml": {"documents": {"northvale-report.pdf": {
            "doc_type": "inspection_report", "organisation": "HM Inspectorate of Probation"}}}})


def test_the_cover_field_holding_the_asked_attribute_and_a_date_is_quoted(svc):
    answer = svc.ask("When was the Northvale PDU inspection report published?")
    assert answer.status == "answered"
    assert realdocs.PUBLISHED in answer.answer


def test_a_table_row_is_quoted_whole_with_its_labels(svc):
    answer = svc.ask("What was the completion rate in Q2 2023?")
    assert answer.status == "answered"
    assert "78%" in answer.answer and "Q2 2023" in answer.answer


def test_a_quotation_stays_one_sentence():
    text = ('The lead inspector said: "Staff know people well. They work across a wide area." '
            "The report is online now.")
    assert split_sentences(text) == ['The lead inspector said: "Staff know people well. They work across a wide '
                                     'area."', "The report is online now."]
    # an unclosed quote mark is a typo, not a quotation running to the end of the passage
    assert len(split_sentences('A stray " mark here. Then a sentence here. And one more here.')) == 3


def test_what_the_lead_inspector_said_is_quoted_whole(svc):
    answer = svc.ask("What did the lead inspector say about Northvale PDU in the press release?")
    assert answer.status == "answered"
    assert "wide coastal area" in answer.answer


def test_a_scale_question_is_answered_from_the_scoring_note_not_the_ratings_table(svc):
    from assistant import domain

    question = "What total score gives an overall rating of Good?"
    assert not domain.is_ratings_question(question)
    answer = svc.ask(question)
    assert answer.table is None
    assert "13 to 18" in answer.answer


def test_a_yes_no_rating_question_states_the_rating_given(svc):
    answer = svc.ask("Was Northvale PDU rated Inadequate overall?")
    assert answer.status == "answered" and answer.answer.startswith("No:")
    assert f"overall {realdocs.OVERALL}" in answer.answer
    assert "Inadequate" not in answer.answer  # its Inadequate standards are not what was asked
    answer = svc.ask("Was Northvale PDU rated Inadequate?")
    assert answer.answer.startswith("Not overall")
    assert f"overall {realdocs.OVERALL}" in answer.answer and "1.3 Services: Inadequate" in answer.answer


def test_overall_asks_the_overall_rating_only(svc):
    answer = svc.ask("Which PDUs were rated Good overall?")
    assert "Leadership" not in answer.answer  # a standard rated Good is not an overall Good
    assert answer.status == "no_answer"


def test_a_table_row_giving_the_glossary_meaning_defines_the_term(svc):
    answer = svc.ask("What is MAPPA category 3?")
    assert answer.status == "answered"
    assert "Other dangerous offenders" in answer.answer


def test_an_abbreviation_inside_a_bracket_is_not_expanded_there(svc):
    """'Core (head of PDU (probation delivery unit) or deputy)' garbled the quoted table cell."""
    text = svc.glossary.expand_first_use("Level 3 meetings: Core (head of PDU or deputy). The PDU chairs them.")
    assert "(head of PDU or deputy)" in text and "The PDU (probation delivery unit) chairs" in text



def test_an_answer_to_how_many_quotes_only_sentences_holding_a_number():
    """A sentence that only shares the question's words ("the lack of staff in some roles") opened the answer
    to "how many staff", being from the top-ranked passage; when a quoted sentence holds a number, the others
    are left out of the answer (the verdict still reads them all)."""
    from assistant.answer import extractive_answer
    from assistant.models import Passage, ScoredPassage

    board = Passage(id="b1", doc_id="board-2024", title="Westmere board update", published="2024-05-01",
                    text="These results came despite a lack of staff in some roles in the Westmere division. "
                         "Recruitment continues.")
    report = Passage(id="r1", doc_id="report-2023", title="Westmere inspection", published="2023-11-02",
                     text="The Westmere division supervises about 9,400 people and employs over 820 "
                          "full-time-equivalent staff. Its headquarters are in Port Alder.")
    results = [ScoredPassage(passage=board, score=0.9, dense_score=0.62),
               ScoredPassage(passage=report, score=0.8, dense_score=0.66)]
    answer = extractive_answer("How many staff does the Westmere division employ?", results, 0.2, 0.3)
    assert answer.status == "answered"
    assert "820" in answer.answer
    assert "lack of staff" not in answer.answer
    assert [c.doc_id for c in answer.citations] == ["report-2023"]
