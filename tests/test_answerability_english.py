"""General English readings of the answerability stage, each with sentences written for the test: a year
before 1000, accents, the wh-phrase's word for the kind of answer, place nouns, opposites, a name given by the
sentence before, a relative clause's antecedent, agent nouns and place adjectives."""

from __future__ import annotations

from assistant.answer_binding import binding
from assistant.answerability import Evidence, align, parse
from assistant.term_forms import verb_form_in


def test_a_year_before_1000_is_a_date_but_a_count_after_in_is_not():
    when = parse("When was the priory founded?")
    assert align(when, Evidence.of("The priory, which began in 870 as a cell of the abbey, was rebuilt.")).type_ok
    assert align(when, Evidence.of("The priory was founded by monks who came in 300 boats.")).type_ok is False


def test_accented_and_plain_spellings_of_a_name_match():
    a = align(parse("When did Rene Dubois arrive in Leeds?"), Evidence.of("René Dubois arrived in Leeds in 1950."))
    assert not a.missing_names


def test_the_word_naming_the_kind_of_answer_is_not_a_word_to_find():
    assert "year" not in parse("In what year did the board first meet?").terms
    assert "long" not in parse("How long did the review take?").terms
    assert "centuri" not in parse("In which century was the hall built?").terms
    assert "year" in parse("Who chaired the board last year?").terms


def test_opposites_of_time_and_trade_are_conflicts():
    assert align(parse("What did the modern town export?"),
                 Evidence.of("The medieval town exported wool to Flanders.")).conflicts
    assert align(parse("What did the town import?"), Evidence.of("The town exported wool to Flanders.")).conflicts


def test_a_name_given_by_the_sentence_before_reaches_a_sentence_that_says_he():
    passage = ("Inspector Alan Marsh visited the Leeds hostel in March. After meeting staff from Bradford and "
               "Wakefield, he wrote a report of 40 pages.")
    ev = Evidence.of("After meeting staff from Bradford and Wakefield, he wrote a report of 40 pages.",
                     passage=passage)
    a = align(parse("How many pages did Marsh's report have?"), ev, context=True)
    assert a.matched.get("marsh") == "context"
    # no pronoun: a sentence naming other places does not take the name from its neighbour
    ev2 = Evidence.of("After meeting staff from Bradford and Wakefield, the team wrote a report of 40 pages.",
                      passage=passage.replace("he wrote", "the team wrote"))
    assert "marsh" not in align(parse("How many pages did Marsh's report have?"), ev2, context=True).matched


def test_a_relative_clause_dates_the_short_phrase_it_follows():
    ask = parse("When was the Riverside hostel opened?")
    ev = Evidence.of("The Riverside hostel, which opened in 1998 with twelve beds, was rebuilt by the trust.")
    bound = binding(ask, ev, align(ask, ev), {})
    assert bound is not None and bound.share == 1.0
    # a long clause before "which" is a statement of its own: its words do not bind to the date
    ev2 = Evidence.of("The trust rebuilt the Riverside hostel for the county with new money from the board, which "
                      "opened an office in 1998.")
    bound2 = binding(ask, ev2, align(ask, ev2), {})
    assert bound2 is None or bound2.share < 1.0


def test_agent_nouns_of_irregular_verbs_and_place_adjectives_match():
    from assistant.question_parse import _stems

    def forms(question_word: str, sentence: str) -> bool:
        return verb_form_in(_stems(question_word)[0], set(_stems(sentence)))

    assert forms("leader", "Ellis led the review")
    assert forms("led", "the leader of the review")
    assert forms("Europe", "a European fund")
    assert forms("Italian", "trade with Italy")
    assert not forms("worker", "unpaid work")      # a regular verb's agent noun is left alone
    assert not forms("Norman", "the dukes of Normandy")


def test_the_x_of_what_x_stops_at_an_irregular_past_and_skips_a_vague_noun():
    ask = parse("What building type came after the timber halls?")
    assert ask.answer_type == "mention" and ask.focus == "build"
    assert parse("Where was the depot located?").terms.keys() == {"depot"}
    assert parse("What continent is Kenya in?").answer_type == "place"


def test_a_name_in_a_who_clause_is_not_the_person_it_describes():
    ask = parse("Who is the engagement lead for the trust?")
    ev = Evidence.of("I was contacted by the engagement lead for the trust, who wants to meet Jane Ellis in May.")
    bound = binding(ask, ev, align(ask, ev), {})
    assert bound is None or bound.share < 0.5
