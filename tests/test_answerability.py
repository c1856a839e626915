"""The answerability stage (issue 11) on the real corpus, index and embedding model: near-miss questions
refused with the reason, answerable ones answered, the strictness setting, `partial`, and the eval runner's
per-set rates, curve and gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answerability import Evidence, Quoted, align, assess, clear_caches, load_model, parse, split_asks
from assistant.evaluation.gate import check_set_gates, load_gate
from assistant.evaluation.questions import load_sets
from assistant.evaluation.report import write_curve
from assistant.evaluation.runner import answerability_curve, per_set, score_question
from assistant.glossary import load_glossary
from tests import realdocs

ROOT = Path(__file__).resolve().parents[1]


def test_the_question_says_what_kind_of_answer_it_wants():
    assert parse("When did fieldwork take place?").answer_type == "date"
    assert parse("How many full-time-equivalent staff does it employ?").answer_type == "number"
    assert parse("How many full-time-equivalent staff does it employ?").head == "staff"
    assert parse("Who is HM Chief Inspector of Probation?").answer_type == "person"
    assert parse("Where is Normandy?").answer_type == "place"
    q = parse("Which two boards were combined to create the SOMMB?")
    assert (q.answer_type, q.focus) == ("mention", "board") and not q.numbers  # "two" counts the answer
    assert split_asks("When did fieldwork start and when did it end?") == ["When did fieldwork start",
                                                                           "when did it end"]


def test_alignment_is_with_the_sentence_not_the_passage():
    ask = parse("How many full-time-equivalent staff does the NPS Wales division employ?")
    ev = Evidence.of("The NPS Midlands Division supervises over 17,500 offenders and employs over 1,600 "
                     "full-time-equivalent staff.")
    a = align(ask, ev)
    assert a.missing_names == ["Wales"] and a.head_ok is True
    fte = align(parse("How many FTE staff does the Midlands division employ?"), ev)
    assert "FTE" in fte.missing  # without the glossary FTE is just an unknown word ...
    from assistant.answerability import with_glossary

    glossary = load_glossary(str(ROOT / "corpus" / "glossary.yaml"))
    g = align(with_glossary(parse("How many FTE staff does the Midlands division employ?"), glossary), ev)
    assert g.matched["fte"] == "synonym" and not g.missing  # ... with it, a synonym
    low = align(parse("Which NPS area ranked the lowest overall?"),
                Evidence.of("Of all the areas inspected, Midlands NPS ranked the highest overall."))
    assert low.conflicts == ["lowest vs highest"]
    rated = align(parse("Which work was rated inadequate?"), Evidence.of("Court work was rated as outstanding."))
    assert rated.conflicts == ["rated inadequate vs outstanding"]


def test_partial_when_one_ask_is_answered_and_the_other_is_not():
    quoted = [Quoted(0, 0, "Fieldwork for this inspection took place in August 2018.",
                     passage="Fieldwork for this inspection took place in August 2018.")]
    whole = assess("When did fieldwork for this inspection take place and how many offices in Wales were "
                   "inspected in 2015?", quoted, 0.6, 1.0)
    assert whole.status == "partial"
    assert "Wales" in whole.reason and "2015" in whole.reason and "fieldwork for this inspection" in whole.reason


def test_a_year_the_quoted_sentence_and_its_document_do_not_give_is_refused_whatever_the_score():
    sentence = ("In 2023, people on community orders in Calderbrook and Wendle completed 56,890 hours of unpaid "
                "work, and 1,502 new unpaid work requirements started.")
    quoted = [Quoted(0, 0, sentence, title="Calderbrook and Wendle PDU inspection 2024-01-10", passage=sentence)]
    swapped = assess("How many hours of unpaid work were completed in Calderbrook and Wendle in 2021?", quoted,
                     0.95, 1.0, strictness=0.01)   # a threshold nothing fails: only the year refuses it
    assert swapped.status == "no_answer" and "2021" in swapped.reason
    right = assess("How many hours of unpaid work were completed in Calderbrook and Wendle in 2023?", quoted,
                   0.95, 1.0, strictness=0.01)
    assert right.status == "answered"
    published = assess("How many hours of unpaid work did the 2024 Calderbrook and Wendle report give?", quoted,
                       0.95, 1.0, strictness=0.01)  # the document's own year (its title/date) is no swap
    assert published.status == "answered"
    assert assess("How many hours of unpaid work were completed in Calderbrook and Wendle in 2021?", quoted,
                  0.95, 1.0, strictness=0).status == "answered"  # strictness 0 answers everything


@pytest.mark.parametrize("question,missing", [
    ("How many full-time-equivalent staff does the NPS Wales division employ?", "Wales"),
    # was a known miss (p 0.482 against the threshold 0.48); refused since the model reads the text's own cosine
    # (assistant/retrieve.py Retriever._weigh_headers) and the answer step weighs five candidates (select_sentences)
    ("How many LDU clusters does the Wales division contain?", "Wales"),
])
def test_near_miss_questions_are_refused_saying_what_is_missing(service, question, missing):
    answer = service.ask(question)
    realdocs.assert_refused_naming(answer, missing)
    assert answer.answerability["probability"] < answer.answerability["threshold"]


def test_the_answerable_control_is_still_answered(service):
    answer = service.ask("How many full-time-equivalent staff does the NPS Midlands Division employ?")
    assert answer.status == "answered" and "1,600" in answer.answer
    assert answer.answerability["status"] == "answered" and not answer.answerability["missing"]


def test_strictness_trades_answers_for_refusals(service):
    from assistant.service import Service

    question = "How many victim liaison officers does the Midlands division employ?"
    lenient = Service(service.settings.model_copy(update={"answer_strictness": 0.0}))
    strict = Service(service.settings.model_copy(update={"answer_strictness": 1.0}))
    assert lenient.ask(question).status == "answered"
    assert strict.ask(question).status == "no_answer"
    assert strict.ask("What overall rating did inspectors give the NPS Midlands division?").status == "answered"  # table
    assert 0.0 < load_model()["threshold"] < 1.0


def test_eval_counts_partial_as_a_refusal_of_unanswerable_and_an_answer_to_answerable(tmp_path):
    _, qs = load_sets([ROOT / "evals" / "questions" / "near-miss.yaml"])
    una = next(q for q in qs if not q.answerable)
    ans = next(q for q in qs if q.answerable)
    partial = {"status": "partial", "answer": f"{' '.join(ans.expected_answer_contains)} ...", "citations": []}
    assert score_question(una, [], partial)["refusal_correct"] is True
    checks = score_question(ans, [], partial)
    assert checks["refusal_correct"] is True and checks["answer_contains"] is True
    records = [{"config": "c", "set": "near-miss", "type": "t", "answerable": a, "status": st, "checks": {
        "refusal_correct": ok}, "answerability": {"probability": p, "status": st}, "timings_ms": {}}
        for a, st, ok, p in [(True, "answered", True, 0.9), (True, "no_answer", False, 0.3),
                             (False, "no_answer", True, 0.1), (False, "partial", True, 0.35)]]
    rates = per_set(records)["near-miss"]["c"]
    assert rates["answered_rate"] == 0.5 and rates["refused_rate"] == 1.0 and rates["partial_rate"] == 0.25
    curve = answerability_curve(records)["c"]
    assert curve[0][1:] == (1.0, 0.0) and curve[-1][1:] == (0.0, 1.0)  # threshold 0 answers all, 1 refuses all
    png = write_curve({"c": curve}, tmp_path / "answerability.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    gate = load_gate(ROOT / "evals" / "gate.yaml")
    assert "near-miss" in gate["sets"]
    failing = check_set_gates({"near-miss": {"c": {"refused_rate": 0.1}}}, "c", gate)
    assert failing and failing[0].startswith("near-miss: refused_rate")
    assert check_set_gates({"near-miss": {"c": {"refused_rate": 1.0, "answered_rate": 1.0}}}, "c", gate) == []


def test_partial_is_shown_as_an_answer_with_its_sources_and_what_is_missing(service):
    """Every surface renders `partial` (the API's schema documents it; Slack shows the sources)."""
    import json

    from bots.slack.render import answer_blocks

    quoted = service.ask("When did fieldwork for the Midlands inspection take place?")
    partial = quoted.model_copy(update={"status": "partial", "answer": quoted.answer + "\n\nThe passages answer "
                                        "only part of the question. For “who led it”, they do not mention “led”."})
    blocks = json.dumps(answer_blocks(partial, None))
    assert "*Sources*" in blocks and "who led it" in blocks
    from assistant.models import Answer

    schema = Answer.model_json_schema()
    assert "partial" in schema["properties"]["status"]["enum"]


def _corpus_texts() -> list[str]:
    from assistant.text import split_sentences

    texts = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text, *split_sentences(text)]
    _, qs = load_sets(sorted((ROOT / "evals" / "questions").glob("*.yaml")))
    return texts + [q.question for q in qs] + ["Don't FTE's 1,600 £2.5m naïve Ærø x_y a 1 22", ""]


