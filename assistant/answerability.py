"""Does this evidence answer this question? One support engine for the extractive answer and the LLM check.

A near-miss question uses the documents' own words but asks for something they do not state (a figure never
given, a swapped area or year, an opposite). Whole-passage word coverage cannot see that, so the engine
aligns the question with the *sentences the answer would quote*:

- each content term, name, number and year of the question is matched in the sentence(s) exactly, by stem,
  by glossary synonym (SOMMB = Strategic Offender Management and MAPPA Board), by a one-letter typo, or (when
  the caller has embeddings at hand, as the LLM check does) by embedding similarity;
- the expected answer type (when -> a date, how many -> a number, who -> a name, where -> a place,
  which/what X -> a mention of X) must have a candidate in the sentence that the question does not already
  hold;
- opposites (highest/lowest, increase/decrease, a rating other than the one asked about) and negation are
  flagged.

These features and the retrieval scores go into a small logistic model (`answerability_model.json`, fitted
by benchmarks/answerability_fit.py with a cross-validated figure); `ASSISTANT_ANSWER_STRICTNESS` moves its
threshold. The result says why: which asked-for items the evidence lacks.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# support_terms: the shared support words (issue 11 item 6); term_forms: acronyms, context names; word_forms: fled/flee
from assistant import argument_roles, asked_slot, support_terms, term_forms, word_forms
from assistant.answer_binding import Binding, _type_in, best_binding
from assistant.period_swaps import period_swaps
from assistant.question_parse import (  # noqa: F401 (names also imported from here)
    _AMOUNT_WORDS,
    _DATE_WORDS,
    _NEGATION,
    _YEAR,
    OPPOSITES,
    RATINGS,
    Ask,
    _stem_set,
    _stem_tuple,
    _stems,
    glossary_subset,
    parse,
    with_glossary,
)
from assistant.sentence_evidence import (  # noqa: F401 (Evidence, clear_caches are imported from here too)
    _EVIDENCE,
    _EXPANDED,
    Evidence,
    _is_acronym,
    _name_runs,
    clear_caches,
    evidence_of,
)
from assistant.text import numbers_in

MODEL_PATH = Path(__file__).with_name("answerability_model.json")


# --- alignment with evidence ---------------------------------------------------------------------------------


@dataclass
class Alignment:
    matched: dict[str, str]            # term -> exact | stem | verb | synonym | typo | prefix | topic | context | embedding
    missing_terms: list[str]           # as written in the question
    missing_names: list[str]
    missing_numbers: list[str]
    term_share: float                  # share of (weighted) content terms matched
    type_ok: bool | None               # None when the question asks for no particular type
    conflicts: list[str]               # "lowest vs highest", "rated inadequate vs outstanding"
    negation_mismatch: bool
    head_ok: bool | None = None        # "how many X": a number stands right before X (None: not such a question)
    asked_missing: list[str] = field(default_factory=list)  # the asked attribute/relation the sentence lacks
    clause_share: float = 1.0          # share of the matched terms in the clause holding a candidate answer
    weak_name: bool = False            # who: the only candidates are single capitalised words
    context_share: float = 0.0         # share of (weighted) terms matched only by the sentence's context

    @property
    def missing(self) -> list[str]:
        return list(dict.fromkeys(self.missing_names + self.missing_numbers + self.missing_terms))


def _has_type(ask: Ask, ev: Evidence) -> bool | None:
    """The sentence itself holds a candidate of the asked type; its title and date only answer when the question
    asks when the document was published."""
    names, numbers, years = ev.type_facts(ask.answer_type, bool(_ABOUT_THE_DOCUMENT.search(ask.text)))
    return _type_in(ask, ev.text, names, numbers, years, ev.tokens)


_ABOUT_THE_DOCUMENT = re.compile(r"\b(?:publish\w*|issued|released|written|dated)\b", re.IGNORECASE)


def _type_clause_share(ask: Ask, ev: Evidence, matched: set[str]) -> float:
    """How much of what the sentence matches stands in the same clause as a candidate answer: "Some funding has
    been secured ..., but there will need to be ongoing work ... 2021" holds a date, not by the funding."""
    if ask.answer_type in (None, "thing", "mention") or not matched:
        return 1.0
    best = 0.0
    for text, stems, names, numbers, years in ev.clause_facts(ask.answer_type, matched):  # (none matched: nil)
        if not matched & stems or len(ev.clauses) > 1 and not _type_in(ask, text, names, numbers, years, stems):
            continue
        best = max(best, len(matched & stems) / len(matched))
    return round(best, 4)


