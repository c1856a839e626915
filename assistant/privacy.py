"""Personal identifiers in questions and feedback: found, redacted, and named back to the asker.

Probation staff may paste case details into a question. Before a question is stored, logged, searched
or sent to a language model, the service replaces each identifier with a placeholder (`[CRN]`) and
tells the asker what it removed ("Your question contained a case reference; it was not stored."). The
indexed documents are about services, not people, so nothing is lost for retrieval.

Patterns (case-insensitive where staff type them either way):
- nDelius CRN: a letter and six digits (X123456)
- PNC ID: year / up to seven digits and a check letter (2019/0123456A)
- prison number: a letter, four digits, two letters (A1234BC)
- National Insurance number: two letters, six digits, a letter A-D (QQ 12 34 56 C; any two letters, so a
  mistyped or example prefix is caught too)
- date of birth: a date next to "DOB", "born" or "date of birth" (a publication date is left alone)
- email address, UK phone number (07..., 01/02/03..., +44 ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
         r"\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4})")

# (placeholder, what the asker is told, pattern); order matters: the more specific first
PATTERNS: list[tuple[str, str, re.Pattern]] = [
    ("[EMAIL]", "an email address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[DOB]", "a date of birth", re.compile(
        r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*" + _DATE, re.IGNORECASE)),
    ("[PNC]", "a PNC ID", re.compile(r"\b(?:19|20)?\d{2}/\d{1,7}[A-Z]\b", re.IGNORECASE)),
    ("[NINO]", "a National Insurance number", re.compile(
        r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
        re.IGNORECASE)),
    ("[PRISON_NUMBER]", "a prison number", re.compile(r"\b[A-Z]\d{4}[A-Z]{2}\b", re.IGNORECASE)),
    ("[CRN]", "a case reference", re.compile(r"\b[A-Z]\d{6}\b", re.IGNORECASE)),
    ("[PHONE]", "a phone number", re.compile(
        r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-)]?){8,9}\d(?![\w/])")),
]


@dataclass(frozen=True)
class Redaction:
    text: str  # the text with every identifier replaced by its placeholder
    found: tuple[str, ...]  # what was found, in the words the asker is told ("a case reference"), each once

    @property
    def changed(self) -> bool:
        return bool(self.found)

    def warning(self, what: str = "question") -> str:
        """"Your question contained a case reference; it was not stored." (and the like)"""
        if not self.found:
            return ""
        kinds = list(self.found)
        listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
        pronoun = "it was" if len(kinds) == 1 else "they were"
        return f"Your {what} contained {listed}; {pronoun} not stored."


def redact(text: str) -> Redaction:
    """Replace personal identifiers with placeholders; cheap when there are none (a few regex scans)."""
    found: list[str] = []
    for placeholder, label, pattern in PATTERNS:
        text, n = pattern.subn(placeholder, text)
        if n and label not in found:
            found.append(label)
    return Redaction(text, tuple(found))


_PLACEHOLDERS = re.compile(r"\[(?:EMAIL|DOB|PNC|NINO|PRISON_NUMBER|CRN|PHONE)\]")


def without_placeholders(text: str) -> str:
    """The redacted text for searching: placeholders dropped so "[CRN]" does not match "CRN" in a document,
    and a sentence that held little else ("Asking for [CRN], [DOB]") dropped with them, so its leftover words
    are not read as part of the question."""
    sentences = re.split(r"(?<=[.?!])\s+", text)
    kept = [_PLACEHOLDERS.sub(" ", x) for x in sentences
            if len(sentences) == 1 or not (_PLACEHOLDERS.search(x) and len(re.findall(r"[A-Za-z]{2,}", x)) <= 5)]
    return " ".join(" ".join(kept or [_PLACEHOLDERS.sub(" ", text)]).split())


def searchable(text: str) -> str:
    """What search reads of a question: identifiers removed (never a query term), or the placeholder alone
    when nothing else is left, so the question stays valid."""
    redacted = redact(text).text
    return without_placeholders(redacted) or redacted
