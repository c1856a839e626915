"""A date or period the question asks about, answered by a sentence that gives the same slot with another value.

"How many people were MAPPA-eligible on 31 March 2024?" against "On 31 March 2025 there were 1,148 ...": the
year-missing rule (answerability.assess) reads the year from the sentence and its document, and a document
about "2024-25" holds "2024", so the swap went through as an answer. The same for a financial or business year
("in 2023-24" against a sentence "in 2024-25"). Read here from the sentence itself: the slot (day and month,
or a year range) is the same, the year differs, and the sentence never gives the asked one. Likewise a quarter:
"the target for Ashcombe in quarter 2" against a table row of "quarter 1 2025-26" (the row's section number "2."
had stood in for the asked "2").
"""

from __future__ import annotations

import re

from assistant.text import MONTH_NAMES

_MONTH = "|".join(MONTH_NAMES)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-/–]\s*((?:19|20)?\d\d)\b")
_QUARTER = re.compile(r"\b(?:quarter\s+([1-4]|one|two|three|four)|q([1-4])|(first|second|third|fourth)\s+quarter)\b",
                      re.IGNORECASE)
_QUARTER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "first": "1", "second": "2", "third": "3",
                  "fourth": "4"}


def _quarters(text: str) -> set[str]:
    """"2" for "quarter 2", "Q2", "quarter two" or "second quarter"."""
    return {_QUARTER_WORDS.get(x.lower(), x) for m in _QUARTER.findall(text) for x in m if x}


def _ranges(text: str) -> set[tuple[str, str]]:
    """("2023", "24") for "2023-24", "2023/2024" or "2023–24"."""
    return {(a, b[-2:]) for a, b in _YEAR_RANGE.findall(text)}


def _dates(text: str) -> set[tuple[str, str, str]]:
    """(day, month, year) for "31 March 2024"; day "" for "March 2024"."""
    full = {(d.lstrip("0"), m.lower(), y) for d, m, y in _DAY_MONTH_YEAR.findall(text)}
    months = {("", m.lower(), y) for m, y in _MONTH_YEAR.findall(text)
              if not any(fm == m.lower() and fy == y for _, fm, fy in full)}
    return full | months


def period_swaps(question: str, sentence: str) -> list[str]:
    """'31 march 2024 vs 31 march 2025' when the sentence gives the asked day and month (or year range) in
    another year and never the asked year, 'quarter 2 vs quarter 1' when it gives another quarter and never the
    asked one: the conflict form of answerability.Alignment."""
    out: list[str] = []
    asked_q, stated_q = _quarters(question), _quarters(sentence)
    if asked_q and stated_q and not asked_q & stated_q:
        out.append(f"quarter {min(asked_q)} vs quarter {min(stated_q)}")
    asked_ranges, stated_ranges = _ranges(question), _ranges(sentence)
    for a in asked_ranges:
        others = sorted(stated_ranges - {a})
        if others and a not in stated_ranges:
            out.append(f"{a[0]}-{a[1]} vs {others[0][0]}-{others[0][1]}")
    stated = _dates(sentence)
    for day, month, year in sorted(_dates(question)):
        if any(y == year for _, m, y in stated if m == month):
            continue
        other = sorted(y for d, m, y in stated if m == month and (not day or d in (day, "")))
        if other:
            asked = f"{day} {month} {year}".strip()
            out.append(f"{asked} vs {f'{day} {month} {other[0]}'.strip()}")
    return out
