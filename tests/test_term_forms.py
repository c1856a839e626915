"""Other forms a sentence gives a question's words in (assistant/term_forms.py), as the answerability stage's
alignment uses them: irregular verbs, acronyms spelt out, instances of a "what X" category, and names the
passage gives as context, while a swapped name or acronym and the asked attribute still count as missing.
Sentences from the generated library (evals/library) and the corpus."""

from __future__ import annotations

from assistant.answerability import Evidence, align, parse
from assistant.term_forms import acronym_spelt, instance_of, neighbours, other_names, verb_form_in

CONTRACT = ("2.2 The Commissioned Rehabilitative Services accommodation contract in Northmoor is held by Larkspur "
            "Housing Support and runs until 31 March 2026.")
HOSTELS = ("3.3 Dunholme and Pike had the lowest share of people in settled accommodation. "
           "The local authority there has lost two hostels since 2022.")
MIDLANDS = ("The NPS comprises seven divisions: six in England and one in Wales. The NPS Midlands Division supervises "
            "over 17,500 offenders and employs over 1,600 full-time-equivalent staff.")


def _last_sentence(passage: str, context: str = "") -> Evidence:
    return Evidence.of(passage.split(". ")[-1], None, context, passage)


def test_an_irregular_verb_form_and_an_acronym_spelt_out_match():
    a = align(parse("Who holds the CRS accommodation contract in Northmoor?"), Evidence.of(CONTRACT))
    assert a.matched["hold"] == "verb" and a.matched["crs"] == "synonym"
    assert not a.missing and not a.asked_missing and a.type_ok is True
    swapped = align(parse("Who holds the CAS accommodation contract in Northmoor?"), Evidence.of(CONTRACT))
    assert swapped.missing_names == ["CAS"]
    assert verb_form_in("see", {"saw", "centr"}) and verb_form_in("wrote", {"written"})
    assert not verb_form_in("hold", {"hold", "contract"})   # the same form is the stemmer's match, not this one
    assert acronym_spelt("MoJ".upper(), "the Ministry of Justice said") and not acronym_spelt("crs", CONTRACT)


def test_a_place_named_in_the_sentence_before_counts_as_context_but_a_swapped_place_does_not():
    ev = _last_sentence(HOSTELS)
    assert neighbours(ev.text, HOSTELS).startswith("3.3 Dunholme and Pike")
    a = align(parse("How many hostels has the Dunholme and Pike local authority lost since 2022?"), ev, context=True)
    assert a.matched["dunholm"] == a.matched["pike"] == "context" and not a.missing
    assert 0 < a.context_share < 0.5 and a.term_share < 1.0   # weaker than matched in the sentence
    swapped = align(parse("How many hostels has the Kestlemoor local authority lost since 2022?"), ev, context=True)
    assert swapped.missing_names == ["Kestlemoor"]
    # a generated claim (the LLM check) must be supported by the sentence it cites, not its neighbours
    claim = align(parse("The Dunholme and Pike local authority has lost two hostels since 2022.", question=False), ev)
    assert claim.missing_names == ["Dunholme", "Pike"]


def test_a_sentence_naming_another_place_does_not_take_the_questions_from_its_context():
    ev = _last_sentence(MIDLANDS)
    assert other_names(ev.text, {"nps", "wale", "divis"}) == ["The NPS Midlands Division"]
    a = align(parse("How many full-time-equivalent staff does the NPS Wales division employ?"), ev, context=True)
    assert a.missing_names == ["Wales"]
    # a who-question's answer is a name, not another body
    assert other_names("The police lead for IOM, Inspector Rosalind Achterberg, will report back in June 2024.",
                       {"iom", "june", "eastval"}, person_asked=True) == []


def test_a_place_in_the_section_title_counts_and_a_swapped_one_does_not():
    ev = Evidence.of("Twenty-six people slept rough on the first night after release.", None,
                     "Accommodation on release from custody in Northmoor 3. Position in quarter 3")
    assert not align(parse("How many people released in Northmoor slept rough on the first night?"), ev).missing
    assert align(parse("How many people released in Eastvale slept rough on the first night?"),
                 ev).missing_names == ["Eastvale"]


def test_the_asked_attribute_is_never_taken_from_the_context():
    passage = "The board is chaired by the police in Northmoor. The board meets every quarter in Northmoor."
    a = align(parse("Who chairs the board in Northmoor?"), _last_sentence(passage), context=True)
    assert a.asked_missing == ["chairs"] and "chair" not in a.matched


