"""Time in a question: a publication-date filter when the question is about documents, else a preference.

"What did inspectors say about workloads in 2018?", "reports published in 2023", "2019 papers",
"since 2019", "before 2020", "as of 2019", "since the reunification" speak of when something was
reported or published: they filter by publication date, and the answer states the period searched.
"How many people started programmes in 2023?" asks about events in 2023, which a report published in
2024 may give (issue 12): that year does not filter; passages of documents that cover it are
preferred, and the answer says which period and which document's date it rests on.
"by September 2019" and similar describe events inside a document and are left alone.
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


# the question is about what documents of that year said (a filter), not about events in that year
_ABOUT_DOCUMENTS = re.compile(
    r"\b(?:published|publication|issued|dated)\b|"
    r"\b(?:reports?|papers?|documents?|publications?|inspections?|minutes|guidance|protocols?|press\s+releases?)\s+"
    r"(?:published\s+|issued\s+)?(?:in|from|during|of)\s+(?:19|20)\d{2}\b|"
    r"\b(?:19|20)\d{2}\s+(?:reports?|papers?|documents?|publications?|inspections?|minutes|board\s+papers?)\b|"
    r"\b(?:say|said|says|report|reported|reports|hear|heard|write|wrote|note|noted|state|stated|find|found|"
    r"conclude|concluded|tell|told)\b", re.IGNORECASE)


@dataclass
class Period:
    after: date | None
    before: date | None
    phrase: str
    filters: bool = True  # False: an event year, preferred but not a publication filter

    def describe(self) -> str:
        if self.after and self.before:
            return f"documents published {self.after.isoformat()} to {self.before.isoformat()}"
        if self.after:
            return f"documents published on or after {self.after.isoformat()}"
        assert self.before is not None  # a period has at least one bound
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
        return Period(date(year, 1, 1), date(year, 12, 31), m.group(0),
                      filters=bool(_ABOUT_DOCUMENTS.search(question)) or m.group(0).lower().startswith("published"))
    return None


def year_asked(question: str) -> int | None:
    """The single calendar year a question names ("in 2017", "published in 2023"), else None."""
    period = period_in(question)
    if period is None or period.after is None or period.before is None or period.after.year != period.before.year:
        return None
    return period.after.year


def _covers(published: str | None, period: Period) -> bool:
    """A document published in the year or the two after it can report that year's figures."""
    if not published or period.after is None:
        return False
    year = int(published[:4])
    return period.after.year <= year <= period.after.year + 2


def prefer_period(results: list, period: Period, margin: float = 0.8) -> list:
    """Among the leading results (score within `margin` of the best), passages that name the year or come from a
    document covering it go first; the rest keep their order. Nothing is filtered out."""
    if not results or period.filters or period.after is None:
        return results
    year = str(period.after.year)
    best = results[0].score
    lead = [r for r in results if r.score >= margin * best]
    rest = results[len(lead):]
    ranked = sorted(lead, key=lambda r: (year not in r.passage.text, not _covers(r.passage.published, period)))
    return ranked + rest


def period_note(period: Period, answer) -> str | None:
    """'The question asks about 2023 (not a publication filter); [1] is from a document published 2024-06-14.'"""
    if period.filters or period.after is None or answer.status != "answered" or not answer.citations:
        return None
    c = answer.citations[0]
    year = period.after.year
    said = "gives figures for" if str(year) in c.quote else "may not cover"
    when = f"published {c.published}" if c.published else "with no publication date"
    return (f"The question asks about {year}; that was not used as a publication-date filter. "
            f"[{c.n}] is from “{c.title}” ({when}), which {said} {year}.")
