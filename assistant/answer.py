"""Extractive answers: the sentences of the top passages that best answer the question, each cited [n].

No generation, so nothing is stated that a passage does not say. When the evidence is weak the
result is `no_answer` with the nearest passages, never a guess.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant import asked_contact
from assistant.answerability import Assessment, Quoted, assess
from assistant.models import Answer, Citation, ScoredPassage
from assistant.quoted_paragraph import quoted_paragraph
from assistant.term_forms import verb_form_in
from assistant.text import MONTH_NAMES, QUESTION_WORDS, content_terms, numbers_in, split_sentences, tokenize

NEAREST = "The nearest passages are listed below."
NO_ANSWER_TEXT = f"I could not find this in the indexed documents. {NEAREST}"


@dataclass
class Evidence:
    """What the no-answer decision looks at (also reported by eval runs, to calibrate thresholds)."""

    top_dense: float | None
    coverage: float


# A question whose content words are mostly missing is still answered when the embedding match is this
# strong (paraphrase: "when will moving everyone over into the NPS be finished"). Calibrated with the
# thresholds in config.py on evals/questions/ (evals/README.md, "No-answer calibration").
DENSE_RESCUE = 0.60


def _close(a: str, b: str, limit: int) -> bool:
    """Damerau (optimal string alignment) distance of a and b is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


def _typo_match(term: str, tokens: set[str]) -> bool:
    """A misspelt question word ("cheif", "probaton", "recomend") matches the passage word it was meant to
    be: same first letter, words of 5+ letters, one edit (two from 7 letters)."""
    if len(term) < 5:
        return False
    limit = 1 if len(term) < 7 else 2
    return any(len(t) >= 5 and t[0] == term[0] and _close(term, t, limit) for t in tokens)


def held_share(question_terms: set[str], tokens: set[str]) -> float:
    """Share of the question's content words among `tokens` (a misspelt question word counts)."""
    if not question_terms:
        return 0.0
    return sum(1 for t in question_terms if t in tokens or _typo_match(t, tokens)) / len(question_terms)


def term_coverage(question_terms: set[str], text: str) -> float:
    return held_share(question_terms, set(tokenize([text])[0]))


def evidence_for(question: str, results: list[ScoredPassage]) -> Evidence:
    terms = content_terms(question)
    dense = [r.dense_score for r in results[:3] if r.dense_score is not None]
    coverage = max((term_coverage(terms, f"{r.passage.title}\n{r.passage.section or ''}\n{r.passage.text}")
                    for r in results[:3]), default=0.0)
    return Evidence(top_dense=max(dense) if dense else None, coverage=coverage)


def is_weak(ev: Evidence, min_dense: float, min_coverage: float) -> bool:
    """Weak when too few of the question's content words appear in the best passages, or when the
    embedding match is poor and the words are only partly there (acronyms embed poorly, so a passage
    holding every content word of the question is trusted even with a low cosine). Refused before the
    answerability stage: handing these to it, even re-fitted, cost near-miss and library refusals for
    4 paraphrased Normans answers (evals/README.md, "Should the floor hand borderline questions...")."""
    if ev.coverage < min_coverage and (ev.top_dense is None or ev.top_dense < DENSE_RESCUE):
        return True
    return ev.top_dense is not None and ev.top_dense < min_dense and ev.coverage < 0.99


def citation_for(n: int, r: ScoredPassage) -> Citation:
    p = r.passage
    return Citation(n=n, doc_id=p.doc_id, title=p.title, doc_type=p.doc_type, published=p.published, page=p.page,
                    section=p.section, paragraph=p.paragraph, quote=p.text, score=round(float(r.score), 6),
                    source=p.source, table=p.table, passage_id=p.id)


