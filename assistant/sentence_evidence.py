"""A quoted sentence prepared for alignment with a question or claim (assistant/answerability.py).

Its stems with the glossary's other forms, numbers, years, capitalised names, clauses and negations, worked
out once per sentence (cached: the same passages recur across questions) and only when first needed: this
is most of the answerability stage's cost (benchmarks/RESULTS.md, "Answerability stage cost").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from assistant.question_parse import _NEGATION, _YEAR, _stem_tuple, _stems, glossary_subset
from assistant.support_terms import says_no
from assistant.support_words import first_stems, ratings_in
from assistant.term_forms import neighbours
from assistant.text import numbers_in

_EXPANDED: dict[tuple[int, str], frozenset[str]] = {}
_EVIDENCE: dict[tuple, Evidence] = {}


def clear_caches() -> None:
    """Empty every cache the stage keeps of words, sentences and passages (benchmarks/answerability_cost.py
    measures the cold case with it); the lexicons and compiled patterns, built once per process, stay."""
    from assistant import argument_roles, support_terms, support_words, term_forms, word_forms
    from assistant.question_parse import _STEM, _SUB_GLOSSARIES, _stem_set

    _EXPANDED.clear()
    _EVIDENCE.clear()
    _SUB_GLOSSARIES.clear()
    _STEM.clear()
    support_words._TOKS.clear()
    for cached in (_numbers, _stem_tuple, _stem_set, support_words.tokens_of, support_words._stem_set,
                   support_terms._prefixed, support_terms._negation_profile, support_terms.says_no, support_terms._negated_clauses, support_terms.negated,
                   support_terms.aliases, term_forms._initialisms, argument_roles._question_roles,
                   word_forms.other_stems):
        cached.cache_clear()


def evidence_of(text: str, glossary=None, context: str = "", passage: str = "") -> Evidence:
    """Evidence.of, cached: the same passages' sentences come back for many questions."""
    key = (id(glossary), text, context, hash(passage))
    ev = _EVIDENCE.get(key)
    if ev is None:
        if len(_EVIDENCE) > 20000:
            _EVIDENCE.clear()
        ev = _EVIDENCE[key] = Evidence.of(text, glossary, context, passage)
    return ev


@lru_cache(maxsize=8192)
def _numbers(text: str) -> frozenset[str]:
    return frozenset(numbers_in(text))


def numbers_of(text: str) -> set[str]:
    """text.numbers_in, cached: a passage's title comes with each of its sentences, and the type check and the
    binding (answer_binding) read the same clauses."""
    return set(_numbers(text))


def _expanded_stems(glossary, text: str) -> set[str]:
    """The stems of the text with the other form of every glossary term it uses (glossary.expand_query), cached:
    the same passages recur. Only the terms that can occur in the text are tried (a glossary restricted to them
    gives the same expansion): trying all ~100 patterns on each passage was most of the stage's cold time. As a
    set these are the text's stems and those of both forms of each term it mentions (expand_query appends the
    forms the text lacks; a form it has adds no stem), so the text is not searched again for each form
    (tests/test_answerability.py compares the two on every corpus sentence)."""
    if glossary is None:
        return set(_stem_tuple(text))
    key = (id(glossary), text)
    out = _EXPANDED.get(key)
    if out is None:
        if len(_EXPANDED) > 20000:
            _EXPANDED.clear()
        # the analyser's tokens never cross a line, so "title\nsentence" has the stems of each line: the
        # sentence's own are then the ones own_stems reads, and a title's are shared by its passage's sentences
        stems = set().union(*map(_stem_tuple, text.split("\n"))) if "\n" in text else set(_stem_tuple(text))
        sub = glossary_subset(glossary, text)
        for term in sub.mentioned(text) if sub is not None else ():
            stems.update(_stem_tuple(term.abbr), _stem_tuple(term.expansion))
        out = _EXPANDED[key] = frozenset(stems)
    return set(out)


