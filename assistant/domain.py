"""Probation-specific answering: glossary definitions, ratings tables, supersession and period notes.

Called by Service.ask around the generic retrieve-and-extract path; each function is deterministic
and cites the passage it rests on.
"""

from __future__ import annotations

import re

from assistant.answer import citation_for
from assistant.glossary import Glossary, Term, _phrase_pattern
from assistant.models import Answer, DocumentInfo, Filters, ScoredPassage
from assistant.ratings import RATINGS, RatingRow
from assistant.store import Snapshot
from assistant.text import split_sentences, tokenize

# --- glossary -----------------------------------------------------------------------------

def definition_answer(question: str, term: Term, snap: Snapshot) -> Answer | None:
    """'SOMMB stands for ...', cited to the corpus passage that spells it out (None if no passage does)."""
    if not term.defined_in or term.defined_in not in snap.documents:
        return None
    expansion_patterns = [_phrase_pattern(f) for f in (term.expansion, *term.variants)]
    best: tuple[int, ScoredPassage, str] | None = None
    for p in snap.passages:
        if p.doc_id != term.defined_in:
            continue
        for sentence in split_sentences(p.text):
            if not any(pat.search(sentence) for pat in expansion_patterns):
                continue
            # "ABBR stands for ..." defines it best, then "Expansion (ABBR)", then any use of the expansion
            abbr = re.escape(term.abbr)
            score = (3 if re.search(rf"{abbr}\s+(?:stands\s+for|means)", sentence, re.IGNORECASE)
                     else 2 if re.search(rf"\(\s*{abbr}\s*\)", sentence, re.IGNORECASE) else 1)
            if best is None or score > best[0]:
                best = (score, ScoredPassage(passage=p, score=1.0), sentence)
    if best is None:
        return None
    _, hit, sentence = best
    text = f"{term.abbr} stands for {term.expansion} [1]. The document says: “{sentence}” [1]"
    return Answer(question=question, status="answered", answer=text, citations=[citation_for(1, hit)])


def glossary_note(term: Term) -> str:
    note = f" ({term.note})" if term.note else ""
    return (f"Glossary, not an indexed document: {term.abbr} — {term.expansion}{note}. "
            f"No indexed document defines it.")


# --- ratings ------------------------------------------------------------------------------

_RATINGS_Q = re.compile(r"\b(rated|rating|ratings|grade|graded|judged)\b", re.IGNORECASE)
_COMPARE_Q = re.compile(r"\b(compare|comparison|table|which\s+(?:areas|divisions|crcs|pdus|bodies))\b", re.IGNORECASE)


def is_ratings_question(question: str) -> bool:
    return bool(_RATINGS_Q.search(question)) and (
        bool(_COMPARE_Q.search(question)) or any(r.lower() in question.lower() for r in RATINGS)
        or bool(re.search(r"\bwhat\s+(?:overall\s+)?rating", question, re.IGNORECASE)))


def _row_passes(row: RatingRow, filters: Filters | None) -> bool:
    """Filters.accepts on a ratings row; the area filter searches the row's area and inspected body."""
    if filters is None:
        return True
    return filters.accepts(doc_type=row.doc_type, published=row.published, area=f"{row.area or ''} {row.body}",
                           restricted=False)


def ratings_rows(snap: Snapshot) -> list[RatingRow]:
    rows = [RatingRow.model_validate(r) for d in snap.documents.values() for r in d.ratings]
    return sorted(rows, key=lambda r: (r.body, r.published or ""), reverse=False)


def _select_rows(question: str, rows: list[RatingRow]) -> tuple[list[RatingRow], str | None, str | None]:
    q = question.lower()
    wanted = next((r for r in RATINGS if re.search(rf"\b{r.lower()}\b", q)), None)
    standards = {s for row in rows for s in row.standards}
    standard = next((s for s in sorted(standards, key=len, reverse=True) if s.lower() in q), None)
    words = set(re.findall(r"[a-z]{4,}", q))
    named = [r for r in rows if words & set(re.findall(r"[a-z]{4,}", f"{r.body} {r.area or ''}".lower())) - {"division"}]
    places = _place_names(question)
    if places and not named:
        return [], wanted, standard  # the question is about a body no extracted row covers (e.g. Wales)
    selected = named or rows
    if standard:
        selected = [r for r in selected if standard in r.standards]
    if wanted:
        selected = [r for r in selected if (standard and r.standards.get(standard) == wanted)
                    or (not standard and (r.overall == wanted or wanted in r.standards.values()))]
    return selected, wanted, standard


_NOT_PLACES = {"what", "which", "how", "did", "does", "do", "were", "was", "is", "are", "the", "compare", "show", "list",
               "give", "nps", "hmip", "hmpps", "crc", "crcs", "pdu", "pdus", "inspectors", "inspectorate", "probation",
               "national", "service", "division", "divisions", "area", "areas", "rating", "ratings", "rated", "overall",
               "court", "work", "case", "supervision", "in", "of", "for", "and", "all", "her", "majesty's", "hm",
               *(r.lower() for r in RATINGS), "requires", "improvement"}


