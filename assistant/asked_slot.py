"""The slot a question asks to have filled, and whether any quoted sentence fills it (answerability's hard checks).

A near-miss on a real report matches every word of a sentence and still leaves the asked slot empty:

- a **measure**: "What is the sickness absence rate?" quoted "Sickness absence had fallen over the previous
  year" (no rate), "the proven reoffending rate" quoted the overall rating; a rate or percentage needs the
  word or a unit (%, per cent), a budget or cost a sum of money or the word;
- a **name**: "What is the name of the Crown Court ...?", "Which prison ...?" quoted "the PDU works with ... one
  Crown Court": a count of courts names none. The name must be one the question does not already give, and
  for a named kind of place or body ("Crown Court", "prison") it must be a name of that kind;
- a **period**: "in quarter 4 of 2023-24" quoted the quarter 3 table; "in 2021/22" quoted 2023-24. A sentence
  that names periods of the asked kind, none of them the asked one, gives another period's figure;
- a **date by name** ("on what date", "which year"): "when Parliamentary time allows" gives none;
- a **role's holder** (asked_role.py), a **count of X** (asked_count.py), a figure's **direction**
  (asked_direction.py), a figure **in the asked area**, of a **plan**, and a **rated topic** (below).

Each is refused whatever the model's score, as a year the sentence does not give is (answerability.assess):
the model weighs these words like any other, and a confident figure for the wrong quarter is the worst answer.
"""

from __future__ import annotations

import re

from assistant import asked_contact
from assistant.asked_count import count_unfilled
from assistant.asked_direction import direction_conflict
from assistant.asked_role import role_unfilled
from assistant.question_parse import Ask, _stem_tuple
from assistant.sentence_evidence import _CALENDAR
from assistant.text import MONTH_NAMES
from assistant.text import numbers_in as numbers_of

# --- measures ------------------------------------------------------------------------------------------------

_PERCENT = r"%|\bper\s?cent\b|\bpercent(?:age)?\b"
_MONEY = r"[£$€]|\b(?:pounds?|euros?|dollars?)\b|\b\d+(?:\.\d+)?\s?(?:m|bn|k)\b"
# the asked measure (the last word of "what is the proven reoffending rate ...") -> what in a sentence states it
_MEASURES = {
    "rate": re.compile(rf"\brates?\b|{_PERCENT}|\bper\s+(?:\d[\d,]*|hundred|thousand|head|week|month|year|day|hour)\b|"
                       rf"\bin\s+every\b|\bone\s+in\s+\w+|{_MONEY}", re.IGNORECASE),
    "percentage": re.compile(_PERCENT, re.IGNORECASE),
    "sum of money": re.compile(_MONEY, re.IGNORECASE),
    **{w: re.compile(rf"\b{w}s?\b|{_MONEY}", re.IGNORECASE)
       for w in ("budget", "cost", "price", "salary", "wage", "spend", "income", "revenue", "fee", "turnover")},
}
_MEASURE_Q = re.compile(r"^(?:what|which)\s+(?:is|was|are|were|will\s+be|would\s+be|has\s+been)\s+(?:the|a|an|its|"
                        r"their)\s+(?:[\w'-]+\s+){0,3}?(?P<m>[a-z]+?)s?\s+(?:of|for|in|at|on|among|across|between|"
                        r"that|which|does|did|do|will|has|have|by)\b|^(?:what|which)\s+(?P<p>percentage)\b",
                        re.IGNORECASE)


# "how much funding did X secure?", "how much did the post cost?": a sum of money
_MONEY_Q = re.compile(r"^how\s+much\s+(?:(?:\w+\s+){0,2}(?:funding|money|grant|grants|budget|income|revenue|savings?)\b|"
                      r".*\b(?:cost|costs|spend|spent|pay|paid|charge|charged|fund|funded)\b)", re.IGNORECASE)


def asked_measure(question: str) -> str | None:
    """The measure the question asks for: 'rate', 'percentage', 'budget', ... (None: no such measure)."""
    if _MONEY_Q.match(question.strip()):
        return "sum of money"
    m = _MEASURE_Q.match(question.strip())
    if not m:
        return None
    word = (m.group("m") or m.group("p") or "").lower()
    return word if word in _MEASURES else None


