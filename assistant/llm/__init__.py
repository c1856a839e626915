"""Optional generated answers over an OpenAI-compatible LLM, every sentence checked against its citation.

See README, "Generated answers (optional LLM)". The extractive answer stays the default and the fallback.
"""

from assistant.llm.check import AnswerChecker, SupportChecker
from assistant.llm.client import LLMClient, LLMError
from assistant.llm.generate import fallback, generate
from assistant.llm.prompt import REFUSAL, SYSTEM_PROMPT, build_messages

__all__ = ["AnswerChecker", "LLMClient", "LLMError", "REFUSAL", "SYSTEM_PROMPT", "SupportChecker", "build_messages",
           "fallback", "generate"]
