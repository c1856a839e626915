"""Sentence and citation-marker splitting for the post-check, apart so check.py holds only the judging."""

from __future__ import annotations

import re
from datetime import date

from assistant.text import split_sentences

MARKER = re.compile(r"\[\s*(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]")
# a sentence ends at . ! ? (then closing quotes/brackets, then any [n] markers) before white space and
# a capital, digit or opening quote
_BOUNDARY = re.compile(r"([.!?]+[\"”’')]*)((?:\s*\[\s*\d[\d\s,;]*\])*)(\s+)(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "cf", "dr", "mr", "mrs", "ms", "no", "nos", "para", "paras", "st", "approx",
                  "vs", "fig", "p", "pp", "ch", "sec"}
BULLET = re.compile(r"^(\s*(?:[-*•◦]|\d{1,2}[.)])\s+)")
WINDOW_WORDS = 20


def _ends_with_abbreviation(text: str) -> bool:
    m = re.search(r"([A-Za-z.]+)[.]+$", text.rstrip())
    return m is not None and m.group(1).lower().rstrip(".") in _ABBREVIATIONS


def split_line(line: str, final: bool) -> tuple[list[str], str]:
    """Complete sentences of one line of output, and the rest (the sentence still being written).
    With final=True the rest is a sentence too."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(line):
        piece = line[start:m.end(2)]
        if _ends_with_abbreviation(line[start:m.end(1)]):
            continue
        if piece.strip():
            out.append(piece.strip())
        start = m.end()
    rest = line[start:]
    if final and rest.strip():
        out.append(rest.strip())
        rest = ""
    return out, rest


def markers(text: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def strip_markers(text: str) -> str:
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)  # "claim [1]." -> "claim."
    return re.sub(r"\s{2,}", " ", text).strip()


def long_date(iso: str | None) -> str:
    """'2018-12-18' -> '18 December 2018' (so a sentence giving the publication date in words is supported)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"


def weekday(iso: str | None) -> str:
    """'2018-12-18' -> 'Tuesday' ("published on Tuesday 18 December 2018")."""
    try:
        return date.fromisoformat((iso or "")[:10]).strftime("%A")
    except ValueError:
        return ""


def passage_units(p, window: int = WINDOW_WORDS) -> list[str]:
    """What a claim is compared with: each sentence, each pair of adjacent sentences, each clause of a long
    sentence and overlapping windows of `window` words (a claim often restates one clause of a long
    sentence, which a whole-sentence embedding dilutes), plus the title and date."""
    sentences = split_sentences(p.text) or [p.text]
    units = list(sentences) + [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
    for sentence in sentences:
        words = sentence.split()
        if len(words) <= window:
            continue
        units += [c.strip() for c in re.split(r"[;:]|, (?:and|but|while|which|with) ", sentence)
                  if len(c.split()) >= 4]
        units += [" ".join(words[i:i + window]) for i in range(0, len(words) - window // 2, window // 2)]
    head = ". ".join(x for x in (p.title, f"Published {long_date(p.published)}" if p.published else "") if x)
    if head:
        units.append(head)
    return list(dict.fromkeys(units))