def measure_given(measure: str, sentence: str) -> bool:
    return bool(_MEASURES[measure].search(sentence))


# --- dates --------------------------------------------------------------------------------------------------

# "On what date will the register be created?" asks for a date; "When will it be created?" may be answered "when
# Parliamentary time allows" (a condition), so only the first needs a calendar date in a quoted sentence (or, for
# when a document was published, its title's date)
_DATE_Q = re.compile(r"^(?:(?:on|by|from|until|since|in)\s+)?(?:what|which)\s+(?:date|day|month|year)s?\b", re.IGNORECASE)
_CALENDAR_DATE = re.compile(rf"\b\d{{3,4}}\b|\b(?:{'|'.join(MONTH_NAMES)})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|"
                            r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday)\b",
                            re.IGNORECASE)
_ABOUT_THE_DOCUMENT = re.compile(r"\b(?:publish\w*|issued|released|written|dated)\b", re.IGNORECASE)


def date_unfilled(question: str, sentences: list[str], titles: list[str]) -> bool:
    """The question asks for a date by name ("on what date", "which year") and no quoted sentence gives one."""
    if not _DATE_Q.match(question.strip()):
        return False
    where = sentences + (titles if _ABOUT_THE_DOCUMENT.search(question) else [])
    return not any(_CALENDAR_DATE.search(s) for s in where)


# --- planned figures ----------------------------------------------------------------------------------------

# "How many bed spaces does Harrowgate House plan to add?" quoted the table's "Bed spaces: 32": a figure asked of a
# plan or of the future is answered only by a sentence that speaks of one
_FUTURE_Q = re.compile(r"\b(?:will|shall|going\s+to|(?:plan|intend|aim|propose|expect|hope)(?:s|ed|ing)?\s+to)\b",
                       re.IGNORECASE)
_FUTURE = re.compile(r"\b(?:will|shall|would|going\s+to|plan\w*|intend\w*|intention|aim\w*|propos\w*|expect\w*|"
                     r"anticipat\w*|forecast\w*|project\w*|target\w*|estimat\w*|due\s+to|to\s+be)\b", re.IGNORECASE)


def plan_unfilled(ask: Ask, sentences: list[str]) -> bool:
    """A figure asked of a plan or of the future ("plan to add", "will the prison hold") where no quoted sentence
    speaks of a plan or of the future: they state a current figure."""
    if ask.answer_type != "number" or not _FUTURE_Q.search(ask.text):
        return False
    about = {ask.head} if ask.head else set(ask.terms) - ask.names   # the thing counted ("beds"), not a date's plan
    return not any(_FUTURE.search(s) and about & set(_stem_tuple(s)) for s in sentences)


# --- rated topics ---------------------------------------------------------------------------------------------

# "What rating did inspectors give the Midlands division's unpaid work?" quoted the ratings of court work and case
# supervision: a rating is of something, and a sentence that never names it rates something else
_RATING_WORDS = {"rate", "rating", "inspector", "inspect", "inspectorate", "give", "gave", "given", "award", "score",
                 "judg", "grade", "assess", "receiv", "get", "got", "overal"}


def rated_topic_missing(ask: Ask, sentences: list[str]) -> list[str]:
    """The words naming what a rating question asks to have rated that no quoted sentence holds."""
    if ask.answer_type != "rating":
        return []
    held = set().union(*(set(_stem_tuple(s)) for s in sentences)) if sentences else set()
    return [ask.terms[t] for t in ask.terms
            if t not in ask.names and t not in _RATING_WORDS and t not in held
            and not any(alt and alt <= held for alt in ask.synonyms.get(t, ()))]


# --- places ---------------------------------------------------------------------------------------------------

# "What will the NPS caseload in Nottinghamshire increase to?" quoted "In LLR we anticipate that this will increase
# the NPS caseload from 1800 to approximately 4500", in a paragraph listing Nottinghamshire elsewhere: the figure's
# own clause places it in another area
_PLACED = re.compile(r"\b(?:[Ii]n|[Ff]or|[Aa]cross|[Ww]ithin)\s+(?:the\s+)?((?:[A-Z][\w'’-]+)(?:\s+(?:and\s+)?[A-Z][\w'’-]+)*)")
_DAY_MONTH_YEAR = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{'|'.join(MONTH_NAMES)})(?:\s+\d{{4}})?\b|"
                             rf"\b(?:{'|'.join(MONTH_NAMES)})\s+\d{{4}}\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r";|(?<=[.!?])\s+(?=[A-Z])")


