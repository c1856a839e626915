"""How the service uses the LLM: which mode answers, the generated answer for retrieved passages, streaming.

Service.ask calls `llm_answer` after retrieval and the extractive answer (which it passes in as the
fallback); Service.ask_stream wraps ask with `stream_events`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from assistant.config import Settings
from assistant.llm.generate import generate
from assistant.models import Answer, ScoredPassage

ANSWER_MODES = ("extractive", "llm")


class AnswerModeError(ValueError):
    """An answer mode that cannot run here (unknown, or 'llm' with no ASSISTANT_LLM_URL)."""


def resolve_mode(settings: Settings, override: str | None = None) -> str:
    """'llm' or 'extractive': the override, else settings.answer_mode ('auto': llm when llm_url is set)."""
    mode = override or settings.answer_mode
    if mode == "auto":
        return "llm" if settings.llm_url else "extractive"
    if mode not in ANSWER_MODES:
        raise AnswerModeError(f"unknown answer mode {mode!r}; use extractive or llm")
    if mode == "llm" and not settings.llm_url:
        raise AnswerModeError("answer mode 'llm' needs ASSISTANT_LLM_URL (an OpenAI-compatible endpoint)")
    return mode


def llm_answer(service, question: str, results: list[ScoredPassage], extractive: Answer, glossary=None,
               on_delta: Callable[[str], None] | None = None) -> Answer:
    """The checked generated answer, or `extractive` with a note saying why not. With `on_delta` the model's
    reply is streamed and each checked piece is passed on as soon as it is judged."""
    answer: Answer | None = None
    raw = shown = ""
    for event in generate(question, results, extractive, service.settings, lambda: service.llm_client,
                          service.embedder.embed, stream=on_delta is not None, glossary=glossary):
        if isinstance(event, Answer):
            answer = event
            continue
        raw += event
        if on_delta is not None:
            # abbreviations are spelt out at first use, as in extractive answers; the expansion of text
            # already sent does not change as more arrives, so each delta extends what was shown
            text = glossary.expand_first_use(raw) if glossary is not None else raw
            if text.startswith(shown) and len(text) > len(shown):
                on_delta(text[len(shown):])
                shown = text
    assert answer is not None  # generate always ends with the answer
    if answer.mode == "llm" and answer.status == "answered" and glossary is not None:
        answer = answer.model_copy(update={"answer": glossary.expand_first_use(answer.answer)})
    return answer


_DONE = object()


def stream_events(run: Callable[[Callable[[str], None]], Answer]) -> Iterator[str | Answer]:
    """Run `run(on_delta)` in a thread; yield each delta (str) as it comes, then the Answer it returns.
    An exception in `run` is raised here, after the deltas that came before it."""
    q: queue.Queue = queue.Queue()

    def work():
        try:
            q.put((_DONE, run(lambda delta: q.put((None, delta)))))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put((_DONE, exc))

    threading.Thread(target=work, name="assistant-ask-stream", daemon=True).start()
    while True:
        tag, value = q.get()
        if tag is _DONE:
            if isinstance(value, BaseException):
                raise value
            yield value
            return
        yield value
