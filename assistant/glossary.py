"""The probation glossary, used deterministically.

It ships in the package (assistant/data/glossary.yaml), so a deployment with its own corpus folder
still has it; the corpus folder's glossary.yaml extends or overrides it entry by entry (by `abbr`).

- query expansion: a question using either form of a term also searches for the other;
- "what does X stand for / what is X" is answered from the corpus passage that spells X out;
- answers expand an abbreviation at its first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

PACKAGED_GLOSSARY = Path(__file__).parent / "data" / "glossary.yaml"


@dataclass(frozen=True)
class Term:
    abbr: str
    expansion: str
    variants: tuple[str, ...] = ()
    note: str | None = None
    defined_in: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.abbr, self.expansion, *self.variants)


@lru_cache(maxsize=4096)  # pure; a question's sub-glossary (question_parse.glossary_subset) rebuilds them
def _abbr_pattern(abbr: str) -> re.Pattern:
    # short all-capital abbreviations (AP, PO) only match as written; longer ones in any case ("mappa")
    flags = 0 if len(abbr) <= 2 else re.IGNORECASE
    body = re.escape(abbr).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", flags)


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern:
    # one pass for both apostrophes: replacing ' then ’ in turn broke the class the first one wrote, so an
    # expansion with an apostrophe ("Her Majesty's ...") never matched and was added again beside itself
    body = re.sub(r"['’]", "['’]", re.escape(phrase).replace(r"\ ", r"\s+"))
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)

    def __post_init__(self):
        # longest first, so "MAPPA level 3" wins over "MAPPA"
        self.terms.sort(key=lambda t: -len(t.abbr))
        self._abbr = [(t, _abbr_pattern(t.abbr)) for t in self.terms]
        self._phr = [(t, [_phrase_pattern(f) for f in (t.expansion, *t.variants)]) for t in self.terms]

    @classmethod
    def load(cls, path: Path | None = None, packaged: bool = True) -> Glossary:
        """The packaged glossary, with the entries of `path` (a corpus folder's glossary.yaml) merged over it."""
        entries: dict[str, dict] = {}
        sources = ([PACKAGED_GLOSSARY] if packaged else []) + ([Path(path)] if path is not None else [])
        for source in sources:
            if not source.exists():
                continue
            data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
            for t in data.get("terms", []) or []:
                key = str(t["abbr"]).lower()
                entries[key] = {**entries.get(key, {}), **{k: v for k, v in t.items() if v is not None}}
        terms = [Term(abbr=str(t["abbr"]), expansion=str(t["expansion"]), variants=tuple(t.get("variants") or ()),
                      note=t.get("note"), defined_in=t.get("defined_in")) for t in entries.values() if t.get("expansion")]
        return cls(terms)

    def get(self, abbr: str) -> Term | None:
        return next((t for t in self.terms if t.abbr.lower() == abbr.lower()), None)

    def mentioned(self, text: str) -> list[Term]:
        """Terms whose abbreviation or expansion appears in the text (longest abbreviations first)."""
        found: list[Term] = []
        for term, pattern in self._abbr:
            if pattern.search(text):
                found.append(term)
        for term, patterns in self._phr:
            if term not in found and any(p.search(text) for p in patterns):
                found.append(term)
        return found

    def expand_query(self, query: str) -> str:
        """Append the other form of every term the query uses, so BM25 and the embedding see both."""
        extra: list[str] = []
        for term in self.mentioned(query):
            for form in (term.abbr, term.expansion):
                if not _phrase_pattern(form).search(query) and form not in extra:
                    extra.append(form)
        return query if not extra else f"{query} ({'; '.join(extra)})"

    def bm25_query(self, question: str) -> list[tuple[str, float]] | None:
        """The question for BM25 as weighted parts, summed (BM25 is a sum over query words): the question at 1,
        then each glossary term's other form at one over its word count, so the other form counts as one word
        however many it has. None when the question uses no term (score the question alone). Appended as plain
        words (expand_query), "(FTE)" became "full-time equivalent", three words to the abbreviation's one, and
        a short note saying "full-time equivalent" twice outranked the table row holding the asked cell under
        "FTE" (library: Mossgate PSOs, Gullhaven Rural vacancies, rank 1 -> 4; evals/README.md "libret,
        continued")."""
        from assistant.text import tokenize

        parts = []
        for term in self.mentioned(question):
            pattern = next(p for t, p in self._abbr if t is term)
            if pattern.search(question):
                other = term.expansion
            elif any(p.search(question) for p in self._phrase_patterns(term)):
                other = term.abbr
            else:
                continue
            parts.append((other, 1.0 / max(1, len(tokenize([other])[0]))))
        return [(question, 1.0), *parts] if parts else None

    _DEFINITION = [
        re.compile(r"^\s*what\s+(?:does|do|did)\s+(?:the\s+)?(?:abbreviation\s+|acronym\s+|term\s+)?['\"“]?(?P<x>.+?)['\"”]?"
                   r"\s+(?:stand\s+for|mean|refer\s+to)\s*\??\s*$", re.IGNORECASE),
        re.compile(r"^\s*what\s+(?:is|are)\s+(?:an?\s+|the\s+)?['\"“]?(?P<x>.+?)['\"”]?(?:\s+(?:case|cases|offender|offenders))?\s*\??\s*$",
                   re.IGNORECASE),
        re.compile(r"^\s*(?:define|meaning\s+of|definition\s+of|expand)\s+(?:the\s+)?['\"“]?(?P<x>.+?)['\"”]?\s*\??\s*$",
                   re.IGNORECASE),
        re.compile(r"^\s*['\"“]?(?P<x>[A-Za-z][\w ]{0,30}?)['\"”]?\s+stands?\s+for\s*\??\s*$", re.IGNORECASE),
    ]

    def definition_question(self, question: str) -> Term | None:
        """The term a "what does X stand for / what is X" question asks about, if X is in the glossary."""
        for pattern in self._DEFINITION:
            m = pattern.match(question)
            if not m:
                continue
            asked = " ".join(m.group("x").split())
            for term in self.terms:
                if asked.lower() in (f.lower() for f in term.forms):
                    return term
        return None

    def expand_first_use(self, text: str) -> str:
        """'SOMMB' -> 'SOMMB (Strategic Offender Management and MAPPA Board)' at first use, never doubled up:
        not when the text already spells the term out (any form) before it or in the same sentence, and
        "(HMIP)" becomes "(HMIP: Her Majesty's ...)" rather than nested brackets. Positions are found in the
        text as given, so an expansion added for one term is never itself expanded."""
        inserts: list[tuple[int, str]] = []
        spelt = [(m.start(), m.end()) for _, patterns in self._phr for p in patterns for m in p.finditer(text)]
        for term, pattern in self._abbr:
            if " level " in term.abbr or " category " in term.abbr:  # descriptions, not names
                continue
            # "MAPPA" inside "Strategic Offender Management and MAPPA Board" is part of another term's name
            # nor inside a longer bracket ("Core (head of PDU or deputy)"): nested brackets garble the quote
            m = next((m for m in pattern.finditer(text)
                      if not any(a <= m.start() and m.end() <= b for a, b in spelt)
                      and (text[: m.start()].count("(") <= text[: m.start()].count(")")
                           or (text[m.start() - 1: m.start()] == "(" and text[m.end(): m.end() + 1] == ")"))), None)
            if not m:
                continue
            end = _SENTENCE_END.search(text, m.end())
            seen = text[: end.end() if end else len(text)]
            if any(p.search(seen) for p in self._phrase_patterns(term)):
                continue
            if text[m.start() - 1: m.start()] == "(" and text[m.end(): m.end() + 1] == ")":
                inserts.append((m.end(), f": {term.expansion}"))
            else:
                inserts.append((m.end(), f" ({term.expansion})"))
        for pos, added in sorted(inserts, reverse=True):
            text = text[:pos] + added + text[pos:]
        return text

    def _phrase_patterns(self, term: Term) -> list[re.Pattern]:
        return next(patterns for t, patterns in self._phr if t is term)


@lru_cache(maxsize=8)
def load_glossary(path: str) -> Glossary:
    return Glossary.load(Path(path))


def defines(term: Term, text: str) -> bool:
    """Whether a passage defines the term, not merely uses it: a glossary entry ("OASys: the Offender
    Assessment System...", "Approved premises: staffed..."), "X stands for / means ...", or "Expansion (ABBR)"."""
    for form in term.forms:
        body = re.escape(form).replace(r"\ ", r"\s+")
        if re.search(rf"(?:^|\n)\s*{body}\s*:\s+\S", text, re.IGNORECASE):
            return True
        if re.search(rf"(?<!\w){body}\s+(?:stands\s+for|means|is\s+short\s+for)\b", text, re.IGNORECASE):
            return True
    return bool(re.search(rf"{_phrase_pattern(term.expansion).pattern}\s*\(\s*{re.escape(term.abbr)}\s*\)", text,
                          re.IGNORECASE))