def _places(text: str) -> list[set[str]]:
    return [stems for m in _PLACED.finditer(text) if (stems := set(_stem_tuple(m.group(1))) - _CALENDAR)]


def _has_candidate(ask: Ask, clause: str) -> bool:
    if ask.answer_type == "number":   # a date's day and year are no figure ("open on 14 July 2025")
        clause = _DAY_MONTH_YEAR.sub(" ", clause)
        figures = {n for n in numbers_of(clause) if not n.startswith("month:")}
        return bool(figures - ask.numbers - set(re.findall(r"\b(?:19|20)\d\d\b", clause)))
    return bool(re.search(r"\b(?:19|20)\d\d\b", clause))


def place_conflict(ask: Ask, sentences: list[str]) -> str | None:
    """"LLR, not Nottinghamshire" when every clause holding a figure (or date) the question asks for places it in
    another area than the question's "in X", and none places it in X."""
    if ask.answer_type not in ("number", "date"):
        return None
    asked = _places(ask.text)
    if not asked:
        return None
    wanted = set().union(*asked)
    others: list[str] = []
    for sentence in sentences:
        for clause in _CLAUSE_END.split(sentence):
            if not _has_candidate(ask, clause):
                continue
            stems = set(_stem_tuple(clause))
            if all(any(w in stems or any(alt and alt <= stems for alt in ask.synonyms.get(w, ())) for w in place)
                   for place in asked):
                return None
            others += [m.group(1) for m in _PLACED.finditer(clause)
                       if set(_stem_tuple(m.group(1))) - _CALENDAR and not set(_stem_tuple(m.group(1))) & wanted
                       and not set(_stem_tuple(m.group(1))) <= set(ask.terms)]
    if not others:
        return None
    asked_words = [m.group(1) for m in _PLACED.finditer(ask.text) if set(_stem_tuple(m.group(1))) - _CALENDAR]
    return f"{' and '.join(dict.fromkeys(others))}, not {' and '.join(asked_words)}"


# --- names ---------------------------------------------------------------------------------------------------

# places and bodies whose instances have names: "which court" is answered by "Harrowfield Magistrates' Court",
# not by "one Crown Court"
_NAMED_KINDS = ("court", "prison", "hospital", "council", "company", "firm", "charity", "university", "college",
                "school", "hostel", "contractor", "supplier", "newspaper", "hotel", "centre")
_NAME_OF = re.compile(r"^(?:what|which)\s+(?:is|was|are|were|will\s+be)\s+(?:the\s+)?names?\s+of\s+(?:the\s+|its\s+|their\s+|"
                      r"this\s+|that\s+|these\s+|those\s+)?(?P<x>[^?]+)", re.IGNORECASE)
# where the named thing's noun phrase ends: "the name of the housing navigator for ...", "... two hostels the ..."
_PHRASE_END = {"that", "which", "who", "whom", "where", "when", "in", "at", "for", "of", "with", "on", "to", "by",
               "from", "the", "a", "an", "and", "or", "is", "are", "was", "were", "did", "does", "do", "will", "has",
               "have", "had", "used", "run", "based", "its", "their", "his", "her"}
_NAME_WITHOUT_KIND = {"company", "firm", "charity", "contractor", "supplier", "newspaper"}
# "which prison will ...", "which company holds ...": the kind heads the phrase ("which court work" does not ask for
# a court, "what did court staff say" is no "which X" at all)
_WHICH_KIND = re.compile(rf"^(?:(?:in|to|at|from|with|by)\s+)?(?:which|what)\s+(?:(?-i:[A-Z][\w'’-]*)\s+|"
                         rf"magistrates'?\s+)?(?P<x>{'|'.join(_NAMED_KINDS)})s?(?:\s*\?|\s+(?P<next>[\w'’-]+))",
                         re.IGNORECASE)
