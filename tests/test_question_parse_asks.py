"""What a question asks (issue 11, near-miss round 3): figures asked with "what", ratings, the role of a who-
question, the event of a when-question, and where in the sentence the answer must stand (answer_binding)."""

from __future__ import annotations

from assistant.answer_binding import _opening_name, binding
from assistant.answerability import Evidence, Quoted, align, assess, parse


def _bind(question: str, sentence: str):
    ask, ev = parse(question), Evidence.of(sentence)
    return binding(ask, ev, align(ask, ev), {})


def test_a_figure_asked_with_what_wants_a_number():
    assert parse("What will the NPS caseload in LLR increase to?").answer_type == "number"
    assert parse("What will the caseload fall to?").answer_type == "number"
    assert parse("What is the budget of the SOMMB?").answer_type == "number"
    assert parse("What is the purpose of the SOMMB?").answer_type == "thing"   # not an amount


def test_how_was_it_rated_wants_a_rating_in_the_sentence():
    ask = parse("How was victim liaison work in the Midlands division rated?")
    assert ask.answer_type == "rating"
    assert parse("What rating did the unpaid work get?").answer_type == "rating"
    assert align(ask, Evidence.of("Workloads were too high for victim liaison officers.")).type_ok is False
    assert align(ask, Evidence.of("Victim liaison work in the Midlands division was rated good.")).type_ok is True


def test_the_role_of_who_is_the_x_is_asked():
    assert parse("Who is the regional director for the East division?").asked == {"director"}
    assert parse("Who was the Chief Inspector of Probation?").asked == {"inspector"}


def test_the_event_of_when_did_x_happen_is_asked():
    assert parse("When did the Midlands division stop being rated good?").asked == {"stop"}
    assert parse("When did LLR reach its target staffing?").asked == {"reach"}
    assert parse("When did the board meet?").asked == {"meet"}            # "board" heads the subject
    assert parse("Where did Oursel lead the Franks?").asked == {"lead"}
    assert parse("Where does the SFO team sit in the structure?").asked == set()   # a light verb
    assert parse("When will the long-term custody cases be transferred?").asked == set()  # "custody cases"
    ask = parse("When did LLR reach its target staffing?")
    assert align(ask, Evidence.of("LLR has recruited staff since December 2018 against its target.")).asked_missing \
        == ["reach"]


def test_the_answer_must_stand_with_what_the_question_matches():
    far = _bind("When was the Midlands division split into East and West?",
                "Significantly the Midlands division will be split into East and West; the transfer is expected by "
                "spring 2021.")
    assert far is not None and far.share < 0.5
    near = _bind("When was the Midlands division split into East and West?",
                 "The Midlands division was split into East and West in June 2021.")
    assert near is not None and near.share == 1.0


def test_a_fragment_binds_to_its_neighbour():
    dated = _bind("When did Rollo sign the treaty?", "In 1066, Rollo signed the treaty with the Frankish king.")
    assert dated is not None and dated.share == 1.0
    named = _bind("Who is the Chief Communications Officer for media enquiries?",
                  "For media enquiries please contact John Steele, Chief Communications Officer, on 020 3334 0357.")
    assert named is not None and named.asked_bound and named.share == 1.0
    role = _bind("Who is the stakeholder engagement lead for the MoJ?",
                 "I have been contacted by a stakeholder engagement lead for the MoJ who wants to discuss the new "
                 "prison at the site of the former HMP Glen Parva.")
    assert role is not None and not role.asked_bound   # the name stands in another clause than the lead


def test_a_swapped_area_is_not_where_the_figure_stands():
    sentence = ("In LLR we anticipate that this will increase the NPS caseload from 1800 to approximately 4500; "
                "the East division will comprise Nottingham and Nottinghamshire.")
    swapped = _bind("What will the NPS caseload in Nottinghamshire increase to?", sentence)
    assert swapped is not None and swapped.names_unbound == ["Nottinghamshire"]
    right = _bind("What will the NPS caseload in LLR increase to?", sentence)
    assert right is not None and right.names_unbound == [] and right.share == 1.0


def test_the_features_reach_assess_and_a_nearby_opposite_counts():
    quoted = [Quoted(0, 0, "More needs to be done to redress an imbalance in workloads between groups of staff."),
              Quoted(0, 1, "Workloads were too high, especially for probation officers.")]
    verdict = assess("For which staff were workloads too low?", quoted, 0.4, 0.7)
    assert verdict.features["conflict_nearby"] == 1.0
    assert assess("For which staff were workloads too high?", quoted, 0.4, 1.0).features["conflict_nearby"] == 0.0
    split = assess("When was the Midlands division split into East and West?",
                   [Quoted(0, 0, "Significantly the Midlands division will be split into East and West; the "
                                 "transfer is expected by spring 2021.")], 0.5, 1.0)
    assert split.features["unbound_share"] > 0.5


def test_a_name_opening_the_sentence_is_a_candidate_when_the_passage_names_it_elsewhere():
    passage = "Robert led the army. Bohemond, Robert's son, led the Normans. Later Bohemond went east."
    ask = parse("Who was Robert's son?")
    ev = Evidence.of("Bohemond, Robert's son, led the Normans.", passage=passage)
    bound = binding(ask, ev, align(ask, ev), {})
    assert bound is not None and bound.share == 1.0
    assert _opening_name(ev) == [("bohemond",)]
    assert _opening_name(Evidence.of("Workloads were too high.", passage="Workloads were too high.")) == []


def test_where_in_a_structure_asks_for_a_part_not_a_place():
    assert parse("Where does the SFO team sit in the Midlands divisional structure?").answer_type == "thing"
    assert parse("Where is the new prison being built?").answer_type == "place"
    assert parse("Where did the Normans settle in France?").answer_type == "place"


def test_a_table_row_binds_its_heading_and_labels_to_each_cell():
    row = ("Table 1: Caseload and staffing by team, Calderbrook PDU — Wendle Riverside — Cases supervised: 414, "
           "High or very high risk of serious harm: 115, Vacancies (FTE): 0.0.")
    bound = _bind("How many cases does the Wendle Riverside team supervise?", row)
    assert bound is not None and bound.names_unbound == [] and bound.share >= 0.8


def test_a_rate_or_percentage_asked_with_what_wants_a_figure():
    from assistant.question_parse import parse

    rate = parse("What is the proven reoffending rate in Harrowfield PDU?")
    assert rate.answer_type == "number" and "rate" in rate.asked
    assert parse("What percentage of cases had a sentence plan?").answer_type == "number"
    assert parse("How did inspectors rate Harrowfield PDU?").answer_type != "number"  # the verb asks for a rating
