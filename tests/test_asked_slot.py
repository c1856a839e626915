"""Near-misses on realistic documents (issues 11 and 12): the question's words are all in a sentence, but the slot
it asks to have filled is empty there: a rate, a name of the asked kind, the asked quarter or financial year, a
figure (a paragraph number is none), a standard the ratings table rates. Each is refused saying what is missing;
the control in the same words is answered. Small documents written here, the real model, Chroma and BM25."""

from __future__ import annotations

import textwrap

import pytest

from assistant.answerability import Quoted, align, assess, evidence_of, parse
from tests import realdocs

NOTES = textwrap.dedent("""\
    # Northvale Reducing Reoffending Board: notes, May 2024

    ## Premises and staff

    2.5 Most staff had the equipment they needed, but interview rooms were in short supply.

    2.8 Sickness absence had fallen over the previous year, and the PDU recruited eleven new probation officers.

    The PDU works with two magistrates' courts and one Crown Court, and with the Larkfield Women's Centre.

    ## Performance

    Table 1: Panels and reoffending, quarter 3 2023-24

    | Locality | Panels held | Proven reoffending rate |
    |---|---|---|
    | Ashby Wharf | 5 | 17% |
    | Northvale Town | 3 | 22% |
    """)
REVIEW = ("# Northvale level 3 case review\n\nThe review of the Ashby Wharf level 3 case was chaired by Fenella "
          "Okonjo, the independent lay adviser to the Northvale MAPPA board.\n")


def quoted(*sentences: str) -> list[Quoted]:
    return [Quoted(i, 0, s, title="Northvale notes 2024-05-01", passage=" ".join(sentences))
            for i, s in enumerate(sentences)]


def hard(question: str, *sentences: str):
    """The verdict with a threshold nothing fails (0.01): only a hard check can refuse."""
    return assess(question, quoted(*sentences), 0.9, 1.0, strictness=0.01)


# --- the checks, on sentences ------------------------------------------------------------------------------------

def test_a_rate_is_answered_only_by_a_sentence_giving_a_rate():
    refused = hard("What was the sickness absence rate in Northvale PDU?",
                   "2.8 Sickness absence had fallen over the previous year.")
    assert refused.status == "no_answer" and "rate" in refused.reason
    assert hard("What was the sickness absence rate in Northvale PDU?",
                "Sickness absence in Northvale PDU was 4.2 per cent.").status == "answered"
    assert hard("What is the budget of the Northvale board?", "The board met four times.").status == "no_answer"
    assert hard("What is the budget of the Northvale board?",
                "The board has £40,000 a year for its work.").status == "answered"


def test_a_name_is_answered_only_by_a_name_of_the_asked_kind():
    counted = "The PDU works with two magistrates' courts and one Crown Court, and with the Larkfield Women's Centre."
    refused = hard("What is the name of the Crown Court that Northvale PDU works with?", counted)
    assert refused.status == "no_answer" and "court" in refused.reason      # the Women's Centre is no court
    assert hard("Which prison will the long-term cases be transferred to?",
                "The long-term cases will be transferred into expanded prison offender management teams.",
                ).status == "no_answer"
    named = "The PDU works with two magistrates' courts and with Eastbridge Crown Court."
    assert hard("What is the name of the Crown Court that Northvale PDU works with?", named).status == "answered"
    assert hard("Which prison will the long-term cases be transferred to?",
                "The long-term cases will be transferred to HMP Glenmoor.").status == "answered"
    contract = "The accommodation contract in Northvale is held by Larkspur Housing Support until March 2026."
    assert hard("Which company holds the accommodation contract?", contract).status == "answered"
    assert hard("Which company holds the accommodation contract?",
                "The accommodation contract in Northvale runs until March 2026.").status == "no_answer"
    assert hard("Which court work did inspectors rate highly?",   # the kind as a modifier asks for no name
                "Inspectors rated pre-sentence court work highly.").status == "answered"
    assert hard("What is the name of the lay adviser who chaired the review?",
                "The review was chaired by Fenella Okonjo, the lay adviser.").status == "answered"


def test_a_sum_asked_with_how_much_needs_a_sum():
    question = "How much funding did the Larkfield women's centre secure?"
    assert hard(question, "The women's centre in Larkfield had secured funding until March 2025.").status == "no_answer"
    assert hard(question, "The women's centre in Larkfield secured £40,000 of funding.").status == "answered"


def test_names_asked_of_a_noun_phrase_and_table_labels_are_no_names():
    question = "What are the names of the two hostels the Ashby Wharf council lost?"
    assert hard(question, "The Ashby Wharf council has lost two hostels since 2022.").status == "no_answer"
    assert hard(question, "The Ashby Wharf council has lost Mill Lane Hostel and Quay Street Hostel.").status == "answered"
    row = "Accommodation on release — Ashby Wharf — Released: 139, Settled accommodation: 87, Rough sleeping: 11."
    assert hard("What is the name of the housing navigator for Ashby Wharf?", row).status == "no_answer"


def test_a_month_is_no_name_for_who():
    ask = parse("Who chairs the Northvale Strategic Management Board?")
    approved = evidence_of("Version 4.0, approved by the Northvale Strategic Management Board on 2 September 2024.")
    assert align(ask, approved).type_ok is False
    assert align(ask, evidence_of("The Northvale Strategic Management Board is chaired by Priya Lund.")).type_ok


