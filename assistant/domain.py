"""Probation-specific answering: glossary definitions, ratings tables, supersession and period notes.

Called by Service.ask around the generic retrieve-and-extract path; each function is deterministic
and cites the passage it rests on.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.access import PUBLIC, Access
from assistant.answer import citation_for
from assistant.dates import year_asked
from assistant.glossary import Glossary, Term, _phrase_pattern
from assistant.models import Answer, DocumentInfo, Filters, ScoredPassage
from assistant.ratings import RATINGS, RatingRow, body_key, rows_for_year
from assistant.ratings_asked import inspection_asked, no_rows_answer, rows_of_inspection
from assistant.safety import addresses_an_ai
from assistant.store import Snapshot
from assistant.text import split_sentences, tokenize

# --- glossary -----------------------------------------------------------------------------

def definition_answer(question: str, term: Term, snap: Snapshot, access: Access = PUBLIC) -> Answer | None:
    """'SOMMB stands for ...', cited to the corpus passage that spells it out (None if no passage the caller may
    see does)."""
    if not definition_visible(term, snap, access):
        return None
    expansion_patterns = [_phrase_pattern(f) for f in (term.expansion, *term.variants)]
    best: tuple[int, ScoredPassage, str] | None = None
    for p in snap.passages:
        if p.doc_id != term.defined_in or addresses_an_ai(p.text):
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


def definition_visible(term: Term, snap: Snapshot, access: Access = PUBLIC) -> bool:
    """The term's defining document is indexed and the caller may see it."""
    if not term.defined_in:
        return False
    return access.may_see(snap.documents.get(term.defined_in))


def states_meaning(term: Term, quoted: str) -> bool:
    """The quoted answer names the term and gives the glossary's meaning of it: a table row "MAPPA ... —
    Category 3 — Who is included: Other dangerous offenders: ..." defines "MAPPA category 3" as well as
    "X stands for ..." does."""
    if not _phrase_pattern(term.expansion).search(quoted):
        return False
    return set(tokenize([term.abbr])[0]) <= set(tokenize([quoted])[0])


def glossary_note(term: Term) -> str:
    note = f" ({term.note})" if term.note else ""
    return (f"Glossary, not an indexed document: {term.abbr} — {term.expansion}{note}. "
            f"No indexed document defines it.")


# --- ratings ------------------------------------------------------------------------------

_RATINGS_Q = re.compile(r"\b(rated|rating|ratings|grade|graded|judged)\b", re.IGNORECASE)
_COMPARE_Q = re.compile(r"\b(compare|comparison|table|which\s+(?:areas|divisions|crcs|pdus|bodies))\b", re.IGNORECASE)


# "what total score gives an overall rating of Good?", "how many points does a Good rating score?": about the
# scoring scale the reports explain, not about what a body was rated; search quotes the scoring note
_SCALE_Q = re.compile(r"\b(?:scores?|scored|scoring|points?|totals?|scale|bands?|thresholds?)\b", re.IGNORECASE)
# "Was Harrowfield PDU rated Inadequate overall?": the answer states the rating given, whichever it is
_YES_NO_Q = re.compile(r"^\s*(?:was|were|is|are|did|does|do|has|have|had)\b", re.IGNORECASE)


# "When did the Midlands division stop being rated good?", "Why did X lose its Good rating?": a change of rating
# over time, which one inspection's ratings row does not record; search (and the answerability stage) decide
_CHANGE_Q = re.compile(r"\b(?:stop(?:ped)?|ceased?|start(?:ed)?|beg[ia]n|bec[oa]me|lost|lose|los(?:es|ing)|"
                       r"chang(?:e|ed)|drop(?:ped)?|fell|fall(?:en)?|improv(?:e|ed)|declin(?:e|ed)|since)\b",
                       re.IGNORECASE)


def is_ratings_question(question: str) -> bool:
    if _SCALE_Q.search(question) or _CHANGE_Q.search(question):
        return False
    return bool(_RATINGS_Q.search(question)) and (
        bool(_COMPARE_Q.search(question)) or any(r.lower() in question.lower() for r in RATINGS)
        or bool(re.search(r"\bwhat\s+(?:overall\s+)?rating", question, re.IGNORECASE))
        or bool(_RATING_ASKED.match(question)) or inspection_asked(question) == "earlier")


