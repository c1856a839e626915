"""Generate an answer with the LLM, check it sentence by sentence, fall back when it fails.

`generate(...)` yields checked text pieces as they are produced (only sentences that passed the check,
already renumbered) and ends with the final Answer:

- mode "llm", status "answered": the checked sentences and the passages they cite;
- mode "llm", status "no_answer": the model said the passages do not answer (nearest passages listed);
- mode "extractive": the extractive answer it was given, with a note saying why the LLM's was not used
  (unreachable, too slow, HTTP error, unreadable reply, too little survived the check, or restricted
  passages and an LLM not marked as trusted).

Nothing unchecked ever reaches the caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import numpy as np

from assistant.answer import NO_ANSWER_TEXT, citation_for
from assistant.config import Settings
from assistant.llm.check import AnswerChecker, SupportChecker
from assistant.llm.client import LLMClient, LLMError
from assistant.llm.prompt import build_messages
from assistant.models import Answer, ScoredPassage

log = logging.getLogger("assistant.llm")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def fallback(extractive: Answer, reason: str) -> Answer:
    """The extractive answer, saying why it is not the generated one."""
    note = f"The generated answer was not used ({reason}), so this is the extractive answer."
    return extractive.model_copy(update={"mode": "extractive", "notes": [*extractive.notes, note]})


def _may_log(results: list[ScoredPassage], settings: Settings) -> bool:
    return log.isEnabledFor(logging.DEBUG) and (settings.llm_trusted
                                                 or not any(r.passage.restricted for r in results))


def generate(question: str, results: list[ScoredPassage], extractive: Answer, settings: Settings,
             client: Callable[[], LLMClient], embed: Callable[[list[str]], np.ndarray],
             stream: bool = False, glossary=None) -> Iterator[str | Answer]:
    """Checked text pieces (str), then the final Answer (always last, always yielded)."""
    results = list(results)
    if not results:
        yield extractive
        return
    if any(r.passage.restricted for r in results) and not settings.llm_trusted:
        # restricted passages never leave the process for an LLM not marked as trusted (nor reach its log)
        log.info("llm skipped: restricted passages and ASSISTANT_LLM_TRUSTED is off")
        yield fallback(extractive, "restricted documents are only summarised by an approved language model")
        return
    messages = build_messages(question, results, max(settings.answer_sentences + 1, 4))
    if _may_log(results, settings):
        log.debug("llm prompt: %s", [m.content for m in messages])
    checker = AnswerChecker(results, SupportChecker(results, embed, settings.llm_min_word_support,
                                                    settings.llm_min_similarity, glossary=glossary),
                            settings.llm_uncited)
    started = time.perf_counter()
    raw = ""
    try:
        llm = client()
        if stream:
            for delta in llm.stream(messages):
                raw += delta
                yield from checker.feed(delta)
        else:
            raw = llm.complete(messages)
            checker.feed(raw)
        yield from checker.finish()
    except LLMError as exc:
        yield fallback(extractive, exc.reason)
        return
    except Exception:  # noqa: BLE001 - whatever goes wrong, the extractive answer is still good
        log.exception("llm answer failed unexpectedly")
        yield fallback(extractive, "the generated answer could not be checked")
        return
    llm_ms = round((time.perf_counter() - started) * 1000, 2)
    if _may_log(results, settings):
        log.debug("llm reply: %r", raw)
    verdicts = [(s.verdict, s.cited, s.support.coverage if s.support else None,
                 s.support.similarity if s.support else None) for s in checker.sentences]
    log.info("llm answer checked in %.0f ms: %s", llm_ms, verdicts)
    yield final_answer(question, results, extractive, checker, settings)


def final_answer(question: str, results: list[ScoredPassage], extractive: Answer, checker: AnswerChecker,
                 settings: Settings) -> Answer:
    notes = []
    invalid = checker.invalid_markers()
    if invalid:
        notes.append(f"Citation markers {' '.join(f'[{n}]' for n in invalid)} pointed at no passage "
                     f"(there were {len(results)}) and were removed.")
    for n in sorted(checker.support.ignored):
        p = results[n - 1].passage
        notes.append(f"“{p.title or p.doc_id}” contains instructions addressed to AI systems: it was read as text "
                     f"and supports nothing in a generated answer.")
    if checker.refused:
        return Answer(question=question, status="no_answer", answer=NO_ANSWER_TEXT, mode="llm",
                      citations=[citation_for(i + 1, r) for i, r in enumerate(results[:3])],
                      notes=["The language model found no answer in the retrieved passages."])
    kept, claims = len(checker.kept), len(checker.claims)
    if not claims:
        return fallback(extractive, "the language model returned no text")
    if kept == 0 or kept / claims < settings.llm_min_kept_share:
        return fallback(extractive, f"only {kept} of {_plural(claims, 'generated sentence')} cited a passage "
                                    f"that supports it")
    dropped = checker.dropped()
    if dropped:
        parts = []
        if dropped.get("uncited"):
            parts.append(f"{_plural(dropped['uncited'], 'sentence')} citing no passage")
        if dropped.get("unsupported"):
            parts.append(f"{_plural(dropped['unsupported'], 'sentence')} that the cited passages do not support")
        notes.append(f"The citation check removed {' and '.join(parts)} from the generated answer.")
    marked = sum(1 for s in checker.sentences if s.verdict == "uncited") if settings.llm_uncited == "mark" else 0
    if marked:
        notes.append(f"{_plural(marked, 'sentence')} {'cites' if marked == 1 else 'cite'} no passage and "
                     f"{'is' if marked == 1 else 'are'} marked as unverified.")
    order = sorted(checker.numbering.items(), key=lambda x: x[1])
    citations = [citation_for(answer_n, results[prompt_n - 1]) for prompt_n, answer_n in order]
    return Answer(question=question, status="answered", answer=checker.text, citations=citations, mode="llm",
                  notes=notes)