def test_a_weakness_is_named_by_a_lack_and_a_share_by_a_fraction():
    lack = Evidence.of("Inspectors noted, in areas for improvement in individual case supervision, that there was "
                       "a lack of responsiveness where concerning information comes to light.")
    assert align(parse("What weakness did inspectors note in individual case supervision?"), lack).type_ok is True
    praise = Evidence.of("Inspectors praised individual case supervision for its clear plans.")
    assert align(parse("What weakness did inspectors note in individual case supervision?"), praise).type_ok is False
    third = Evidence.of("Safeguarding checks were missing in a third of these cases.")
    assert align(parse("In what share of domestic abuse cases were safeguarding checks missing?"), third).type_ok
    assert instance_of("share", "Checks were missing in 12% of cases.")
    assert not instance_of("share", "Safeguarding checks were carried out in domestic abuse cases.")


def test_a_role_answers_who_and_a_labelled_table_value_answers_how_many():
    told = Evidence.of("5.2 Where information about a victim is shared, the victim liaison officer must be told "
                       "before the meeting.")
    assert align(parse("Who must be told before a MAPPA meeting where information about a victim is shared?"),
                 told).type_ok is True
    assert align(parse("Who must be told before the victim liaison officer meeting?"), told).type_ok is False
    row = Evidence.of("Table 1: Caseload and staffing by team, Harrowfield PDU — Kestle Bridge — Cases supervised: "
                      "234, High or very high risk of serious harm: 47, Probation officers (FTE): 4.5.")
    assert align(parse("How many probation officers does Kestle Bridge have?"), row).head_ok is True
    high = align(parse("How many high or very high risk of serious harm cases does Kestle Bridge hold?"), row)
    assert high.clause_share > 0.5   # the label and its value are one clause
    assert align(parse("How many vacancies does Kestle Bridge have?"), row).head_ok is False


def test_a_comparison_offering_both_sides_is_no_conflict_but_a_one_sided_one_is():
    lower = Evidence.of("Proven reoffending among people in the fixed cohort was lower than in the flex cohort in "
                        "every locality.")
    assert align(parse("Was proven reoffending higher in the fixed or the flex IOM cohort?"), lower).conflicts == []
    assert align(parse("Was proven reoffending higher in the fixed cohort?"), lower).conflicts


def test_a_rate_asked_for_is_not_matched_by_rated():
    """"What is the proven reoffending rate in Harrowfield?" quoted "we rated Harrowfield PDU as 'Requires
    improvement'" (the stems agree): the noun needs the noun; the verb "how did inspectors rate" keeps its match."""
    rated = Evidence.of("Overall, we rated Harrowfield PDU as 'Requires improvement'.")
    noun = align(parse("What is the proven reoffending rate in Harrowfield PDU?"), rated)
    assert "rate" in noun.missing_terms
    verb = align(parse("How did inspectors rate Harrowfield PDU overall?"), rated)
    assert "rate" not in verb.missing_terms
    rate = align(parse("What is the proven reoffending rate in Harrowfield PDU?"),
                 Evidence.of("The proven reoffending rate in Harrowfield PDU was 24 per cent."))
    assert not rate.missing_terms


def test_a_division_or_pdu_swapped_for_another_is_a_conflict():
    """"How many staff does the NPS Wales division employ?" quoting the Midlands Division's staff figure (p 0.49
    against the threshold 0.47 after the merged re-fit): the sentence names another unit in the same place. One
    rule (support_terms._modifier_swaps) for a question and a generated claim, the unit noun in either case."""
    a = align(parse("How many full-time-equivalent staff does the NPS Wales division employ?"), _last_sentence(MIDLANDS))
    assert a.conflicts == ["Wales division vs Midlands division"]
    assert not align(parse("How many full-time-equivalent staff does the NPS Midlands division employ?"),
                     _last_sentence(MIDLANDS)).conflicts
    claim = align(parse("The NPS Wales division employs over 1,600 staff.", question=False), _last_sentence(MIDLANDS))
    assert claim.conflicts == ["Wales division vs Midlands division"]

    def swaps(question: str, sentence: str) -> list[str]:
        return align(parse(question), Evidence.of(sentence)).conflicts

    assert swaps("How many staff does Calderbrook and Wendle PDU have?", "Calderbrook PDU has 40 staff.") == []
    assert swaps("How many staff does Harrowfield PDU have?", "The PDU has 40 staff.") == []
    assert swaps("How many staff does Harrowfield PDU have?", "Saltmarsh Coast PDU has 40 staff.") == \
        ["Harrowfield PDU vs Coast PDU"]
    assert swaps("How many staff does the Eastvale region have?", "The Westmoor region has 40 staff.") == \
        ["Eastvale region vs Westmoor region"]
    assert swaps("How many staff does the NPS division have?", "The Midlands division has 40 staff.") == []
    assert swaps("How many staff does the Wales division have?", "In Wales the work moved to the Midlands division, "
                 "which has 40 staff.") == []   # the asked one named in the sentence
