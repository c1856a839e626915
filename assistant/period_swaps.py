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

from assistant.asked_slot import periods
from assistant.text import MONTH_NAMES

_MONTH = "|".join(MONTH_NAMES)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\s+((?:19|20)\d\d)\b", re.IGNORECASE)


def _dates(text: str) -> set[tuple[str, str, str]]:
    """(day, month, year) for "31 March 2024"; day "" for "March 2024"."""
    full = {(d.lstrip("0"), m.lower(), y) for d, m, y in _DAY_MONTH_YEAR.findall(text)}
    months = {("", m.lower(), y) for m, y in _MONTH_YEAR.findall(text)
              if not any(fm == m.lower() and fy == y for _, fm, fy in full)}
    return full | months


def period_swaps(question: str, sentence: str) -> list[str]:
    """'31 march 2024 vs 31 march 2025' when the sentence gives the asked day and month (or year range) in
    another year and never the asked year, 'quarter 2 vs quarter 1' when it gives another quarter and never the
    asked one: the conflict form of answerability.Alignment (per sentence; asked_slot.period_conflict refuses
    whatever the score when no quoted sentence names the asked period, and reads periods the same way)."""
    out: list[str] = []
    asked_periods = periods(question)   # (the sentence is read only for what the question asks)
    stated_periods = periods(sentence) if asked_periods else {}  # quarters and financial years, as asked_slot
    for kind, wanted in asked_periods.items():
        given = stated_periods.get(kind, set())
        if given and not wanted & given:
            prefix = "quarter " if kind == "quarter" else ""
            out.append(f"{prefix}{min(wanted)} vs {prefix}{min(given)}")
    asked_dates = _dates(question)
    stated = _dates(sentence) if asked_dates else set()
    for day, month, year in sorted(asked_dates):
        if any(y == year for _, m, y in stated if m == month):
            continue
        other = sorted(y for d, m, y in stated if m == month and (not day or d in (day, "")))
        if other:
            asked = f"{day} {month} {year}".strip()
            out.append(f"{asked} vs {f'{day} {month} {other[0]}'.strip()}")
    return out
