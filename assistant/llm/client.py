"""The OpenAI-compatible LLM (vLLM, Ollama, llama.cpp server, Azure OpenAI, OpenAI) through llama-index.

One time budget per answer (`llm_timeout_s`) covers every attempt: retries (connection errors, timeouts,
429 and 5xx) back off exponentially and stop when the budget is spent, so the LLM can never delay an
answer by much more than the budget. Every failure becomes an LLMError whose reason is safe to show to
users and to log (it never contains the prompt or the reply).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator

from assistant.config import Settings

log = logging.getLogger("assistant.llm")

BACKOFF_CAP_S = 8.0


class LLMError(Exception):
    """The LLM gave no usable reply; `reason` says why in plain words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _transient(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError))


def _reason(exc: BaseException, timeout: float) -> str:
    import httpx
    import openai

    if isinstance(exc, LLMError):
        return exc.reason
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
        return f"the language model did not answer within {timeout:g} s"
    if isinstance(exc, openai.APIStatusError):
        return f"the language model's server answered HTTP {exc.status_code}"
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError)):
        return "the language model's server could not be reached"
    return "the language model's reply could not be read"


class LLMClient:
    """`complete(messages) -> str` and `stream(messages) -> Iterator[str]` over llama-index's OpenAILike."""

    def __init__(self, settings: Settings):
        if not settings.llm_url:
            raise LLMError("no language model is configured (ASSISTANT_LLM_URL is not set)")
        from llama_index.llms.openai_like import OpenAILike

        self.settings = settings
        self.timeout = settings.llm_timeout_s
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        self.llm = OpenAILike(
            model=settings.llm_model or "default",
            api_base=settings.llm_url.rstrip("/"),
            api_key=key,
            is_chat_model=True,
            is_function_calling_model=False,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout_s,
            max_retries=0,  # retries are ours (below): one budget for all attempts, no double retrying
            reuse_client=True,
        )

    # --- retries ----------------------------------------------------------------------------
    def _attempts(self, deadline: float):
        """Yield the per-attempt timeout for each attempt the budget and llm_retries allow."""
        attempts = 1 + max(0, self.settings.llm_retries)
        for i in range(attempts):
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                return
            yield i, remaining

    def _retrying(self, call, what: str):
        """Run call(timeout) with back-off; raises LLMError with the reason of the last failure."""
        deadline = time.monotonic() + self.timeout
        last: BaseException | None = None
        for i, remaining in self._attempts(deadline):
            if i:
                wait = min(BACKOFF_CAP_S, self.settings.llm_retry_backoff_s * 2 ** (i - 1))
                if time.monotonic() + wait >= deadline:
                    break
                log.info("llm %s: retry %d in %.2f s after %s", what, i, wait, type(last).__name__)
                time.sleep(wait)
                remaining = deadline - time.monotonic()
            try:
                return call(remaining)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a reason, none escapes
                last = exc
                if not _transient(exc):
                    break
        if last is None:
            raise LLMError(f"the language model did not answer within {self.timeout:g} s")
        reason = _reason(last, self.timeout)
        log.warning("llm %s failed: %s (%s)", what, reason, type(last).__name__)
        raise LLMError(reason) from last

    # --- calls ------------------------------------------------------------------------------
    def complete(self, messages: list) -> str:
        def call(timeout: float) -> str:
            response = self.llm.chat(messages, timeout=timeout)
            text = response.message.content
            if not isinstance(text, str):
                raise LLMError("the language model returned no text")
            return text

        return self._retrying(call, "chat")

    def stream(self, messages: list) -> Iterator[str]:
        """Text deltas as the model produces them. Opening the stream is retried; once text has arrived a
        failure ends it with LLMError (the caller falls back), as does running past the time budget."""
        started = time.monotonic()
        deadline = started + self.timeout

        def open_stream(timeout: float):
            chunks = self.llm.stream_chat(messages, timeout=timeout)
            first = next(chunks, None)  # the request is made here: errors surface now, inside the retry
            return chunks, first

        chunks, first = self._retrying(open_stream, "stream")
        if first is None:  # not even the opening chunk: the body was no event stream
            log.warning("llm stream failed: no chunk arrived")
            raise LLMError("the language model's reply could not be read")
        paused = 0.0  # time spent in the caller between deltas (checking them) is not the model's
        try:
            for chunk in itertools.chain([first], chunks):
                if time.monotonic() - paused > deadline:
                    raise LLMError(f"the language model did not finish within {self.timeout:g} s")
                if chunk.delta:
                    handed = time.monotonic()
                    yield chunk.delta
                    paused += time.monotonic() - handed
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001
            reason = _reason(exc, self.timeout)
            log.warning("llm stream broke off: %s (%s)", reason, type(exc).__name__)
            raise LLMError(reason) from exc
