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
from datetime import date

import numpy as np

from assistant.models import ScoredPassage
# text addressed to an AI system: a passage holding it is never counted as support, so a model that obeyed it
# cannot have the obeyed sentence pass the check by citing that passage
from assistant.safety import INSTRUCTIONS  # noqa: F401 (also imported from here)
from assistant.text import content_words, numbers_in, split_sentences, tokenize

MARKER = re.compile(r"\[\s*(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]")
# a sentence ends at . ! ? (then closing quotes/brackets, then any [n] markers) before white space and
# a capital, digit or opening quote
_BOUNDARY = re.compile(r"([.!?]+[\"”’')]*)((?:\s*\[\s*\d[\d\s,;]*\])*)(\s+)(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "cf", "dr", "mr", "mrs", "ms", "no", "nos", "para", "paras", "st", "approx",
                  "vs", "fig", "p", "pp", "ch", "sec"}
_BULLET = re.compile(r"^(\s*(?:[-*•◦]|\d{1,2}[.)])\s+)")
_REFUSAL = re.compile(
    r"\b(?:passages?|documents?|sources?|context|text)\b.{0,60}?\b(?:do|does|did|can)\s*(?:not|n[o’']t)\b"
    r"|\b(?:no|not enough) (?:information|evidence|mention|answer)\b"
    r"|\bnot (?:mentioned|stated|covered|addressed|answered)\b"
    r"|\bcannot (?:find|answer|tell|say)\b|\bunable to (?:find|answer)\b", re.IGNORECASE)
WINDOW_WORDS = 20
UNVERIFIED = "(unverified: this sentence cites no passage)"


# --- text ------------------------------------------------------------------------------------

def _ends_with_abbreviation(text: str) -> bool:
    m = re.search(r"([A-Za-z.]+)[.]+$", text.rstrip())
    return m is not None and m.group(1).lower().rstrip(".") in _ABBREVIATIONS


def split_line(line: str, final: bool) -> tuple[list[str], str]:
    """Complete sentences of one line of output, and the rest (the sentence still being written).
    With final=True the rest is a sentence too."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(line):
        piece = line[start:m.end(2)]
        if _ends_with_abbreviation(line[start:m.end(1)]):
            continue
        if piece.strip():
            out.append(piece.strip())
        start = m.end()
    rest = line[start:]
    if final and rest.strip():
        out.append(rest.strip())
        rest = ""
    return out, rest


def markers(text: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def strip_markers(text: str) -> str:
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)  # "claim [1]." -> "claim."
    return re.sub(r"\s{2,}", " ", text).strip()


def long_date(iso: str | None) -> str:
    """'2018-12-18' -> '18 December 2018' (so a sentence giving the publication date in words is supported)."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"


def passage_units(p, window: int = WINDOW_WORDS) -> list[str]:
    """What a claim is compared with: each sentence, each pair of adjacent sentences, each clause of a long
    sentence and overlapping windows of `window` words (a claim often restates one clause of a long
    sentence, which a whole-sentence embedding dilutes), plus the title and date."""
    sentences = split_sentences(p.text) or [p.text]
    units = list(sentences) + [f"{a} {b}" for a, b in zip(sentences, sentences[1:])]
    for sentence in sentences:
        words = sentence.split()
        if len(words) <= window:
            continue
        units += [c.strip() for c in re.split(r"[;:]|, (?:and|but|while|which|with) ", sentence)
                  if len(c.split()) >= 4]
        units += [" ".join(words[i:i + window]) for i in range(0, len(words) - window // 2, window // 2)]
    head = ". ".join(x for x in (p.title, f"Published {long_date(p.published)}" if p.published else "") if x)
    if head:
        units.append(head)
    return list(dict.fromkeys(units))


# --- support -----------------------------------------------------------------------------------

@dataclass
class Support:
    verdict: str                    # ok | numbers | words | similarity
    coverage: float
    similarity: float | None        # None when numbers or words already failed (not computed)
    missing_numbers: list[str] = field(default_factory=list)


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
                for t, v in zip(missing, vectors):
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
                 cache: VectorCache | None = UNIT_VECTORS):
        self.results = results
        self.embed = embed
        self.min_word_support = min_word_support
        self.min_similarity = min_similarity
        self.candidates = candidates
        self.cache = cache
        self._words: dict[int, set[str]] = {}
        self._numbers: dict[int, set[str]] = {}
        self._units: dict[int, list[tuple[str, set[str]]]] = {}
        self._claims: dict[str, np.ndarray] = {}
        self.ignored: set[int] = set()  # passages holding instructions to AI systems

    def _text(self, n: int) -> str:
        p = self.results[n - 1].passage
        return "\n".join(x for x in (p.title, long_date(p.published), p.published or "", p.section or "",
                                     f"paragraph {p.paragraph}" if p.paragraph else "", p.text) if x)

    def _prepare(self, n: int) -> None:
        if n in self._words:
            return
        passage = self.results[n - 1].passage
        if INSTRUCTIONS.search(passage.text):
            self.ignored.add(n)  # supports nothing
            self._words[n], self._numbers[n], self._units[n] = set(), set(), []
            return
        text = self._text(n)
        self._words[n] = content_words(text)
        self._numbers[n] = numbers_in(text)
        units = passage_units(passage)
        self._units[n] = list(zip(units, ({t for t in toks if not t.isdigit()} for toks in tokenize(units))))

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
            self._claims.update(zip(missing, self.embed(missing)))

    def check(self, claim: str, cited: list[int]) -> Support:
        for n in cited:
            self._prepare(n)
        words = set().union(*(self._words[n] for n in cited))
        numbers = set().union(*(self._numbers[n] for n in cited))
        claim_words = content_words(claim)
        coverage = len(claim_words & words) / len(claim_words) if claim_words else 1.0
        missing = sorted(numbers_in(claim) - numbers, key=lambda x: (len(x), x))
        if missing:
            return Support("numbers", round(coverage, 4), None, missing)
        if coverage < self.min_word_support:
            return Support("words", round(coverage, 4), None)
        similarity = self.similarity(claim, cited, claim_words)
        verdict = "ok" if similarity >= self.min_similarity else "similarity"
        return Support(verdict, round(coverage, 4), round(similarity, 4))


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
            self.support.prime([strip_markers(_BULLET.sub("", s)) for s in sentences if markers(s)])
        out = []
        for raw in sentences:
            piece = self._judge(raw)
            if piece:
                out.append(piece)
        return out

    # --- one sentence ---
    def _judge(self, raw: str) -> str | None:
        new_line, self._line_start = self._line_start, False
        m = _BULLET.match(raw)
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