# "What was Harrowfield's resettlement rating?", "What was the rating for staff at X?": the rating is what is asked
_RATING_ASKED = re.compile(r"^\s*(?:(?:what|which)\s+(?:is|was|were|are)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?"
                           r"(?:rating|grade)s?\b|how\s+(?:was|were|is|are)\s+(?:[\w'’-]+\s+){1,4}?rated\b)",
                           re.IGNORECASE)


def _row_passes(row: RatingRow, filters: Filters | None) -> bool:
    """Filters.accepts on a ratings row; the area filter searches the row's area and inspected body."""
    if filters is None:
        return True
    return filters.accepts(doc_type=row.doc_type, published=row.published, area=f"{row.area or ''} {row.body}",
                           restricted=False)


def is_ratings_authority(doc: DocumentInfo) -> bool:
    """Whose ratings count: set at ingest (an inspection report by declared type, not an upload, or
    `ratings_authority: true` in the manifest); an index built before that flag existed: inspection reports.
    A document that addresses instructions to AI systems is never one."""
    authority = doc.ratings_authority if doc.ratings_authority is not None else doc.doc_type == "inspection_report"
    return bool(authority) and not doc.instruction_passages


def _agrees(row: RatingRow, other: RatingRow) -> bool:
    """`other` restates `row`: same body, and every rating both give is the same (at least one is)."""
    shared = [(row.overall, other.overall)] if row.overall and other.overall else []
    shared += [(row.standards[k], v) for k, v in other.standards.items() if k in row.standards]
    return row.body == other.body and bool(shared) and all(a == b for a, b in shared)


def _visible_rows(snap: Snapshot, access: Access) -> tuple[list[RatingRow], list[RatingRow]]:
    """(rows of authoritative documents, rows restated elsewhere) from the documents the caller may see.
    A document that addresses instructions to AI systems gives neither."""
    rows: list[RatingRow] = []
    restated: list[RatingRow] = []
    for doc in snap.documents.values():
        if not doc.ratings or not access.may_see(doc) or doc.instruction_passages:
            continue
        for raw in doc.ratings:
            row = RatingRow.model_validate(raw)
            if not addresses_an_ai(row.citation.quote):
                (rows if is_ratings_authority(doc) else restated).append(row)
    return rows, restated


def _contradicts(row: RatingRow, other: RatingRow) -> bool:
    """`other` gives the same body a different rating than the inspectorate's `row` does."""
    if row.body != other.body:
        return False
    if row.overall and other.overall and row.overall != other.overall:
        return True
    return any(row.standards.get(k, v) != v for k, v in other.standards.items())


def ratings_rows(snap: Snapshot, access: Access = PUBLIC) -> list[RatingRow]:
    """The ratings table as answers and GET /v1/ratings read it: one row per authoritative document and body,
    from documents the caller may see. A board paper or upload that restates a row's rating is listed on that
    row as a supporting citation; a rating only such a document gives is not a row at all."""
    rows, restated = _visible_rows(snap, access)
    # a body whose report's ratings table was read: other documents' prose about it only supports it (issue 12)
    from_tables = {body_key(r.body) for r in rows if r.source == "table"}
    restated += [r for r in rows if r.source != "table" and body_key(r.body) in from_tables]
    rows = [r for r in rows if r.source == "table" or body_key(r.body) not in from_tables]
    for other in restated:
        for row in rows:
            if _agrees(row, other):
                row.supporting.append(other.citation)
    return sorted(rows, key=lambda r: (r.body, r.published or ""), reverse=False)


