"""Parsing a question or claim into what it asks for (terms, names, numbers, answer type), apart from answerability.py's judging."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.question_words import _IRREGULAR_PAST, _TYPE_WORD, OPPOSITES  # noqa: F401 (imported from here)
from assistant.text import BM25_TOKEN_PATTERN, QUESTION_WORDS, SOURCE_WORDS, numbers_in

_WH = re.compile(r"^\s*(?:(?:and|but|so|then|also|please|tell me|can you tell me|do you know)\s+)*", re.IGNORECASE)
# "on what dates did the fieldwork take place?": the plural asks for dates too (blind set, r-fieldwork-dates)
_DATE_Q = re.compile(r"^(?:when|since when|by when|until when|until what|what (?:year|date|month|day|time|century|"
                     r"decade|period|season)s?|which (?:year|date|month|day|century|decade|period)s?|"
                     r"(?:in|on|by|from|during|at|until) (?:what|which) (?:year|date|month|day|century|decade|time|"
                     r"period)s?|how long ago)\b", re.IGNORECASE)
_NUMBER_Q = re.compile(r"^(?:how (?:many|much|long|far|old|big|large|often|high|tall|wide)|what (?:percentage|"
                       r"proportion|share|number|amount|fraction|per ?cent|size|age|distance|population|sum)|"
                       r"(?:by |to |at )?(?:what|which) (?:percentage|proportion|share|number|amount|rate|age))\b",
                       re.IGNORECASE)
_PERSON_Q = re.compile(r"^(?:who|whom|whose|(?:by|to|for|with|from) whom|which (?:person|people|company|"
                       r"organisation|organization|body|bodies|agency|agencies|king|queen|leader|officer|man|woman|"
                       r"group|team)|what (?:person|company|organisation|organization|body|agency|name|king|"
                       r"queen|leader|group|team))\b", re.IGNORECASE)
_PLACE_Q = re.compile(r"^(?:where|from where|(?:in |to |from |at )?(?:what|which) (?:country|countries|city|"
                      r"cities|town|region|regions|place|places|area|areas|county|counties|location|site|"
                      r"island|river|division|land|kingdom|territory|sea|continent|province|port|village|peninsula|ocean))\b", re.IGNORECASE)
_WHICH_X = re.compile(r"^(?:(?:in|on|by|to|for|from|of|at|with) )?(?:which|what) (?:kind of |type of |sort of )?"
                      r"(?:(?:two|three|four|five|six|seven|eight|nine|ten|\d+) )?"
                      r"(?P<x>[a-z][a-z-]+)", re.IGNORECASE)
_HOW_MANY = re.compile(r"^how many (?:of (?:the|our) )?(?P<x>[\w -]+?)(?: (?:does|do|did|are|is|were|was|will|would|have|has|had|can|could|should|in|of|at|for|per|need|needs)\b|\?|$)", re.IGNORECASE)
# "which two boards", "name the three aims": the number counts the answer, it is not a fact to find
_ANSWER_COUNT = re.compile(r"\b(?:which|what|the|name|list)\s+(two|three|four|five|six|seven|eight|nine|ten|\d+)\b",
                           re.IGNORECASE)
_AUX = {"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "will", "would", "can", "could",
        "should", "may", "might", "must", "shall", "the", "a", "an", "of", "it", "they", "he", "she", "this", "that",
        "these", "those", "there", "be"}
_CAP = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of|and|the|for|de|du|la|le)?\s*[A-Z][\w’'-]*)*")
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_DATE_WORDS = re.compile(r"\b(?:january|february|march|april|june|july|august|september|october|november|december|"
                         r"spring|summer|autumn|winter|century|centuries|decade|monday|tuesday|wednesday|thursday|"
                         r"friday|saturday|sunday|yesterday|today|tomorrow|year|years|month|months|week|weeks|"
                         r"annually|daily|weekly|ad|bc|\d{1,2}(?:st|nd|rd|th))\b", re.IGNORECASE)
_AMOUNT_WORDS = re.compile(r"(?:[£$€%]|\b(?:per ?cent|percent|hundred|thousand|million|billion|dozen|half|third|"
                           r"quarter|twice|double|single|several|numerous|majority|minority|all|none|no)\b)",
                           re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|cannot|without|neither)\b|n[’']t\b", re.IGNORECASE)

RATINGS = ("outstanding", "good", "requires improvement", "inadequate")


_TOKEN = re.compile(BM25_TOKEN_PATTERN)


@lru_cache(maxsize=1)
def _analyser():
    """bm25s' "en_plus" stop words and the Snowball stemmer: the parts of assistant.text.tokenize."""
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS), Stemmer.Stemmer("english")


