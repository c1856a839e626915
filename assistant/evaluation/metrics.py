"""Ranking and answer metrics, written to match the usual definitions (trec_eval / pytrec_eval, BEIR).

Ranking metrics take the ranked list as it was returned and the relevance judgements:

- ``ndcg_at_k``: trec_eval's ``ndcg_cut.k``: gain = the judged relevance value (graded, linear, not
  2^rel - 1), discount 1/log2(rank + 1), ideal DCG from *all* judged relevant documents sorted by
  relevance, cut at k. Documents judged 0 or negative, and unjudged ones, gain nothing.
- ``recall_at_k``: trec_eval's ``recall.k``: relevant (rel >= 1) retrieved in the first k / all relevant.
- ``reciprocal_rank_at_k``: BEIR's MRR@k: 1 / rank of the first relevant document in the first k, else 0.
- ``hit_at_k``: 1 if any relevant document is in the first k.

``rank_run`` orders a {doc_id: score} run the way trec_eval does (score descending, ties broken by
doc id descending), so a run given as a dict is scored exactly as pytrec_eval scores it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

_WS = re.compile(r"\s+")
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    """Case-folded, white space collapsed, typographic quotes and dashes made plain (for substring checks)."""
    return _WS.sub(" ", (text or "").translate(_TYPOGRAPHIC)).strip().casefold()


def contains(text: str, needle: str) -> bool:
    return normalise(needle) in normalise(text)


# --- ranking metrics over one ranked list -------------------------------------------------

def rank_run(scores: Mapping[str, float]) -> list[str]:
    """trec_eval order: score descending, then doc id descending (what pytrec_eval does with a dict run)."""
    return [d for d, _ in sorted(scores.items(), key=lambda x: (x[1], x[0]), reverse=True)]


def hit_at_k(ranked: Sequence[str], relevant: Mapping[str, float] | Iterable[str], k: int) -> float:
    rel = _as_grades(relevant)
    return 1.0 if any(rel.get(d, 0) > 0 for d in ranked[:k]) else 0.0


def reciprocal_rank_at_k(ranked: Sequence[str], relevant: Mapping[str, float] | Iterable[str], k: int) -> float:
    rel = _as_grades(relevant)
    for i, d in enumerate(ranked[:k], start=1):
        if rel.get(d, 0) > 0:
            return 1.0 / i
    return 0.0


def first_relevant_rank(ranked: Sequence[str], relevant: Mapping[str, float] | Iterable[str]) -> int | None:
    rel = _as_grades(relevant)
    for i, d in enumerate(ranked, start=1):
        if rel.get(d, 0) > 0:
            return i
    return None


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, float] | Iterable[str], k: int) -> float | None:
    rel = _as_grades(relevant)
    wanted = {d for d, g in rel.items() if g > 0}
    if not wanted:
        return None
    return len(wanted & set(ranked[:k])) / len(wanted)


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, float] | Iterable[str], k: int) -> float | None:
    rel = _as_grades(relevant)
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    seen: set[str] = set()
    dcg = 0.0
    for i, d in enumerate(ranked[:k], start=1):
        if d in seen:  # a document counts once (trec_eval takes each docno once per query)
            continue
        seen.add(d)
        g = rel.get(d, 0)
        if g > 0:
            dcg += g / math.log2(i + 1)
    return dcg / idcg


def _as_grades(relevant: Mapping[str, float] | Iterable[str]) -> Mapping[str, float]:
    if isinstance(relevant, Mapping):
        return relevant
    return {d: 1 for d in relevant}


def dedupe(ranked: Iterable[str]) -> list[str]:
    """First occurrence order (passage ranking -> document ranking)."""
    seen: set[str] = set()
    out = []
    for d in ranked:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


# --- a whole run (BEIR / pytrec_eval style) -----------------------------------------------

def evaluate_run(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]],
                 ndcg_k: int = 10, recall_k: int = 100, mrr_k: int = 10) -> dict:
    """Per-query and mean nDCG@k, recall@k, MRR@k over the queries that have at least one relevant judgement.

    A query in the qrels with no run scores 0 (the system returned nothing), as in BEIR.
    """
    per_query: dict[str, dict[str, float]] = {}
    for qid, judged in qrels.items():
        if not any(g > 0 for g in judged.values()):
            continue
        ranked = rank_run(run.get(qid, {}))
        per_query[qid] = {
            f"ndcg@{ndcg_k}": ndcg_at_k(ranked, judged, ndcg_k) or 0.0,
            f"recall@{recall_k}": recall_at_k(ranked, judged, recall_k) or 0.0,
            f"mrr@{mrr_k}": reciprocal_rank_at_k(ranked, judged, mrr_k),
        }
    keys = (f"ndcg@{ndcg_k}", f"recall@{recall_k}", f"mrr@{mrr_k}")
    means = {key: (float(np.mean([m[key] for m in per_query.values()])) if per_query else None) for key in keys}
    return {"mean": means, "per_query": per_query, "n": len(per_query)}


# --- summaries ---------------------------------------------------------------------------

def mean_or_none(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def percentile(values: Iterable[float], q: float) -> float | None:
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return float(np.percentile(vals, q))
