"""The words the support rules work with (assistant/support_terms.py): synonym and opposite lexicons, the nouns
that name bodies and roles, rank words, and each text as a cached sequence of tokens (word, stem, capitalised,
number), so the rules can look at word order and neighbours rather than at a bag of stems."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from assistant.question_parse import _STEM, OPPOSITES, RATINGS, _analyser, _stem_tuple, _stems
from assistant.text import _WORD_KEYS as _NUMBER_KEYS
from assistant.text import numbers_in

# --- lexicons (surface words; compared by stem) ---------------------------------------------------------------

# words a faithful paraphrase swaps for one another (a claim term matches its evidence through any of them)
_SYNONYM_WORDS = [
    "increase rise grow", "decrease fall reduce decline", "about around approximately roughly circa",
    "expect anticipate forecast", "include comprise contain cover", "top highest", "bottom lowest",
    "say said state note remark", "staff personnel workforce", "begin start commence", "end finish conclude",
    "need require", "show demonstrate indicate", "give provide offer award", "receive get obtain",
    "create establish form", "combine merge join", "main key principal", "significant major considerable",
    "big large", "chair lead head", "transfer move", "use utilise employ", "issue publish release", "prison custody",
]

# pairs of opposites the basic list (question_parse.OPPOSITES) lacks
_EXTRA_OPPOSITE_WORDS = [
    ("expand enhance increase increased more greater", "reduce reduced reduction cut less fewer"),
    ("top highest", "low lowest bottom"),
    ("early", "advanced late"),
    ("surplus excess", "shortage shortages shortfall"),
    ("well", "poorly badly"),
    ("above exceed", "below"),
    ("improve improved change changed worsen worsened", "remain remains unchanged"),
    ("supplement supplements complement add", "replace replaces substitute supersede"),
    ("modern", "medieval ancient"), ("import imports imported importing", "export exports exported exporting"),
    ("upper", "lower"), ("inner", "outer"), ("internal", "external"), ("maternal", "paternal"),
    ("male", "female"), ("elder", "younger"), ("domestic", "foreign"), ("ancestor ancestors", "descendant descendants"),
]

# nouns that name a body, role, place or group: the word before one says which ("the Midlands division",
# "mid-ranking probation officers"), so a different word there in the claim names a different one
_HEAD_WORDS = ("division area region board team unit office officer manager director inspector staff worker "
               "service court prison agency commission council authority department panel partnership trust "
               "cluster offender case group sector professional practitioner")

# words that say which rank or scope of a role or body ("senior" officers, "regional" director): one in place of
# another names someone else
_RANK_WORDS = ("senior junior mid ranking middle chief deputy assistant principal head lead regional national local "
               "divisional county youth adult female male qualified unqualified trainee former specialist "
               "probation prison police court victim liaison custody community")

_RATING_WORDS = {"rate", "rat", "rating", "assess", "assessment", "overal"}
_NEGATORS = re.compile(r"\b(?:lack|lacks|lacked|lacking|absence|absent|unable)\b", re.IGNORECASE)
_ORDINALS = {w: str(i) for i, w in enumerate("second third fourth fifth sixth seventh eighth ninth tenth".split(),
                                             start=2)}
# a universal claim and the words that state it in the evidence ("every" is said by "all", "each", "every")
_UNIVERSALS = {"all": {"all", "every", "each", "entire", "whole"}, "every": {"all", "every", "each"},
               "always": {"always", "every", "all"}, "never": {"never", "not", "no"}, "none": {"none", "no", "not"}}
_RATING_CLAUSE = re.compile(r"[,;:()]|\b(?:with|but|while|whilst|although)\b", re.IGNORECASE)
# words whose next word names which one ("Appendix A", "level 3"): another identifier names another one
_DESIGNATORS = {"appendix", "annex", "table", "figure", "section", "level", "category", "tier", "part", "schedule",
                "chapter", "paragraph", "version", "page", "phase", "stage"}
# a comparison offering both sides ("higher in the fixed or the flex cohort"): either side answers it
_ALTERNATIVES = re.compile(r"\b(?:higher|lower|more|less|fewer|better|worse|greater|larger|smaller|bigger)\b[^?]*\bor\b",
                           re.IGNORECASE)
_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "non")
_CLAUSE = re.compile(r"[,;:()“”\"]|\s[–-]\s|\b(?:but|whilst|while|although|though|because|whereas|which|where|as|since|if)\b",
                     re.IGNORECASE)


_RATING_PATTERNS = tuple((r, re.compile(rf"\b{r}\b")) for r in RATINGS)   # of lower-cased text


def ratings_in(low: str) -> set[str]:
    """The ratings (question_parse.RATINGS) lower-cased `low` names."""
    return {r for r, pattern in _RATING_PATTERNS if r in low and pattern.search(low)}  # (a match holds r)


def _stem(word: str) -> str:
    s = _stem_tuple(word)   # (not _stems: its list copy, for each word of each sentence)
    return s[0] if s else ""


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for group in _SYNONYM_WORDS:
        stems = {_stem(w) for w in group.split()} - {""}
        for s in stems:
            out.setdefault(s, set()).update(stems - {s})
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _extra_opposites() -> list[tuple[frozenset[str], frozenset[str]]]:
    return [(frozenset(_stem(w) or w for w in a.split()), frozenset(_stem(w) or w for w in b.split()))
            for a, b in _EXTRA_OPPOSITE_WORDS]


@lru_cache(maxsize=1)
def _all_opposites() -> list[tuple[frozenset[str], frozenset[str]]]:
    return [(frozenset(a), frozenset(b)) for a, b in OPPOSITES] + _extra_opposites()


@lru_cache(maxsize=1)
def _basic_opposite_index() -> dict[str, tuple[int, ...]]:
    """word -> the positions in OPPOSITES of the pairs it is on either side of."""
    out: dict[str, list[int]] = {}
    for k, (a, b) in enumerate(OPPOSITES):
        for w in a | b:
            out.setdefault(w, []).append(k)
    return {w: tuple(ks) for w, ks in out.items()}


@lru_cache(maxsize=1)
def _kept_stop_words() -> frozenset[str]:
    """Stop words that are one side of an opposite ("further" from target against "closer"): kept as words."""
    return frozenset(w for a, b in _all_opposites() for w in a | b if w.isalpha() and not _stems(w))


@lru_cache(maxsize=1)
def _ranks() -> frozenset[str]:
    return frozenset(_stem(w) for w in _RANK_WORDS.split()) - {""}


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(_stem(w) for w in _HEAD_WORDS.split()) - {""}


# units of the service that a name before them says which of, even written in lower case ("the NPS Wales
# division", "the Eastvale region"); a service-wide name before one ("the NPS division") names no particular unit
_UNIT_WORDS, _SERVICE_WORDS = "division region pdu", "nps hmip hmpps national probation service"


@lru_cache(maxsize=1)
def _units() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(_stem(w) for w in _UNIT_WORDS.split()), frozenset(_stem(w) for w in _SERVICE_WORDS.split())


def synonym_in(stem: str, tokens: set[str]) -> bool:
    """A synonym of `stem` stands in `tokens` ("rise" matched by "increase")."""
    return bool(_synonyms().get(stem, frozenset()) & tokens)


# --- token sequences --------------------------------------------------------------------------------------------

class Tok(NamedTuple):   # (a named tuple: built for each new word of each sentence, 4x faster than a dataclass)
    word: str           # as written
    stem: str           # "" for a stop word
    cap: bool           # capitalised (a name, unless it opens the sentence)
    number: str         # the number it states ("six" -> "6"), or ""


_WORD = re.compile(r"[A-Za-z0-9]+(?:[’'][A-Za-z]+)?|[£$€%]")


def first_stems(words: list[str]) -> list[str]:
    """_stem_tuple(word)[0] of each word ("" when it has none), the words not seen before stemmed in one call:
    a sentence's words one by one went through the analyser's per-text path (benchmarks/RESULTS.md)."""
    stop, stemmer = _analyser()
    out: list[str] = []
    new: list[tuple[int, str]] = []
    for word in words:
        low = word.lower()
        if not (low.isascii() and low.isalnum()):
            first = _stem_tuple(word)   # hyphens, apostrophes, other scripts: the analyser's own split
            out.append(first[0] if first else "")
        elif (len(low) < 2 and not low.isdigit()) or low in stop:
            out.append("")
        else:
            stem = _STEM.get(low)
            if stem is None:
                new.append((len(out), low))
            out.append(stem or "")
    if new:
        if len(_STEM) > 200_000:
            _STEM.clear()
        for (i, low), stem in zip(new, stemmer.stemWords([low for _, low in new]), strict=True):
            out[i] = _STEM[low] = stem
    return out


# word -> its token as a sentence's first word and elsewhere, worked out once per distinct word: tokens_of re-read
# every word of every clause, the cold stage's largest item (benchmarks/RESULTS.md, "Answerability stage cost")
_TOKS: dict[str, tuple[Tok, Tok]] = {}


def _words(text: str) -> list[str]:
    """The words of `text` (tokens_of's), each one's tokens in _TOKS."""
    words = _WORD.findall(text)
    new = [w for w in dict.fromkeys(words) if w not in _TOKS]
    if new:
        if len(_TOKS) > 100_000:
            _TOKS.clear()
            new = list(dict.fromkeys(words))
        kept = _kept_stop_words()
        make = tuple.__new__   # Tok's own __new__ is a Python call: half the cost of each new word's tokens
        for word, stem in zip(new, first_stems(new), strict=True):
            low = word.lower()
            number = ""
            # numbers_in finds digits and number or month words only: a plain word that is neither has none
            if low != "may" and not (low.isalpha() and low not in _NUMBER_KEYS):
                nums = numbers_in(word)
                number = next(iter(nums)) if len(nums) == 1 else ""
            stem = stem or (low if low in kept else "")
            first = make(Tok, (word, stem, False, number))
            _TOKS[word] = first, (make(Tok, (word, stem, True, number)) if word[:1].isupper() else first)
    return words


@lru_cache(maxsize=8192)
def tokens_of(text: str) -> tuple[Tok, ...]:
    """Words in order (hyphenated words split, as the BM25 analyser splits them)."""
    return tuple(_TOKS[w][i > 0] for i, w in enumerate(_words(text)))


@lru_cache(maxsize=8192)
def _stem_set(text: str) -> frozenset[str]:
    """The stems of tokens_of(text), without building its tokens (each clause of a sentence is asked for)."""
    return frozenset(_TOKS[w][0].stem for w in _words(text)) - {""}


# --- word order ------------------------------------------------------------------------------------------------

def _neighbours(toks: tuple[Tok, ...]) -> dict[str, set[str]]:
    """stem -> the content stems right before or after any of its occurrences."""
    content = [t.stem for t in toks if t.stem]
    out: dict[str, set[str]] = {}
    for k, s in enumerate(content):
        near = out.setdefault(s, set())
        if k > 0:
            near.add(content[k - 1])
        if k + 1 < len(content):
            near.add(content[k + 1])
    return out


def _near(content: list[str], stem: str) -> set[str]:
    """_neighbours(...)[stem] of the tokens whose content stems are `content` (empty when it is not there)."""
    out: set[str] = set()
    k = -1
    while True:
        try:
            k = content.index(stem, k + 1)
        except ValueError:
            return out
        if k > 0:
            out.add(content[k - 1])
        if k + 1 < len(content):
            out.add(content[k + 1])


def _find(seq: list[str], part: list[str]) -> list[int]:
    """The positions where `part` starts in `seq` (tried only where its first word stands)."""
    n = len(part)
    if not n:
        return list(range(len(seq) + 1))
    out: list[int] = []
    k = -1
    first = part[0]
    while True:
        try:
            k = seq.index(first, k + 1)
        except ValueError:
            return out
        if seq[k:k + n] == part:
            out.append(k)


# --- aliases --------------------------------------------------------------------------------------------------

_APPOSITION = re.compile(r"((?:[A-Z][\w’'-]+\s){1,3}[A-Z][\w’'-]+),\s+((?:(?:[A-Z][\w’'-]*|of|the|and)\s?){1,8}),")
_GENERIC = {"dame", "sir", "mr", "mrs", "ms", "dr", "hm", "lord", "ladi", "the", "of"}


@lru_cache(maxsize=2048)
def aliases(passage_text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """(name, title) pairs the passage sets up by apposition: "Dame Glenys Stacey, HM Chief Inspector of
    Probation, said" -> ({dame, glenys, stacey}, {hm, chief, inspector, probat})."""
    out = []
    for m in _APPOSITION.finditer(passage_text):
        a = frozenset(_stems(m.group(1))) - _GENERIC
        b = frozenset(_stems(m.group(2))) - _GENERIC
        if a and b:
            out.append((a, b))
    return tuple(out)


def alias_matches(terms: list[str], evidence_text: str, passage_text: str) -> list[str]:
    """Of `terms` (as written), those that name, by an alias the passage sets up, someone the evidence names."""
    ev = {t.stem for t in tokens_of(evidence_text)}
    out = []
    for term in terms:
        s = _stem(term)
        for a, b in aliases(passage_text):
            if (s in b and a & ev) or (s in a and b & ev):
                out.append(term)
                break
    return out