def _select_rows(question: str, rows: list[RatingRow]) -> tuple[list[RatingRow], str | None, str | None]:
    q = question.lower()
    wanted = next((r for r in RATINGS if re.search(rf"\b{r.lower()}\b", q)), None)
    standards = {s for row in rows for s in row.standards}
    # "2.2 Planning" is asked about as "planning"
    standard = next((s for s in sorted(standards, key=len, reverse=True)
                     if re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", s).lower() in q), None)
    words = set(re.findall(r"[a-z]{4,}", q))
    named = [r for r in rows if words & set(re.findall(r"[a-z]{4,}", f"{r.body} {r.area or ''}".lower())) - {"division"}]
    body = _body_words(question)
    if body:  # "Eastvale North PDU" is not a PDU of the Eastvale region: every word of the body's name must match
        named = [r for r in named if body <= set(re.findall(r"[a-z]{3,}", f"{r.body} {r.area or ''}".lower()))]
    places = _place_names(question)
    if places and not named:
        return [], wanted, standard  # the question is about a body no extracted row covers (e.g. Wales)
    selected = named or rows
    if standard:
        selected = [r for r in selected if standard in r.standards]
    if wanted and not (named and _YES_NO_Q.match(question)):  # "was X rated Good?": X's rating, Good or not
        overall_only = bool(re.search(r"\boverall\b", q)) and not standard
        selected = [r for r in selected if (standard and r.standards.get(standard) == wanted)
                    or (not standard and (r.overall == wanted
                                          or (not overall_only and wanted in r.standards.values())))]
    return selected, wanted, standard


_NOT_PLACES = {"what", "which", "how", "did", "does", "do", "were", "was", "is", "are", "the", "compare", "show", "list",
               "give", "nps", "hmip", "hmpps", "crc", "crcs", "pdu", "pdus", "inspectors", "inspectorate", "probation",
               "national", "service", "division", "divisions", "area", "areas", "rating", "ratings", "rated", "overall",
               "court", "work", "case", "supervision", "in", "of", "for", "and", "all", "her", "majesty's", "hm",
               *(r.lower() for r in RATINGS), "requires", "improvement"}


_BODY_RUN = re.compile(r"((?:[A-Z][\w'’-]*\s+(?:(?:and|&)\s+)?)+)(?:PDU|Probation Delivery Unit|[Dd]ivision)\b")


def _body_words(question: str) -> set[str]:
    """The words of the name a question gives a PDU or division ("Calderbrook and Wendle PDU")."""
    return {w.lower() for m in _BODY_RUN.finditer(question) for w in re.findall(r"[A-Za-z]{3,}", m.group(1))
            if w.lower() not in _NOT_PLACES and w.lower() != "and"} - {"what", "which", "how", "did", "was"}


def _place_names(question: str) -> set[str]:
    """Capitalised words after the first that are not question words, acronyms of bodies or ratings."""
    words = re.findall(r"[A-Za-z][A-Za-z'’]+", question)[1:]
    return {w.lower() for w in words if w[0].isupper() and w.lower() not in _NOT_PLACES}


def visible_vocabulary(snap: Snapshot, access: Access = PUBLIC):
    """The BM25 vocabulary of the passages the caller may see. Without the grant, a word only restricted
    passages hold is not in it, so "no document mentions X" cannot reveal that a restricted one does.
    Worked out once per index version (kept on the snapshot) from BM25's token-by-passage matrix."""
    vocab = getattr(snap.bm25, "vocab_dict", None) if snap.bm25 is not None else None
    if not vocab or access.restricted or not snap.restricted.any():
        return vocab
    cached = snap.__dict__.get("_public_vocabulary")
    if cached is None:
        assert snap.bm25 is not None  # the vocabulary came from it
        indptr, indices = snap.bm25.scores["indptr"], snap.bm25.scores["indices"]
        visible = np.concatenate([[0], np.cumsum(~snap.restricted[indices], dtype=np.int64)])
        per_token = visible[indptr[1:]] - visible[indptr[:-1]]  # visible passages holding each token
        cached = frozenset(t for t, i in vocab.items() if i < len(per_token) and per_token[i] > 0)
        snap.__dict__["_public_vocabulary"] = cached
    return cached


def unknown_names(question: str, snap: Snapshot, glossary: Glossary | None = None,
                  access: Access = PUBLIC) -> list[str]:
    """Places and names the question uses that no passage the caller may see mentions (e.g. 'London',
    'Wales' ratings).

    A question about a body the corpus never mentions cannot be answered from it, however well its
    other words match."""
    vocab = visible_vocabulary(snap, access)
    if not vocab:
        return []
    known = {t.abbr.lower() for t in glossary.terms} | {v.lower() for t in glossary.terms for v in t.variants} \
        if glossary else set()
    names = sorted(n for n in _place_names(question) if n not in known)
    return [n for n in names if (tokenize([n]) or [[]])[0] and not all(t in vocab for t in tokenize([n])[0])]


def ratings_answer(question: str, snap: Snapshot, filters: Filters | None = None,
                   access: Access = PUBLIC) -> Answer | None:
    """A cited table of ratings, a plain 'no such rating' when the rows say so, or None to fall back to search."""
    all_rows = [r for r in ratings_rows(snap, access) if _row_passes(r, filters)]
    rows, wanted, standard = _select_rows(question, all_rows)
    # what only a board paper or upload says, where the inspectorate does not say otherwise (a body or a standard
    # its rows do not give): search, which quotes and cites that paper as what it is
    restated = [r for r in _visible_rows(snap, access)[1] if _row_passes(r, filters)
                and not any(_contradicts(row, r) for row in all_rows)]
    only_restated, _, restated_standard = _select_rows(question, restated)
    if only_restated and (not rows or (restated_standard and restated_standard != standard)):
        return None
    if not rows and all_rows and (_place_names(question) or wanted):  # search, or a refusal naming what is rated
        return no_rows_answer(question, all_rows, _place_names(question), wanted, standard or
                              _unrated_topic(question, all_rows), snap, access)
    if not rows:
        return None
    unrated = _unrated_topic(question, rows) if not standard else None
    if unrated and any(r.source != "table" for r in rows):
        return None  # a rating found in prose may leave standards out: not "not rated", and not the overall
    if unrated:
        rated = "; ".join(f"{r.body}: {', '.join(r.standards)}" for r in rows)
        return Answer(question=question, status="no_answer", citations=[],
                      answer=f"I could not find a rating for “{unrated}” in the indexed documents: the inspectorate's "
                             f"ratings table rates no standard of that name. Standards rated: {rated}.")
    year = year_asked(question)
    if year is not None and not rows_for_year(rows, year):  # a year named: that year's inspection or none
        found = "; ".join(f"{r.body} (inspected {r.inspected or 'date not given'}, published {r.published or '?'})"
                          for r in rows)
        return Answer(question=question, status="no_answer", citations=[],
                      answer=f"I could not find an inspection from {year} in the indexed documents. Found: {found}.")
    rows, not_indexed = (rows_for_year(rows, year), None) if year is not None else rows_of_inspection(question, rows)
    if not_indexed:  # "at its previous inspection": only that inspection's ratings, or say which are indexed
        return Answer(question=question, status="no_answer", citations=[], answer=not_indexed)
    lines, citations = [], []
    rows = sorted(rows, key=lambda r: r.published or "", reverse=True)  # newest first
    n = 0
    yes_no = bool(wanted and _YES_NO_Q.match(question))
    overall_asked = bool(re.search(r"\boverall\b", question, re.IGNORECASE)) and not standard
    for row in rows:
        parts = []
        if row.overall and not standard and (not wanted or row.overall == wanted or yes_no):
            parts.append(f"overall {row.overall}")
        shown = {standard: row.standards[standard]} if standard else row.standards
        if wanted and not standard:
            shown = {} if overall_asked else {k: v for k, v in shown.items() if v == wanted}
        parts.extend(f"{name}: {rating}" for name, rating in shown.items())
        when = ", ".join(x for x in (f"inspected {row.inspected}" if row.inspected else None,
                                     f"published {row.published}" if row.published else None) if x)
        markers = []
        for cited in (row.citation, *row.supporting):  # the inspectorate's passage, then any restating it
            passage = next((p for p in snap.passages if p.doc_id == cited.doc_id and cited.quote in p.text), None)
            if passage is not None:
                n += 1
                markers.append(f"[{n}]")
                citations.append(citation_for(n, ScoredPassage(passage=passage, score=1.0)))
        also = f" (also reported in {' '.join(markers[1:])})" if len(markers) > 1 else ""
        verdict = f"{_yes_or_no(row, wanted, standard, overall_asked)} " if yes_no else ""
        lines.append(f"{verdict}{row.body} — {'; '.join(parts)} ({when}) {markers[0] if markers else ''}{also}".rstrip())
    answer = Answer(question=question, status="answered", answer="\n".join(lines), citations=citations)
    answer.table = [r.model_dump() for r in rows]
    return answer


# "What rating did X get for resettlement?", "X's resettlement rating": the standard asked about, when named
_TOPIC = [re.compile(r"\b(?:rat\w*|grade\w*|get|got|receive\w*|give\w*|given|gave|scored?)\s+(?:[\w'’-]+\s+){0,6}?(?:for|on)\s+"
                     r"(?:the\s+|its\s+|their\s+)?(?P<x>[a-z][a-z' -]{2,50}?)\s*(?:[?,(]|$|\b(?:in|at|by|from|during)\b)"),
          re.compile(r"\b(?P<x>[a-z][a-z'-]{3,}(?:\s+[a-z][a-z'-]{3,})?)\s+(?:rating|grade)\b"),
          re.compile(r"^\s*[Hh]ow\s+(?:was|were|is|are)\s+(?:the\s+)?(?P<x>[a-z][a-z' -]{2,50}?)\s+(?:rated|graded)\b"),
          # "What rating did inspectors give the Midlands division's unpaid work?"
          re.compile(r"\b(?:give|gave|given|award\w*)\s+(?:to\s+)?(?:the\s+)?(?:[\w-]+\s+){0,4}?[\w-]+['’]s?\s+"
                     r"(?P<x>[a-z][a-z' -]{2,50}?)\s*(?:[?,(]|$)")]
_NOT_TOPIC = {"overall", "what", "which", "their", "inspection", "inspectors", "highest", "lowest", "best", "worst",
              "final", "latest", "last", "first", "current", "given", "received", "probation", "work", "delivery",
              "previous", "recent", "same", "higher", "lower", "every", "each", "this", "that", "with", "such",
              *(w for r in RATINGS for w in r.lower().split())}


def _unrated_topic(question: str, rows: list[RatingRow]) -> str | None:
    """The standard a question asks about that the ratings tables of `rows` do not rate ("resettlement"), or None.
    Only a table lists every standard it rates: for a rating found in prose the caller searches instead."""
    if not rows:
        return None
    named = {w for r in rows for w in re.findall(r"[a-z]{3,}", f"{r.body} {r.area or ''}".lower())}
    rated = {t for r in rows for s in r.standards for t in tokenize([s])[0]}
    for m in filter(None, (pattern.search(question) for pattern in _TOPIC)):
        words = [w for w in re.findall(r"[a-z]{3,}", m.group("x").lower()) if w not in _NOT_TOPIC | named]
        stems = set(tokenize([" ".join(words)])[0]) if words else set()
        if stems and not stems & rated and not stems & {"pdu", "crc", "divis", "unit"}:
            return m.group("x").strip()
    return None


def _yes_or_no(row: RatingRow, wanted: str | None, standard: str | None, overall_asked: bool) -> str:
    """The answer to "was X rated <wanted> (overall / for <standard>)?" from X's row, before the row itself."""
    if standard:
        return "Yes:" if row.standards.get(standard) == wanted else "No:"
    if row.overall == wanted:
        return "Yes:"
    if not overall_asked and wanted in row.standards.values():
        return f"Not overall, but some standards were rated {wanted}:"
    return "No:"


# --- dates and supersession ---------------------------------------------------------------

def supersession_notes(answer: Answer, documents: dict[str, DocumentInfo], access: Access = PUBLIC) -> list[str]:
    notes = []
    for c in answer.citations:
        doc = documents.get(c.doc_id)
        if doc is None or not doc.superseded_by:
            continue
        newer = documents.get(doc.superseded_by)
        if newer is not None and not access.may_see(newer):
            continue  # naming it would reveal a restricted document
        newer_text = f"“{newer.title}” ({newer.published})" if newer else doc.superseded_by
        notes.append(f"[{c.n}] is from “{doc.title}” ({doc.published}), which has been superseded by {newer_text}.")
    return notes


def apply_glossary(answer: Answer, glossary: Glossary) -> Answer:
    if answer.status != "answered":
        return answer
    return answer.model_copy(update={"answer": glossary.expand_first_use(answer.answer)})