def align(ask: Ask, ev: Evidence, weights: dict[str, float] | None = None, similar=None,
          context: bool = False) -> Alignment:
    """Which of the asked items the evidence holds, and how. `similar(terms, evidence_text)` may return the
    subset of unmatched terms an embedding finds in the evidence (the LLM check passes one). `context`: a
    question's word may be matched by the sentence's neighbours (assess; a generated claim must be supported
    by the very sentence it cites)."""
    matched: dict[str, str] = {}
    low_words = ev.low_word_set
    for stem, word in ask.terms.items():
        if word.lower() in low_words:
            matched[stem] = "exact"
        elif stem in ev.tokens and not term_forms.noun_without_its_noun(word, ask.text, low_words):
            matched[stem] = "stem" if stem in ev.own_stems else "synonym"
        elif any(alt and alt <= ev.tokens for alt in ask.synonyms.get(stem, ())):
            matched[stem] = "synonym"
        elif support_terms.synonym_in(stem, ev.tokens):   # "rise" for "increase" (support_terms)
            matched[stem] = "synonym"
        elif ev.has_typo_of(stem, word):
            matched[stem] = "typo"
        elif len(word) <= 4 and word.islower() and len(stem) >= 3 and any(
                t.startswith(stem) and len(t) >= len(stem) + 2 for t in ev.tokens):
            matched[stem] = "prefix"           # "div" for division, "govt"... a staff shorthand
        elif term_forms.verb_form_in(stem, ev.tokens) or word_forms.form_in(word, ev.tokens):  # held, fled, marriage
            matched[stem] = "verb"
        elif term_forms.acronym_spelt(word, ev.text):    # "CRS": "Commissioned Rehabilitative Services"
            matched[stem] = "synonym"
        elif stem in ask.topics and (stem in ev.passage or any(alt and alt <= ev.passage
                                                              for alt in ask.synonyms.get(stem, ()))):
            matched[stem] = "topic"
        elif context and stem not in ask.asked and term_forms.in_context(stem, word, ask, ev):
            matched[stem] = "context"
    unmatched = [s for s in ask.terms if s not in matched]
    if unmatched and similar is not None:
        for s in similar([ask.terms[s] for s in unmatched], ev.text):
            hit = next((u for u in unmatched if ask.terms[u] == s), None)
            if hit:
                matched[hit] = "embedding"
    weights = weights or {}
    total = sum(weights.get(s, 1.0) for s in ask.terms) or 1.0
    share = sum(weights.get(s, 1.0) * (term_forms.CONTEXT_WEIGHT if how == "context" else 1.0)
                for s, how in matched.items()) / total if ask.terms else 1.0
    in_context = sum(weights.get(s, 1.0) for s, how in matched.items() if how == "context") / total
    missing = [s for s in ask.terms if s not in matched]
    missing_numbers = sorted(ev.missing_figures(ask.numbers, ask.years))
    missing_numbers += support_terms.missing_ordinals(ask, ev)          # "ranked third" (support_terms)
    head_ok = None
    if ask.head:
        toks, stems = ev.word_stems()
        head_ok = any(st == ask.head and any(numbers_in(t) - ask.numbers for t in toks[max(0, i - 4):i])
                      for i, st in enumerate(stems)) or term_forms.labelled_count(ask.head, ev.text, ask.numbers)
    weak_name = False
    if ask.answer_type == "person":  # a place is often one word ("in Tobermory"); a person or body rarely
        asked = set(ask.terms) | {x for alts in ask.synonyms.values() for alt in alts for x in alt}
        runs = [run for run in ev.names if set(run) - asked]
        weak_name = bool(runs) and all(len(run) == 1 and not _is_acronym(run[0], ev.text) for run in runs)
    return Alignment(head_ok=head_ok, matched=matched, context_share=round(in_context, 4), weak_name=weak_name, asked_missing=[ask.terms[x] for x in ask.asked if x not in matched],
                     clause_share=_type_clause_share(ask, ev, {x for x, how in matched.items() if how in ("exact", "stem")}), missing_terms=[ask.terms[s] for s in missing if s not in ask.names],
                     missing_names=[ask.terms[s] for s in missing if s in ask.names],
                     missing_numbers=missing_numbers, term_share=round(share, 4), type_ok=_has_type(ask, ev),
                     conflicts=list(dict.fromkeys(support_terms.basic_conflicts(ask, ev) + support_terms.conflicts(ask, ev)
                                                  + period_swaps(ask.text, ev.text) + argument_roles.swaps(ask, ev))),
                     negation_mismatch=_negation_flipped(ask, ev) or support_terms.clause_negation_flipped(ask, ev))


