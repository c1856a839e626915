"""The order of an extractive answer's sentences when they come from several documents: the sentence that best
supports what is asked first, each sentence with its document's date.

It used to be newest document first. Measured on the answers of main 972571f (the first quoted sentence holds
the expected words; answers quoting several sentences): newest first 114/174 corpus sets, 115/152 library,
42/66 Normans; the retrieval order 123 / 124 / 44; best supported first (share of the question's content words the
sentence holds, then whether it holds the kind of thing asked for), ties in retrieval order, 140 / 132 / 48;
the same with ties broken newest first 134 / 127 / 48. A newer document's long sentence that shares a word
with the question (a board paper's "agree the revised due dates" for "on what dates was the fieldwork?")
led the answer over the sentence stating the dates (blind set, r-fieldwork-dates). Only a document that
another one supersedes gives way to it on a tie.
"""

from __future__ import annotations

import re

from assistant.answer import _holds_type, term_coverage
from assistant.models import Answer
from assistant.text import content_terms

_SENTENCE = re.compile(r"(.+?)\s*\[(\d+)\](?:\s+|$)")


def support(question: str, sentence: str, answer_type: str | None) -> tuple[float, bool]:
    """How well a quoted sentence answers the question: the share of its content words held (two decimals, so
    sentences holding the same words tie), then whether it holds the kind of thing asked for."""
    return round(term_coverage(content_terms(question), sentence), 2), _holds_type(answer_type, sentence, question)


def best_supported_first(answer: Answer, question: str, superseded: frozenset[str] | set[str] = frozenset()) -> Answer:
    """The answer's sentences best supported first (ties: a superseded document's after, then as retrieved);
    when it rests on several documents, each with its document's date."""
    from assistant.question_parse import parse

    if answer.status != "answered":
        return answer
    several = len({c.doc_id for c in answer.citations}) > 1
    matches = list(_SENTENCE.finditer(answer.answer.strip()))
    by_n = {c.n: c for c in answer.citations}
    if not matches or "".join(m.group(0) for m in matches) != answer.answer.strip() \
            or any(int(m.group(2)) not in by_n for m in matches):
        return answer  # not a run of "sentence [n]": left as it is
    kind = parse(question).answer_type
    ranked = sorted(matches, key=lambda m: (*(-x for x in support(question, m.group(1), kind)),
                                            by_n[int(m.group(2))].doc_id in superseded))  # stable: ties as retrieved

    def dated(m: re.Match) -> str:
        published = by_n[int(m.group(2))].published if several else None
        return f"{m.group(1)} ({published}) [{m.group(2)}]" if published else f"{m.group(1)} [{m.group(2)}]"

    return answer.model_copy(update={"answer": " ".join(dated(m) for m in ranked)})
