"""Which way a figure moved: "What will the NPS caseload in LLR decrease to?" quoted "this will increase the NPS
caseload from 1800 to approximately 4500 ... when the caseload reductions from OMIC are taken into account". The
word "reductions" elsewhere in the sentence hid the opposite from the word-pair check (support_terms); the figures
themselves say which way the caseload goes. Read by answerability.assess through asked_slot.unfilled.
"""

from __future__ import annotations

import re

from assistant.text import numbers_in

_UP = re.compile(r"\b(?:increas\w*|ris(?:e|es|en|ing)|rose|grow\w*|grew|go(?:es)?\s+up|went\s+up|climb\w*|expand\w*)\b",
                 re.IGNORECASE)
_DOWN = re.compile(r"\b(?:decreas\w*|fall\w*|fell|drop\w*|reduc\w*|declin\w*|shrink\w*|shrank|go(?:es)?\s+down|"
                   r"went\s+down|cut)\b", re.IGNORECASE)
_FIGURE = r"(?:£?\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_FROM_TO = re.compile(rf"\bfrom\s+(?:about\s+|around\s+|approximately\s+|over\s+|under\s+|some\s+)?({_FIGURE})"
                      rf"(?:\s*(?:%|per\s?cent))?\s+to\s+(?:about\s+|around\s+|approximately\s+|over\s+|under\s+|"
                      rf"nearly\s+|almost\s+|just\s+(?:over|under)\s+|some\s+)?({_FIGURE})\b", re.IGNORECASE)


def asked_direction(question: str) -> str | None:
    """"up" or "down" when the question asks which figure something rises or falls to (or by); None otherwise."""
    up, down = bool(_UP.search(question)), bool(_DOWN.search(question))
    if up == down:
        return None
    return "up" if up else "down"


def _value(figure: str) -> float | None:
    found = numbers_in(figure.replace("£", ""))
    try:
        return float(next(iter(found))) if len(found) == 1 else None
    except ValueError:
        return None


def moves(sentence: str) -> set[str]:
    """The directions of the sentence's "from A to B" figures."""
    out = set()
    for m in _FROM_TO.finditer(sentence):
        a, b = _value(m.group(1)), _value(m.group(2))
        if all(re.fullmatch(r"(?:19|20)\d\d", g) for g in m.groups()):
            continue   # "from 2019 to 2021": a period, not a figure's move
        if a is not None and b is not None and a != b:
            out.add("up" if b > a else "down")
    return out


def direction_conflict(question: str, sentences: list[str]) -> str | None:
    """"a rise, not a fall" when every quoted "from A to B" runs the other way from the question's verb."""
    asked = asked_direction(question)
    if asked is None:
        return None
    seen = set().union(*(moves(s) for s in sentences)) if sentences else set()
    if seen and asked not in seen:
        return "a rise, not a fall" if asked == "down" else "a fall, not a rise"
    return None
