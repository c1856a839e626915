"""Issue 14 §2: an abbreviation is spelt out at first use, never doubled up ("HMIP (Her Majesty's Inspectorate of
Probation)" inside a sentence that already names the inspectorate). The expansion is the service's
(assistant/glossary.py), so it is tested on the glossary, through Service.ask on the real corpus, and in the
Slack reply (real Bolt, signed requests, the Slack stand-in)."""

from __future__ import annotations

import re

from slack_fake import blocks_of, mention
from test_slack import fake, make_bot  # noqa: F401 (fixtures)

from assistant.glossary import Glossary

GLOSSARY = Glossary.load()
HMIP = "Her Majesty's Inspectorate of Probation"
Q = "Have all NPS areas undergone full inspection by HMIP?"


def doubled(text: str) -> list[str]:
    """An abbreviation followed by a bracket that repeats a name already there, or nested expansions."""
    return re.findall(r"\(\s*[A-Z]{2,}\s*\(", text) + re.findall(r"\)\s*\(Her Majesty", text)


def test_expansion_is_added_once_and_never_beside_a_name_already_spelt_out():
    cases = {
        # the curly apostrophe of the documents, the straight one of the glossary
        "All areas were inspected by Her Majesty’s Inspectorate of Probation (HMIP). It was good.":
            "All areas were inspected by Her Majesty’s Inspectorate of Probation (HMIP). It was good.",
        "HM Inspectorate of Probation (HMIP) found the work good.":  # a variant of the name
            "HM Inspectorate of Probation (HMIP) found the work good.",
        f"HMIP ({HMIP}) rated it good.": f"HMIP ({HMIP}) rated it good.",
        f"{HMIP}, the independent inspector of youth offending and probation services, said HMIP would return.":
            f"{HMIP}, the independent inspector of youth offending and probation services, said HMIP would return.",
        "The inspectorate (HMIP) rated it good. HMIP will return.":
            f"The inspectorate (HMIP: {HMIP}) rated it good. HMIP will return.",
        "HMIP rated it good. HMIP will return.": f"HMIP ({HMIP}) rated it good. HMIP will return.",
        # MAPPA inside the SOMMB's own name is not a use of MAPPA
        "The SOMMB met.": "The SOMMB (Strategic Offender Management and MAPPA Board) met.",
    }
    for given, expected in cases.items():
        once = GLOSSARY.expand_first_use(given)
        assert once == expected, given
        assert GLOSSARY.expand_first_use(once) == once  # applying it again changes nothing
    # the name with either apostrophe is recognised as the term (query expansion too)
    assert [t.abbr for t in GLOSSARY.mentioned("Her Majesty’s Inspectorate of Probation")] == ["HMIP"]
    assert GLOSSARY.expand_query("Her Majesty’s Inspectorate of Probation findings").endswith("(HMIP)")


def test_service_answer_quoting_the_spelt_out_name_is_not_doubled(service):
    answer = service.ask(Q)
    assert answer.status == "answered"
    assert "Inspectorate of Probation (HMIP)." in answer.answer
    assert answer.answer.count("Inspectorate of Probation") == 1 and not doubled(answer.answer)
    assert "NPS (National Probation Service)" in answer.answer  # first use of a bare abbreviation still expanded


def test_slack_reply_is_not_doubled(make_bot):
    h = make_bot()
    h.post.event(mention(Q))
    h.answered()
    post = h.fake.of("chat.postMessage")[0]
    first = next(b for b in blocks_of(post) if b["type"] == "section")["text"]["text"]
    assert "Inspectorate of Probation (HMIP)." in first
    assert first.count("Inspectorate of Probation") == 1 and not doubled(first)
    assert not doubled(post.args["text"])
