"""Calibrating the post-check thresholds on labelled examples (benchmarks/llm_check_examples.yaml).

Each example is a sentence, the passage(s) it cites (named by a phrase the passage contains) and whether
they support it. `measure` computes what the check looks at (numbers, word coverage, best cosine) for
each; `score` says how a pair of thresholds classifies them; `sweep` tries a grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.llm.check import SupportChecker
from assistant.models import Passage, ScoredPassage


@dataclass
class Measured:
    claim: str
    supported: bool
    kind: str
    numbers_ok: bool
    coverage: float
    similarity: float
    blocked: str = ""            # names | numbers | conflict | negation: the aligned sentence contradicts the claim
    aligned: float = 0.0         # share of the claim's words in its best-aligned passage sentence
    batch: int = 1               # 1: the first set; 2, 3: written later (issue 11), reported apart as held-out

    def accepted(self, min_word_support: float, min_similarity: float,
                 aligned_min_similarity: float | None = None) -> bool:
        """The check's own rule (SupportChecker.check) at these thresholds."""
        from assistant.llm.check import ALIGNED_MIN_SIMILARITY, ALIGNED_SHARE

        low = ALIGNED_MIN_SIMILARITY if aligned_min_similarity is None else aligned_min_similarity
        if not self.numbers_ok or self.blocked or self.coverage < min_word_support:
            return False
        return self.similarity >= min_similarity or (self.aligned >= ALIGNED_SHARE and self.similarity >= low)


class CalibrationError(ValueError):
    pass


def load_examples(path: Path) -> list[dict]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return list(data["examples"])


def _find(passages: list[Passage], phrase: str) -> Passage:
    hits = [p for p in passages if phrase.lower() in p.text.lower()]
    if len(hits) != 1:
        raise CalibrationError(f"{phrase!r} names {len(hits)} passages, not one")
    return hits[0]


def measure(examples: list[dict], passages: list[Passage], embed, glossary=None) -> list[Measured]:
    out = []
    for ex in examples:
        cited = [ScoredPassage(passage=_find(passages, phrase), score=1.0) for phrase in ex["cites"]]
        checker = SupportChecker(cited, embed, 0.0, -1.0, glossary=glossary)
        s = checker.check(ex["claim"], list(range(1, len(cited) + 1)))  # thresholds 0: every measure computed
        a = checker.alignment(ex["claim"], list(range(1, len(cited) + 1)))
        blocked = s.verdict if s.verdict in ("names", "conflict", "negation") or (
            s.verdict == "numbers" and not s.missing_numbers) else ""
        out.append(Measured(ex["claim"], bool(ex["supported"]), ex.get("kind", ""), not s.missing_numbers,
                            s.coverage, checker.similarity(ex["claim"], list(range(1, len(cited) + 1))), blocked,
                            a.term_share if a else 0.0, int(ex.get("batch", 1))))
    return out


def score(measured: list[Measured], min_word_support: float, min_similarity: float,
          aligned_min_similarity: float | None = None) -> dict:
    pos = [m for m in measured if m.supported]
    neg = [m for m in measured if not m.supported]
    kept = sum(m.accepted(min_word_support, min_similarity, aligned_min_similarity) for m in pos)
    caught = sum(not m.accepted(min_word_support, min_similarity, aligned_min_similarity) for m in neg)
    return {"min_word_support": min_word_support, "min_similarity": min_similarity,
            "supported_kept": round(kept / len(pos), 4) if pos else None,
            "unsupported_dropped": round(caught / len(neg), 4) if neg else None,
            "accuracy": round((kept + caught) / len(measured), 4) if measured else None,
            "n_supported": len(pos), "n_unsupported": len(neg),
            "missed": [m.claim for m in neg if m.accepted(min_word_support, min_similarity, aligned_min_similarity)],
            "wrongly_dropped": [m.claim for m in pos
                                if not m.accepted(min_word_support, min_similarity, aligned_min_similarity)]}


def sweep(measured: list[Measured], words=None, sims=None) -> list[dict]:
    words = words or [round(0.3 + 0.05 * i, 2) for i in range(11)]
    sims = sims or [round(0.3 + 0.05 * i, 2) for i in range(11)]
    return [score(measured, w, s) for w in words for s in sims]


# every threshold the check has: content-word share, cosine, and the cosine for a claim aligned with one passage
# sentence (check.ALIGNED_MIN_SIMILARITY)
GRID3 = [(w, c, a) for w in (0.6, 0.65, 0.7, 0.75, 0.8) for c in (0.55, 0.6, 0.65, 0.7, 0.75)
         for a in (0.3, 0.35, 0.4, 0.45, 0.5)]


def _balanced(r: dict) -> tuple[float, float]:
    kept = 1.0 if r["supported_kept"] is None else r["supported_kept"]
    dropped = 1.0 if r["unsupported_dropped"] is None else r["unsupported_dropped"]
    return min(kept, dropped), r["accuracy"] or 0.0


def choose(measured: list[Measured], grid=GRID3) -> tuple[float, float, float]:
    """The thresholds with the best worse-of-the-two rate (supported kept, unsupported dropped), then accuracy;
    ties to the first in grid order."""
    return max(grid, key=lambda g: _balanced(score(measured, *g)))


def cross_validate(measured: list[Measured], folds: int = 5, seed: int = 0, grid=GRID3) -> dict:
    """k-fold: all three thresholds chosen on k-1 folds, scored on the fold left out; pooled over the folds."""
    import random

    order = list(range(len(measured)))
    random.Random(seed).shuffle(order)
    kept = caught = npos = nneg = 0
    picks = []
    for k in range(folds):
        train = [measured[i] for j, i in enumerate(order) if j % folds != k]
        test = [measured[i] for j, i in enumerate(order) if j % folds == k]
        pick = choose(train, grid)
        picks.append(pick)
        r = score(test, *pick)
        kept += (r["supported_kept"] or 0.0) * r["n_supported"]
        caught += (r["unsupported_dropped"] or 0.0) * r["n_unsupported"]
        npos += r["n_supported"]
        nneg += r["n_unsupported"]
    return {"supported_kept": round(kept / npos, 4) if npos else None,
            "unsupported_dropped": round(caught / nneg, 4) if nneg else None,
            "n_supported": npos, "n_unsupported": nneg, "picks": picks}