def _place_names(question: str) -> set[str]:
    """Capitalised words after the first that are not question words, acronyms of bodies or ratings."""
    words = re.findall(r"[A-Za-z][A-Za-z'’]+", question)[1:]
    return {w.lower() for w in words if w[0].isupper() and w.lower() not in _NOT_PLACES}


def unknown_names(question: str, snap: Snapshot, glossary: Glossary | None = None) -> list[str]:
    """Places and names the question uses that no indexed passage mentions (e.g. 'London', 'Wales' ratings).

    A question about a body the corpus never mentions cannot be answered from it, however well its
    other words match."""
    vocab = getattr(snap.bm25, "vocab_dict", None) if snap.bm25 is not None else None
    if not vocab:
        return []
    known = {t.abbr.lower() for t in glossary.terms} | {v.lower() for t in glossary.terms for v in t.variants} \
        if glossary else set()
    names = sorted(n for n in _place_names(question) if n not in known)
    return [n for n in names if (tokenize([n]) or [[]])[0] and not all(t in vocab for t in tokenize([n])[0])]


def ratings_answer(question: str, snap: Snapshot, filters: Filters | None = None) -> Answer | None:
    """A cited table of ratings, a plain 'no such rating' when the rows say so, or None to fall back to search."""
    all_rows = [r for r in ratings_rows(snap) if _row_passes(r, filters)]
    rows, wanted, standard = _select_rows(question, all_rows)
    if not rows and all_rows and (_place_names(question) or wanted):
        what = ", ".join(sorted(w.title() for w in _place_names(question))) or "any body"
        rated = f" rated {wanted}" + (f" for {standard.lower()}" if standard else "") if wanted else ""
        return Answer(question=question, status="no_answer",
                      answer=f"I could not find an inspection rating for {what}{rated} in the indexed documents. "
                             f"Ratings found: " + "; ".join(sorted({r.body for r in all_rows})) + ".",
                      citations=[])
    if not rows:
        return None
    lines, citations = [], []
    rows = sorted(rows, key=lambda r: r.published or "", reverse=True)  # newest first
    for n, row in enumerate(rows, start=1):
        parts = []
        if row.overall and not standard and (not wanted or row.overall == wanted):
            parts.append(f"overall {row.overall}")
        shown = {standard: row.standards[standard]} if standard else row.standards
        if wanted and not standard:
            shown = {k: v for k, v in shown.items() if v == wanted}
        parts.extend(f"{name}: {rating}" for name, rating in shown.items())
        when = ", ".join(x for x in (f"inspected {row.inspected}" if row.inspected else None,
                                     f"published {row.published}" if row.published else None) if x)
        lines.append(f"{row.body} — {'; '.join(parts)} ({when}) [{n}]")
        passage = next((p for p in snap.passages if p.doc_id == row.citation.doc_id and row.citation.quote in p.text),
                       None)
        if passage is None:
            continue
        citations.append(citation_for(n, ScoredPassage(passage=passage, score=1.0)))
    answer = Answer(question=question, status="answered", answer="\n".join(lines), citations=citations)
    answer.table = [r.model_dump() for r in rows]
    return answer


# --- dates and supersession ---------------------------------------------------------------

def supersession_notes(answer: Answer, documents: dict[str, DocumentInfo]) -> list[str]:
    notes = []
    for c in answer.citations:
        doc = documents.get(c.doc_id)
        if doc is None or not doc.superseded_by:
            continue
        newer = documents.get(doc.superseded_by)
        newer_text = f"“{newer.title}” ({newer.published})" if newer else doc.superseded_by
        notes.append(f"[{c.n}] is from “{doc.title}” ({doc.published}), which has been superseded by {newer_text}.")
    return notes


def newest_first(answer: Answer) -> Answer:
    """When the answer rests on several documents, give the newest first, each with its date."""
    docs = {c.doc_id for c in answer.citations}
    if answer.status != "answered" or len(docs) < 2:
        return answer
    sentences = re.findall(r"(.+?\[(\d+)\])(?:\s+|$)", answer.answer)
    if not sentences:
        return answer
    by_n = {c.n: c for c in answer.citations}
    order = sorted(sentences, key=lambda s: (by_n[int(s[1])].published or "", -int(s[1])), reverse=True)
    text = " ".join(f"{s[0][:-len(f'[{s[1]}]')].rstrip()} ({by_n[int(s[1])].published}) [{s[1]}]" for s in order)
    return answer.model_copy(update={"answer": text})


def apply_glossary(answer: Answer, glossary: Glossary) -> Answer:
    if answer.status != "answered":
        return answer
    return answer.model_copy(update={"answer": glossary.expand_first_use(answer.answer)})