def test_another_quarter_or_financial_year_does_not_answer():
    row = ("Table 1: Panels and reoffending, quarter 3 2023-24 — Ashby Wharf — Panels held: 5, "
           "Proven reoffending rate: 17%")
    refused = hard("How many panels did Ashby Wharf hold in quarter 4 of 2023-24?", row)
    assert refused.status == "no_answer" and "quarter 4" in refused.reason
    assert hard("How many panels did Ashby Wharf hold in Q4?", row).status == "no_answer"
    assert hard("How many panels did Ashby Wharf hold in the third quarter of 2023/24?", row).status == "answered"
    assert hard("How many panels did Ashby Wharf hold in quarter 3 of 2022-23?", row).status == "no_answer"
    assert hard("How many panels did Ashby Wharf hold in quarter 3?", row).status == "answered"


def test_a_sentence_saying_the_thing_asked_about_does_not_exist_does_not_answer():
    denial = ("As yet there is no detailed published timetable, but the transfer of cases into the Northvale PDU "
              "is expected to be complete by spring 2025.")
    refused = hard("When was the detailed timetable for the Northvale changes published?", denial)
    assert refused.status == "no_answer" and "no detailed published timetable" in refused.reason
    assert hard("By when will the transfer of cases into the Northvale PDU be complete?", denial).status == "answered"
    assert hard("When was the detailed timetable for the Northvale changes published?",
                "The detailed timetable for the Northvale changes was published in May 2024.").status == "answered"


def test_a_paragraph_number_is_no_figure_the_sentence_gives():
    ask = parse("How many interview rooms does Northvale PDU have?")
    rooms = "2.5 Most staff had the equipment they needed, but interview rooms were in short supply."
    assert align(ask, evidence_of(rooms)).type_ok is False
    assert align(ask, evidence_of("2.5 Northvale PDU has six interview rooms.")).type_ok is True


# --- end to end, on a small indexed library ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def library(tmp_path_factory):
    manifest = {"documents": {
        "board/northvale-notes-2024.md": {"title": "Northvale Reducing Reoffending Board notes, May 2024",
                                          "doc_type": "board_paper", "published": "2024-05-01"},
        "reports/northvale-pdu-2024.pdf": {"doc_type": "inspection_report", "published": "2024-06-14"},
        "restricted/northvale-review-2024.md": {"title": "Northvale level 3 case review", "doc_type": "board_paper",
                                                "published": "2024-04-02", "restricted": True}}}
    return realdocs.service_over(tmp_path_factory, "asked_slot", {
        "board/northvale-notes-2024.md": NOTES, "restricted/northvale-review-2024.md": REVIEW,
        "reports/northvale-pdu-2024.pdf": realdocs.build_report_pdf, "manifest.yaml": manifest})


@pytest.mark.parametrize("question,missing", [
    ("How many panels did Ashby Wharf hold in quarter 4 of 2023-24?", "quarter 4"),
    ("What was the sickness absence rate in Northvale PDU?", "rate"),
    ("What is the name of the Crown Court that Northvale PDU works with?", "court"),
])
def test_near_misses_are_refused_on_the_index(library, question, missing):
    realdocs.assert_refused_naming(library.ask(question), missing)


@pytest.mark.parametrize("question,expected", [
    ("How many panels did Ashby Wharf hold in quarter 3 of 2023-24?", "5"),
    ("What was the proven reoffending rate in Ashby Wharf in quarter 3?", "17%"),
    ("How many new probation officers did the PDU recruit?", "eleven"),
])
def test_the_controls_in_the_same_words_are_answered(library, question, expected):
    answer = library.ask(question)
    assert answer.status == "answered" and expected in answer.answer, answer.answer


def test_a_standard_the_ratings_table_does_not_rate_gets_no_rating(library):
    for question in ("What rating did Northvale PDU get for resettlement?", "What was Northvale's resettlement rating?",
                     "How was resettlement rated in Northvale PDU?"):
        answer = library.ask(question)
        assert answer.status == "no_answer" and "resettlement" in answer.answer, (question, answer.answer)
        assert "Requires improvement" not in answer.answer.split("Standards rated")[0]  # no rating as the answer
    planning = library.ask("What rating did Northvale PDU get for planning?")
    assert planning.status == "answered" and "Planning: Inadequate" in planning.answer
    reviewing = library.ask("What rating did Northvale PDU get for reviewing?")
    assert reviewing.status == "answered" and "Not inspected" in reviewing.answer


def test_an_eval_question_without_the_grant_is_asked_without_it(library):
    """`filters: {include_restricted: false}` in a question set: the run's --include-restricted must not override
    it (the service decides access from the caller, so the runner asks as a caller without the grant)."""
    from assistant.access import RESTRICTED
    from assistant.evaluation.configs import CONFIGS
    from assistant.evaluation.questions import EvalQuestion
    from assistant.evaluation.runner import ServiceTarget

    question = "Who chaired the review of the Ashby Wharf level 3 case?"
    target = ServiceTarget(CONFIGS["hybrid"], library, RESTRICTED)
    granted = target.run(EvalQuestion(id="g", set="t", type="restricted", question=question,
                                      expected_sources=["restricted/northvale-review-2024"]))[1]
    assert "Fenella Okonjo" in granted["answer"]
    denied = target.run(EvalQuestion.model_validate({"id": "d", "set": "t", "type": "restricted", "question": question,
                                                     "filters": {"include_restricted": False}, "answerable": False}))
    assert "Okonjo" not in denied[1]["answer"]
    assert not any(r["doc_id"].startswith("restricted/") for r in denied[0])
