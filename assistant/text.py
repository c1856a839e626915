"""Text helpers shared by retrieval, answers, answerability and the generated-answer check.

One home for tokenising (the BM25 analyser), sentence splitting and the "facts" of a sentence (numbers,
months), so that every part of the product means the same thing by "the same words".
"""

from __future__ import annotations

import re

BM25_TOKEN_PATTERN = r"(?u)\b(?:\w\w+|\d)\b"


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, NLTK's 179 English stop words removed ("what", "does" included), Snowball-stemmed."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en_plus", stemmer=_stemmer(), return_ids=False, show_progress=False,
                          token_pattern=BM25_TOKEN_PATTERN)


# contact details (assistant/asked_contact.py reads the same): an email address, a web address, a UK telephone
# number ("0116 2620400", "020 3334 0357", "07880 78745", "+44 (0)20 7946 0958")
EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
URL = (r"(?:https?://|www\.)[^\s,;]+|(?<![\w@.-])[\w-]+(?:\.[\w-]+)*\.(?:gov|org|co|ac|nhs|police)\.uk\b"
       r"(?!@)(?:/[^\s,;]*)?")  # not an email's domain
PHONE = r"(?<![\w.])(?:\+44\s?(?:\(0\))?\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{0,4}(?![\w.@])"
_CONTACT_LABEL = r"(?i:e-?mail|tel(?:ephone)?|phone|mobile|mob|fax|web(?:site)?|address|post\s?code)\b\.?\s*:"
# a labelled detail (or any email address) followed by the next person's or body's name: "Email: p.lund@x.gov.uk Tomasz Wren, Deputy
# Head" (a contact block whose lines the cleaner joined) ends a record there, not in the next person's line
_RECORD_END = re.compile(rf"(?:{_CONTACT_LABEL}\s*(?:{EMAIL}|{URL}|{PHONE})|{EMAIL})(?:\s*\([^)]*\))?\s+"
                         rf"(?=[A-Z](?!\S*\s*:))")
_CONTACT_LINE = re.compile(rf"^\s*{_CONTACT_LABEL}\s*\S")
_LABEL_BEFORE = re.compile(r"(?i:e-?mail|tel(?:ephone)?|phone|mobile|mob|fax|web(?:site)?|address|post\s?code)\.?\s*$")


def _labelled(text: str) -> bool:
    """Whether `text` has a contact label ("Email:", "Tel:"): looked for before each colon only, as searching the
    whole text for the labels cost 0.04 ms a passage, more than splitting it."""
    i = text.find(":")
    while i != -1:
        if _LABEL_BEFORE.search(text, max(0, i - 12), i):
            return True
        i = text.find(":", i + 1)
    return False