_KIND_FOLLOWERS = {"will", "would", "does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "can",
                   "could", "should", "must", "may", "in", "at", "on", "for", "to", "from", "with", "by", "of", "that",
                   "which", "holds", "runs", "hosts", "provides", "serves", "manages", "covers", "deals", "hears",
                   "handles", "houses", "operates", "owns", "supplies", "delivers", "receives", "takes", "chairs",
                   "leads", "sits", "works"}
_RUN = re.compile(r"(?<![\w’'-])[A-Z][\w’'.-]*(?:\s+(?:of|and|the|for|upon|on)?\s*[A-Z][\w’'.-]*)*")
# "one Crown Court", "two magistrates' courts", "a Women's Hub": a count of a kind, not a name
_COUNTED = re.compile(r"\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|each|every|several|some|any|"
                      r"no|other|another|new|local|\d+)\s+$", re.IGNORECASE)


def asked_name(question: str) -> tuple[str, bool] | None:
    """(the stem of the kind whose name is asked, whether a name of that very kind is needed), or None."""
    q = question.strip()
    m = _NAME_OF.match(q)
    if m:
        words = []
        for w in re.findall(r"[\w'’-]+", m.group("x"))[:5]:
            if w.lower() in _PHRASE_END:
                break
            words.append(w)
        if not words:
            return None
        kind = (_stem_tuple(words[-1]) or ("",))[0]
        named_kind = words[-1][:1].isupper() or words[-1].lower().rstrip("s") in _NAMED_KINDS
        return kind, named_kind
    m = _WHICH_KIND.match(q)
    if m and (not m.group("next") or m.group("next").lower() in _KIND_FOLLOWERS or m.group("next").endswith("ed")):
        # a company's or charity's name rarely says so ("Larkspur Housing Support"); a court's or prison's does
        return (_stem_tuple(m.group("x")) or ("",))[0], m.group("x").lower() not in _NAME_WITHOUT_KIND
    return None


def name_given(ask: Ask, kind: str, of_kind: bool, sentence: str) -> bool:
    """The sentence names something the question does not: a run of capitalised words (not one merely counted,
    "one Crown Court") with a word the question lacks; of that kind when `of_kind` ("Harrowfield Crown Court",
    "HMP Glen Parva")."""
    asked = set(ask.terms) | {x for alts in ask.synonyms.values() for alt in alts for x in alt}
    for m in _RUN.finditer(sentence):
        run = m.group(0)
        opening = not sentence[:m.start()].strip(" \"“‘'([0123456789.")
        if (opening and " " not in run) or _COUNTED.search(sentence[:m.start()]):
            continue
        stems = set(_stem_tuple(run))
        if not stems - asked - {kind}:
            continue
        first = run.split()[0]
        if of_kind and (kind in stems or (first.isupper() and len(first) > 1 and " " in run
                                          and not set(_stem_tuple(first)) & asked)):
            return True   # "HMP Glen Parva": a prison's name that leads with its kind's initials
        # a person's or body's name: two capitalised words at least ("Fenella Okonjo"), not a table's labels
        capitalised = [w for w in re.findall(r"\b[A-Z][a-z’'-]+", run) if w not in ("The", "A", "An")]
        if not of_kind and len(capitalised) >= 2 and not set(stems) <= _CALENDAR:
            return True
    return False


# --- periods -------------------------------------------------------------------------------------------------

_ORDINAL = {"first": "1", "second": "2", "third": "3", "fourth": "4", "1st": "1", "2nd": "2", "3rd": "3", "4th": "4"}
_QUARTER = re.compile(r"\bquarter\s+([1-4])\b|\bQ([1-4])\b|\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b",
                      re.IGNORECASE)
# a financial year: "2023-24", "2023/24", "2023–2024"
_FINANCIAL_YEAR = re.compile(r"\b(20\d\d)\s?[-–/]\s?(?:20)?(\d\d)\b")


def periods(text: str) -> dict[str, set[str]]:
    """{"quarter": {"4"}, "year": {"2023-24"}} for "quarter 4 of 2023-24" (also read by period_swaps)."""
    out: dict[str, set[str]] = {}
    for m in _QUARTER.finditer(text):
        n = m.group(1) or m.group(2) or _ORDINAL[m.group(3).lower()]
        out.setdefault("quarter", set()).add(n)
    for m in _FINANCIAL_YEAR.finditer(text):
        if int(m.group(2)) == (int(m.group(1)) + 1) % 100:
            out.setdefault("year", set()).add(f"{m.group(1)}-{m.group(2)}")
    return out


