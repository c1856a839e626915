"""What a generated sentence is aligned with in its cited passage (assistant/llm/check.py): each sentence of a
list item with its lead-in, the document's metadata as a sentence, and the rule that keeps a pair of adjacent
sentences from lending a claim a name (or a single word) the sentence it restates does not hold."""

from __future__ import annotations

import re

from assistant.llm.sentences import long_date, weekday
from assistant.text import _BULLET_PREFIX, _SENTENCE_SPLIT

# a sentence that refers back to the one before: a name there may be what it is about
_ANAPHOR = re.compile(r"\b(?:it|its|this|these|they|their|them|he|she|his|her|such)\b", re.IGNORECASE)


def claim_sentences(text: str) -> list[str]:
    """The passage's sentences as a claim is aligned with them: each sentence of a list item on its own, with the
    lead-in that introduces the list ("The aims of the SOMMB are to: Deliver against an Annual Plan."). A whole
    list read as one sentence (text.split_sentences, right for quoting) would let a claim borrow a name from
    another item ("Each area in Wales will have a regional director" from one item about England and another
    about the Director in Wales)."""
    out: list[str] = []
    leads: dict[int, str] = {}
    for line in text.split("\n"):
        stripped = line.lstrip()
        level = 1 if stripped.startswith("•") else 2 if stripped.startswith("◦") else 0
        sentences = [s for s in (_BULLET_PREFIX.sub("", x).strip() for x in _SENTENCE_SPLIT.split(line))
                     if len(s.split()) >= 3]
        if not sentences:
            continue
        lead = " ".join(leads[k] for k in sorted(leads) if k < level) if level else ""
        leads = {k: v for k, v in leads.items() if k < level}
        out += [f"{lead} {s}" if lead else s for s in sentences]
        if sentences[-1].endswith(":"):
            leads[level] = sentences[-1]
    return out


def list_item(sentence: str) -> str:
    """A list item's own text (claim_sentences puts its list's lead-in before it)."""
    return sentence.rsplit(": ", 1)[-1] if ": " in sentence else sentence


def about_document(p) -> str:
    """A sentence of the passage's metadata: a claim about when "the report" was published is supported by it."""
    if not p.published:
        return ""
    kind = (p.doc_type or "document").replace("_", " ")
    return f"This {kind} (document, report or paper) was published on {weekday(p.published)} {long_date(p.published)}."


def quote_goes_on(have_text: str, lack_text: str) -> bool:
    """One sentence of a quotation the other opens or closes: its speaker ("Dame Glenys said, “... . More also
    needs to be done ...”") is named once for the whole quotation."""
    return have_text.count("“") > have_text.count("”") or (lack_text.count("”") > lack_text.count("“"))


def borrowed_name(ask, first, second, first_text: str, second_text: str):
    """The alignment of the sentence that lacks a name of the claim, when the claim joins that name (held only by
    the other sentence) to words only this sentence holds, and this sentence does not refer back."""
    for have, lack, have_text, lack_text in ((first, second, first_text, second_text),
                                             (second, first, second_text, first_text)):
        borrowed = set(have.matched) - set(lack.matched)
        own = set(lack.matched) - set(have.matched)
        if borrowed and (borrowed <= ask.names or len(borrowed) == 1) and own - ask.names \
                and not _ANAPHOR.search(lack_text) \
                and not quote_goes_on(have_text, lack_text):
            return lack
    return None


def lends_a_word(ask, singles: list, parts: list[int]) -> bool:
    """Of the list items `parts` (their alignments in `singles`), one lends the claim only a name or one word no
    other item holds: the claim joins it to what the other items say."""
    used = [set(singles[i].matched) for i in parts]
    for k, mine in enumerate(used):
        own = mine - set().union(*(o for j, o in enumerate(used) if j != k))
        if own and (own <= ask.names or len(own) == 1):
            return True
    return False