_STEM: dict[str, str] = {}


@lru_cache(maxsize=65536)
def _stem_tuple(text: str) -> tuple[str, ...]:
    """assistant.text.tokenize for one text, computed directly: bm25s.tokenize builds a Stemmer and two
    (disabled) tqdm bars per call, 0.4 ms, which was most of the stage's cold time (1,244 calls in one pass
    over the questions); same lower-casing, token pattern, stop words and stems (tests/test_answerability.py
    compares the two on every corpus sentence and question)."""
    stop, stemmer = _analyser()
    out = []
    low = text.lower()
    # one plain word (most calls: words of a sentence, one by one) is its own token, without the regex
    tokens = ((low,) if len(low) > 1 or low.isdigit() else ()) if low.isascii() and low.isalnum() \
        else _TOKEN.findall(low)
    for token in tokens:
        if token in stop:
            continue
        stem = _STEM.get(token)
        if stem is None:
            if len(_STEM) > 200_000:
                _STEM.clear()
            stem = _STEM[token] = stemmer.stemWord(token)
        out.append(stem)
    return tuple(out)


@lru_cache(maxsize=4096)
def _stem_set(text: str) -> frozenset[str]:
    """set(_stem_tuple(text)), stemming each distinct word once: the idf weights stem whole passages and
    need only which stems they hold (0.5 of 4.3 s of the cold profile went to stemming every word)."""
    stop, stemmer = _analyser()
    tokens = set(_TOKEN.findall(text.lower())) - stop
    new = [t for t in tokens if t not in _STEM]
    if len(_STEM) > 200_000:
        _STEM.clear()
        new = list(tokens)
    _STEM.update(zip(new, stemmer.stemWords(new), strict=True))
    return frozenset(_STEM[t] for t in tokens)


def _stems(text: str) -> list[str]:
    """The BM25 analyser's stems, cached: words and passage sentences recur across questions, and one
    tokenizer call costs about as much as the set work of a whole alignment."""
    return list(_stem_tuple(text))


@dataclass
class Ask:
    """What a question (or a generated claim) asks for / asserts."""

    text: str
    terms: dict[str, str]              # stem -> the word as written
    names: set[str]                    # stems of capitalised words and acronyms (people, bodies, places)
    numbers: set[str]                  # numbers, number words, months (text.numbers_in)
    years: set[str]
    answer_type: str | None            # date | number | person | place | mention | None
    focus: str | None = None           # the X of "which X" / "what X" (a stem)
    head: str | None = None            # the X of "how many X" (a stem)
    ratings: set[str] = field(default_factory=set)
    negated: bool = False
    synonyms: dict[str, list[set[str]]] = field(default_factory=dict)  # stem -> other glossary forms (stems)
    topics: set[str] = field(default_factory=set)   # stems of glossary terms: the passage may carry them
    asked: set[str] = field(default_factory=set)    # the asked attribute or relation ("budget" of "what is the
                                                    # budget of X", "chairs" of "who chairs X", "dissolved")


_TRIGGERS: dict[int, tuple[object, list, dict[str, list[tuple[int, frozenset[str]]]]]] = {}
_SUB_GLOSSARIES: dict[tuple[int, tuple[int, ...]], object] = {}
_WORD_RUN = re.compile(r"\w+")


def glossary_subset(glossary, text: str):
    """The glossary restricted to the terms that can occur in `text` (None: no term can), for the same
    `mentioned` / `expand_query` results at a fraction of the cost: trying all ~100 patterns on each quoted
    passage and question was most of the stage's cold time. A term can occur only if every run of word
    characters of one of its forms is a whole word of the text (the glossary's patterns start and end at word
    boundaries and keep a form's non-word characters); the subset keeps the glossary's order."""
    entry = _TRIGGERS.get(id(glossary))
    if entry is None or entry[0] is not glossary:
        by_key: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for i, t in enumerate(glossary.terms):
            for f in t.forms:
                runs = _WORD_RUN.findall(f.lower()) or [""]
                by_key.setdefault(runs[0], []).append((i, frozenset(runs)))
        entry = _TRIGGERS[id(glossary)] = (glossary, list(glossary.terms), by_key)
    words = set(_WORD_RUN.findall(text.lower()))
    words.add("")
    # the forms whose first word the text has (one set intersection, not a test of every term: 0.2 s of 4.3 s
    # cold), kept when every word of the form is there too (each is a whole word of any match)
    found = tuple(sorted({i for k in words & entry[2].keys() for i, runs in entry[2][k] if runs <= words}))
    if not found:
        return None
    key = (id(glossary), found)
    sub = _SUB_GLOSSARIES.get(key)
    if sub is None:
        if len(_SUB_GLOSSARIES) > 2000:
            _SUB_GLOSSARIES.clear()
        sub = _SUB_GLOSSARIES[key] = type(glossary)(terms=[entry[1][i] for i in found])
    return sub