def test_the_stages_fast_analyser_gives_the_bm25_analysers_stems():
    """question_parse._stem_tuple skips bm25s.tokenize's per-call overhead; it must not change one stem."""
    from assistant.question_parse import _stem_tuple
    from assistant.text import tokenize

    texts = _corpus_texts()
    assert len(texts) > 300
    assert [list(_stem_tuple(t)) for t in texts] == tokenize(texts)


def test_the_bucketed_typo_match_agrees_with_the_typo_rule():
    """Evidence.has_typo_of answers answer._typo_match from first-letter/length buckets, remembered."""
    from assistant.answer import _typo_match
    from assistant.question_parse import _stem_tuple

    sentences = _corpus_texts()[1:60]
    words = sorted({w for s in sentences for w in _stem_tuple(s)})
    probes = words[:150] + ["probaton", "cheif", "recomend", "inspecton", "divison", "offendr", "managment",
                            "stratgy", "publci", "partnreship", "xylophone"]
    agree = hits = 0
    for s in sentences:
        ev = Evidence.of(s)
        for p in probes:
            got = ev.has_typo_of(p)
            assert got == _typo_match(p, ev.tokens), (p, s)
            agree += 1
            hits += got
    assert agree > 5000 and hits > 20  # the rule fires, and agrees every time


