"""Which inspection, and which body, a ratings question asks about, for domain.ratings_answer.

A ratings answer states only the ratings of the inspection asked about: "at its previous inspection" is not
the latest row, and "most recent" is only the latest. When the asked inspection is not indexed the answer says
which inspection's ratings are. A body the ratings rows do not cover, but that an indexed passage says was
rated (a press release: "Merlin Lodge ... has been rated 'Good'"), is left to search, which quotes that passage;
found by the blind set (evals/blind, p-rating, n-previous-rating).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

import numpy as np

from assistant.access import PUBLIC, Access
from assistant.models import Answer
from assistant.ratings import RATINGS, RatingRow, body_key
from assistant.store import Snapshot
from assistant.text import tokenize

# "at its previous inspection", "what was it rated last time?", "before that": an inspection before the newest
# indexed one. "its last inspection" reads the same way: as the latest it would be answered by the latest row,
# but asked of a body with an earlier report in mind it would state a rating that was not given then; refusing
# with the indexed inspection named is the answer that is right under both readings when only one is indexed
EARLIER = re.compile(r"\b(?:previous(?:ly)?|prior|preceding|earlier|former|last\s+time|time\s+before|"
                     r"before\s+(?:that|this|then|the\s+(?:latest|current|most\s+recent|last))|"
                     r"(?:its|the|their|his|her)\s+last\s+(?:inspections?|reports?|ratings?|inspected))\b"
                     r"|\bbefore\W*$", re.IGNORECASE)
LATEST = re.compile(r"\b(?:latest|most\s+recent|current(?:ly)?|newest)\b", re.IGNORECASE)
_RATED_PROSE = re.compile(rf"\b(?:rated|rating|judged|graded)\b[^.\n]{{0,60}}?\b(?:{'|'.join(RATINGS)})\b"
                          rf"|\b(?:{'|'.join(RATINGS)})\b['’”\"]?\s+rating\b", re.IGNORECASE)


def inspection_asked(question: str) -> str | None:
    """'earlier' (an inspection before the newest indexed), 'latest', or None (any indexed inspection)."""
    if EARLIER.search(question):
        return "earlier"
    return "latest" if LATEST.search(question) else None


def _when(row: RatingRow) -> str:
    return ", ".join(x for x in (f"inspected {row.inspected}" if row.inspected else None,
                                 f"published {row.published}" if row.published else None) if x) or "date not given"


def _inspection(row: RatingRow) -> str:
    """Which inspection a row is of: its fieldwork month, else its publication month (two documents of one
    inspection, a report and its summary, are one inspection)."""
    return row.inspected or (row.published or "")[:7]


def _by_body(rows: list[RatingRow]) -> dict[str, list[list[RatingRow]]]:
    """Each body's rows by inspection, newest inspection first."""
    bodies: dict[str, dict[str, list[RatingRow]]] = {}
    for row in rows:
        bodies.setdefault(body_key(row.body), {}).setdefault(_inspection(row), []).append(row)
    return {body: [found[k] for k in sorted(found, reverse=True)] for body, found in bodies.items()}


def rows_of_inspection(question: str, rows: list[RatingRow]) -> tuple[list[RatingRow], str | None]:
    """(the rows of the inspection the question asks about, None), or ([], a refusal saying which inspections'
    ratings are indexed) when the asked one is not."""
    asked = inspection_asked(question)
    if asked is None or not rows:
        return rows, None
    bodies = _by_body(rows)
    if asked == "latest":
        return [r for found in bodies.values() for r in found[0]], None
    earlier = [r for found in bodies.values() if len(found) > 1 for r in found[1]]
    if earlier:
        return earlier, None
    indexed = "; ".join(f"{found[0][0].body} ({_when(found[0][0])})" for found in bodies.values())
    names = " or ".join(found[0][0].body for found in bodies.values())
    return [], (f"I could not find the ratings of an inspection of {names} before the latest indexed one in the "
                f"indexed documents. The indexed ratings are from: {indexed}.")