def with_glossary(ask: Ask, glossary) -> Ask:
    """Glossary forms as synonyms (FTE = full-time equivalent, SOMMB = Strategic Offender Management and
    MAPPA Board); a glossary term names what a passage is about, so it may be matched in the passage rather
    than in the quoted sentence ("How many cases will transfer under OMIC?")."""
    sub = glossary_subset(glossary, ask.text) if glossary is not None else None
    if sub is None:
        return ask
    for term in sub.mentioned(ask.text):
        forms = [set(_stems(f)) for f in term.forms if _stems(f)]
        for form in forms:
            for stem in form & set(ask.terms):
                ask.synonyms.setdefault(stem, []).extend(f for f in forms if f is not form)
                ask.topics.add(stem)
    return ask


# "what is the budget of", "what was the total cost of": the attribute asked for
_ATTRIBUTE_Q = re.compile(r"^(?:what|which)\s+(?:is|was|are|were|will be|would be|has been)\s+(?:the|a|an)\s+"
                          r"(?P<x>(?:[\w-]+\s+){0,2}?[\w-]+?)\s+(?:of|for|in|at|on|to|that|which|does|do|did|will|"
                          r"has|have|by|between|with|from|about)\b", re.IGNORECASE)
# "who chairs X", "who will appoint X": the relation asked about
_WHO_VERB = re.compile(r"^(?:who|which\s+[\w-]+)\s+(?:(?:will|would|can|could|should|may|might|must|shall)\s+)?"
                       r"(?P<v>[a-z][\w-]+)\b", re.IGNORECASE)
# "when was the board dissolved?", "where were they founded?": the participle at the end
_PASSIVE_Q = re.compile(r"^(?:when|where|how|why|by whom|in what year|in which year)\s+(?:was|were|is|are|has been|"
                        r"have been|will be)\b.*\s(?P<v>[a-z]+(?:ed|en|wn|lt|ught))\W*$", re.IGNORECASE)
# words that name the kind of answer, not a thing the evidence must repeat
_GENERIC_ASKED = {"name", "titl", "term", "word", "kind", "type", "sort", "part", "way", "thing", "one", "date",
                  "year", "month", "day", "time", "number", "amount", "percentag", "proport", "share", "total",
                  "main", "first", "last", "reason", "purpos", "result", "call", "known", "consid", "given"}
_NOT_VERBS = {"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "be", "been", "the", "a", "an"}


def _asked(question: str, focus: str | None, head: str | None) -> set[str]:
    q = _WH.sub("", question.strip())
    # not the X of "which X" or "how many X": an answer names an instance ("which standards" -> "court work"),
    # and the type check already looks for the X; an attribute ("the budget of") or a relation must be there
    out: set[str] = set()
    m = _ATTRIBUTE_Q.match(q)
    if m:
        out.update(_stems(m.group("x").split()[-1])[:1])
    x = _which_noun(q)
    m = _WHO_VERB.match(q)
    if m and m.group("v").lower() not in _NOT_VERBS and m.group("v")[0].islower():
        out.update(_stems(m.group("v"))[:1])
    m = re.match(r"^what\s+(?P<v>[a-z]+(?:ed|s))\s", q, re.IGNORECASE)
    if m and not x and m.group("v").lower() not in _NOT_VERBS:
        out.update(_stems(m.group("v"))[:1])  # "what changed for ...", "what happens to ..."
    m = _PASSIVE_Q.match(q)
    if m:
        out.update(_stems(m.group("v"))[:1])
    m = _WHO_IS_THE.match(q)
    if m:
        out.update(_stems(m.group("x").split()[-1])[:1])  # "who is the regional director for": director
    verb = _event_verb(q)
    if verb:
        out.update(_stems(verb)[:1])                       # "when did the division stop ...": stop
    return out - _GENERIC_ASKED


# "who is the regional director for X?": the role the answer must hold
_WHO_IS_THE = re.compile(r"^(?:who|whom)\s+(?:is|was|are|were|will be|would be|has been|had been)\s+(?:the|a|an)\s+"
                         r"(?P<x>(?:[\w-]+\s+){0,2}?[\w-]+?)\s+(?:of|for|in|at|on|to|that|who|which|before|after|"
                         r"between|with|from|when)\b", re.IGNORECASE)
# "when did LLR reach its target?", "where did Oursel lead the Franks?": the event the date or place belongs to
_EVENT_Q = re.compile(r"^(?:when|where|since when|by when|how long|(?:in )?(?:what|which) (?:year|month|date))\s+"
                      r"(?:did|does|do|will|would|can|could|should|has|have|had)\s+(?P<rest>.+)$", re.IGNORECASE)
_NOUN_ENDINGS = ("ion", "ment", "ity", "ness", "ship", "ance", "ence", "ism", "ure", "ist", "ian", "age", "hood")
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "my", "your", "this", "that", "these", "those",
                "each", "every", "all", "any", "some", "both", "it", "they", "he", "she", "we", "you", "i", "not",
                "first", "last", "ever", "never", "finally", "actually", "also", "just", "eventually"}