_BEFORE_AFTER = re.compile(r"\b(?:before|after|since|until|prior\s+to|following|previous|preceding|next)\b",
                           re.IGNORECASE)


def period_conflict(question: str, sentences: list[str]) -> str | None:
    """"quarter 4 vs quarter 3" when the sentences that name a period of the asked kind never name the asked one.
    A question placing its period relative to another ("the quarter before quarter 3") is left to the model."""
    asked = periods(question)
    if not asked or _BEFORE_AFTER.search(question):
        return None
    for kind, wanted in asked.items():
        given = [p[kind] for p in map(periods, sentences) if kind in p]
        if given and not any(wanted & g for g in given):
            return f"{kind} {'/'.join(sorted(wanted))} vs {kind} {'/'.join(sorted(set().union(*given)))}"
    return None


# --- denied ---------------------------------------------------------------------------------------------------

_DENIAL = re.compile(r"\b(?:there\s+(?:is|was|are|were|has\s+been)\s+no|(?:has|have|had)\s+no|no\s+longer\s+any|"
                     r"not\s+yet\s+(?:any|a))\s+(?P<np>(?:[\w'’-]+\s+){0,3}[\w'’-]+)", re.IGNORECASE)
_WH_START = re.compile(r"^\s*(?:when|where|who|whom|what|which|how)\b", re.IGNORECASE)


def denied(ask: Ask, sentences: list[str]) -> str | None:
    """"When was the detailed timetable published?" quoting "As yet there is no detailed published timetable":
    the sentence says the thing asked about does not exist. The denied phrase must hold two of the question's
    words and its last word must be one (the thing, not an aside); a negated question is left to the model."""
    if ask.negated or not _WH_START.match(ask.text):
        return None
    terms = set(ask.terms)
    for sentence in sentences:
        for m in _DENIAL.finditer(sentence):
            words = m.group("np").split()
            for end in range(len(words), 0, -1):
                stems = [(_stem_tuple(w) or ("",))[0] for w in words[:end]]
                if stems[-1] in terms and len(set(stems) & terms) >= 2:
                    return " ".join(words[:end])
    return None


# --- all slots -----------------------------------------------------------------------------------------------

def unfilled(ask: Ask, sentences: list[str], titles: list[str] | None = None) -> str | None:
    """What the question asks that no quoted sentence gives, as the refusal says it; None when every slot is
    filled (or the question asks for none of these). `titles`: each sentence's document title and section."""
    if not sentences:
        return None
    if contact := asked_contact.unmet(ask.text, sentences):  # a telephone number, email, website, address
        return contact
    if date_unfilled(ask.text, sentences, titles or []):
        return "they give no date"
    role = role_unfilled(ask, sentences, titles or [])
    if role:
        return role
    moved = direction_conflict(ask.text, sentences)
    if moved:
        return f"they give {moved}"
    unrated = rated_topic_missing(ask, sentences)
    if unrated:
        return f"they give no rating for {' '.join(unrated)}"
    if plan_unfilled(ask, sentences):
        return "they give a current figure, not a planned or future one"
    place = place_conflict(ask, sentences)
    if place:
        return f"they give figures for {place}"
    if count_unfilled(ask, sentences):
        return f"they give no number of {ask.terms.get(ask.head or '', ask.head)}"
    measure = asked_measure(ask.text)
    if measure and not any(measure_given(measure, s) for s in sentences):
        return f"they give no {measure} for what is asked"
    named = asked_name(ask.text)
    if named and not any(name_given(ask, named[0], named[1], s) for s in sentences):
        return "they name no " + (ask.terms.get(named[0], named[0]).lower() if named[1] else "one")
    gone = denied(ask, sentences)
    if gone:
        return f"they say there is no {gone}"
    clash = period_conflict(ask.text, sentences)
    if clash:
        return f"they give {clash.split(' vs ')[1]}, not {clash.split(' vs ')[0]}"
    return None
