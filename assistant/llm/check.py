"""The post-check: every generated sentence must cite a provided passage that supports it.

The model's output is cut into sentences (as it streams, a sentence is judged as soon as the next one
starts). For each sentence:

1. citation markers `[n]` pointing at no provided passage are removed;
2. a sentence left with no valid citation is dropped (or, with `llm_uncited = "mark"`, kept and marked
   as unverified); a sentence saying the passages do not answer is recognised as a refusal;
3. a cited sentence must be supported by the union of the passages it cites:
   - every number in it (digits or number words; "17,000" = "17000", "seven" = "7") appears there,
   - at least `llm_min_word_support` of its content words (stemmed, stop words out) appear there,
   - its embedding's cosine with the best-matching passage sentence (or pair of adjacent sentences)
     is at least `llm_min_similarity`.
   Both thresholds were calibrated on labelled examples (benchmarks/llm_check_examples.yaml) by
   benchmarks/llm_check.py, with assistant/llm/calibrate.py; figures in benchmarks/RESULTS.md.

Surviving sentences are renumbered in order of first citation, so the answer's [1] is its first citation.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant import support_terms
from assistant.answerability import align, evidence_of, parse, with_glossary
from assistant.llm.claim_spans import about_document, borrowed_name, claim_sentences, lends_a_word, list_item
from assistant.llm.sentences import BULLET, markers, passage_units, split_line, strip_markers
from assistant.models import ScoredPassage

# text addressed to an AI system: a passage holding it is never counted as support, so a model that obeyed it
# cannot have the obeyed sentence pass the check by citing that passage
from assistant.safety import INSTRUCTIONS  # noqa: F401 (also imported from here)
from assistant.text import content_words, numbers_in, split_sentences, tokenize

_REFUSAL = re.compile(
    r"\b(?:passages?|documents?|sources?|context|text)\b.{0,60}?\b(?:do|does|did|can)\s*(?:not|n[o’']t)\b"
    r"|\b(?:no|not enough) (?:information|evidence|mention|answer)\b"
    r"|\bnot (?:mentioned|stated|covered|addressed|answered)\b"
    r"|\bcannot (?:find|answer|tell|say)\b|\bunable to (?:find|answer)\b", re.IGNORECASE)
UNVERIFIED = "(unverified: this sentence cites no passage)"


# --- support -----------------------------------------------------------------------------------

@dataclass
class Support:
    verdict: str                    # ok | numbers | words | names | conflict | negation | similarity
    coverage: float
    similarity: float | None        # None when numbers or words already failed (not computed)
    missing_numbers: list[str] = field(default_factory=list)
    aligned: float | None = None    # share of the claim's words in the best-aligned passage sentence
    missing: list[str] = field(default_factory=list)   # names / numbers that sentence lacks
    conflicts: list[str] = field(default_factory=list)  # "lowest vs highest"


# A claim whose every word, name and number stands in one passage sentence (or adjacent pair), with no
# opposite and no negation flipped, is a compression of that sentence: it is kept at this lower cosine
# (long sentences dilute a short claim's embedding). Calibrated with the thresholds in config.py on
# benchmarks/llm_check_examples.yaml (benchmarks/llm_check.py; RESULTS.md).
ALIGNED_SHARE = 0.85
# a claim one list item holds this much of restates that item, not the list (whose other items could lend it a
# name: "Each area in Wales ..." from an item about England and another about the Director in Wales)
LIST_ITEM_SHARE = 0.6

ALIGNED_MIN_SIMILARITY = 0.35


class VectorCache:
    """Unit-length embeddings of passage units, shared by every question in the process (LRU)."""

    def __init__(self, size: int = 8192):
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: list[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._items]
        if missing:
            vectors = embed(missing)
            with self._lock:
                for t, v in zip(missing, vectors, strict=False):
                    self._items[t] = v
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                v = self._items.get(t)
                if v is None:  # evicted by another thread meanwhile
                    v = embed([t])[0]
                else:
                    self._items.move_to_end(t)
                out.append(v)
        return np.stack(out)


UNIT_VECTORS = VectorCache()


class SupportChecker:
    """Judges a claim against the passages it cites. `embed(texts) -> unit vectors (n, d)`.

    Numbers and words are checked against the whole of the cited passages (with title, date, section).
    The embedding comparison is made with the `candidates` passage units that share most words with the
    claim (embedding every unit of every cited passage costs seconds on a busy CPU; the best-overlapping
    units are where a supported claim's match is)."""

    def __init__(self, results: list[ScoredPassage], embed: Callable[[list[str]], np.ndarray],
                 min_word_support: float, min_similarity: float, candidates: int = 8,
                 cache: VectorCache | None = UNIT_VECTORS, glossary=None):
        self.results = results
        self.embed = embed
        self.min_word_support = min_word_support
        self.min_similarity = min_similarity
        self.candidates = candidates
        self.cache = cache
        self.glossary = glossary    # the answerability engine's: LLR = Leicester, Leicestershire and Rutland
        self._words: dict[int, set[str]] = {}
        self._numbers: dict[int, set[str]] = {}
        self._units: dict[int, list[tuple[str, set[str]]]] = {}
        self._evidence: dict[int, list] = {}   # answerability.Evidence of each sentence and adjacent pair
        self._spans: dict[int, list] = {}      # ... of each single sentence
        self._lists: dict[int, list] = {}      # ... of each list read as one sentence, with its items' indices
        self._claims: dict[str, np.ndarray] = {}
        self.ignored: set[int] = set()  # passages holding instructions to AI systems

    def _text(self, n: int) -> str:
        p = self.results[n - 1].passage
        return "\n".join(x for x in (p.title, about_document(p), p.published or "", p.section or "",
                                     f"paragraph {p.paragraph}" if p.paragraph else "", p.text) if x)

    def _prepare(self, n: int) -> None:
        if n in self._words:
            return
        passage = self.results[n - 1].passage
        if INSTRUCTIONS.search(passage.text):
            self.ignored.add(n)  # supports nothing
            self._words[n], self._numbers[n], self._units[n], self._evidence[n] = set(), set(), [], []
            self._spans[n], self._lists[n] = [], []
            return
        text = self._text(n)
        self._words[n] = content_words(text)
        self._numbers[n] = numbers_in(text)
        units = passage_units(passage)
        self._units[n] = list(zip(units, ({t for t in toks if not t.isdigit()} for toks in tokenize(units)), strict=False))
        sentences = claim_sentences(passage.text) or split_sentences(passage.text) or [passage.text]
        spans = sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:], strict=False)]
        head = f"{passage.title}. {about_document(passage)} {passage.published or ''}"
        # the single sentences first, then each adjacent pair (alignment() reads the pairs by that order), the
        # document's metadata; then each whole list read as one sentence, with the items it is made of
        g, section = self.glossary, passage.section or ""
        self._spans[n] = [evidence_of(x, g, section, passage.text) for x in sentences]
        self._evidence[n] = self._spans[n] + [evidence_of(x, g, section, passage.text)
                                              for x in spans[len(sentences):]] + [evidence_of(head, g)]
        self._lists[n] = []
        for whole in split_sentences(passage.text):
            parts = [i for i, s in enumerate(sentences) if list_item(s).rstrip(";.,") in whole]
            if len(parts) > 2:
                self._lists[n].append((evidence_of(whole, g, section, passage.text), parts))

    def _vectors(self, texts: list[str]) -> np.ndarray:
        if self.cache is None:
            return self.embed(texts)
        return self.cache.get_many(texts, self.embed)

    def similarity(self, claim: str, cited: list[int], claim_words: set[str] | None = None) -> float:
        claim_words = content_words(claim) if claim_words is None else claim_words
        units = [(u, w) for n in cited for u, w in self._units[n]]
        if not units:
            return -1.0
        ranked = sorted(units, key=lambda uw: (-len(claim_words & uw[1]) / (1 + len(uw[1]) ** 0.5)))
        chosen = list(dict.fromkeys(u for u, _ in ranked[: self.candidates]))
        vectors = self._vectors(chosen)
        self.prime([claim])
        return float(np.max(vectors @ self._claims[claim]))

    def prime(self, claims: list[str]) -> None:
        """Embed claims in one batch (a whole reply's sentences at once costs about what one does)."""
        missing = [c for c in dict.fromkeys(claims) if c not in self._claims]
        if missing:
            self._claims.update(zip(missing, self.embed(missing), strict=False))

    def check(self, claim: str, cited: list[int]) -> Support:
        for n in cited:
            self._prepare(n)
        words = set().union(*(self._words[n] for n in cited))
        numbers = set().union(*(self._numbers[n] for n in cited))
        claim_words = content_words(claim)
        covered = {w for w in claim_words if w in words or support_terms.synonym_in(w, words)}
        coverage = len(covered) / len(claim_words) if claim_words else 1.0
        missing = sorted(numbers_in(claim) - numbers, key=lambda x: (len(x), x))
        if missing:
            return Support("numbers", round(coverage, 4), None, missing)
        if coverage < self.min_word_support:
            return Support("words", round(coverage, 4), None)
        a = self.alignment(claim, cited)
        similarity = self.similarity(claim, cited, claim_words)
        out = Support("ok", round(coverage, 4), round(similarity, 4), aligned=a.term_share if a else None,
                      missing=a.missing_names + a.missing_numbers if a else [], conflicts=a.conflicts if a else [])
        if a is not None and (a.missing_names or a.missing_numbers):
            out.verdict = "names" if a.missing_names else "numbers"
        elif a is not None and a.conflicts:
            out.verdict = "conflict"
        elif a is not None and a.negation_mismatch:
            out.verdict = "negation"
        elif similarity < self.min_similarity and not (
                a is not None and a.term_share >= ALIGNED_SHARE and similarity >= ALIGNED_MIN_SIMILARITY):
            out.verdict = "similarity"
        return out

    def alignment(self, claim: str, cited: list[int]):
        """The shared engine (assistant/answerability.py): the claim against the passage sentence (or pair of
        adjacent sentences) that holds most of its words; a name, number or year that sentence lacks, or an
        opposite of what it says, is not supported by it, even when the word occurs elsewhere in the passage.
        A name the passage sets up as an alias ("Dame Glenys Stacey, HM Chief Inspector of Probation") matches
        the other form. A pair of sentences is no support for a name that only one of them holds joined to words
        that only the other holds ("Each area in Wales will have a new regional director" from "In England each
        area will be overseen by a new ... regional director" and "The regional directors, along with the NPS
        Director in Wales, ..."), unless the other refers back to it ("OMIC is a key focus. The aim of this
        national programme is to make prisons safer.")."""
        ask = with_glossary(parse(claim, question=False), self.glossary)
        if not ask.terms:
            return None
        best = None
        for n in cited:
            text = self.results[n - 1].passage.text

            def similar(terms: list[str], evidence: str, text: str = text) -> list[str]:
                return support_terms.alias_matches(terms, evidence, text)

            spans = self._spans.get(n, [])
            singles = [align(ask, ev, similar=similar) for ev in spans]
            for k, ev in enumerate(self._evidence.get(n, [])):
                if k < len(spans):
                    a = singles[k]
                elif k < 2 * len(spans) - 1:
                    i = k - len(spans)
                    a = borrowed_name(ask, singles[i], singles[i + 1], spans[i].text, spans[i + 1].text) or \
                        align(ask, ev, similar=similar)
                else:
                    a = align(ask, ev, similar=similar)
                key = (a.term_share, -len(a.missing_names) - len(a.missing_numbers), -len(a.conflicts), -len(ev.text))
                if best is None or key > best[0]:
                    best = (key, a)
            # a claim restating several items of a list at once (a model quoting a long sentence whole): when no
            # item holds most of it, and no item lends it only a name or a word
            for ev, parts in self._lists.get(n, []):
                if max(singles[i].term_share for i in parts) >= LIST_ITEM_SHARE or lends_a_word(ask, singles, parts):
                    continue
                a = align(ask, ev, similar=similar)
                key = (a.term_share, -len(a.missing_names) - len(a.missing_numbers), -len(a.conflicts), -len(ev.text))
                if best is None or key > best[0]:
                    best = (key, a)
        if best is None:
            return None
        a = best[1]
        if a.missing_numbers and "1" in a.missing_numbers and re.search(r"\bone\b", claim, re.IGNORECASE) \
                and not re.search(r"\b1\b", claim):
            # "One aim of the SOMMB is ...": the word "one" counts, it states no figure (the passage-wide check
            # has already found it in the passage)
            a.missing_numbers = [x for x in a.missing_numbers if x != "1"]
        return a


