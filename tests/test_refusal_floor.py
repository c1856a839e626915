"""The refusal floor (answer.is_weak) on realistic documents: what it refuses before the answerability stage, and
the fit benchmark's rows for those questions (issue 11).

Measured on 2026-12-02 (evals/README.md, "No-answer calibration"): handing the floor's borderline questions (a
low cosine, some of the question's words missing) to the stage loses refusals the stage does not make (a contact
detail or a weather forecast the documents do not give is answered with the nearest sentence), and no refit over
every question recovered them. So the floor stays as it is, and the fit benchmark records the stage's features
for every question, floor-refused too, so that another floor can be measured from saved rows.
Small documents written here, the real model, Chroma and BM25."""

from __future__ import annotations

import textwrap

import pytest

from assistant.answer import Evidence, is_weak
from assistant.evaluation.questions import EvalQuestion

BOARD = textwrap.dedent("""\
    # Northvale Reducing Reoffending Board: update, May 2024

    ## Staffing

    The PDU recruited eleven new probation officers in 2023, and sickness absence fell over the year.
    Interview rooms at the Mill Lane office were in short supply, and two were refurbished in March 2024.

    ## Unpaid work

    The courtyard garden project in Ashby Wharf placed fourteen people on unpaid work placements.
    Placements were supervised by two community payback supervisors from the Northvale team.

    ## Contacts

    Priya Lund, Head of Northvale PDU. Tel: 0161 555 0142. Email: priya.lund@northvale.example
    Tomasz Wren, Deputy Head. Email: tomasz.wren@northvale.example
    """)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from tests import realdocs

    manifest = {"documents": {"northvale-update-2024.md": {"title": "Northvale Reducing Reoffending Board update",
                                                           "doc_type": "board_paper", "published": "2024-05-01"}}}
    return realdocs.service_over(tmp_path_factory, "refusal_floor", {"northvale-update-2024.md": BOARD,
                                                                     "manifest.yaml": manifest})


def question(qid: str, text: str, answerable: bool) -> EvalQuestion:
    return EvalQuestion(id=qid, set="floor", question=text, answerable=answerable,
                        expected_sources=["northvale-update-2024"] if answerable else [])


OFF_TOPIC = "What is the boiling point of water at sea level?"


def test_off_topic_questions_are_refused_before_the_stage(service):
    for text in (OFF_TOPIC, "Who won the 2018 FIFA World Cup?"):
        answer = service.ask(text)
        assert answer.status == "no_answer", answer.answer
        assert answer.answerability is None  # the floor refused: the stage never ran


def test_the_controls_reach_the_stage_and_are_answered(service):
    for text, expected in (("How many new probation officers did the PDU recruit?", "eleven"),
                           ("Who is the Head of Northvale PDU?", "Priya Lund")):
        answer = service.ask(text)
        assert answer.status == "answered" and expected in answer.answer, answer.answer
        assert answer.answerability is not None


def test_the_fit_rows_hold_features_for_floor_refused_questions_and_restage_under_another_floor(service):
    from benchmarks.answerability_fit import collect, restage

    rows = collect(service, [question("off", OFF_TOPIC, False),
                             question("ok", "How many new probation officers did the PDU recruit?", True)], "t")
    assert {r["id"]: r["stage"] for r in rows} == {"off": "floor", "ok": "model"}
    for r in rows:  # the stage's features and the floor's evidence, whichever stage the row is in
        assert set(r["features"]) >= {"top_dense", "coverage", "sentence_share"}
        weak = is_weak(Evidence(**r["evidence"]), service.settings.min_dense_score, service.settings.min_term_coverage)
        assert weak == (r["stage"] == "floor")
    # the same rows under a floor that refuses nothing: every question goes to the model
    no_floor = service.settings.model_copy(update={"min_dense_score": -2.0, "min_term_coverage": 0.0})
    assert {r["id"]: restage(dict(r), no_floor)["stage"] for r in rows} == {"off": "model", "ok": "model"}
    deterministic = {"id": "d", "stage": "deterministic"}  # answered by the ratings table or a definition
    assert restage(dict(deterministic), no_floor) == deterministic