def _negation_flipped(ask: Ask, ev: Evidence) -> bool:
    """The claim (or question) is negated and the evidence is not, or the evidence negates one of the
    claim's own words ("no detailed published timetable" against "a detailed timetable has been published")."""
    ev_negated, after = ev.negation()
    if ask.negated:
        return not ev_negated
    return bool(after & set(ask.terms))


# --- the decision ----------------------------------------------------------------------------------------------

FEATURES = ("bias", "top_dense", "coverage", "sentence_share", "union_share", "missing_terms", "missing_names",
            "missing_numbers", "type_unknown", "type_missing", "head_unmatched", "conflict", "negation",
            "asked_missing", "clause_share", "absent_terms", "type_weak", "asked_x_share", "type_x_share",
            "clause_gap_x_share", "absent_x_share", "unbound_share", "asked_unbound", "name_unbound",
            "conflict_nearby")


@dataclass
class Assessment:
    """The engine's verdict on a question and the sentences an answer would quote."""

    probability: float                  # that the evidence answers the question
    threshold: float
    features: dict[str, float]
    alignment: Alignment | None         # of the best sentence window
    ask: Ask
    status: str = "answered"            # answered | partial | no_answer
    reason: str = ""

    @property
    def answers(self) -> bool:
        return self.status != "no_answer"

    def describe(self) -> dict:
        a = self.alignment
        return {"status": self.status, "probability": round(self.probability, 4), "threshold": round(self.threshold, 4),
                "answer_type": self.ask.answer_type, "missing": a.missing if a else [],
                "conflicts": a.conflicts if a else [], "reason": self.reason}


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL_PATH)) -> dict:
    """{'features': [...], 'coef': [...], 'threshold': p, ...}; without a fitted file, a neutral scored rule."""
    p = Path(path)
    if p.is_file():
        return json.loads(p.read_text(encoding="utf-8"))
    return {"features": list(FEATURES), "coef": [0.0] * len(FEATURES), "threshold": 0.0}


def threshold_for(model: dict, strictness: float | None) -> float:
    """strictness None: the fitted threshold. 0..1: the probability the evidence must reach (0 answers all)."""
    return float(model["threshold"]) if strictness is None else float(strictness)