_LIGHT_VERBS = {"take", "get", "make", "go", "come", "happen", "occur", "have", "be", "do", "become", "sit", "lie",
                "stand", "fit", "belong", "appear", "feature", "live", "stay", "remain", "keep", "put", "set", "carry"}


def _event_verb(q: str) -> str | None:
    """The verb of "when/where did <subject> <verb> ...": the first word after the auxiliary that is no
    determiner, capitalised name, number or word with a noun's ending or plural -s ("the Midlands division
    stop" -> stop); None when none stands within six words or it is a light verb ("take place")."""
    m = _EVENT_Q.match(q)
    if not m:
        return None
    after_determiner = False
    words = re.findall(r"[\w’'-]+", m.group("rest"))[:6]
    for i, w in enumerate(words):
        low = w.lower()
        if low in _DETERMINERS:
            after_determiner = True
            continue
        if low.endswith(("'s", "’s")) or w[:1].isupper() or any(c.isdigit() for c in w) \
                or low.endswith(_NOUN_ENDINGS) or (low.endswith("s") and not low.endswith(("ss", "us"))):
            after_determiner = after_determiner and not low.endswith(_NOUN_ENDINGS + ("s",))
            continue
        if after_determiner:   # "the board meet": the word after a determiner heads the subject
            after_determiner = False
            continue
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        if following.endswith(_NOUN_ENDINGS) or (following.endswith("s") and not following.endswith(("ss", "us"))
                                                 and following not in _DETERMINERS | {"was", "is", "has", "does"}):
            continue           # "custody cases": a modifier of the noun that follows
        return None if low in _LIGHT_VERBS else w
    return None


_AFTER_VERB = {"to", "for", "the", "a", "an", "in", "on", "at", "with", "about", "under", "after", "before", "when",
               "if", "that", "this", "these", "those", "it", "them", "his", "her", "their", "our", "its", "by", "from"}
_VAGUE_NOUNS = {"part", "kind", "type", "sort", "way", "thing", "aspect", "area", "one", "other"}


def _which_noun(q: str) -> str | None:
    """The X of "which X" / "what X" (stem): the last of up to three words before a verb ("what notable
    achievements has" -> achievement); None for a verb ("what changed for", "what happens to") or a vague noun
    ("which parts": any part may answer)."""
    m = re.match(r"^(?:(?:in|on|by|to|for|from|of|at|with|during|under|through|against) )?(?:which|what) "
                 r"(?:kind of |type of |sort of )?"
                 r"(?:(?:two|three|four|five|six|seven|eight|nine|ten|\d+) )?(?P<w>(?:[a-z][\w’'-]*\s*){1,4})",
                 q, re.IGNORECASE)
    if not m:
        return None
    words = m.group("w").split()
    if not words or words[0].lower() in _AUX:
        return None
    if len(words) > 1 and words[1].lower() in _AFTER_VERB and words[0].lower().endswith(("ed", "s", "en")) \
            and not words[0].lower().endswith(("ss", "us")):
        return None  # "what changed for", "what happens to": a verb, not a thing named
    nouns = [words[0]]
    for w in words[1:3]:
        if w.lower() in _AUX or w.lower() in _AFTER_VERB or w.lower() in {"will", "would", "can", "could", "did"} \
                or w.lower().endswith("ed") or w.lower() in _IRREGULAR_PAST:
            break
        nouns.append(w)
    vague = {_stems(v)[0] for v in _VAGUE_NOUNS if _stems(v)}
    stems = [_stems(n)[:1] for n in nouns]
    if len(stems) > 1 and stems[-1] and stems[-1][0] in vague:
        stems.pop()   # "what architecture type came": the architecture is the X
    last = stems[-1]
    if not last or last[0] in vague:
        return None
    return last[0]


