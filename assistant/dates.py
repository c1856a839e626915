"""Time in a question becomes a publication-date filter, and the answer states the period searched.

Only phrasings that speak of when something was reported are read ("in 2018", "as of 2019",
"since 2019", "before 2020", "during 2018", "since the reunification"); "by September 2019" and
similar describe events inside a document and are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Probation services in England and Wales were reunified on 26 June 2021.
NAMED_DATES = {"the reunification": date(2021, 6, 26), "reunification": date(2021, 6, 26),
               "unification": date(2021, 6, 26), "the unification": date(2021, 6, 26)}
_YEAR = r"(19\d{2}|20\d{2})"
_PATTERNS = [
    ("since", re.compile(rf"\b(?:since|after|from)\s+(?:the\s+start\s+of\s+)?{_YEAR}\b", re.IGNORECASE)),
    ("before", re.compile(rf"\b(?:before|prior\s+to)\s+{_YEAR}\b", re.IGNORECASE)),
    ("as_of", re.compile(rf"\b(?:as\s+of|as\s+at|up\s+to)\s+{_YEAR}\b", re.IGNORECASE)),
    ("in", re.compile(rf"\b(?:in|during|published\s+in|for)\s+{_YEAR}\b", re.IGNORECASE)),
]
# "since the reunification" asks for what was published after it; "after unification" usually asks what a
# document expected to happen then, so only "since" is read as a filter
_SINCE_NAMED = re.compile(r"\bsince\s+(the\s+reunification|reunification|the\s+unification|unification)\b",
                          re.IGNORECASE)


@dataclass
class Period:
    after: date | None
    before: date | None
    phrase: str

    def describe(self) -> str:
        if self.after and self.before:
            return f"documents published {self.after.isoformat()} to {self.before.isoformat()}"
        if self.after:
            return f"documents published on or after {self.after.isoformat()}"
        return f"documents published on or before {self.before.isoformat()}"


def period_in(question: str) -> Period | None:
    m = _SINCE_NAMED.search(question)
    if m:
        key = " ".join(m.group(1).lower().split())
        return Period(NAMED_DATES[key], None, m.group(0))
    for kind, pattern in _PATTERNS:
        m = pattern.search(question)
        if not m:
            continue
        year = int(m.group(1))
        if kind == "since":
            return Period(date(year, 1, 1), None, m.group(0))
        if kind == "before":
            return Period(None, date(year - 1, 12, 31), m.group(0))
        if kind == "as_of":
            return Period(None, date(year, 12, 31), m.group(0))
        return Period(date(year, 1, 1), date(year, 12, 31), m.group(0))
    return None
