"""What makes a sentence say the same as, or the opposite of, the sentence it is checked against.

Shared by both users of the one support engine (assistant/answerability.py `align`): the answerability
stage (a question against the sentence an answer would quote) and the generated-answer post-check
(assistant/llm/check.py: a generated sentence against the passage sentence it cites). Whole-sentence word
overlap cannot see a claim that keeps every word of its evidence but binds them differently, so these look at
word *order* and *neighbours*:

- synonyms a paraphrase uses ("rise" for "increase", "about" for "approximately", "includes" for "comprising");
- opposites beyond the basic list (expanded/reduced, early/advanced, top/low), words negated by a prefix
  ("unclear" against "clear", "ineffective" against "effective"), and an opposite bound to the same word
  ("publicly run" where the sentence says "public funds ... privately run");
- a rating other than the one the evidence gives *that* standard ("court work rated good" where the sentence
  rates the division good and court work outstanding);
- a swapped name or modifier of a body or role ("the Wales Division" where it says "the Midlands Division",
  "senior probation officers" where it says "mid-ranking probation officers", "West Midlands Criminal Justice
  Board" where it says "East ...");
- a number bound to another name ("six in Wales and one in England" where it says "six in England and one in
  Wales"), and an ordinal the evidence does not give ("ranked third");
- negation per clause, with "lack of" counting as a negation ("praised its responsiveness" against "a lack of
  responsiveness");
- aliases a passage sets up by apposition ("Dame Glenys Stacey, HM Chief Inspector of Probation, said"), so a
  claim may name the person by title.

Figures: benchmarks/llm_check.py on benchmarks/llm_check_examples.yaml (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.question_parse import _NEGATION, OPPOSITES, RATINGS
from assistant.support_words import (  # noqa: F401 (synonym_in: also used from here by answerability.align)
    _ALTERNATIVES,
    _CLAUSE,
    _DESIGNATORS,
    _NEGATORS,
    _ORDINALS,
    _PREFIXES,
    _RATING_CLAUSE,
    _RATING_WORDS,
    _UNIVERSALS,
    Tok,
    _all_opposites,
    _basic_opposite_index,
    _find,
    _heads,
    _near,
    _neighbours,
    _ranks,
    _stem,
    _stem_set,
    _synonyms,
    _units,
    alias_matches,
    aliases,
    ratings_in,
    synonym_in,
    tokens_of,
)

# --- conflicts ------------------------------------------------------------------------------------------------

def offers_alternatives(text: str) -> bool:
    """"Was reoffending higher in the fixed or the flex cohort?": either answer ("lower in the fixed cohort than
    in the flex") answers it, so the comparison's opposite is no conflict."""
    return bool(_ALTERNATIVES.search(text))


def basic_conflicts(ask, ev) -> list[str]:
    """A word of one side of question_parse.OPPOSITES where the sentence has only the other; a rating other than
    the one the claim (or question) asks about."""
    out = []
    asked = set(ask.terms) if not offers_alternatives(ask.text) else set()
    index = _basic_opposite_index()   # (a pair none of the asked words is in gives no conflict)
    for k in sorted({k for w in asked for k in index.get(w, ())}):
        a, b = OPPOSITES[k]
        for mine, theirs in ((a, b), (b, a)):
            if asked & mine and not (ev.tokens & mine) and ev.tokens & theirs and not (asked & theirs):
                out.append(f"{'/'.join(sorted(asked & mine))} vs {'/'.join(sorted(ev.tokens & theirs))}")
    ev_ratings = ev.ratings()
    if ask.ratings and ev_ratings and not (ask.ratings & ev_ratings):
        out.append(f"rated {'/'.join(sorted(ask.ratings))} vs {'/'.join(sorted(ev_ratings))}")
    return out


def conflicts(ask, ev) -> list[str]:
    """What the claim (or question) says that the evidence sentence contradicts, beyond the basic opposites
    and ratings of basic_conflicts: each as "claim's words vs evidence's words"."""
    claim, evid = tokens_of(ask.text), tokens_of(ev.text)
    out: list[str] = []
    if not offers_alternatives(ask.text):
        out += _opposite_conflicts(_stems_of(claim), evid)
        out += _bound_opposites(claim, evid)
    out += _prefix_opposites(ask, ev)
    if ask.answer_type is None:             # a statement, or a yes/no question: its rating names a standard
        out += _rating_binding(ask, ev.text)
    out += _designator_conflicts(claim, evid)
    if ask.answer_type is None:
        out += _overgeneralised(claim, evid)
    out += _modifier_swaps(claim, evid, set(ask.terms), ev.tokens)
    out += _number_bindings(claim, evid)
    return list(dict.fromkeys(out))


def _stems_of(toks: tuple[Tok, ...]) -> frozenset[str]:
    return frozenset(t.stem for t in toks) - {""}   # _stem_set of the text, from its tokens at hand


def _opposite_conflicts(claim_set: frozenset[str], evid: tuple[Tok, ...]) -> list[str]:
    """A word of one side where the evidence sentence has only the other side (as basic_conflicts,
    with the extra pairs and the stop words that are a side: "more", "further")."""
    out = []
    asked = claim_set
    if not asked & _opposite_index().keys():
        return []
    there = _stems_of(evid)   # (only for a claim holding a side of an opposite)
    for a, b in _all_opposites():
        for mine, theirs in ((a, b), (b, a)):
            if asked & mine and not (there & mine) and there & theirs and not (asked & theirs):
                out.append(f"{'/'.join(sorted(asked & mine))} vs {'/'.join(sorted(there & theirs))}")
    return out


@lru_cache(maxsize=1)
def _opposite_index() -> dict[str, tuple[tuple[frozenset[str], frozenset[str]], ...]]:
    """word -> the (its side, other side) pairs it belongs to."""
    out: dict[str, list] = {}
    for a, b in _all_opposites():
        for mine, theirs in ((a, b), (b, a)):
            for w in mine:
                out.setdefault(w, []).append((mine, theirs))
    return {k: tuple(v) for k, v in out.items()}


def _bound_opposites(claim: tuple[Tok, ...], evid: tuple[Tok, ...]) -> list[str]:
    """An opposite next to the same word: "publicly run" against "privately run" (the evidence may use the claim's
    word elsewhere: "public funds"). Not when the claim holds both sides ("East and West divisions")."""
    index = _opposite_index()
    if not any(t.stem in index for t in claim):
        return []
    out = []
    claim_near = _neighbours(claim)
    claim_stems = set(claim_near)
    ev_content = [t.stem for t in evid if t.stem]   # the evidence's neighbours, only of the words asked about
    ev_stems = set(ev_content)
    for t in claim:
        for mine, theirs in index.get(t.stem, ()):
            if claim_stems & theirs or not ev_stems & mine:
                continue   # (the evidence without the claim's side at all: _opposite_conflicts' case)
            for n in claim_near.get(t.stem, set()) - mine - theirs:
                near = _near(ev_content, n)
                if near and near & theirs and not near & mine:
                    out.append(f"{t.word} {n} vs {'/'.join(sorted(near & theirs))} {n}")
    return out


@lru_cache(maxsize=8192)
def _prefixed(evidence_text: str) -> dict[str, str]:
    """Stem of the base -> the word, for the evidence's words that negate by prefix ("ineffective": effect)."""
    out: dict[str, str] = {}
    for t in tokens_of(evidence_text):
        w = t.word.lower()
        if not w.startswith(_PREFIXES):
            continue
        for p in _PREFIXES:
            if w.startswith(p) and len(w) - len(p) >= 4:
                base = _stem(w[len(p):])
                if base:
                    out.setdefault(base, w)
    return out


def _prefix_opposites(ask, ev) -> list[str]:
    """"unclear" against "clear", "ineffective" against "effective" (the claim's word absent from the evidence)."""
    out = []
    prefixed = None
    for stem, word in ask.terms.items():
        if stem in ev.tokens:
            continue
        low = word.lower()
        for p in _PREFIXES:
            if low.startswith(p) and len(low) - len(p) >= 4 and _stem(low[len(p):]) in ev.tokens:
                out.append(f"{word} vs {low[len(p):]}")
        prefixed = _prefixed(ev.text) if prefixed is None else prefixed
        if stem in prefixed:
            out.append(f"{word} vs {prefixed[stem]}")
    return out


def _rating_binding(ask, evid_text: str) -> list[str]:
    """Where the evidence gives two ratings, each of the claim's other words votes for the rating of the clause
    it stands in; the claim's rating must be the one most votes go to ("an overall good rating with case
    supervision assessment, with planning and court work rated as outstanding": planning is outstanding)."""
    if len(ask.ratings) != 1:
        return []
    mine = next(iter(ask.ratings))
    clauses = [c for c in _RATING_CLAUSE.split(evid_text) if c and c.strip()]
    rated = [(c, ratings_in(c.lower())) for c in clauses]
    given = set().union(*(r for _, r in rated)) if rated else set()
    if len(given) < 2 or mine not in given:
        return []   # one rating only (or not the claim's): basic_conflicts' rule decides
    rating_stems = {_stem(w) for r in RATINGS for w in r.split()} | _RATING_WORDS
    votes: dict[str, int] = {}
    for stem in set(ask.terms) - rating_stems:
        for clause, ratings in rated:
            if len(ratings) == 1 and stem in {t.stem for t in tokens_of(clause)}:
                r = next(iter(ratings))
                votes[r] = votes.get(r, 0) + 1
    if not votes:
        return []
    top = max(votes.values())
    winners = [r for r, v in votes.items() if v == top]
    if len(winners) == 1 and winners[0] != mine:
        return [f"rated {mine} vs {winners[0]}"]
    return []


def _overgeneralised(claim: tuple[Tok, ...], evid: tuple[Tok, ...]) -> list[str]:
    """"All premises provided a safe environment" where the sentence says the extent "varied": a claim about all
    (every, always, never, none) needs a sentence that says so."""
    ev_words = {t.word.lower() for t in evid}
    out = []
    for t in claim:
        q = t.word.lower()
        if q in _UNIVERSALS and not ev_words & _UNIVERSALS[q]:
            out.append(f"{q} vs a narrower statement")
    return list(dict.fromkeys(out))


def _designators(toks: tuple[Tok, ...]) -> dict[str, set[str]]:
    """"Appendix A", "level 3", "Category 1": the designator word -> the identifiers that follow it."""
    out: dict[str, set[str]] = {}
    for i, t in enumerate(toks[:-1]):
        if t.word.lower() in _DESIGNATORS:
            nxt = toks[i + 1].word
            if len(nxt) <= 4 and (nxt.isupper() or nxt.isdigit()):
                out.setdefault(t.word.lower(), set()).add(nxt.upper())
    return out


def _designator_conflicts(claim: tuple[Tok, ...], evid: tuple[Tok, ...]) -> list[str]:
    mine, theirs = _designators(claim), _designators(evid)
    return [f"{d} {'/'.join(sorted(ids))} vs {d} {'/'.join(sorted(theirs[d]))}"
            for d, ids in mine.items() if theirs.get(d) and not ids & theirs[d]]


def _modifier_swaps(claim: tuple[Tok, ...], evid: tuple[Tok, ...], claim_stems: set[str],
                    ev_tokens: set[str]) -> list[str]:
    """The word before a body/role noun or a name says which one: "Wales Division" (or "the NPS Wales division")
    against "Midlands Division", "Harrowfield PDU" against "Saltmarsh Coast PDU", "senior probation officers"
    against "mid-ranking probation officers". Only a name against a name, or a rank/scope word against another
    (a verb before a noun phrase is not a modifier)."""
    out = []
    key = [t.stem or t.word.lower() for t in evid]
    heads = _heads()
    ranks = _ranks()
    for j in range(1, len(claim)):
        t = claim[j]
        if not t.stem or t.number or not (t.stem in heads or t.cap):
            continue
        # the longest run of the claim's content words ending here that the evidence has, word for word
        i = j + 1
        while i - 1 >= 1 and claim[i - 1].stem and not claim[i - 1].number and \
                _find(key, [x.stem for x in claim[i - 1:j + 1]]):
            i -= 1
        if i > j or i < 1:
            continue
        c = claim[i - 1]
        if not c.stem or c.number or (c.word.isupper() and c.stem in ev_tokens):
            continue   # a stop word, a number, or an acronym the evidence spells out ("IOM offenders")
        if c.cap:
            units, services = _units()
            if not claim[i].cap and not (claim[i].stem in units and c.stem not in services
                                         and c.stem not in {e.stem for e in evid}):
                continue   # a name before a lower-case unit noun, not in the sentence at all: "Wales division"
        elif c.stem in ev_tokens or c.stem not in ranks:
            continue
        found = _find(key, [x.stem for x in claim[i:j + 1]])
        if any(c.stem in {e.stem for e in evid[max(0, k - 4):k]} for k in found):
            continue   # "Serious Further Offence (SFO) team": the claim's word stands just before
        synonyms = _synonyms().get(c.stem, frozenset())
        other = [evid[k - 1] for k in found if k >= 1]
        other = [e for e in other if e.stem and not e.number and e.stem not in claim_stems and e.cap == c.cap
                 and e.stem not in synonyms]
        if other:
            run_words = " ".join(x.word for x in claim[i:j + 1])
            out.append(f"{c.word} {run_words} vs {other[0].word} {run_words}")
    return out


def _bindings(toks: tuple[Tok, ...]) -> dict[str, set[str]]:
    """number -> the names that follow it within four words, before the next number ("six in England")."""
    out: dict[str, set[str]] = {}
    for i, t in enumerate(toks):
        if not t.number:
            continue
        for u in toks[i + 1:i + 5]:
            if u.number:
                break
            if u.cap and u.stem:
                out.setdefault(t.number, set()).add(u.stem)
                break
    return out


def _number_bindings(claim: tuple[Tok, ...], evid: tuple[Tok, ...]) -> list[str]:
    mine, theirs = _bindings(claim), _bindings(evid)
    names = {t.stem for t in claim if t.cap}
    out = []
    for n, said in mine.items():
        there = theirs.get(n, set())
        if there and not (said & there) and there & names:
            out.append(f"{n} {'/'.join(sorted(said))} vs {n} {'/'.join(sorted(there))}")
    return out


# --- numbers and negation ---------------------------------------------------------------------------------------

_ORDINAL = re.compile(r"\b(?:" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)


def missing_ordinals(ask, ev) -> list[str]:
    """"ranked third" where the evidence gives no third (ordinals are not among text.numbers_in's numbers)."""
    mine = {_ORDINALS[m.group(0).lower()] for m in _ORDINAL.finditer(ask.text)}
    if not mine:
        return []
    theirs = {_ORDINALS[m.group(0).lower()] for m in _ORDINAL.finditer(ev.text)}
    return sorted(f"#{n}" for n in mine - theirs)


@lru_cache(maxsize=8192)
def says_no(text: str) -> bool:
    """question_parse._NEGATION finds a negation in the text (read by negated and by the sentence's own
    negation profile, sentence_evidence.Evidence.negation: one search of each sentence)."""
    return bool(_NEGATION.search(text))


@lru_cache(maxsize=8192)
def negated(text: str) -> bool:
    if says_no(text):
        return True
    # each of _NEGATORS' words holds "lack", "absen" or "unable", which ASCII text (its case folds A-Z only)
    # then holds lower-cased
    low = text.lower()
    return not (text.isascii() and "lack" not in low and "absen" not in low and "unable" not in low) \
        and bool(_NEGATORS.search(text))


@lru_cache(maxsize=8192)
def _negation_profile(text: str) -> tuple[bool, frozenset[str]]:
    """(negated at all, stems within three words after "lack"/"absence"/"unable")."""
    low = text.lower()
    if "lack" not in low and "absen" not in low and "unable" not in low:
        return negated(text), frozenset()   # no word to find (each would hold one of these)
    words = tokens_of(text)
    lacked = frozenset(x.stem for i, w in enumerate(words) if _NEGATORS.fullmatch(w.word)
                       for x in words[i + 1:i + 4] if x.stem)
    return negated(text), lacked


@lru_cache(maxsize=8192)
def _negated_clauses(text: str) -> tuple[tuple[frozenset[str], bool], ...]:
    """(clause stems, negated) of each clause, asked for only when the sentence negates something. A clause
    ends at a delimiter or a whole word, so a negation in a clause is one in the sentence: of an un-negated
    sentence no clause is tested."""
    neg = negated(text)
    return tuple((_stem_set(c), neg and negated(c)) for c in _CLAUSE.split(text) if c and c.strip())


def clause_negation_flipped(ask, ev) -> bool:
    """Negation the basic rule (answerability._negation_flipped) misses: a claim saying "lacked" where the evidence
    negates nothing; the evidence saying "a lack of" one of the claim's words ("praised its responsiveness"
    against "a lack of responsiveness"); or the evidence clause holding most of the claim's words negated where
    the claim is not ("now attend every meeting" against "whilst representatives are not able to go to every
    meeting")."""
    terms = set(ask.terms)
    if not terms:
        return False
    ev_negated, lacked = _negation_profile(ev.text)
    if negated(ask.text):
        return not ev_negated
    if not ev_negated and not lacked:
        return False
    if lacked & terms:
        return True
    scored = [(len(terms & stems), neg) for stems, neg in _negated_clauses(ev.text) if terms & stems]
    if not scored:
        return False
    top = max(h for h, _ in scored)
    flags = {n for h, n in scored if h == top}
    return top >= 2 and flags == {True}
