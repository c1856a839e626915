"""Probation domain behaviour on the real corpus: glossary, dates and supersession, the ratings table."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.glossary import Glossary
from assistant.ratings import extract_ratings
from tests.conftest import CORPUS

PRESS = "hmip-midlands-nps-press-release-2018"
BOARD = "llr-nps-board-update-2019"
GLOSSARY = Glossary.load(CORPUS / "glossary.yaml")


# --- glossary -----------------------------------------------------------------------------

def test_glossary_covers_the_field_and_points_at_defining_documents(service):
    for abbr in ["MAPPA", "MAPPA level 1", "MAPPA level 3", "MAPPA category 4", "OMIC", "IOM", "SOMMB", "SPB", "LDU",
                 "PDU", "CRC", "NPS", "HMPPS", "HMIP", "MoJ", "OPCC", "PCC", "RoSH", "OASys", "ViSOR", "SFO", "AP",
                 "LLR"]:
        assert GLOSSARY.get(abbr) is not None, abbr
    for term in GLOSSARY.terms:
        if term.defined_in:  # the document named really spells the term out
            text = " ".join(p.text for p in service.snapshot().passages if p.doc_id == term.defined_in)
            assert any(f.lower().replace("’", "'") in text.lower().replace("’", "'")
                       for f in (term.expansion, *term.variants)), term.abbr


def test_either_form_retrieves_passages_using_the_other(service):
    # the press release never writes "HMIP"; the expansion finds its recommendations passage
    assert "Her Majesty's Inspectorate of Probation" in GLOSSARY.expand_query("HMIP recommendations")
    hits = service.search("HMIP recommendations", k=3, mode="bm25")
    assert any(h.passage.doc_id == PRESS and "Inspectorate’s recommendations" in h.passage.text for h in hits)
    hits = service.search("integrated offender management", k=3, mode="bm25")
    assert any("(IOM)" in h.passage.text for h in hits)


def test_what_does_x_stand_for_is_answered_from_the_defining_passage(service):
    for question, expansion, paragraph in [
        ("What does SOMMB stand for?", "Strategic Offender Management and MAPPA Board", "8"),
        ("what is omic", "Offender Management in Custody", "7"),
        ("What is MAPPA?", "Multi-Agency Public Protection Arrangements", "footnote 1"),
        ("LLR stands for?", "Leicester, Leicestershire and Rutland", "2–3"),  # paragraph 2 spells it out
    ]:
        answer = service.ask(question)
        assert answer.status == "answered", question
        assert expansion in answer.answer and "[1]" in answer.answer
        cited = answer.citations[0]
        assert cited.doc_id == BOARD and paragraph in (cited.paragraph or ""), (question, cited.paragraph)
        assert expansion in cited.quote


def test_a_term_no_document_defines_is_not_answered_from_a_passing_mention(service):
    answer = service.ask("What is a MAPPA level 3 case?")
    assert answer.status == "no_answer"
    assert answer.citations  # the nearest passages are still shown
    assert any(n.startswith("Glossary, not an indexed document: MAPPA level 3") for n in answer.notes)


def test_answers_expand_abbreviations_at_first_use(service):
    answer = service.ask("What are the aims of the SOMMB?")
    assert "the old LLR (Leicester, Leicestershire and Rutland) Reducing Reoffending Board" in answer.answer
    assert answer.answer.count("(Leicester, Leicestershire and Rutland)") == 1
    assert "MAPPA Board (SOMMB) (" not in answer.answer  # already spelt out there
    # a lead-in ending with a colon keeps its list
    assert "The aims of the SOMMB are to: Address the causes of and partnership response to re-offending;" in answer.answer


# --- dates --------------------------------------------------------------------------------

def test_a_year_in_the_question_filters_by_publication_and_is_stated(service):
    answer = service.ask("What did inspectors say about workloads in 2018?")
    assert answer.status == "answered"
    assert {c.published[:4] for c in answer.citations} == {"2018"}
    assert answer.notes[0].startswith("Searched documents published 2018-01-01 to 2018-12-31")
    answer = service.ask("What did the board hear about staffing in 2019?")
    assert {c.doc_id for c in answer.citations} == {BOARD}


def test_since_the_reunification_searches_after_june_2021(service):
    answer = service.ask("What has changed in victim liaison since the reunification?")
    assert answer.status == "no_answer"
    assert "published on or after 2021-06-26" in answer.answer


def test_superseded_document_loses_to_the_newer_one_and_is_flagged(fresh_service):
    corpus = Path(fresh_service.settings.corpus_dir)
    old = (corpus / f"{BOARD}.txt").read_text(encoding="utf-8")
    (corpus / "llr-nps-board-update-2020.txt").write_text(
        old.replace("approximately 350 of our", "approximately 410 of our"), encoding="utf-8")
    manifest = yaml.safe_load((corpus / "manifest.yaml").read_text())
    manifest["documents"]["llr-nps-board-update-2020.txt"] = dict(
        manifest["documents"][f"{BOARD}.txt"], title="NPS update to the partnership board 2020", published="2020-06-01",
        supersedes=BOARD)
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    fresh_service.ingest()
    assert fresh_service.document(BOARD).superseded_by == "llr-nps-board-update-2020"

    question = "How many long-term custody cases will transfer to prison offender management teams?"
    answer = fresh_service.ask(question)
    assert answer.citations[0].doc_id == "llr-nps-board-update-2020"
    assert "410" in answer.answer and "350" not in answer.answer
    assert not answer.notes

    # asking what 2019's papers said only finds the old paper, and the answer says what replaced it
    # (a bare "in 2019" now asks about events in 2019, not a publication filter: issue 12)
    answer = fresh_service.ask(question.replace("?", ", according to papers published in 2019?"))
    assert answer.citations[0].doc_id == BOARD and "350" in answer.answer
    assert any("superseded by “NPS update to the partnership board 2020” (2020-06-01)" in n for n in answer.notes)


# --- ratings ------------------------------------------------------------------------------

def test_ratings_extracted_from_the_seeds(service):
    snap = service.snapshot()
    press = extract_ratings([p for p in snap.passages if p.doc_id == PRESS])
    assert [(r.body, r.overall, r.inspected, r.published) for r in press] == \
        [("NPS Midlands division", "Good", "2018-08", "2018-12-18")]
    assert "assessing its overall performance as good" in press[0].citation.quote
    board = extract_ratings([p for p in snap.passages if p.doc_id == BOARD])
    assert len(board) == 1 and board[0].overall == "Good"
    assert board[0].standards == {"Court work": "Outstanding", "Case supervision assessment": "Outstanding",
                                  "Case supervision planning": "Outstanding"}
    assert board[0].citation.paragraph == "5"


def test_ratings_rows_come_from_the_inspectorate_and_restatements_cite_them(service):
    # both documents' ratings are extracted and kept on their document at ingest...
    assert service.document(PRESS).ratings and service.document(BOARD).ratings
    assert service.document(PRESS).ratings_authority is True and service.document(BOARD).ratings_authority is False
    # ...but only the inspection report gives rows; the board paper restating its rating is a citation for it
    rows = service.ratings()
    assert [(r.published, r.citation.doc_id, r.overall) for r in rows] == [("2018-12-18", PRESS, "Good")]
    assert [c.doc_id for c in rows[0].supporting] == [BOARD]


def test_a_rating_only_a_board_paper_gives_is_quoted_from_it_not_tabled(service):
    answer = service.ask("Which areas were rated outstanding for court work?")
    assert answer.status == "answered" and answer.table is None  # not a ratings row: the paper, quoted and cited
    assert "court work rated as outstanding" in answer.answer
    assert answer.citations[0].doc_id == BOARD


def test_compare_the_midlands_ratings_gives_the_inspectorates_row_with_its_restatement(service):
    answer = service.ask("Compare the Midlands ratings")
    lines = answer.answer.splitlines()
    assert len(lines) == 1 and lines[0].endswith("[1] (also reported in [2])")
    assert "overall Good" in lines[0] and "inspected 2018-08, published 2018-12-18" in lines[0]
    assert [c.doc_id for c in answer.citations] == [PRESS, BOARD]
    assert answer.table[0]["supporting"][0]["doc_id"] == BOARD


def test_a_rating_for_a_body_the_corpus_never_mentions_is_not_invented(service):
    answer = service.ask("What rating did inspectors give the NPS division in Wales?")
    assert answer.status == "no_answer"
    assert "Wales" in answer.answer and "NPS Midlands division" in answer.answer  # says what it does have


def test_a_ratings_question_naming_a_year_uses_that_years_inspection_or_none(service):
    # "in 2017" is an event year (not a publication filter); the ratings answer must not fall back to the
    # 2018 inspection (published 2018 and 2019) but say no inspection of that year is indexed
    answer = service.ask("What overall rating did NPS Midlands get in 2017?")
    assert answer.status == "no_answer" and "2017" in answer.answer
    assert "inspected 2018-08, published 2018-12-18" in answer.answer  # says what it does have
    answer = service.ask("What overall rating did NPS Midlands get in 2018?")
    # one row (the 2018 inspection); the board paper that restates it is cited as support, not as a second row
    assert answer.status == "answered" and answer.answer.count("\n") == 0 and answer.answer.count(" — ") == 1
    assert "inspected 2018-08, published 2018-12-18" in answer.answer and answer.citations[0].doc_id == PRESS


def test_a_place_no_document_mentions_means_no_answer(service):
    answer = service.ask("What did HMIP find when it inspected the London NPS division?")
    assert answer.status == "no_answer"
    assert "The indexed documents never mention London." in answer.notes
    # glossary abbreviations are known words even where the documents spell them out
    assert service.ask("how many FTE staff does the Midlands division employ?").status == "answered"


def test_a_follow_up_is_read_as_the_standalone_question_it_stands_for(service):
    """A contrast swaps the topic into the earlier question, whose shortcuts (the ratings table) then apply."""
    answer = service.ask("and what about court work?", context="What rating did inspectors give NPS Midlands?")
    assert answer.question == "and what about court work?"
    assert answer.read_as.how == "contrast" and "court work" in answer.read_as.question
    # the inspectorate's row gives no court work rating; the board paper's is quoted from it, not tabled
    assert answer.table is None and "outstanding" in answer.answer.lower() and answer.citations[0].doc_id == BOARD
    alone = service.ask("how many cases?")
    followed = service.ask("how many cases?", context="What happens to long-term custody cases under OMIC?")
    assert "350" in followed.answer and followed.citations[0].paragraph == "7"
    assert "350" not in alone.answer and alone.read_as is None


def test_a_pdu_named_in_the_question_must_match_the_rows_body_not_only_its_region():
    """"Eastvale North PDU" shares "Eastvale" with the Calderbrook and Wendle PDU row (Eastvale region): the
    generated library answered it with Calderbrook's ratings. Every word of the named body must match."""
    from assistant.domain import _select_rows
    from assistant.ratings import RatingRow

    rows = [RatingRow.model_construct(body="Calderbrook and Wendle Probation Delivery Unit", area="Eastvale",
                                      overall="Good", standards={}),
            RatingRow.model_construct(body="Harrowfield Probation Delivery Unit", area="Northmoor",
                                      overall="Requires improvement", standards={})]
    assert _select_rows("What overall rating did Eastvale North PDU get?", rows)[0] == []
    assert [r.body for r in _select_rows("How was Calderbrook and Wendle PDU rated overall?", rows)[0]] == \
        ["Calderbrook and Wendle Probation Delivery Unit"]
    assert [r.body for r in _select_rows("Which PDUs in the Eastvale region were rated?", rows)[0]] == \
        ["Calderbrook and Wendle Probation Delivery Unit"]


def test_a_change_of_rating_or_an_unrated_topic_is_not_answered_with_the_overall_rating(service):
    """"When did the Midlands division stop being rated good?" and "What rating did inspectors give the Midlands
    division's unpaid work?" were both answered "NPS Midlands division — overall Good": one inspection's row
    records neither a change nor a rating of every topic when it was read from prose."""
    from assistant import domain

    assert not domain.is_ratings_question("When did the Midlands division stop being rated good?")
    assert domain.is_ratings_question("How was the Midlands division rated?")
    for question in ("When did the Midlands division stop being rated good?",
                     "What rating did inspectors give the Midlands division's unpaid work?"):
        assert "overall Good" not in service.ask(question).answer
    assert "overall Good" in service.ask("What rating did inspectors give the Midlands division?").answer
