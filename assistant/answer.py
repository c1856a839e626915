"""Extractive answers: the sentences of the top passages that best answer the question, each cited [n].

No generation, so nothing is stated that a passage does not say. When the evidence is weak the
result is `no_answer` with the nearest passages, never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.answerability import Assessment, Quoted, assess
from assistant.models import Answer, Citation, ScoredPassage
from assistant.text import content_terms, split_sentences, tokenize

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


def term_coverage(question_terms: set[str], text: str) -> float:
    if not question_terms:
        return 0.0
    tokens = set(tokenize([text])[0])
    found = sum(1 for t in question_terms if t in tokens or _typo_match(t, tokens))
    return found / len(question_terms)


def evidence_for(question: str, results: list[ScoredPassage]) -> Evidence:
    terms = content_terms(question)
    dense = [r.dense_score for r in results[:3] if r.dense_score is not None]
    coverage = max((term_coverage(terms, f"{r.passage.title}\n{r.passage.section or ''}\n{r.passage.text}")
                    for r in results[:3]), default=0.0)
    return Evidence(top_dense=max(dense) if dense else None, coverage=coverage)


def is_weak(ev: Evidence, min_dense: float, min_coverage: float) -> bool:
    """Weak when too few of the question's content words appear in the best passages, or when the
    embedding match is poor and the words are only partly there (acronyms embed poorly, so a passage
    holding every content word of the question is trusted even with a low cosine)."""
    if ev.coverage < min_coverage and (ev.top_dense is None or ev.top_dense < DENSE_RESCUE):
        return True
    return ev.top_dense is not None and ev.top_dense < min_dense and ev.coverage < 0.99


def citation_for(n: int, r: ScoredPassage) -> Citation:
    p = r.passage
    return Citation(n=n, doc_id=p.doc_id, title=p.title, doc_type=p.doc_type, published=p.published, page=p.page,
                    section=p.section, paragraph=p.paragraph, quote=p.text, score=round(float(r.score), 6),
                    source=p.source, table=p.table, passage_id=p.id)


def select_sentences(question: str, results: list[ScoredPassage], max_sentences: int = 3,
                     passages_considered: int = 3) -> list[Quoted]:
    """The sentences that best answer the question: question words weighted by rarity across the candidate
    passages, a prior for the passage's rank; read in document order, best passage first."""
    q_terms = tokenize([question])[0]
    texts = [r.passage.text for r in results[:passages_considered]]
    doc_tokens = [set(t) for t in tokenize(texts)]
    weight = {t: 1.0 + math.log((1 + len(doc_tokens)) / (1 + sum(t in d for d in doc_tokens))) for t in set(q_terms)}
    total = sum(weight.values()) or 1.0
    scored: list[tuple[float, Quoted]] = []
    for rank, r in enumerate(results[:passages_considered]):
        prior = 1.0 / (1 + rank)
        sentences = split_sentences(r.passage.text)
        for pos, sentence in enumerate(sentences):
            s_terms = set(tokenize([sentence])[0])
            overlap = sum(w for t, w in weight.items() if t in s_terms) / total
            scored.append((overlap + 0.25 * prior, Quoted(rank, pos, sentence, sentences[pos - 1] if pos else "",
                                                          f"{r.passage.title} {r.passage.section or ''} {r.passage.published or ''}".strip(),
                                                          r.passage.text)))
    if not scored:
        return []
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0]
    chosen = [q for score, q in scored[:max_sentences] if score >= 0.6 * best]
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
    if is_weak(ev, min_dense, min_coverage):
        return no_answer(question, results)
    chosen = select_sentences(question, results, max_sentences, passages_considered)
    if not chosen:
        return no_answer(question, results)
    verdict = assess(question, chosen, ev.top_dense, ev.coverage,
                     [r.passage.text for r in results[:passages_considered]], glossary, strictness)
    if verdict.status == "no_answer":
        return no_answer(question, results, verdict.reason, verdict)
    numbers: dict[int, int] = {}
    parts = []
    for q in chosen:
        n = numbers.setdefault(q.rank, len(numbers) + 1)
        parts.append(f"{q.sentence} [{n}]")
    citations = [citation_for(n, results[rank]) for rank, n in sorted(numbers.items(), key=lambda x: x[1])]
    text = " ".join(parts)
    if verdict.status == "partial":
        text = f"{text}\n\n{verdict.reason}"
    return Answer(question=question, status=verdict.status, answer=text, citations=citations,
                  answerability=verdict.describe())
