"""A contact detail the question asks for, and whether a quoted sentence gives it for the asked person or body.

"What is Michael Hopkinson's telephone number?" against an "Officers to contact" block that gives him only an
email address matches every word of the question ("Michael Hopkinson", "Deputy Head", "Tel:" beside the
person above him) and scored like the answerable "... email address?" (p 0.81 against 0.79). The answer
model weighs words, not kinds: a telephone number is answered only by a telephone number, an email address
by an email address, a website by a web address, a postal address by a postcode or street, and it must be
the asked person's, the nearest name before it, not the next person's in the block. Refused whatever the
score (asked_slot.unfilled), as a measure or name no quoted sentence gives is.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from assistant.text import EMAIL, PHONE, URL, split_sentences


class _Quoted(Protocol):
    sentence: str


T = TypeVar("T", bound=_Quoted)

# a UK postcode ("LE1 6ZZ", "SW1H 9AJ") or a numbered street ("4 Mill Lane", "12 Bridge Street")
POSTAL = (r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|\b\d{1,4}[a-z]?\s+(?:[A-Z][a-z]+\s+){1,3}"
          r"(?:Street|St|Road|Rd|Lane|Avenue|Way|Place|Square|Court|Close|Drive|Row|Walk|Terrace|Gardens|Park)\b")

# the detail asked -> (how the refusal names it, what in a sentence gives it)
_KINDS = {
    "telephone": ("telephone number", re.compile(PHONE)),
    "email": ("email address", re.compile(EMAIL)),
    "website": ("website", re.compile(URL, re.IGNORECASE)),
    "postal": ("postal address", re.compile(POSTAL)),
}
# the detail itself asked for, not the word in passing ("how many staff have mobile phones?", "cases with a home
# address in LLR", "what did the email from the chief inspector say?", "what does the website say about X?")
_POSSESSED = r"(?:'s|’s|s'|\bits|\btheir|\bhis|\bher)\s+"
_WHAT_IS = r"^\s*(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?"
_ASKED = [
    ("telephone", re.compile(rf"\b(?:tele)?phone\s+(?:number|no\.?)|\b(?:mobile|contact|fax)(?:\s+phone)?\s+number|"
                             rf"\bnumber\s+(?:should|can|do|does|to|would)\s+(?:\w+\s+)?(?:call|ring|phone|dial)\b|"
                             rf"{_POSSESSED}(?:tele)?phone\b(?!\s+(?:calls?|contact|line\s+was))", re.I)),
    ("email", re.compile(rf"\be-?mail\s+address|{_POSSESSED}e-?mail\b(?!\s+(?:to|from|about|of|said|says|was|"
                         rf"were|sent|dated))|{_WHAT_IS}e-?mail\s+(?:for|of)\b", re.I)),
    ("website", re.compile(rf"\bweb\s?(?:site\s+|page\s+)?address|\bURL\b|{_POSSESSED}web\s?site\b(?!\s+"
                           rf"(?:says?|said|shows?|lists?))|{_WHAT_IS}web\s?site\s+(?:of|for)\b", re.I)),
    ("postal", re.compile(rf"\bpost\s?code\b|{_POSSESSED}(?:postal\s+|office\s+|registered\s+)?address\b|"
                          rf"{_WHAT_IS}(?:\w+\s+){{0,2}}?address(?:es)?\s+(?:of|for)\b", re.I)),
]

# the owner a question names: "Michael Hopkinson's", "of the Harrowmere Partnership", "for Priya Lund"
_NAME = r"[A-Z][\w’'-]*(?:\s+(?:of\s+|for\s+|and\s+|the\s+)?[A-Z][\w’'-]*)*"
_OWNER = re.compile(rf"(?P<n>{_NAME})(?:'s|’s|s'|’)\s|\b(?:of|for|to|at|reach|contact|email|call|phone)\s+"
                    rf"(?:the\s+)?(?P<m>{_NAME})")
_TITLES = {"Dame", "Sir", "Mr", "Mrs", "Ms", "Miss", "Dr", "Cllr", "Councillor", "Lord", "Lady", "Professor",
           "Prof", "The", "HM", "What", "Which", "Who", "How", "Where", "Whose", "Please", "Can", "Could"}
# capitalised words of a contact block that name no one: roles, labels, bodies' common words
_NOT_A_NAME = {"Head", "Deputy", "Chief", "Officer", "Manager", "Director", "Chair", "Lead", "Senior", "Principal",
               "Assistant", "Service", "Services", "Team", "Unit", "Board", "Partnership", "Probation", "National",
               "Public", "Protection", "Communications", "Email", "E-mail", "Tel", "Telephone", "Phone", "Mobile",
               "Fax", "Address", "Website", "Web", "Contact", "Contacts", "LDU", "PDU", "NPS", "MAPPA", "Police",
               "Council", "Office", "Coordinator", "Administrator", "Secretary", "Inspector", "Governor",
               "Commissioner", "Minutes", "Apologies", "Present", "Attendees", "Role", "Name", "Notes", "Editors"}
# overlapping: "Head Priya Lund" holds "Priya Lund"
_PERSON = re.compile(r"\b(?=([A-Z][a-z’'-]+)\s+([A-Z][a-z’'-]+)\b)")


def asked_detail(question: str) -> str | None:
    """'telephone', 'email', 'website' or 'postal' when the question asks for that contact detail."""
    for kind, pattern in _ASKED:
        if pattern.search(question):
            return kind
    return None


def asked_owner(question: str) -> list[str]:
    """The distinctive words of the person or body whose detail is asked ("Hopkinson", "Michael"), [] if none."""
    for m in _OWNER.finditer(question):
        words = [w.rstrip("’'") for w in (m.group("n") or m.group("m")).split()]
        words = [w for w in words if w not in _TITLES and w[:1].isupper() and w.lower() not in {"of", "for", "and"}]
        if words:
            return words
    return []


def _owner_at(sentence: str, owner: list[str]) -> list[int]:
    """Where the owner is named in the sentence: by its last word that names it ("Hopkinson" of "Michael
    Hopkinson", "Harrowmere" of "Harrowmere Partnership")."""
    wanted = [next((w for w in reversed(owner) if w not in _NOT_A_NAME), owner[-1])]
    return [m.start() for w in wanted for m in re.finditer(rf"\b{re.escape(w)}\b", sentence)]


def _owned(sentence: str, start: int, owner: list[str], detail: re.Pattern[str]) -> bool:
    """The detail at `start` is the owner's: the owner is named before it, with no other detail of that kind and
    no other person's name between them; or the sentence names the owner and no one before the detail."""
    named = [p for p in _owner_at(sentence, owner) if p < start]
    if not named:
        return bool(_owner_at(sentence, owner)) and not _others(sentence[:start], owner)
    between = sentence[max(named):start]  # "Lund, Head of Public Protection Tel: 01632 960418 Email: "
    return not detail.search(between) and not _others(between, owner)


def _others(text: str, owner: list[str]) -> bool:
    """A person's name other than the owner's in `text` ("Tomasz Wren" between "Priya Lund" and an address)."""
    for m in _PERSON.finditer(text):
        pair = {m.group(1), m.group(2)}
        if not pair & (_NOT_A_NAME | set(owner) | _TITLES):
            return True
    return False


def gives_detail(kind: str, owner: list[str], sentence: str) -> bool:
    """The sentence gives a detail of that kind, and (when an owner is asked) the owner's."""
    pattern = _KINDS[kind][1]
    for m in pattern.finditer(sentence):
        if not owner or _owned(sentence, m.start(), owner, pattern):
            return True
    return False


def unmet(question: str, sentences: list[str]) -> str | None:
    """What the refusal says ("they give no telephone number for Michael Hopkinson") when a contact detail is
    asked and no quoted sentence gives it for the asked person or body; None otherwise."""
    kind = asked_detail(question)
    if kind is None:
        return None
    owner = asked_owner(question)
    if any(gives_detail(kind, owner, s) for s in sentences):
        return None
    return f"they give no {_KINDS[kind][0]}" + (f" for {' '.join(owner)}" if owner else "")


_ANY_DETAIL = re.compile(f"{EMAIL}|{PHONE}")


def records_quoted(question: str, scored: list[tuple[float, T]]) -> list[T]:
    """The quoted sentences (with their selection scores) less other people's contact records: for "Tomasz
    Wren's email" the sentence giving his, not Priya Lund's line above it as well; for "who is the LDU Head to
    contact" the LDU Head's record, not the Deputy Head's below it (read as a conflict beside the answer, it
    cost the answer p 0.70 -> 0.51). Records matching the question equally well are all kept ("who are the
    officers to contact?")."""
    kind = asked_detail(question)
    owner = asked_owner(question) if kind else []
    quoted = [q for _, q in scored]
    if kind is not None and owner and any(gives_detail(kind, owner, q.sentence) for q in quoted):
        pattern = _KINDS[kind][1]
        return [q for q in quoted if gives_detail(kind, owner, q.sentence) or not pattern.search(q.sentence)]
    records = [score for score, q in scored if _ANY_DETAIL.search(q.sentence)]
    if len(records) < 2:
        return quoted
    best = max(records)
    return [q for score, q in scored if score >= best - 1e-9 or not _ANY_DETAIL.search(q.sentence)]


def weak_refusal(question: str, passages: list[str]) -> str:
    """The reason a refusal at the retrieval floor gives when a contact detail was asked (else ""): a user asking
    for a telephone number learns that the nearest passages give none for that person, not only "not found"."""
    missing = unmet(question, [s for p in passages for s in split_sentences(p)])
    return f"The nearest passages do not answer this question: {missing}." if missing else ""