# --- the whole answer ----------------------------------------------------------------------------

@dataclass
class Sentence:
    raw: str                          # as the model wrote it
    text: str                         # markers removed
    prefix: str                       # a list item's bullet, kept for display
    new_line: bool                    # began a new line in the output
    cited: list[int]                  # valid passage numbers, as the prompt numbered them
    invalid: list[int]                # markers pointing at no passage
    verdict: str                      # ok | uncited | refusal | numbers | words | similarity
    support: Support | None = None

    @property
    def kept(self) -> bool:
        return self.verdict == "ok"


class AnswerChecker:
    """Feed it the model's text (all at once, or delta by delta); it returns the checked text to show,
    sentence by sentence, and keeps every verdict for the final answer and its notes."""

    def __init__(self, results: list[ScoredPassage], support: SupportChecker, uncited: str = "drop"):
        self.results = results
        self.support = support
        self.uncited = uncited
        self.sentences: list[Sentence] = []
        self.numbering: dict[int, int] = {}   # prompt number -> answer number
        self.text = ""                        # the checked answer so far
        self._buffer = ""
        self._line_start = True

    # --- input ---
    def feed(self, delta: str) -> list[str]:
        """New checked text (zero or more pieces, each a sentence with its separator)."""
        self._buffer += delta
        return self._drain(final=False)

    def finish(self) -> list[str]:
        return self._drain(final=True)

    def _drain(self, final: bool) -> list[str]:
        out = []
        while True:
            nl = self._buffer.find("\n")
            if nl < 0:
                break
            line, self._buffer = self._buffer[:nl], self._buffer[nl + 1:]
            sentences, _ = split_line(line, final=True)
            out += self._judge_all(sentences)
            self._line_start = True
        sentences, rest = split_line(self._buffer, final=final)
        if sentences:
            # keep what follows the last complete sentence (the one being written)
            self._buffer = rest
            out += self._judge_all(sentences)
        elif final:
            self._buffer = ""
        return out

    def _judge_all(self, sentences: list[str]) -> list[str]:
        if len(sentences) > 1:
            self.support.prime([strip_markers(BULLET.sub("", s)) for s in sentences if markers(s)])
        out = []
        for raw in sentences:
            piece = self._judge(raw)
            if piece:
                out.append(piece)
        return out

    # --- one sentence ---
    def _judge(self, raw: str) -> str | None:
        new_line, self._line_start = self._line_start, False
        m = BULLET.match(raw)
        prefix = m.group(1).strip() + " " if m else ""
        body = raw[m.end():] if m else raw
        found = markers(body)
        valid = list(dict.fromkeys(n for n in found if 1 <= n <= len(self.results)))
        invalid = list(dict.fromkeys(n for n in found if not 1 <= n <= len(self.results)))
        text = strip_markers(body)
        if not text or not re.search(r"\w", text):
            return None
        s = Sentence(raw=raw, text=text, prefix=prefix, new_line=new_line, cited=valid, invalid=invalid,
                     verdict="ok")
        if not valid:
            s.verdict = "refusal" if _REFUSAL.search(text) else "uncited"
        else:
            s.support = self.support.check(text, valid)
            s.verdict = s.support.verdict
        self.sentences.append(s)
        if s.kept:
            for n in valid:
                self.numbering.setdefault(n, len(self.numbering) + 1)
            shown = f"{prefix}{text} " + "".join(f"[{self.numbering[n]}]" for n in valid)
        elif s.verdict == "uncited" and self.uncited == "mark":
            shown = f"{prefix}{text} {UNVERIFIED}"
        else:
            return None
        piece = shown if not self.text else ("\n" if new_line else " ") + shown
        self.text += piece
        return piece

    # --- summary ---
    @property
    def kept(self) -> list[Sentence]:
        return [s for s in self.sentences if s.kept]

    @property
    def claims(self) -> list[Sentence]:
        """Sentences that state something (refusals excluded)."""
        return [s for s in self.sentences if s.verdict != "refusal"]

    @property
    def refused(self) -> bool:
        return bool(self.sentences) and not self.kept and all(s.verdict == "refusal" for s in self.sentences)

    def invalid_markers(self) -> list[int]:
        return sorted({n for s in self.sentences for n in s.invalid})

    def dropped(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.sentences:
            if not s.kept and s.verdict != "refusal" and not (s.verdict == "uncited" and self.uncited == "mark"):
                key = "uncited" if s.verdict == "uncited" else "unsupported"
                counts[key] = counts.get(key, 0) + 1
        return counts
