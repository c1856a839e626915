"""Contact details (issue 11): a telephone number, email address, website or postal address is answered only by a
detail of that kind, and only the asked person's. A board paper's "Officers to contact" block and a MAPPA
meeting's attendee list, written here, through the real Service (real model, Chroma, BM25): a telephone number
asked where only an email is given is refused saying so; an email asked is answered quoting that person's own
line, never the next person's."""

from __future__ import annotations

import textwrap

import pytest

from assistant import asked_contact
from assistant.text import split_sentences
from tests import realdocs

BOARD_PAPER = textwrap.dedent("""\
    Harrowmere Community Safety Partnership Board

    Integrated offender management refresh: progress report

    1. The Board is asked to note the progress of the integrated offender management refresh across the three
    districts. The refreshed cohort now includes people convicted of domestic abuse offences who are assessed
    as high risk of serious harm.

    2. Police, probation and the local authority now share a single case list, reviewed at a fortnightly panel
    chaired by the police.

    3. If members identify a partner agency that should join the panel, please notify Tomasz Wren (details
    below).

    Officers to contact

    Contact: Priya Lund, Head of Public Protection
    Tel: 01632 960418
    Email: priya.lund@harrowmere.gov.uk
    Tomasz Wren, Deputy Head
    Email: t.wren@harrowmere.gov.uk
    """)

# (name, role, email) of the MAPPA minute's attendees: a paragraph per line in a DOCX
ATTENDEES = [("Rowan Achebe", "Detective Inspector, Harrowmere Police", "rowan.achebe@harrowmere.police.uk"),
             ("Siobhan Farrell", "MAPPA Coordinator", "siobhan.farrell@justice.gov.uk")]
MINUTE_BODY = ("The panel reviewed the risk management plan for a level 2 case released to Approved Premises in "
               "Harrowmere. The panel agreed that the exclusion zone around the victim's workplace will remain in "
               "place until the next review in six weeks.")


def _minute_docx(path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Harrowmere MAPPA level 2 meeting: minutes", level=1)
    document.add_heading("Attendees", level=2)
    for name, role, email in ATTENDEES:
        document.add_paragraph(f"{name}, {role}")
        document.add_paragraph(f"Email: {email}")
    document.add_heading("Case review", level=2)
    document.add_paragraph(MINUTE_BODY)
    document.save(str(path))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return realdocs.service_over(tmp_path_factory, "contact", {"harrowmere-iom-board-paper.txt": BOARD_PAPER,
                                                               "harrowmere-mappa-minutes.docx": _minute_docx})


# --- splitting a contact block ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    # lines kept (a DOCX paragraph each) and lines joined (the plain-text cleaner joins unfinished lines)
    "Contact: Priya Lund, Head of Public Protection\nEmail: priya.lund@example.gov.uk\nTomasz Wren, Deputy Head\n"
    "Email: t.wren@example.gov.uk",
    "Contact: Priya Lund, Head of Public Protection Email: priya.lund@example.gov.uk Tomasz Wren, Deputy Head "
    "Email: t.wren@example.gov.uk",
])
def test_a_contact_block_is_a_sentence_per_person(text):
    assert split_sentences(text) == ["Contact: Priya Lund, Head of Public Protection Email: priya.lund@example.gov.uk",
                                     "Tomasz Wren, Deputy Head Email: t.wren@example.gov.uk"]


def test_prose_with_contact_details_is_not_cut():
    sentence = ("For media enquiries please contact Ellis Marr, Communications Officer, on 020 7946 0358 or "
                "ellis.marr@example.gov.uk")
    assert split_sentences(sentence) == [sentence]


def test_the_detail_must_be_of_the_asked_kind_and_the_asked_persons():
    block = "Carolyn Hale LDU Head Tel: 0116 496 0400 Email: c.hale@example.gov.uk Michael Dorn Deputy Head " \
            "Email: m.dorn@example.gov.uk"
    assert asked_contact.unmet("What is Carolyn Hale's telephone number?", [block]) is None
    assert asked_contact.unmet("What is Michael Dorn's email address?", [block]) is None
    # the block gives a telephone number, but Carolyn Hale's, above him
    assert asked_contact.unmet("What is Michael Dorn's telephone number?", [block]) == \
        "they give no telephone number for Michael Dorn"
    assert asked_contact.unmet("What is the website of the Harrowmere Partnership?", [block]) is not None
    assert asked_contact.unmet("How does the plan address housing need?", [block]) is None  # a verb, not a detail


@pytest.mark.parametrize("question,detail", [
    ("What is Michael Dorn's telephone number?", "telephone"),
    ("What number should I call to reach the MAPPA unit?", "telephone"),
    ("What is the email for the MAPPA coordinator?", "email"),
    ("Tomasz Wren's email address?", "email"),
    ("What is the web address of the board?", "website"),
    ("What is the address of the Approved Premises?", "postal"),
    ("What is the postcode of the Harrowmere office?", "postal"),
    # the word in passing asks for no detail
    ("How many staff have mobile phones?", None),
    ("What happens to cases in custody who have a home address in Leicester?", None),
    ("What did the email from the chief inspector say?", None),
    ("What does the website say about unpaid work?", None),
    ("Were victims contacted by telephone?", None),
    ("Who is the LDU Head to contact about the board paper?", None),
])
def test_the_detail_asked(question, detail):
    assert asked_contact.asked_detail(question) == detail


def test_the_stage_refuses_another_persons_detail_whatever_the_score():
    """With a threshold nothing fails (strictness 0.01) only a hard check refuses: the contact check is one."""
    from assistant.answerability import Quoted, assess

    block = ("Carolyn Hale LDU Head National Probation Service Tel: 0116 496 0400 Email: c.hale@example.gov.uk "
             "Michael Dorn Deputy Head Email: m.dorn@example.gov.uk")
    quoted = [Quoted(0, 0, block, title="Officers to contact", passage=block)]

    def verdict(question):
        return assess(question, quoted, 0.9, 1.0, strictness=0.01)

    refused = verdict("What is Michael Dorn's telephone number?")
    assert refused.status == "no_answer" and "telephone number for Michael Dorn" in refused.reason
    assert verdict("What is Carolyn Hale's telephone number?").status == "answered"
    assert verdict("What is Michael Dorn's email address?").status == "answered"
    assert verdict("What is the website of the National Probation Service?").status == "no_answer"


# --- through the service ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("question,missing", [
    ("What is Tomasz Wren's telephone number?", "telephone number for Tomasz Wren"),
    ("What is Siobhan Farrell's phone number?", "telephone number for Siobhan Farrell"),
])
def test_a_telephone_number_not_given_is_refused(service, question, missing):
    realdocs.assert_refused_naming(service.ask(question), missing)


@pytest.mark.parametrize("question,own,others", [
    ("What is Tomasz Wren's email address?", "t.wren@harrowmere.gov.uk", ["priya.lund@"]),
    ("What is Priya Lund's email address?", "priya.lund@harrowmere.gov.uk", ["t.wren@"]),
    ("What is Priya Lund's telephone number?", "01632 960418", ["t.wren@"]),
    ("What is Siobhan Farrell's email address?", "siobhan.farrell@justice.gov.uk", ["rowan.achebe@"]),
    ("What is Rowan Achebe's email address?", "rowan.achebe@harrowmere.police.uk", ["siobhan.farrell@"]),
])
def test_each_persons_own_detail_is_quoted(service, question, own, others):
    answer = service.ask(question)
    assert answer.status == "answered", answer.answer
    assert own in answer.answer
    for other in others:
        assert other not in answer.answer, answer.answer
