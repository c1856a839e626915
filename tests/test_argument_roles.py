"""A question that keeps a sentence's words but swaps who did what is refused; one that keeps the roles is not
(assistant/argument_roles.py), and the small readings the answerability stage gained with it."""

from __future__ import annotations

import pytest

from assistant.answerability import Evidence, Quoted, assess, parse
from assistant.argument_roles import (
    direction_swaps,
    modifier_swaps,
    numeral_swaps,
    order_swaps,
    possessive_swaps,
    swaps,
)


def _order(question: str, sentence: str) -> list[str]:
    ask = parse(question)
    return order_swaps(question, sentence, set(ask.terms), lambda s: frozenset(), ask.names)


@pytest.mark.parametrize("question,sentence", [
    # the answer is the subject, and the question's object is the sentence's subject
    ("Who replaced the county council as the licensing authority?",
     "The county council replaced the parish board as the licensing authority in 1974."),
    ("Who joined Leeds teams in the review of the hostels?",
     "Some Leeds officers joined York teams in the review of the hostels."),
    # "did" question: its subject stands after the verb in the sentence
    ("When did the regional panel appoint the chief officer?",
     "In 2019 the chief officer appointed the regional panel members for a second term."),
    # passive: "what was merged into X" where X is what was merged
    ("What was merged into the Northern Trust?", "The Northern Trust was later merged into the Western Trust."),
])
def test_a_question_whose_words_swap_roles_around_the_verb_is_a_conflict(question, sentence):
    assert _order(question, sentence)


@pytest.mark.parametrize("question,sentence", [
    ("Who replaced the parish board as the licensing authority?",
     "The county council replaced the parish board as the licensing authority in 1974."),
    ("When did the chief officer appoint the regional panel?",
     "In 2019 the chief officer appointed the regional panel members for a second term."),
    # another voice: the roles cannot be read by order, so nothing is claimed
    ("Who replaced the county council?", "The county council was replaced by a unitary authority."),
    # a verb opening a clause of its own ("..., led by")
    ("Who led the York officers?", "The York officers, led by a senior manager, visited the hostel."),
    # a fronted phrase: "of all the areas inspected" stands before the verb, the subject does not move
    ("How did the York team rank among all the areas inspected?",
     "Of all the areas inspected, the York team ranked the highest overall."),
    # a name shared by the subject and a body after the verb: one of its words stays, one moves
    ("How many courts does Harrowfield PDU work with?",
     "The PDU works closely with Harrowfield Women's Hub and four courts."),
    # "the invading army": the asked verb used as an adjective is no verb
    ("Where did the army invade in 1169?", "The invading army replaced the old rulers as the ruling class."),
])
def test_a_question_keeping_the_roles_or_whose_roles_cannot_be_read_is_no_conflict(question, sentence):
    assert _order(question, sentence) == []


def test_a_possessive_relation_the_sentence_turns_round_is_a_conflict():
    assert possessive_swaps("Who was Carter's deputy?", "Carter, Ellis's deputy, chaired the panel.")
    assert possessive_swaps("Who was Carter's deputy?", "The chair and her deputy Carter visited the hostel.")
    assert possessive_swaps("Who was Carter's deputy?", "Ellis, Carter's deputy, chaired the panel.") == []
    assert possessive_swaps("Who was Carter's deputy?", "The deputy of Carter was Ellis.") == []


def test_from_against_to_and_a_different_numeral_are_conflicts():
    assert direction_swaps("Who moved from Leeds?", "Two officers moved to Leeds in May.")
    assert direction_swaps("Who moved from Leeds?", "Two officers moved from Leeds to York in May.") == []
    assert numeral_swaps("What did Henry II found?", "Henry III founded the abbey in 1230.")
    assert numeral_swaps("What did Henry III found?", "Henry III founded the abbey in 1230.") == []


def test_a_statement_is_left_to_the_post_checks_own_rules():
    ask = parse("The county council replaced the parish board.", question=False)
    assert swaps(ask, Evidence.of("The parish board replaced the county council.")) == []


def test_a_swapped_role_refuses_whatever_the_score():
    sentence = "The county council replaced the parish board as the licensing authority in 1974."
    quoted = [Quoted(0, 0, sentence, passage=sentence)]
    swapped = assess("Who replaced the county council as the licensing authority?", quoted, 0.9, 1.0,
                     strictness=0.01)
    assert swapped.status == "no_answer" and "county council “replaced”, not “replaced” county council" in swapped.reason
    right = assess("Who replaced the parish board as the licensing authority?", quoted, 0.9, 1.0, strictness=0.01)
    assert right.status == "answered"


def test_a_peoples_adjective_swapped_before_the_same_noun_is_a_conflict():
    assert modifier_swaps("Who was the first Danish envoy to the court?",
                          "The first Swedish envoy to the court was Nils Berg.")
    assert modifier_swaps("Who was the first Danish envoy to the court?",
                          "The first Danish envoy to the court was Nils Berg.") == []
    # names of places or bodies before a noun are left to the body and division checks
    assert modifier_swaps("When will the Harrowfield office close?", "The Probation office will close in May.") == []
