"""A question's word said in another form by the sentence that answers it (assistant/word_forms.py): an irregular
inflection ("flee"/"fled"), a British or American spelling ("reorganized"/"reorganised"), an action noun for its
verb ("deny"/"denial", "admit"/"admission"), asked through the real service and answerability stage; and the
swaps a near-miss makes ("offence" for "offender", "decrease" for "increase", another role) still refused.
Our own board minutes, written for these tests."""

from __future__ import annotations

import pytest

from assistant.answerability import Evidence, align, parse
from assistant.word_forms import different_words, form_in, other_stems
from tests import realdocs

MINUTES = """# Eastmoor Reducing Reoffending Board: minutes of 4 March 2024

## 1. Governance

The Eastmoor Reducing Reoffending Board was recognised in 2016 as the county's lead partnership on reoffending.
The board's decision to merge the two MAPPA panels was taken in October 2022.

## 2. Case review: a man on licence

The offender fled to Cardiff in May 2023 and was recalled to custody the following week.
He hid the phone in the loft of his sister's house in Penarth.
His marriage to Leah Price had taken place in Swansea in 2021.
His admission to Eastmoor approved premises followed on 14 July 2023.

## 3. Performance

Caseloads in the Eastmoor PDU increased by 12% in the year to March 2024.
"""


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    return realdocs.service_over(tmp_path_factory, "word-forms", {"eastmoor-rrb-minutes-2024-03.md": MINUTES})


@pytest.mark.parametrize(("question", "word", "expected"), [
    ("When was the Eastmoor Reducing Reoffending Board recognized as the lead partnership?", "recognized",
     "2016"),                                                                               # American spelling
    ("Where did the offender flee to in May 2023?", "flee", "Cardiff"),                      # irregular past
    ("Where did the offender hide the phone?", "hide", "Penarth"),
    ("When was the offender admitted to Eastmoor approved premises?", "admitted", "14 July 2023"),  # action noun
    ("Where did the offender marry Leah Price?", "marry", "Swansea"),
    ("Who did the offender marry in Swansea?", "marry", "Leah Price"),
])
def test_a_word_the_sentence_says_in_another_form_is_answered(svc, question, word, expected):
    answer = svc.ask(question)
    assert answer.status == "answered", answer.answerability
    assert expected in answer.answer
    assert word not in answer.answerability["missing"]   # the stage found it, in the sentence it quotes


@pytest.mark.parametrize(("question", "swapped"), [
    ("By how much did caseloads in the Eastmoor PDU decrease in the year to March 2024?", None),  # the opposite
    ("Where did the victim flee to in May 2023?", "victim"),                                       # another person
    ("Where did the offender's brother flee to in May 2023?", "brother"),                          # another one
    ("Where did the offence take place in May 2023?", "offence"),      # one letter from "offender", no typo
])
def test_a_swapped_word_is_still_refused(svc, question, swapped):
    answer = svc.ask(question)
    assert answer.status == "no_answer", answer.answer
    assert swapped is None or swapped in answer.answerability["missing"]


def test_forms_are_found_for_the_question_word_and_not_for_a_swap():
    assert {"fled"} <= other_stems("flee") and "flee" in other_stems("fled")
    assert "reorganis" in other_stems("reorganized") and "offens" in other_stems("offence")
    assert "marriag" in other_stems("marry") and "invad" in other_stems("invasion")
    # a person is not their offence, an inspector not the inspection, a rise not a fall
    for word, other in (("offence", "offender"), ("inspection", "inspector"), ("increase", "decrease"),
                        ("decreased", "increased"), ("victim", "offender")):
        assert not form_in(word, set(parse(other, question=False).terms)), (word, other)
    # a name is matched as written ("Rose" is no form of "rise"); a verb capitalised by mistake is no name
    assert not other_stems("Rose") and "marriag" in other_stems("Marry")
    # a base that is a noun or adjective too makes false friends: "short" is not "shortage", "note" not "notion"
    assert "shortag" not in other_stems("short") and "notion" not in other_stems("note")
    assert not other_stems("probation") and "divid" not in other_stems("division")
    # two regular forms are the stemmer's business, whatever its quirks ("staffing" -> "staf", "staff" -> "staff")
    assert "staff" not in other_stems("staffing") and "staf" not in other_stems("staff")


def test_the_alignment_names_the_match_and_the_llm_claim_check_shares_it():
    ev = Evidence.of("Several monks of Saint-Evroul fled to southern Italy, where they were patronised by "
                     "Robert Guiscard.")
    a = align(parse("Who patronized the monks who had to flee?"), ev)
    assert a.matched["patron"] == "verb" and a.matched["flee"] == "verb" and not a.missing
    # a generated claim (assistant/llm/check.py aligns claims with the same function)
    claim = align(parse("The monks flee to southern Italy.", question=False), ev)
    assert not claim.missing
    swapped = align(parse("Who patronized the nuns?"), ev)
    assert swapped.missing == ["nuns"]


def test_another_dictionary_word_is_no_typo_but_a_misspelling_is():
    ev = Evidence.of("The Midlands division had 30 serious further offence reviews and the chief officer "
                     "contacted the victims.")
    assert align(parse("Who did the cheif officer contact?"), ev).matched["cheif"] == "typo"
    # "offenders" is one letter from "offence" and "contracts" two from "contacted": other words, not typos
    assert align(parse("How many offenders were reviewed?"), ev).missing == ["offenders"]
    assert "contracts" in align(parse("Who contacted the contracts team?"), ev).missing
    assert different_words("bought", "brought") and different_words("World", "would")
    assert not different_words("divison", "division") and not different_words("center", "centres")
    assert not different_words("clearer", "clear")   # one word's forms
