"""Document text is data, never instructions: spotting passages that address an AI system.

A passage that tells an assistant what to do ("ignore previous instructions", "you are now...", "system
prompt") is not evidence for anything: it is never quoted as an answer, never counted as support (extractive
or generated), and the document is flagged at ingest (`DocumentInfo.instruction_passages`, shown by
`assistant docs`, the ingest summary and the API's document record).
"""

from __future__ import annotations

import re

# text addressed to an AI system rather than to readers
INSTRUCTIONS = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,30}\b(?:previous|prior|above|earlier|preceding|all|your)\b.{0,20}"
    r"\b(?:instructions?|prompts?|rules|directions)\b"
    r"|\b(?:system|developer) (?:prompt|message|notice)\b|\byou are now\b|\bas an ai\b|\byou are an? (?:ai|language model|llm|chatbot)\b"
    r"|\b(?:ai|language model|llm|chatbot|assistant)s?\b.{0,40}\b(?:must|should|shall) (?:now )?(?:reply|answer|respond|say)\b"
    r"|\b(?:reply|respond|answer) to (?:every|all|any) (?:question|user|prompt)s?\b",
    re.IGNORECASE | re.DOTALL)

INSTRUCTIONS_NOTE = ("“{title}” contains instructions addressed to AI systems: it was read as text and supports "
                     "nothing in this answer.")


def addresses_an_ai(text: str) -> bool:
    """True when the text holds instructions addressed to an AI system."""
    return bool(INSTRUCTIONS.search(text))


def count_instruction_passages(passages) -> int:
    return sum(1 for p in passages if addresses_an_ai(p.text))