def test_the_glossary_restricted_to_possible_terms_expands_alike():
    """glossary_subset only tries the terms that can occur; expansion and `mentioned` must be the same."""
    from assistant.question_parse import glossary_subset

    glossary = load_glossary(str(ROOT / "corpus" / "glossary.yaml"))
    texts = _corpus_texts()
    expanded = 0
    for t in texts:
        sub = glossary_subset(glossary, t)
        assert (t if sub is None else sub.expand_query(t)) == glossary.expand_query(t), t
        assert ([] if sub is None else sub.mentioned(t)) == glossary.mentioned(t), t
        expanded += glossary.expand_query(t) != t
    assert expanded > 50


def test_answer_candidates_come_from_the_sentence_not_its_title_date():
    """A board paper's date in the title is no answer to "how much funding" or "when was it dissolved"; it
    does answer "when was the report published"."""
    title = "National Probation Service update to the partnership board 2019-06-01"
    funding = Evidence.of("Some funding has now been secured to improve some of our offices.", None, title)
    assert align(parse("How much funding has been secured to improve the NPS offices?"), funding).type_ok is False
    assert align(parse("When was the funding secured?"), funding).type_ok is False
    assert align(parse("When was the board update published?"), funding).type_ok is True


def test_the_asked_attribute_or_relation_must_be_in_the_sentence():
    assert parse("What is the budget of the SOMMB?").asked == {"budget"}
    assert parse("Who chairs the Strategic Offender Management and MAPPA Board?").asked == {"chair"}
    assert parse("When was the Strategic Offender Management and MAPPA Board dissolved?").asked == {"dissolv"}
    assert parse("Which standards were rated outstanding?").asked == set()  # an answer names an instance
    created = Evidence.of("One of the most significant changes has been to combine the old LLR Reducing Reoffending "
                          "Board with the MAPPA Strategic Management Board to create a new Board, the Strategic "
                          "Offender Management and MAPPA Board (SOMMB).")
    assert align(parse("What is the budget of the SOMMB?"), created).asked_missing == ["budget"]
    assert align(parse("When was the Strategic Offender Management and MAPPA Board created?"), created).asked_missing \
        == []