# How much a quoted sentence's own words count against its passage's rank and against holding the kind of
# thing asked for ("when" -> a date). Measured on evals/library and evals/questions (evals/README.md).
RANK_PRIOR = 0.25
TYPE_BONUS = 0.1
CONTEXT_SHARE = 0.5  # a question word only in the passage's section heading ("6. Changes in this version")
NEAR_SHARE = 0.5  # a word one or two edits away ("publication" for "published": stems public / publish)
ASKED_FACTOR = 2.0  # the asked attribute ("heads" of "who heads X", "published" of "when was X published")
# a table row about another subject than the question's ("how many hours did the region deliver" against the
# "Milbury" row of a table of the region's PDUs): its caption and column match every word, a sentence stating the
# region's total does not; for the number or date a question asks, such a row counts this much
OTHER_ROW = 0.6
# units scoring at least this share of the best are quoted too (up to max_sentences). With the answerability
# model re-fitted on each: 0.5 gave near-miss refused 0.81 / held-out 0.58 (fit script), 0.6 gave 0.61 / 0.42.
# (Scaling down units without a candidate of the asked kind, x0.6, raised existing-set answer-contains 0.82 ->
# 0.84 before a re-fit, but after it near-miss refused fell to 0.47: the type check no longer told them apart.)
QUOTE_WITHIN = 0.5


def quotable_units(passage) -> list[str]:
    """What an answer may quote from a passage: a table row's passage ("Caption — Row label — Column: value,
    ...") is one unit, labels and every cell together, so a full stop inside a cell never cuts the asked-for
    cell off its row label; prose is split into sentences."""
    if passage.table is not None:
        text = " ".join(passage.text.split())
        return [text] if text else []
    sentences = split_sentences(passage.text)
    return [f"{sentences[i - 1]} {s}" if i and _refers_back(s, sentences[i - 1]) else s for i, s in enumerate(sentences)]


# "has asked for this training to be completed by December 2025" says which training only in the sentence before
# ("night staff ... had not received refresher training"): quoted alone it answers no question about that training
_DEMONSTRATIVE = re.compile(r"\b(?:this|these|such)\s+([a-z][\w-]*)", re.IGNORECASE)


def _refers_back(sentence: str, previous: str) -> bool:
    """The sentence names a thing by "this/these/such <noun>" where the sentence before names that noun."""
    before = set(tokenize([previous])[0])
    return any((stem := tokenize([m.group(1)])[0]) and stem[0] in before for m in _DEMONSTRATIVE.finditer(sentence))


def row_label(passage) -> str:
    """The label of the row a table passage states ("Milbury" of "Table 1 — Milbury — Hours delivered: 15,200,
    ..."): the segment before the cells, when it is a first cell of the table's grid; "" for prose."""
    if passage.table is None:
        return ""
    segments = [s.strip() for s in passage.text.split(" — ")]
    if len(segments) < 3:
        return ""
    label = segments[-2]
    return label if any(row and row[0].strip() and label.startswith(row[0].strip()) for row in passage.table) else ""


_NAME_RUN = re.compile(r"\b[A-Z][a-z’'-]+(?:[ -][A-Z][a-z’'-]+)+")
_DATE_WORD = re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{'|'.join(MONTH_NAMES)}|spring|summer|autumn|winter)\b", re.IGNORECASE)


# numbers that label rather than count: a paragraph's or a table row's standard number at the start of the
# sentence or of a row's segment ("1.5 The PDU shared an office", "— 2.3 Implementation and delivery: ..."), and
# "Table 2", "paragraph 4.1". Counted as the number a "how many" asks for, they made a ratings row answer "how
# many cases did inspectors inspect?" and quoted paragraph 1.5 beside the answer in 1.3 (blind test, evals/blind)
_LABEL_NUMBER = re.compile(r"(?:^|(?<=— )|(?<=\n))\s*(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s+(?=[A-Z])"
                           r"|\b(?i:table|figure|chart|annexe?|appendix|chapter|section|paragraph)\s+\d+(?:\.\d+)*")


