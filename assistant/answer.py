"""Extractive answers: the sentences of the top passages that best answer the question, each cited [n].

No generation, so nothing is stated that a passage does not say. When the evidence is weak the
result is `no_answer` with the nearest passages, never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.models import Answer, Citation, ScoredPassage
from assistant.text import content_terms, split_sentences, tokenize

NO_ANSWER_TEXT = "I could not find this in the indexed documents. The nearest passages are listed below."


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


def extractive_answer(question: str, results: list[ScoredPassage], min_dense: float, min_coverage: float,
                      max_sentences: int = 3, passages_considered: int = 3) -> Answer:
    if not results:
        return Answer(question=question, status="no_answer", answer=NO_ANSWER_TEXT, citations=[])
    ev = evidence_for(question, results)
    if is_weak(ev, min_dense, min_coverage):
        return Answer(question=question, status="no_answer", answer=NO_ANSWER_TEXT,
                      citations=[citation_for(i + 1, r) for i, r in enumerate(results[:3])])

    q_terms = tokenize([question])[0]
    # rarer question words count for more: weight by inverse frequency across the candidate passages
    texts = [r.passage.text for r in results[:passages_considered]]
    doc_tokens = [set(t) for t in tokenize(texts)]
    weight = {t: 1.0 + math.log((1 + len(doc_tokens)) / (1 + sum(t in d for d in doc_tokens))) for t in set(q_terms)}
    total = sum(weight.values()) or 1.0
    scored: list[tuple[float, int, int, str]] = []
    for rank, r in enumerate(results[:passages_considered]):
        prior = 1.0 / (1 + rank)
        for pos, sentence in enumerate(split_sentences(r.passage.text)):
            s_terms = set(tokenize([sentence])[0])
            overlap = sum(w for t, w in weight.items() if t in s_terms) / total
            scored.append((overlap + 0.25 * prior, rank, pos, sentence))
    if not scored:
        return Answer(question=question, status="no_answer", answer=NO_ANSWER_TEXT,
                      citations=[citation_for(i + 1, r) for i, r in enumerate(results[:3])])
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0]
    chosen = [s for s in scored[:max_sentences] if s[0] >= 0.6 * best]
    chosen.sort(key=lambda x: (x[1], x[2]))  # read in document order: best passage first
    numbers: dict[int, int] = {}
    parts = []
    for _, rank, _, sentence in chosen:
        n = numbers.setdefault(rank, len(numbers) + 1)
        parts.append(f"{sentence} [{n}]")
    citations = [citation_for(n, results[rank]) for rank, n in sorted(numbers.items(), key=lambda x: x[1])]
    return Answer(question=question, status="answered", answer=" ".join(parts), citations=citations)
