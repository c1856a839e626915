"""The numbered paragraph a quoted sentence sits in, when its passage holds several.

Chunking gathers short numbered paragraphs into one passage ("1.3–1.5") so each has context enough to be
found; a citation of that passage said "paragraphs 1.3–1.5" when the answer quoted one sentence of 1.4
(blind test, evals/blind: 6 of 31 answers cited a range). A reader checks the number, so the citation names
the paragraph (or the narrower range) the quoted sentences come from.
"""

from __future__ import annotations

import re

from assistant.ingest.clean import _NUMBERED_RE

_RANGE = re.compile(r"^\s*(\S+)\s*[–-]\s*(\S+)\s*$")


def _starts(passage_text: str) -> list[tuple[int, str]]:
    """(offset, number) of each line that opens a numbered paragraph ("1.4 Workloads were ...", "3. The ...")."""
    out, offset = [], 0
    for line in passage_text.split("\n"):
        if m := _NUMBERED_RE.match(line):
            out.append((offset, m.group(1)))
        offset += len(line) + 1
    return out


def _where(passage_text: str, sentence: str) -> int:
    """Offset of the sentence in the passage (sentence splitting folds white space; compare folded)."""
    words = sentence.split()
    if not words:
        return -1
    pattern = r"\s+".join(re.escape(w) for w in words[:12])
    m = re.search(pattern, passage_text)
    return m.start() if m else -1


def quoted_paragraph(paragraph: str | None, passage_text: str, sentences: list[str]) -> str | None:
    """`paragraph` narrowed to the numbered paragraph(s) holding `sentences`; unchanged when it is one
    paragraph, or when a sentence cannot be placed (a table row, text before the first number)."""
    if not paragraph or not _RANGE.match(paragraph) or not sentences:
        return paragraph
    starts = _starts(passage_text)
    if not starts:
        return paragraph
    held: list[str] = []
    for sentence in sentences:
        at = _where(passage_text, sentence)
        before = [n for off, n in starts if off <= at]
        if at < 0 or not before:
            return paragraph
        if before[-1] not in held:
            held.append(before[-1])
    return held[0] if len(held) == 1 else f"{held[0]}–{held[-1]}"