def _contact_records(text: str) -> list[str]:
    """A line cut after each labelled contact detail that another name follows."""
    if "@" not in text and not _labelled(text):  # no detail ends a record here
        return [text]
    out, start = [], 0
    for m in _RECORD_END.finditer(text):
        out.append(text[start:m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [p for p in out if p]


def _record_lines(lines: list[str]) -> list[str]:
    """A contact block kept one line per field ("Tomasz Wren, Deputy Head" / "Email: t.wren@...") read as one
    line per person: the name and role lines before a run of "Label: value" lines join them, so the quote for
    a person's email holds the person and never the next person's name."""
    out: list[str] = []
    record: list[str] = []
    labelled = False
    for line in lines:
        s = line.strip()
        contact = bool(_CONTACT_LINE.match(s))
        short = 0 < len(s.split()) <= 12 and not s.endswith((".", "?", "!", ":"))
        if record and (not s or not short or (labelled and not contact)):
            out.extend([" ".join(record)] if labelled else record)
            record, labelled = [], False
        if short and (contact or not labelled):
            record.append(s)
            labelled = labelled or contact
        else:
            out.append(line)
    if record:
        out.extend([" ".join(record)] if labelled else record)
    return out


# after ";" only before a capital: "0 to 6 gives Inadequate; 7 to 12 Requires improvement; 13 to 18 Good" is one
# list, and cut at each ";" its bands lose what they are bands of
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"‘(\d•◦])|(?<=;)\s+(?=[A-Z“\"‘(•◦])|\n+")
_BULLET_PREFIX = re.compile(r"^\s*(?:[•◦]\s*|\d{1,3}(?:\.\d{1,3})*\.\s+)")


def _open_quote(text: str) -> bool:
    """A quotation opened in `text` and not yet closed (curly or straight double quotes)."""
    return text.count("“") > text.count("”") or (text.count('"') % 2 == 1 and "“" not in text)


def _whole_quotations(pieces: list[str], most: int = 4) -> list[str]:
    """Sentences rejoined while a quotation is open: 'X said: "This is a PDU where ... them. It covers a large
    rural area."' is one statement, and quoting its first sentence alone drops what was said (up to `most`
    sentences are joined; an unclosed quote mark beyond that is a typo, not a quotation)."""
    out: list[str] = []
    i = 0
    while i < len(pieces):
        joined, j = pieces[i], i + 1
        while _open_quote(joined) and j < len(pieces) and j - i < most:
            joined, j = f"{joined} {pieces[j]}", j + 1
        if _open_quote(joined):  # never closed: keep the sentences as they were
            joined, j = pieces[i], i + 1
        out.append(joined)
        i = j
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; a lead-in ending with ':' keeps the bullet list that follows it, a quotation
    stays whole, a contact block gives a sentence per person."""
    out: list[str] = []
    lines = text.split("\n")
    if _labelled(text):  # only a "Label: value" line makes a contact record
        lines = _record_lines(lines)
    i = 0
    while i < len(lines):
        pieces = [r for p in _SENTENCE_SPLIT.split(lines[i]) for r in _contact_records(p)]
        sentences = [_BULLET_PREFIX.sub("", s).strip() for s in _whole_quotations(pieces)]
        i += 1
        if sentences and sentences[-1].endswith(":"):
            items = []
            while i < len(lines) and lines[i].lstrip().startswith(("•", "◦")):
                items.append(_BULLET_PREFIX.sub("", lines[i]).strip().rstrip(";.,"))
                i += 1
            if items:
                sentences[-1] = f"{sentences[-1]} {'; '.join(items)}."
        out.extend(s for s in sentences if len(s.split()) >= 4)
    return out


# words that say what kind of answer is wanted, not what it is about (stemmed)
QUESTION_WORDS = {"stand", "mean", "meant", "definit", "defin", "abbrevi", "acronym", "say", "said", "tell", "describ",
                  "explain", "happen", "give", "find", "found", "know", "much", "mani", "number", "kind", "type",
                  # modal verbs NLTK's list leaves in: "by when must staff finish" asks no "must" of the answer
                  "must", "shall", "would", "could", "might", "ought"}


# words that name where to look, not what is asked ("according to papers published in 2019"): an answering
# sentence does not repeat them, so they never count as missing (stemmed)
SOURCE_WORDS = {"accord", "paper", "publish", "document", "report"}


# "address" of "email address" names the kind of answer, as "number" of "telephone number" does: a contact block
# says "Email: ..." and never "address", and counting it missing refused "What is Michael Hopkinson's email
# address?" at the word-coverage floor (0.75 with it, 1.0 without)
_KIND_ADDRESS = re.compile(r"\b(e-?mail|web)\s+address(?:es)?\b", re.IGNORECASE)


def content_terms(question: str) -> set[str]:
    question = _KIND_ADDRESS.sub(r"\1", question)
    return set(tokenize([question])[0]) - QUESTION_WORDS - SOURCE_WORDS


_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\w)|\d+(?:\.\d+)?")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(),
                                                           start=3)})
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")  # the one list of month names: read them from here
_MONTHS = {m: f"month:{i}" for i, m in enumerate(MONTH_NAMES, start=1)}
_MONTHS.update({m[:3]: v for m, v in list(_MONTHS.items()) if m != "may"})
_WORD = re.compile(r"[a-z]+")
_WORD_KEYS = frozenset(_NUMBER_WORDS) | frozenset(_MONTHS)


def numbers_in(text: str) -> set[str]:
    """Numbers (digits or words, "17,000" = "17000", "seven" = "7") and month names: the facts a paraphrase
    must not change."""
    found = set()
    for m in _NUMBER.finditer(text):
        n = m.group(0).replace(",", "")
        if "." in n:
            n = n.rstrip("0").rstrip(".")
        found.add(n.lstrip("0") or "0")
    for w in set(_WORD.findall(text.lower())) & _WORD_KEYS:  # only the words that can count, each once
        if w in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[w])
        elif w in _MONTHS and (w != "may" or re.search(r"\b(?:in|of|since|until|by|from) May\b|\bMay \d", text)):
            found.add(_MONTHS[w])
    return found


def content_words(text: str) -> set[str]:
    return {t for t in tokenize([text])[0] if not t.isdigit()}