def _holds_type(answer_type: str | None, sentence: str, question: str) -> bool:
    """The sentence holds a candidate of the asked kind the question does not already hold: a date for "when",
    a number for "how many", a person's name (two capitalised words) for "who"."""
    if answer_type == "date":
        return any(m.group(0).lower() not in question.lower() for m in _DATE_WORD.finditer(sentence))
    if answer_type == "number":
        return bool(numbers_in(_LABEL_NUMBER.sub(" ", sentence)) - numbers_in(question))
    if answer_type == "person":
        return any(m.group(0) not in question for m in _NAME_RUN.finditer(sentence))
    return False


def _asked_terms(question: str, terms: set[str]) -> set[str]:
    """The asked attribute or relation ("heads" of "who heads X", "published" of "when was X published") and
    the X of "how many X" / "which X", as stems."""
    from assistant.question_parse import _asked, parse  # the one reading of what a question asks

    ask = parse(question)
    # _asked, not ask.asked: that leaves out words naming a source ("published"), which the answer step weighs
    return {t for t in (_asked(question, ask.focus, ask.head) | {ask.head, ask.focus}) if t} & terms


def select_sentences(question: str, results: list[ScoredPassage], max_sentences: int = 3,
                     passages_considered: int = 5, glossary=None) -> list[Quoted]:
    """The sentences that best answer the question, read in document order, best passage first.

    Each question word weighs by how rare it is across the candidate passages: a word every candidate holds
    (the body the question is about) tells them apart by little, a word none holds not at all, and the asked
    attribute ("published", "heads") counts double. A word only in the passage's section heading counts half,
    as does a near form of it. Then a bonus for holding the kind of thing asked for (a date for "when") and a
    prior for the passage's rank. A glossary term's other form counts as the term ("HMIP" is held by "Her
    Majesty's Inspectorate of Probation"). Quoted: the best units within QUOTE_WITHIN of the best score, and any that hold both
    the asked attribute and the kind of thing asked for (a cover's "Date of publication: 8 March 2023")."""
    from assistant.question_parse import parse, with_glossary

    candidates = results[:passages_considered]
    terms = (set(tokenize([question])[0]) - QUESTION_WORDS) or set(tokenize([question])[0])
    if not candidates or not terms:
        return []
    ask = with_glossary(parse(question), glossary)
    answer_type, synonyms = ask.answer_type, ask.synonyms

    def holds(t: str, tokens: set[str]) -> bool:  # "held" holds "holds", "Author:" holds "wrote"
        return t in tokens or any(alt <= tokens for alt in synonyms.get(t, ())) or verb_form_in(t, tokens)

    contexts = [set(tokenize([r.passage.section or ""])[0]) for r in candidates]
    doc_tokens = [set(t) | c for t, c in zip(tokenize([r.passage.text for r in candidates]), contexts, strict=True)]
    n = len(doc_tokens)
    df = {t: sum(holds(t, d) or _typo_match(t, d) for d in doc_tokens) for t in terms}
    weight = {t: 0.25 + math.log((1 + n) / (1 + df[t])) for t in terms if df[t]}
    asked = _asked_terms(question, set(weight))
    for t in asked:
        weight[t] *= ASKED_FACTOR
    total = sum(weight.values()) or 1.0
    asked_words = set(tokenize([question])[0])
    other_subject = [bool(label_words) and not label_words & asked_words
                     for label_words in (set(tokenize([row_label(r.passage)])[0]) for r in candidates)]
    scored: list[tuple[float, bool, Quoted]] = []
    for rank, r in enumerate(candidates):
        units = quotable_units(r.passage)
        title = f"{r.passage.title} {r.passage.section or ''} {r.passage.published or ''}".strip()
        for pos, (sentence, tokens) in enumerate(zip(units, tokenize(units) if units else [], strict=True)):
            s_terms = set(tokens)
            got, has_asked = 0.0, False
            for t, w in weight.items():
                share = 1.0 if holds(t, s_terms) else CONTEXT_SHARE if holds(t, contexts[rank]) \
                    else NEAR_SHARE if _typo_match(t, s_terms) else 0.0
                got += share * w
                has_asked |= bool(share) and t in asked
            typed = _holds_type(answer_type, sentence, question)
            score = got / total + TYPE_BONUS * typed + RANK_PRIOR / (1 + rank)
            if answer_type in ("number", "date") and other_subject[rank]:
                score *= OTHER_ROW
            scored.append((score, has_asked and typed,
                           Quoted(rank, pos, sentence, units[pos - 1] if pos else "", title, r.passage.text)))
    if not scored:
        return []
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0]
    # (not the next person's contact record beside the asked one's: asked_contact.py)
    chosen = asked_contact.records_quoted(question, [(score, q) for score, direct, q in scored
                                                     if score >= QUOTE_WITHIN * best or direct])
    # a sentence quoted with the one after it (_refers_back) is not quoted again on its own
    chosen = [q for q in chosen if not any(o.rank == q.rank and o.sentence != q.sentence and q.sentence in o.sentence
                                           for o in chosen)][:max_sentences]
    return sorted(chosen, key=lambda q: (q.rank, q.pos))