def probability(features: dict[str, float], model: dict) -> float:
    z = sum(c * features.get(f, 0.0) for f, c in zip(model["features"], model["coef"], strict=False))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def features_of(ask: Ask, best: Alignment | None, union: Alignment | None, top_dense: float | None,
                coverage: float, absent: int = 0, bound: Binding | None = None,
                conflict_nearby: bool = False) -> dict[str, float]:
    """What the model weighs: retrieval scores, then the best quoted sentence's alignment with the question."""
    b = best
    return {
        "bias": 1.0,
        "top_dense": float(top_dense or 0.0),
        "coverage": float(coverage),
        "sentence_share": b.term_share if b else 0.0,
        "union_share": union.term_share if union else 0.0,
        "missing_terms": float(min(3, len(b.missing_terms))) if b else 3.0,
        "missing_names": float(min(2, len(b.missing_names))) if b else 2.0,
        "missing_numbers": float(min(2, len(b.missing_numbers))) if b else 2.0,
        "type_unknown": float(b is None or b.type_ok is None),
        "type_missing": float(b is not None and b.type_ok is False),
        "head_unmatched": float(b is not None and b.head_ok is False),
        "conflict": float(bool(b and b.conflicts)),
        "negation": float(bool(b and b.negation_mismatch)),
        "asked_missing": float(bool(b and b.asked_missing)) if b else 1.0,
        "clause_share": b.clause_share if b else 0.0,
        "absent_terms": float(min(3, absent)),
        # who answered only by a single capitalised word ("England" for "who is the regional director")
        "type_weak": float(bool(b and b.type_ok and b.weak_name)),
        # the rest of the sentence matches well, yet the asked attribute, the answer type, the clause or a word
        # is missing: what separates a near-miss from a paraphrase (which misses words but matches less)
        "asked_x_share": float(bool(b and b.asked_missing)) * (b.term_share if b else 0.0),
        "type_x_share": float(bool(b and b.type_ok is False)) * (b.term_share if b else 0.0),
        "clause_gap_x_share": (1.0 - b.clause_share) * b.term_share if b else 0.0,
        "absent_x_share": float(absent > 0) * (b.term_share if b else 0.0),
        # the part of the sentence's match that stands away from every candidate answer (a date, number, name,
        # rating or X of the asked type): "the division will be split ..." matched, the date belongs elsewhere
        "unbound_share": max(0.0, b.term_share - bound.share) if b and bound else 0.0,
        "asked_unbound": float(bool(bound and not bound.asked_bound)),
        # a question name ("Wales", "Nottinghamshire") the sentence holds, but not where the answer stands
        "name_unbound": float(bool(bound and bound.names_unbound)),
        # another quoted sentence says the opposite of the question ("too high" for "too low")
        "conflict_nearby": float(conflict_nearby),
    }


_TYPE_PHRASE = {"date": "date or time", "number": "number or amount", "person": "name", "rating": "rating",
                "place": "place", "mention": "mention of it"}


def explain(ask: Ask, a: Alignment | None) -> str:
    """One sentence a reader understands: what the nearest passages do not give."""
    return "The nearest passages do not answer this question: " + what_is_missing(ask, a) + "."


def what_is_missing(ask: Ask, a: Alignment | None) -> str:
    if a is None:
        return "no indexed passage matches it"
    parts = []
    if a.conflicts:
        parts.append(f"they say {a.conflicts[0].split(' vs ')[1]}, not {a.conflicts[0].split(' vs ')[0]}")
    missing = list(dict.fromkeys(a.asked_missing + a.missing))
    if missing:
        parts.append("they do not mention " + ", ".join(f"“{m}”" for m in missing[:4]))
    if a.type_ok is False:
        if ask.answer_type == "mention":
            parts.append(f"they name no {ask.focus}")
        else:
            parts.append(f"they give no {_TYPE_PHRASE.get(ask.answer_type or '', 'answer')} for what is asked")
    if not parts:
        parts.append("they do not clearly answer what is asked")
    return "; ".join(parts)


_SPLIT_ASKS = re.compile(r"\s*(?:,\s*)?\band\b\s+(?=(?:when|where|who|what|which|how|why)\b)|\?\s+(?=\w)", re.IGNORECASE)

_ASK_START = re.compile(r"(?:when|where|who|whom|whose|what|which|how|why|is|are|was|were|did|does|do|has|have|had|"
                        r"can|could|will|would|should|may|must)\b", re.IGNORECASE)


def split_asks(question: str) -> list[str]:
    """'When did fieldwork start and when did it end?' -> two asks (a partial answer answers one of them)."""
    parts: list[str] = []
    for part in (p.strip(" ?") for p in _SPLIT_ASKS.split(question) if p and p.strip(" ?")):
        if parts and not _ASK_START.match(part):  # "…? Asking for a colleague": context, not a second ask
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return parts if len(parts) > 1 else [question]


def idf_weights(ask: Ask, passages: list[str]) -> dict[str, float]:
    """Rarer question words count for more (the answer step's own weighting)."""
    docs = [_stem_set(p) for p in passages]
    return {t: 1.0 + math.log((1 + len(docs)) / (1 + sum(t in d for d in docs))) for t in ask.terms}


@dataclass
class Quoted:
    """A sentence the answer would quote: its passage rank, its position, its text and its passage."""

    rank: int
    pos: int
    sentence: str
    previous: str = ""                  # the sentence before it ("It was ..." needs its antecedent)
    title: str = ""
    passage: str = ""                   # the whole passage (a glossary term may be named once per passage)