def body_phrase(question: str, places: set[str]) -> str:
    """The place words of a question in the order it writes them ("Merlin Lodge", not "Lodge, Merlin")."""
    words = re.findall(r"[A-Za-z][A-Za-z'’]+", question)[1:]
    return " ".join(dict.fromkeys(w for w in words if w.lower() in places))


@lru_cache(maxsize=256)
def _tokens(words: frozenset[str]) -> frozenset[str]:
    return frozenset(t for ts in tokenize(sorted(words)) for t in ts)


def _holding(words: set[str], snap: Snapshot) -> np.ndarray:
    """A mask of the passages whose BM25 tokens hold any of the words' tokens, read off BM25's token-by-passage
    matrix: scanning every passage's text took 1.5 s at 10k passages (0.2 s with a substring test first)."""
    held = np.zeros(len(snap.passages), dtype=bool)
    vocab = snap.bm25.vocab_dict if snap.bm25 is not None else {}
    if vocab:
        assert snap.bm25 is not None  # the vocabulary came from it
        indptr, indices = snap.bm25.scores["indptr"], snap.bm25.scores["indices"]
        for t in _tokens(frozenset(words)):
            if t in vocab and vocab[t] + 1 < len(indptr):
                held[indices[indptr[vocab[t]]:indptr[vocab[t] + 1]]] = True
    return held


# passages checked with the regexes at most: a body's name next to "rated ... Good" in more passages than this is
# found in the first of them; the check costs up to 0.3 ms a passage (at 10k passages: 0.1 ms for a rare name,
# 10 ms when every passage names the body and says "rated ... good")
_MOST_CHECKED = 50


def said_rated_in_prose(places: set[str], snap: Snapshot, access: Access = PUBLIC) -> bool:
    """A passage the caller may see names every place word of the question and says something was rated."""
    if not places:
        return False
    held = np.ones(len(snap.passages), dtype=bool)
    for words in [{w} for w in places] + [{"rated", "rating", "judged", "graded"}, set(RATINGS)]:
        held &= _holding(words, snap)
        if not held.any():
            return False
    candidates = np.flatnonzero(held)
    patterns = [re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE) for w in places]
    named = (p for p in (snap.passages[int(i)] for i in candidates)
             if access.may_see_passage(p) and all(pat.search(p.text) for pat in patterns))
    return any(_RATED_PROSE.search(p.text) for p in islice(named, _MOST_CHECKED))


def no_rows_answer(question: str, all_rows: list[RatingRow], places: set[str], wanted: str | None,
                   standard: str | None, snap: Snapshot, access: Access = PUBLIC) -> Answer | None:
    """No ratings row covers what is asked. A body no row names, that an indexed passage says was rated: None, so
    search quotes that passage, unless a standard is asked about ("for leadership": the prose's overall rating is
    not that, and another body's row for it would be quoted) or an earlier inspection (prose names no earlier
    one). Else a refusal listing the bodies rated."""
    earlier = inspection_asked(question) == "earlier"
    rated_bodies = {w for r in all_rows for w in re.findall(r"[a-z]{3,}", f"{r.body} {r.area or ''}".lower())}
    # a body with rows of its own that lack what is asked ("which parts of the Midlands division's work were rated
    # inadequate?"): its rows are the answer's ground, not a passage's prose
    if not earlier and not standard and not places & rated_bodies and said_rated_in_prose(places, snap, access):
        return None
    what = body_phrase(question, places) or "any body"
    rated = f" rated {wanted}" if wanted else ""
    rated += f" for {standard.lower()}" if standard and (wanted or earlier) else ""
    sought = f"the ratings of an earlier inspection of {what}" if earlier else f"an inspection rating for {what}"
    return Answer(question=question, status="no_answer", citations=[],
                  answer=f"I could not find {sought}{rated} in the indexed documents. "
                         f"Ratings found: " + "; ".join(sorted({r.body for r in all_rows})) + ".")