def no_answer(question: str, results: list[ScoredPassage], reason: str = "",
              assessment: Assessment | None = None) -> Answer:
    text = f"{reason} {NEAREST}" if reason else NO_ANSWER_TEXT
    return Answer(question=question, status="no_answer", answer=text,
                  citations=[citation_for(i + 1, r) for i, r in enumerate(results[:3])],
                  answerability=assessment.describe() if assessment else None)


def extractive_answer(question: str, results: list[ScoredPassage], min_dense: float, min_coverage: float,
                      max_sentences: int = 3, passages_considered: int = 3, glossary=None,
                      strictness: float | None = None) -> Answer:
    """Quote the best sentences, if the answerability stage (assistant/answerability.py) finds that they
    answer the question; else no_answer (or `partial`) saying what the passages do not give."""
    if not results:
        return Answer(question=question, status="no_answer", answer=NO_ANSWER_TEXT, citations=[])
    ev = evidence_for(question, results)
    if is_weak(ev, min_dense, min_coverage):  # saying so when a contact detail was asked (asked_contact.py)
        return no_answer(question, results,
                         asked_contact.weak_refusal(question, [r.passage.text for r in results[:passages_considered]]))
    chosen = select_sentences(question, results, max_sentences, glossary=glossary)
    if not chosen:
        return no_answer(question, results)
    verdict = assess(question, chosen, ev.top_dense, ev.coverage,
                     [r.passage.text for r in results[:passages_considered]], glossary, strictness)
    if verdict.status == "no_answer":
        return no_answer(question, results, verdict.reason, verdict)
    # quote only sentences holding the kind of thing asked for (a number for "how many") when some do: the
    # verdict stands as assessed, but a sentence that merely shares the question's words ("the lack of staff"
    # for "how many staff") would otherwise open the answer, being from a newer document
    # (not for "who": a body such as "the Ministry of Justice" is no capitalised name run, so the check misses it)
    kind = verdict.ask.answer_type
    typed = [q for q in chosen if verdict.status == "answered" and kind in ("date", "number")
             and _holds_type(kind, q.sentence, question)]
    numbers: dict[int, int] = {}
    parts = []
    for q in typed or chosen:
        n = numbers.setdefault(q.rank, len(numbers) + 1)
        parts.append(f"{q.sentence} [{n}]")
    citations = [citation_for(n, results[rank]) for rank, n in sorted(numbers.items(), key=lambda x: x[1])]
    for c, rank in zip(citations, sorted(numbers, key=lambda r: numbers[r]), strict=True):
        c.paragraph = quoted_paragraph(c.paragraph, results[rank].passage.text,
                                       [q.sentence for q in typed or chosen if q.rank == rank])
    text = " ".join(parts)
    if verdict.status == "partial":
        text = f"{text}\n\n{verdict.reason}"
    return Answer(question=question, status=verdict.status, answer=text, citations=citations,
                  answerability=verdict.describe())