# "what will the caseload increase to?", "what is the budget of the SOMMB?": a figure, though asked with "what"
_CHANGE_TO_Q = re.compile(r"^what\b.*\b(?:increas|decreas|ris|fall|fell|grow|grew|drop|reduc|climb|go up|go down)"
                          r"\w*\s+to\W*$", re.IGNORECASE)
_AMOUNT_ATTRIBUTES = {"budget", "cost", "price", "salary", "wage", "population", "turnover", "spend", "income",
                      "revenue", "fee", "worth", "value", "length", "height", "width", "weight", "distance",
                      "duration", "capacity", "headcount", "caseload", "size", "rate", "percentage", "proportion",
                      "ratio", "average"}
# "how was victim work rated?", "what grade did ... get?": a rating (outstanding, good, ...)
_RATING_Q = re.compile(r"^(?:how\s+(?:was|were|is|are|has|have|had|did)\b.*\b(?:rated|judged|graded|assessed|scored|"
                       r"rate|judge|grade|assess|score)\W*$|(?:what|which)\s+(?:overall\s+)?(?:rating|grade)s?\b)",
                       re.IGNORECASE)


_IN_A_STRUCTURE = re.compile(r"\b(?:in|within|into)\s+(?:the|its|their|our|this|that)?\s*(?:[\w-]+\s+){0,3}?"
                             r"(?:structure|organi[sz]ation|hierarchy|system|process|framework|model|plan|chart|"
                             r"report|document|list|table|pathway|arrangements)\b", re.IGNORECASE)


def _answer_type(question: str) -> tuple[str | None, str | None]:
    q = _WH.sub("", question.strip())
    if _DATE_Q.match(q):
        return "date", None
    if _NUMBER_Q.match(q) or _CHANGE_TO_Q.match(q):
        return "number", None
    m = _ATTRIBUTE_Q.match(q)
    if m and m.group("x").split()[-1].lower() in _AMOUNT_ATTRIBUTES:
        return "number", None
    if _RATING_Q.match(q):
        return "rating", None
    if _PERSON_Q.match(q):
        return "person", None
    if _PLACE_Q.match(q):
        # "where does the SFO team sit in the divisional structure?": a part of a structure, not a place name
        return ("thing", None) if _IN_A_STRUCTURE.search(q) else ("place", None)
    x = _which_noun(q)
    if x:
        return "mention", x
    if re.match(r"^(?:what|which)\b", q, re.IGNORECASE):
        return "thing", None
    return None, None


def parse(text: str, question: bool = True) -> Ask:
    """The items of a question (question=True: answer type too) or of a claim (question=False)."""
    words = re.findall(r"[\w’'-]+", text)
    stems = _stems(text)
    surface: dict[str, str] = {}
    for w in words:
        s = _stems(w)
        if s:
            surface.setdefault(s[0], w)
    ignore = QUESTION_WORDS | SOURCE_WORDS if question else set()
    terms = {s: surface.get(s, s) for s in stems if s not in ignore and not s.isdigit()}
    m = _TYPE_WORD.match(_WH.sub("", text.strip())) if question else None
    if m:  # "in what year", "how long": the kind of answer, not a word the sentence must repeat
        terms.pop(next(iter(_stems(m.group(1))), ""), None)
    answer_type, focus = _answer_type(text) if question else (None, None)
    if answer_type == "place":  # "where was X located": a place answers it
        for word in ("locat", "situat"):
            terms.pop(word, None)
    names: set[str] = set()
    for i, w in enumerate(words):
        if (w[:1].isupper() and i > 0) or (len(w) > 1 and w.isupper()):
            s = _stems(w)
            if s and s[0] in terms:
                names.add(s[0])
    head = None
    m = _HOW_MANY.match(_WH.sub("", text.strip())) if question else None
    if m:
        hs = _stems(m.group("x").split()[-1]) if m.group("x").split() else []
        head = hs[0] if hs else None
    low = text.lower()
    counted = {n for m in _ANSWER_COUNT.finditer(text) for n in numbers_in(m.group(1))} if question else set()
    asked = _asked(text, focus, head) & set(terms) if question else set()
    return Ask(text=text, terms=terms, names=names, head=head, asked=asked,
               numbers=numbers_in(text) - set(_YEAR.findall(text)) - counted,
               years=set(_YEAR.findall(text)), answer_type=answer_type, focus=focus,
               ratings={r for r in RATINGS if re.search(rf"\b{r}\b", low)}, negated=bool(_NEGATION.search(text)))