# a table row's "High or very high risk of serious harm: 47" is one clause: its label and its value
_CLAUSE = re.compile(r"[;()]|:(?!\s*[£$]?\d)|,\s|\s[–—-]\s|\b(?:but|whilst|while|although|which|who)\b")
_WORDS = re.compile(r"[\w’'-]+")
# "2.8 Sickness absence had fallen ...": a report's paragraph number opens the sentence; it is no figure the
# sentence gives ("how many interview rooms" is not answered by "2.5 ... interview rooms were in short supply")
_PARAGRAPH_NO = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})+\.?\s+(?=[A-Z“\"'‘])")


def answer_numbers(text: str) -> set[str]:
    """The numbers a sentence (or clause) offers as an answer: text.numbers_in without a paragraph number."""
    return numbers_of(_PARAGRAPH_NO.sub("", text, count=1))


_NAME_RUN = re.compile(r"(?<![\w’'-])(?:[A-Z][\w’'.-]*)(?:\s+(?:of|and|the|for|de|du|la|le)?\s*[A-Z][\w’'.-]*)*")


def _folded_stems(text: str) -> set[str]:
    """The stems of the text with its accents dropped, so "Herve" in a question finds "Hervé" (and "Fecamp"
    "Fécamp"): only for text that has any."""
    if text.isascii():
        return set()
    norm = unicodedata.normalize("NFKD", text)
    # the distinct combining marks (a set of the characters, not a test of each: most non-ASCII text here is
    # only curly quotes and dashes, which fold to themselves)
    marks = {c for c in set(norm) if unicodedata.combining(c)}
    if not marks and norm == text:
        return set()
    folded = norm.translate({ord(c): None for c in marks})
    return set(_stem_tuple(folded)) if folded != text else set()


def _name_runs(text: str) -> list[tuple[str, ...]]:
    """Runs of capitalised words not opening the sentence ("Dame Glenys Stacey", "Ministry of Justice", "MoJ"),
    as stems: the candidates for a who-question's answer."""
    out = []
    lead = len(text) - len(text.lstrip())   # (text[:start].strip() is empty just when start <= lead)
    for m in _NAME_RUN.finditer(text):
        run = m.group(0)
        if m.start() <= lead and " " not in run:
            continue  # a sentence's first word is capitalised anyway
        stems = _stem_tuple(run)
        if stems and not set(stems) <= _CALENDAR:   # "on 2 September 2024": a date, not who or where
            out.append(stems)
    return out


_CALENDAR = set(_stem_tuple("January February March April May June July August September October November December "
                            "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"))


def _is_acronym(stem: str, text: str) -> bool:
    return bool(re.search(rf"\b{re.escape(stem.upper())}[A-Z]*\b", text))


@dataclass
class Evidence:
    """Sentences (with the passage title) as token sets, prepared once per candidate sentence."""

    text: str
    tokens: set[str]
    low: str
    context: str = ""                   # the passage title (its numbers and years count as the sentence's)
    passage_text: str = ""              # the whole passage (a glossary term may be named once per passage)
    glossary: object = field(default=None, repr=False, compare=False)
    _passage: set[str] | None = field(default=None, repr=False, compare=False)
    _typos: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False, compare=False)
    _by_start_and_length: dict[tuple[str, int], list[str]] | None = field(default=None, repr=False, compare=False)

    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    # numbers, years and capitals are worked out when first read: a question without a number, year or asked
    # type reads none of them (they were a tenth of the stage's slowest cold calls)
    @cached_property
    def own_numbers(self) -> set[str]:
        """The numbers of the sentence itself (not its title): the candidates for an answer."""
        return answer_numbers(self.text)

    @cached_property
    def own_years(self) -> set[str]:
        return set(_YEAR.findall(self.text))

    @cached_property
    def numbers(self) -> set[str]:
        """The numbers of the sentence and its title (neither pattern crosses the line between them)."""
        return numbers_of(self.text) | numbers_of(self.context) if self.context else numbers_of(self.text)

    @cached_property
    def years(self) -> set[str]:
        return self.own_years | set(_YEAR.findall(self.context)) if self.context else set(self.own_years)

    @cached_property
    def caps(self) -> set[str]:
        """Stems of the capitalised words after the first (first_stems: _stem_tuple(w)[:1] of each)."""
        return set(first_stems([w for w in _WORDS.findall(self.text)[1:] if w[:1].isupper()])) - {""}

    def missing_figures(self, numbers: set[str], years: set[str]) -> set[str]:
        """The given numbers and years that the sentence and its title lack (read only when some are given)."""
        return (numbers - self.numbers if numbers else set()) | (years - self.years if years else set())

    def type_facts(self, answer_type: str | None, about_document: bool) \
            -> tuple[list[tuple[str, ...]], set[str], set[str]]:
        """Name runs, numbers and years for answer_binding._type_in, each only if the asked type is judged by
        it (the others empty); the title's years too when the question asks about the document itself."""
        return (self.names if answer_type in ("person", "place") else [],
                self.own_numbers if answer_type == "number" else set(),
                (self.years if about_document else self.own_years) if answer_type == "date" else set())

    @cached_property
    def names(self) -> list[tuple[str, ...]]:
        """Stems of each run of capitalised words (worked out when a who/where question first needs them)."""
        return _name_runs(self.text)

    @cached_property
    def own_stems(self) -> set[str]:
        """Stems of the sentence itself (not its title or glossary forms)."""
        return set(_stem_tuple(self.text))

    @cached_property
    def low_words(self) -> list[str]:
        """The sentence's words, lower-cased, in order (alignment and negation both read them)."""
        return _WORDS.findall(self.low)

    @cached_property
    def low_word_set(self) -> set[str]:
        return set(self.low_words)

    @cached_property
    def clauses(self) -> list[tuple[str, set[str]]]:
        """Each clause (split at ; : , brackets, dashes, but/which/who) and its stems, when first needed."""
        return [(c, set(_stem_tuple(c))) for c in _CLAUSE.split(self.text) if c and c.strip()]

    def clause_facts(self, answer_type: str | None = None, wanted: set[str] | None = None) \
            -> list[tuple[str, set[str], list[tuple[str, ...]], set[str], set[str]]]:
        """Each clause with its stems, name runs, numbers and years (worked out once per clause); given the
        asked type, only the facts that type is judged by (answer_binding._type_in), the others left empty.
        Given `wanted` stems, a clause holding none of them comes with no facts: its share of them is nil
        whatever it holds (answerability._type_clause_share), and working them out was 6 % of the stage's
        slowest cold calls."""
        every = answer_type is None
        names, numbers, dates = (every or answer_type in ("person", "place"), every or answer_type == "number",
                                 every or answer_type == "date")
        memo = self._memo.setdefault(("clauses", answer_type), {})
        out: list[tuple[str, set[str], list[tuple[str, ...]], set[str], set[str]]] = []
        for k, (c, stems) in enumerate(self.clauses):
            if wanted is not None and not wanted & stems:
                out.append((c, stems, [], set(), set()))
                continue
            facts = memo.get(k)
            if facts is None:
                facts = memo[k] = (c, stems, _name_runs(c) if names else [], answer_numbers(c) if numbers else set(),
                                   set(_YEAR.findall(c)) if dates else set())
            out.append(facts)
        return out

    def word_stems(self) -> tuple[list[str], list[str]]:
        """The sentence's words (keeping figures like 1,600 and £280m whole) and the stem of each."""
        out = self._memo.get("words")
        if out is None:
            toks = re.findall(r"[\w,.£%-]+", self.text)
            out = self._memo["words"] = (toks, [(_stem_tuple(t) or ("",))[0] for t in toks])
        return out

    def ratings(self) -> set[str]:
        out = self._memo.get("ratings")
        if out is None:
            out = self._memo["ratings"] = ratings_in(self.low)
        return out

    def negation(self) -> tuple[bool, set[str]]:
        """Whether the sentence is negated, and the stems of the two words after each negation."""
        out = self._memo.get("negation")
        if out is None:
            negated = says_no(self.text)
            # a word that is a negation is one _NEGATION finds in the lower-cased text (it holds whole words; of
            # ASCII text, the text's own search tells the same): without one, no word is looked at
            words = self.low_words if (negated if self.text.isascii() else _NEGATION.search(self.low)) else []
            after: set[str] = set()
            for i, w in enumerate(words):
                if _NEGATION.fullmatch(w) or w.endswith(("n't", "n’t")):
                    after |= {x for y in words[i + 1:i + 3] for x in _stems(y)}
            out = self._memo["negation"] = (negated, after)
        return out

    @cached_property
    def neighbour_tokens(self) -> set[str]:
        """Stems (with glossary forms) of the sentences before and after this one in its passage: the place or
        body a passage names once ("3.3 Dunholme and Pike had ... The local authority there has lost ...")."""
        near = neighbours(self.text, self.passage_text)
        return _expanded_stems(self.glossary, near) if near else set()

    @property
    def passage(self) -> set[str]:
        """Stems of the whole passage with its glossary forms, worked out when first needed: only a question
        naming a glossary topic the sentence lacks looks at them, and expanding a long passage is the
        dearest step of the stage."""
        if self._passage is None:
            self._passage = _expanded_stems(self.glossary, self.passage_text) if self.passage_text \
                else set()
        return self._passage

    def has_typo_of(self, term: str, word: str = "") -> bool:
        """answer._typo_match(term, self.tokens) (the one typo rule: same first letter, 5+ letters, one edit,
        two from 7 letters), answered from words bucketed by first letter and length and remembered per
        evidence. The plain loop ran the edit distance against every word of the sentence for each unmatched
        question word and was the stage's slow tail (p95 8.9 ms, benchmarks/RESULTS.md). Given the question's
        `word`, a sentence word that is another dictionary word is no typo of it (word_forms.different_words)."""
        hit = self._typos.get((term, word))
        if hit is None:
            hit = False
            if len(term) >= 5:
                from assistant.answer import _close  # the one edit-distance rule (answer.py imports this module)

                if self._by_start_and_length is None:
                    buckets: dict[tuple[str, int], list[str]] = {}
                    for t in self.tokens:
                        if len(t) >= 5:
                            buckets.setdefault((t[0], len(t)), []).append(t)
                    self._by_start_and_length = buckets
                limit = 1 if len(term) < 7 else 2
                hit = any(_close(term, t, limit) and not (word and self._other_words(word, t))
                          for n in range(len(term) - limit, len(term) + limit + 1)
                          for t in self._by_start_and_length.get((term[0], n), ()))
            self._typos[(term, word)] = hit
        return hit

    def _other_words(self, word: str, stem: str) -> bool:
        """The sentence's words of `stem` are all other dictionary words than `word` (a stem from its title or
        glossary forms, with no word of the sentence, is not judged)."""
        from assistant.word_forms import different_words

        words = [w for w in self.low_words if (_stem_tuple(w) or ("",))[0] == stem]
        return bool(words) and all(different_words(word, w) for w in words)

    @classmethod
    def of(cls, text: str, glossary=None, context: str = "", passage: str = "") -> Evidence:
        full = f"{context}\n{text}" if context else text
        return cls(text=text, tokens=_expanded_stems(glossary, full) | _folded_stems(full), low=text.lower(),
                   context=context, passage_text=passage, glossary=glossary)
