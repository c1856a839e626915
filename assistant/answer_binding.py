"""Where the answer stands: the clause of a quoted sentence holding a candidate of the asked type, and how much
of the question stands with it (answerability's binding features).

A near-miss often matches every word of a sentence, yet its answer type is satisfied elsewhere: a date in one
clause does not date an event named in another ("When was the division split into East and West?"), a name
in one clause is not the director named in the next, a figure for LLR does not give Nottinghamshire's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import support_terms, term_forms
from assistant.question_parse import _AMOUNT_WORDS, _DATE_WORDS, _YEAR, RATINGS, Ask, _stem_tuple
from assistant.sentence_evidence import Evidence, _is_acronym, answer_numbers
from assistant.text import numbers_in


def _type_in(ask: Ask, text: str, names: list[tuple[str, ...]], numbers: set[str], years: set[str],
             tokens: set[str]) -> bool | None:
    """Whether `text` holds a candidate of the asked type that the question does not already hold."""
    t = ask.answer_type
    if t is None or t == "thing":
        return None
    if t == "date":
        return bool(years - ask.years) or any(m.group(0).lower() not in ask.text.lower()
                                              for m in _DATE_WORDS.finditer(text)) or early_year(text, ask.text)
    if t == "number":
        return bool(numbers - ask.numbers - ask.years) or any(
            m.group(0).lower() not in ask.text.lower() for m in _AMOUNT_WORDS.finditer(text))
    if t in ("person", "place"):
        asked = set(ask.terms) | {x for alts in ask.synonyms.values() for alt in alts for x in alt}
        return any(set(run) - asked for run in names) or (t == "person" and term_forms.role_in(text, asked))
    if t == "mention":  # "what weakness": a sentence stating a lack names one without the word
        return ask.focus in tokens or term_forms.instance_of(ask.focus, text)
    if t == "rating":
        return any(re.search(rf"\b{r}\b", text, re.IGNORECASE) for r in RATINGS + ("well led", "poor", "weak"))
    return None


# a year before 1000 ("began in 911 as a fiefdom", "AD 793"): after a preposition of time and before no noun
# ("in 300 ships" is a count), or beside AD/BC/CE
_EARLY_YEAR = re.compile(r"\b(?:(?:in|by|from|until|till|since|around|circa|c\.|before|after|about)\s+(\d{3})\b"
                         r"(?!\s*[-–]?\s*[a-z]*[a-z](?<!as)(?<!and)(?<!when)(?<!the)(?<!to)(?<!by)(?<!with)"
                         r"(?<!until)(?<!after)(?<!before)\b)|"
                         r"\b(?:AD|CE)\s+(\d{1,4})\b|\b(\d{1,4})\s+(?:AD|BC|BCE|CE)\b)")


def early_year(text: str, question: str) -> bool:
    """`text` holds a year before 1000 that the question does not hold."""
    return any(y not in question for m in _EARLY_YEAR.finditer(text) for y in m.groups() if y)


_BOUND_TYPES = ("date", "number", "person", "place", "rating", "mention")


@dataclass
class Binding:
    """How much of the question stands with a candidate answer (in its clause, widened by a neighbouring clause
    when the candidate's clause is a fragment such as "In 911" or "by September 2019")."""

    share: float                       # weighted share of the question's terms in the best candidate span
    asked_bound: bool                  # the asked attribute/relation stands in that span (True: none asked)
    names_unbound: list[str]           # question names the sentence holds, but away from every candidate


# Evidence.clauses' delimiters but brackets: "the Serious Further Offence (SFO) team" is one phrase
_CLAUSE_SPLIT = re.compile(r"([;:]|,\s|\s[–—-]\s|\b(?:but|whilst|while|although|which|who)\b)")


def _clauses(ev: Evidence) -> list[tuple[str, set[str], str]]:
    """Each clause, its stems and the delimiter before it (the clauses of Evidence.clauses, keeping the
    delimiters: only a comma or bracket joins a fragment to its neighbour; a semicolon or "which" starts another
    statement)."""
    out = ev._memo.get("binding_clauses")
    if out is None:
        parts = _CLAUSE_SPLIT.split(ev.text)
        out, delim = [], ""
        for k, part in enumerate(parts):
            if k % 2:
                delim = part.strip()
            elif part.strip():
                out.append((part, set(_stem_tuple(part)), delim))
        ev._memo["binding_clauses"] = out
    return out


_FIGURE = re.compile(r"[£$€%]|\b(?:per ?cent|percent|hundred|thousand|million|billion|dozen)\b", re.IGNORECASE)


def _strict_candidate(ask: Ask, text: str, names: list[tuple[str, ...]], stems: set[str]) -> bool:
    """A clear candidate: a figure (not "all" or "no") for a number, bound to X for "how many X" ("eight LDU
    clusters"); a name of two words or an acronym for a who-question ("England" is no director)."""
    if ask.answer_type == "number":
        figures = answer_numbers(text) - ask.numbers - ask.years
        if ask.head:
            words = re.findall(r"[\w,.£%-]+", text)
            heads = [i for i, w in enumerate(words) if (_stem_tuple(w) or ("",))[0] == ask.head]
            return any(numbers_in(" ".join(words[max(0, i - 4):i])) - ask.numbers for i in heads)
        return bool(figures) or bool(_FIGURE.search(text))
    if ask.answer_type == "person":
        asked = set(ask.terms)
        return any(set(run) - asked and (len(run) > 1 or _is_acronym(run[0], text)) for run in names)
    return True


def _candidate_spans(ask: Ask, ev: Evidence) -> list[set[str]]:
    """The clauses holding a candidate answer, each widened across a comma to a fragment; clear candidates
    only, when the sentence has any."""
    clauses = _clauses(ev)
    found: list[tuple[bool, set[str]]] = []
    runs = ev.names + _opening_name(ev)
    # a table row as ingested ("Table 1: Caseload by team — Wendle Riverside — Cases supervised: 414, ..."):
    # the fragments ending in a dash head every cell after them
    heading: set[str] = set()
    for k, (_, stems, _) in enumerate(clauses[:-1]):
        if clauses[k + 1][2] in ("–", "—", "-") and _fragment(ask, stems - heading):
            heading |= stems
    for i, (text, stems, delim) in enumerate(clauses):
        names = [run for run in runs if set(run) <= stems]  # sentence-level runs: a clause's first word counts
        if not _type_in(ask, text, names, answer_numbers(text) if ask.answer_type == "number" else set(),
                        set(_YEAR.findall(text)) if ask.answer_type == "date" else set(), stems):  # as judged
            continue
        span = set(stems) | heading
        for j, joint in ((i - 1, delim), (i + 1, clauses[i + 1][2] if i + 1 < len(clauses) else "")):
            # a fragment binds to its neighbour across a comma or colon: "In 911, ..." dates the next clause,
            # "John Steele, Chief Communications Officer, ..." names the officer, "Cases supervised: 414"
            if 0 <= j < len(clauses) and joint in (",", ":") and \
                    (_fragment(ask, stems) or _fragment(ask, clauses[j][1])):
                span |= clauses[j][1]
            elif j == i - 1 and joint == "which" and ask.answer_type in ("date", "number", "place") and \
                    _fragment(ask, clauses[j][1]):
                span |= clauses[j][1]  # "The Duchy of Normandy, which began in 911": the date is the Duchy's
                #                        (a name in "the lead for the MoJ who wants ..." is not the lead)
        found.append((_strict_candidate(ask, text, names, stems), span))
    strict = [span for ok, span in found if ok]
    return strict or [span for _, span in found]


def _opening_name(ev: Evidence) -> list[tuple[str, ...]]:
    """The sentence's first word when the passage writes it capitalised mid-sentence too ("Bohemond, Robert's
    son, ..."): a name, which Evidence.names leaves out with every sentence-initial word."""
    m = re.match(r"\W*([A-Z][\w’'-]+)", ev.text)
    if not m or not re.search(rf"[\w,;] {re.escape(m.group(1))}\b", ev.passage_text or ""):
        return []
    stems = _stem_tuple(m.group(1))
    return [stems] if stems else []


def _fragment(ask: Ask, stems: set[str]) -> bool:
    return len(stems - set(ask.terms)) <= 3


def _term_in(ask: Ask, term: str, span: set[str]) -> bool:
    return term in span or any(alt and alt <= span for alt in ask.synonyms.get(term, ())) or \
        support_terms.synonym_in(term, span)


def binding(ask: Ask, ev: Evidence, a, weights: dict[str, float]) -> Binding | None:
    """None when the question asks for no particular type, or the sentence holds no candidate (type_missing
    covers that). The answer type must be satisfied where the matched question sits: a date in one clause
    does not date an event named in another ("When was the division split?"), a name beside "Justice
    Secretary" is not the one before him."""
    if ask.answer_type not in _BOUND_TYPES or not ask.terms:
        return None
    spans = _candidate_spans(ask, ev)
    if not spans:
        return None
    matched = [t for t, how in a.matched.items() if how != "topic"]
    total = sum(weights.get(t, 1.0) for t in ask.terms) or 1.0
    scored = [(sum(weights.get(t, 1.0) for t in matched if _term_in(ask, t, sp)) / total, sp) for sp in spans]
    share, span = max(scored, key=lambda x: x[0])
    asked_bound = all(_term_in(ask, t, span) for t in ask.asked if t in a.matched)
    # a name the sentence itself holds (not one its title or glossary expansion supplies)
    own = ev.own_stems
    names_unbound = [ask.terms[t] for t in ask.names if a.matched.get(t) in ("exact", "stem") and t in own
                     and not any(_term_in(ask, t, sp) for sp in spans)]
    return Binding(share=round(share, 4), asked_bound=asked_bound, names_unbound=names_unbound)


def best_binding(ask: Ask, evs: list[Evidence], aligned: list, best, weights: dict[str, float]) -> Binding | None:
    """The best binding among the quoted sentences that match nearly as well as the best one."""
    found = [bd for ev, a in zip(evs, aligned, strict=False)
             if a.term_share >= 0.6 * best.term_share and (bd := binding(ask, ev, a, weights)) is not None]
    return max(found, key=lambda b: (b.share, b.asked_bound, -len(b.names_unbound))) if found else None