def test_the_candidate_answer_must_share_a_clause_with_what_the_question_matches():
    """A date elsewhere in the sentence is not a date for the matched part."""
    far = Evidence.of("Some funding has now been secured to improve our offices, but the end point of the "
                      "transfers will be achieved by spring 2021.")
    assert align(parse("When was funding secured to improve the offices?"), far).clause_share == 0.0
    near = Evidence.of("Fieldwork for this inspection took place in August 2018.")
    assert align(parse("When did fieldwork for this inspection take place?"), near).clause_share == 1.0


def test_a_who_question_answered_only_by_a_single_capitalised_word_is_weak():
    director = Evidence.of("In England each area will be overseen by a new dedicated regional director who will "
                           "provide strategic leadership.")
    weak = align(parse("Who is the regional director for the East division?"), director)
    assert weak.type_ok is True and weak.weak_name is True  # "England" is no director
    stacey = Evidence.of("Dame Glenys Stacey, HM Chief Inspector of Probation, said the leadership had a clear vision.")
    strong = align(parse("Who is HM Chief Inspector of Probation?"), stacey)
    assert strong.type_ok is True and strong.weak_name is False


def test_the_new_features_reach_the_model_and_refuse_near_misses_on_the_real_index(service):
    """Fitted model on the real corpus and index: near-misses with an absent attribute or relation are refused
    saying what is missing; a control in the same words is answered."""
    model = load_model()
    assert {"asked_missing", "clause_share", "absent_terms", "type_weak", "negation"} <= set(model["features"])
    for question, missing in [("Which company will run the new prison at Glen Parva?", "company"),
                              ("When was the Strategic Offender Management and MAPPA Board dissolved?", "dissolved"),
                              ("Who chairs the Strategic Offender Management and MAPPA Board?", "chairs")]:
        answer = service.ask(question)
        assert answer.status == "no_answer", (question, answer.answer)
        assert missing in answer.answer and answer.answerability["probability"] < answer.answerability["threshold"]
    control = service.ask("Which board was combined with the MAPPA Strategic Management Board to create the SOMMB?")
    assert control.status == "answered" and "Reducing Reoffending Board" in control.answer
    chairs = service.ask("Who chairs the Strategic Offender Management and MAPPA Board?")
    assert chairs.answerability["missing"] == ["chairs"]


def test_negation_in_the_sentence_against_the_question_is_seen():
    timetable = Evidence.of("As yet there is no detailed published timetable but the end point is expected by "
                            "spring 2021.")
    assert align(parse("When was the detailed timetable published?"), timetable).negation_mismatch is True
    assert align(parse("When is the end point expected?"), timetable).negation_mismatch is False


def test_the_stem_set_of_a_passage_is_the_set_of_its_stems():
    """idf_weights stems each distinct word of a passage once (_stem_set); it must hold the same stems as the
    analyser's token list, cold and warm."""
    from assistant.question_parse import _stem_set, _stem_tuple

    texts = _corpus_texts()
    clear_caches()
    for t in texts:
        assert _stem_set(t) == set(_stem_tuple(t)), t
    clear_caches()
    assert all(_stem_set(t) == set(_stem_tuple(t)) for t in reversed(texts))
    assert len(texts) > 100
