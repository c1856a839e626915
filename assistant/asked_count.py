"""Whether a quoted sentence counts what "how many X" asks about (one of answerability's hard checks, read by
asked_slot.unfilled).

"How many victim liaison officers does the Midlands division employ?" quoted "... employs over 1,600
full-time-equivalent staff" beside a sentence naming victim liaison officers with no figure; "How many interpreters
did the PDU use?" quoted "we found no case in which a person had been seen without one". Each figure counts
something else (staff, cases). A figure counts the asked thing when one of the question's words follows it
("15 category 3", "six probation officers"), when nothing names what it counts ("there were 12", a table row's
"Panels held: 11"), never when another noun follows it.
"""

from __future__ import annotations

import re

from assistant.question_parse import Ask, _stem_tuple
from assistant.text import _NUMBER_WORDS

_HOW_MANY = re.compile(r"^\s*how\s+many\b", re.IGNORECASE)
_TOKEN = re.compile(r"£?\d[\d,]*(?:\.\d+)?%?|[A-Za-z][\w’'-]*|[^\w\s]")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_COUNT_WORDS = set(_NUMBER_WORDS) - {"zero"} | {"no", "dozen", "dozens", "hundreds", "thousands"}
# a number after these is a label, not a count ("level 3", "category 1", "quarter 2", "paragraph 4.2")
_LABELS = {"level", "category", "quarter", "tier", "page", "paragraph", "section", "table", "figure", "chapter",
           "annex", "appendix", "version", "q", "phase", "stage", "year", "step", "priority", "recommendation"}
_MEASURE_AFTER = {"per", "percent", "%"}
LOOK_AHEAD = 3  # words after the figure that may name what it counts ("1,600 full-time-equivalent staff")


def _is_count(tok: str, prev: str) -> bool:
    if tok.lower() in _COUNT_WORDS:
        return True
    if not tok[:1].isdigit() or tok.endswith("%") or prev in ("£", "$", "€") or prev.lower() in _LABELS:
        return False
    return not _YEAR.match(tok.replace(",", ""))


def counts_asked(ask: Ask, sentence: str) -> bool:
    """Some figure in the sentence counts the asked thing, or names nothing it counts."""
    if " — " in sentence and re.search(r":\s*\d", sentence):
        return True   # a table row's cells ("Cases supervised: 414"): the column names what each figure counts
    asked = set(ask.terms) | {x for alts in ask.synonyms.values() for alt in alts for x in alt}
    toks = _TOKEN.findall(sentence)
    if toks and re.match(r"^\d+(?:\.\d+)+$|^\d+\.$", toks[0]):
        toks = toks[1:]   # a paragraph number ("3.15 The PDU's use of ...")
    for i, tok in enumerate(toks):
        if not _is_count(tok, toks[i - 1] if i else ""):
            continue
        if tok.replace(",", "") in ask.numbers:
            continue
        after = []
        for t in toks[i + 1:i + 1 + LOOK_AHEAD]:
            if not re.match(r"[A-Za-z]", t):
                break
            after.append(t)
        if after and after[0].lower() in _MEASURE_AFTER:
            continue   # "16 per cent": a share, not a count
        stems = [_stem_tuple(t) for t in after]
        if any(set(s) & asked for s in stems):
            return True
        if (not stems or not stems[0]) and tok[:1].isdigit():
            return True   # "there were 12.", "12 were ...": nothing named, so it may count the asked thing
            #               (a word is not: "seen without one when they needed it")
    return False


def count_unfilled(ask: Ask, sentences: list[str]) -> bool:
    """"How many X" that no quoted sentence gives a count of X for: every figure counts another thing."""
    if ask.answer_type != "number" or not ask.head or not _HOW_MANY.match(ask.text):
        return False
    return not any(counts_asked(ask, s) for s in sentences)
