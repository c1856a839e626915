"""The words the support rules work with (assistant/support_terms.py): synonym and opposite lexicons, the nouns
that name bodies and roles, rank words, and each text as a cached sequence of tokens (word, stem, capitalised,
number), so the rules can look at word order and neighbours rather than at a bag of stems."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.question_parse import OPPOSITES, _stems
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


def _stem(word: str) -> str:
    s = _stems(word)
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
def _kept_stop_words() -> frozenset[str]:
    """Stop words that are one side of an opposite ("further" from target against "closer"): kept as words."""
    return frozenset(w for a, b in _all_opposites() for w in a | b if w.isalpha() and not _stems(w))


@lru_cache(maxsize=1)
def _ranks() -> frozenset[str]:
    return frozenset(_stem(w) for w in _RANK_WORDS.split()) - {""}


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(_stem(w) for w in _HEAD_WORDS.split()) - {""}


def synonym_in(stem: str, tokens: set[str]) -> bool:
    """A synonym of `stem` stands in `tokens` ("rise" matched by "increase")."""
    return bool(_synonyms().get(stem, frozenset()) & tokens)


# --- token sequences --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tok:
    word: str           # as written
    stem: str           # "" for a stop word
    cap: bool           # capitalised (a name, unless it opens the sentence)
    number: str         # the number it states ("six" -> "6"), or ""


@lru_cache(maxsize=8192)
def tokens_of(text: str) -> tuple[Tok, ...]:
    """Words in order (hyphenated words split, as the BM25 analyser splits them)."""
    out = []
    for i, m in enumerate(re.finditer(r"[A-Za-z0-9]+(?:[’'][A-Za-z]+)?|[£$€%]", text)):
        w = m.group(0)
        nums = numbers_in(w) if not re.fullmatch(r"(?i)may", w) else set()
        stem = _stem(w) or (w.lower() if w.lower() in _kept_stop_words() else "")
        out.append(Tok(w, stem, w[:1].isupper() and i > 0, next(iter(nums)) if len(nums) == 1 else ""))
    return tuple(out)


@lru_cache(maxsize=8192)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(t.stem for t in tokens_of(text)) - {""}