def assess(question: str, quoted: list[Quoted], top_dense: float | None, coverage: float,
           passages: list[str] | None = None, glossary=None, strictness: float | None = None,
           model: dict | None = None, split: bool = True) -> Assessment:
    """The verdict on `question` given the sentences the answer would quote and the retrieval scores."""
    model = model or load_model()
    ask = with_glossary(parse(question), glossary)
    weights = idf_weights(ask, passages or [q.sentence for q in quoted])
    best: Alignment | None = None
    union: Alignment | None = None
    if quoted:
        # the sentence that carries the answer must hold what is asked: "Wales" in a neighbouring sentence
        # about something else does not make a sentence about the Midlands answer a question about Wales
        aligned = [align(ask, evidence_of(q.sentence, glossary, q.title, q.passage), weights, context=True)
                   for q in quoted]
        best = max(aligned, key=lambda a: (round(a.term_share, 3), a.type_ok is not False, -len(a.conflicts)))
        # across all quoted sentences: the terms any of them matches
        matched = set().union(*(a.matched for a in aligned))
        total = sum(weights.get(t, 1.0) for t in ask.terms) or 1.0
        union = Alignment(matched={t: "any" for t in matched}, missing_terms=[], missing_names=[], missing_numbers=[],
                          term_share=round(sum(weights.get(t, 1.0) for t in matched) / total, 4)
                          if ask.terms else 1.0, type_ok=None, conflicts=[], negation_mismatch=False)
    # question words found nowhere in the passages (nor matched by synonym or typo): the ask is not there
    docs = [_stem_set(p) for p in (passages or [q.passage or q.sentence for q in quoted])]
    absent = sum(1 for t in ask.terms if best is not None and t not in best.matched and not any(t in d for d in docs))
    bound, conflict_nearby = None, False
    if quoted and best is not None:
        bound = best_binding(ask, [evidence_of(q.sentence, glossary, q.title, q.passage) for q in quoted], aligned,
                             best, weights)
        conflict_nearby = any(a.conflicts and a.matched for a in aligned if a is not best)
    feats = features_of(ask, best, union, top_dense, coverage, absent, bound, conflict_nearby)
    if best is not None and best.type_ok is False and any(
            a.type_ok and a.term_share >= 0.6 * best.term_share for a in aligned):
        feats["type_missing"] = feats["type_x_share"] = 0.0  # another quoted sentence, nearly as well matched,
        #                                                      holds the candidate
    p = probability(feats, model)
    threshold = threshold_for(model, strictness)
    result = Assessment(probability=p, threshold=threshold, features=feats, alignment=best, ask=ask)
    # asking for the opposite of what the quoted sentence says ("ranked lowest" where it says "ranked highest",
    # "rated inadequate" where it says "outstanding"), or about a year the sentence and its document do not give
    # ("hours of unpaid work in 2021" quoting the 2023 figure), is refused whatever the scores
    # (and a measure, name or period asked that no quoted sentence gives: assistant/asked_slot.py)
    hard = strictness is None or strictness > 0
    unmet = asked_slot.unfilled(ask, [q.sentence for q in quoted], [q.title for q in quoted]) if hard else None
    if p >= threshold and not unmet and not (best is not None and hard
                                             and (best.conflicts or set(best.missing_numbers) & ask.years)):
        result.status = "answered"
    else:
        result.status = "no_answer"
        result.reason = f"The nearest passages do not answer this question: {unmet}." if unmet else explain(ask, best)
    asks = split_asks(question) if split and quoted else [question]
    if len(asks) > 1:
        parts = [assess(a, quoted, top_dense, coverage, passages, glossary, strictness, model, split=False)
                 for a in asks]
        answered = [a for a, r in zip(asks, parts, strict=False) if r.status == "answered"]
        if answered and len(answered) < len(asks):
            missed, r = next((a, r) for a, r in zip(asks, parts, strict=False) if r.status != "answered")
            result.status = "partial"
            result.reason = (f"The passages answer only part of the question (“{answered[0]}”). For “{missed}”, "
                             f"{what_is_missing(r.ask, r.alignment)}.")
        elif len(answered) == len(asks) and result.status == "no_answer":
            result.status, result.reason = "answered", ""
    return result
