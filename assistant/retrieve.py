"""Hybrid retrieval: dense (Chroma) and BM25 candidates, fused, filtered, de-duplicated, optionally reranked."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

import numpy as np

from assistant.embed import HEADER_WEIGHT, headed_cosine, split_headed
from assistant.ingest.chunk import embedding_header
from assistant.models import Filters, Passage, ScoredPassage
from assistant.store import Snapshot

MODES = ("dense", "bm25", "hybrid")
SUPERSEDED_PENALTY = 0.9  # score multiplier for documents the manifest marks superseded_by a newer one
SUCCESSOR_MATCH = 0.8  # word overlap (Jaccard) at which a newer version's passage is the old passage's successor
FUSIONS = ("blend", "rrf", "minmax")
EXACT_FALLBACK_MAX = 50_000  # passages scored exactly when orphan vectors hide live ones from the ANN index
_WORD = re.compile(r"\w+")


def rrf(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings a passage appears in."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=False):
        for rank, pid in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


def score_blend(dense: dict[str, float], bm25: dict[str, float], weights: list[float]) -> dict[str, float]:
    """Weighted sum of the dense cosine as it is and the BM25 score divided by the query's best BM25 score
    (a passage missing from one list gets 0 from it). Neither term depends on how many candidates were
    fetched, so weights chosen at one depth hold at another (unlike min-max scaling)."""
    fused: dict[str, float] = {}
    wd, wb = weights
    for pid, s in dense.items():
        fused[pid] = wd * s
    top = max(bm25.values(), default=0.0)
    if top > 0:
        for pid, s in bm25.items():
            fused[pid] = fused.get(pid, 0.0) + wb * s / top
    return fused


def minmax_blend(score_maps: list[dict[str, float]], weights: list[float]) -> dict[str, float]:
    """Each retriever's scores min-max scaled to 0..1 over its own candidates, then a weighted sum
    (a passage missing from one list gets 0 from it)."""
    fused: dict[str, float] = {}
    for scores, weight in zip(score_maps, weights, strict=False):
        if not scores:
            continue
        lo, hi = min(scores.values()), max(scores.values())
        span = hi - lo
        for pid, s in scores.items():
            fused[pid] = fused.get(pid, 0.0) + weight * ((s - lo) / span if span > 0 else 1.0)
    return fused


def fuse(dense: dict[str, float], bm25: dict[str, float], settings) -> dict[str, float]:
    """Hybrid fusion of the two candidate lists, as configured (settings.fusion: blend | rrf | minmax).
    Measured on SciFact train qrels (evals/README.md): blend 0.7372, minmax 0.7333, rrf 0.7113 nDCG@10."""
    weights = [settings.dense_weight, settings.bm25_weight]
    fusion = getattr(settings, "fusion", "blend")
    if fusion == "blend":
        return score_blend(dense, bm25, weights)
    if fusion == "rrf":
        return rrf([_ranked(dense), _ranked(bm25)], weights, settings.rrf_k)
    if fusion == "minmax":
        return minmax_blend([dense, bm25], weights)
    raise ValueError(f"unknown fusion {fusion!r}; use one of {', '.join(FUSIONS)}")


def _ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda pid: -scores[pid])


@lru_cache(maxsize=50_000)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def _near_duplicate(a: str, b: str, threshold: float) -> bool:
    sa, sb = _word_set(a), _word_set(b)
    if not sa or not sb:
        return False
    small, large = sorted((len(sa), len(sb)))
    if small < threshold * large:  # Jaccard <= small/large: cannot reach the threshold
        return False
    return len(sa & sb) / len(sa | sb) >= threshold


class VectorSearch(Protocol):
    """What the Retriever needs of a vector index: VectorStore, or the BEIR runner's in-memory ArrayVectors."""

    def query(self, embedding: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]: ...


class Retriever:
    def __init__(self, settings, vectors: VectorSearch, embed_query: Callable[[str], np.ndarray],
                 reranker=None, embed_headers: Callable[[list[str]], dict[str, np.ndarray]] | None = None):
        """`embed_headers` (header text -> vector, assistant/embed.py header_vectors) lets the retriever
        separate each stored passage vector into its text's and its contextual header's cosines; without it
        (SciFact runs, whose vectors carry no header) the stored cosine is used as it is."""
        self.settings = settings
        self.vectors = vectors
        self.embed_query = embed_query
        self.reranker = reranker
        self.embed_headers = embed_headers

    def search(self, snap: Snapshot, query: str, k: int = 5, filters: Filters | None = None,
               mode: str | None = None, query_vector: np.ndarray | None = None,
               bm25_query: list[tuple[str, float]] | None = None) -> list[ScoredPassage]:
        """`query` is embedded. BM25 scores `query`, or the weighted parts of `bm25_query` summed (the question
        and its glossary terms' other forms: Glossary.bm25_query)."""
        mode = mode or self.settings.retrieval_mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        if not snap.passages:
            return []
        n = max(self.settings.candidates, k * 4)
        mask = snap.mask(filters)
        dense: dict[str, float] = {}
        bm25: dict[str, float] = {}
        if mode in ("dense", "hybrid"):
            vector = query_vector if query_vector is not None else self.embed_query(query)
            for pid, score in self._dense_candidates(snap, vector, n, filters):
                idx = snap.id_to_index[pid]
                if mask is None or mask[idx]:
                    dense[pid] = score
        text_dense: dict[str, float] = {}
        stored: dict[str, np.ndarray] = {}  # candidates' stored vectors, fetched once for completion and headers
        if mode in ("bm25", "hybrid"):
            scores = snap.bm25_scores(query) if not bm25_query else sum(
                (snap.bm25_scores(text) * weight for text, weight in bm25_query), np.zeros(len(snap.passages)))
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            # top n by partial selection, not a full sort: at 100k passages 0.7 ms against 1.7 ms (issue 6)
            top = np.argpartition(-scores, n - 1)[:n] if len(scores) > n else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            bm25 = {snap.passages[i].id: float(scores[i]) for i in top if scores[i] > 0}  # bm25s pads with zeros
        if mode == "dense":
            dense, text_dense = self._weigh_headers(snap, dense, vector)
            fused = dict(dense)
        elif mode == "bm25":
            fused = dict(bm25)
        else:
            if self.settings.fusion != "rrf":
                dense, bm25 = self._complete(snap, dense, bm25, scores, vector, stored)
            dense, text_dense = self._weigh_headers(snap, dense, vector, stored)
            fused = fuse(dense, bm25, self.settings)
        fused = self._prefer_current(snap, fused, mask)
        ranked = sorted(fused, key=lambda pid: -fused[pid])
        results: list[ScoredPassage] = []
        for pid in ranked:
            passage = snap.passages[snap.id_to_index[pid]]
            if any(_near_duplicate(passage.text, r.passage.text, self.settings.dedupe_threshold) for r in results):
                continue
            results.append(ScoredPassage(passage=passage, score=fused[pid],
                                         dense_score=text_dense.get(pid, dense.get(pid)), ranked_dense=dense.get(pid),
                                         bm25_score=bm25.get(pid)))
            if len(results) >= max(k, 20 if self.reranker else k):
                break
        if self.reranker is not None and results:
            results = self.reranker.rerank(query, results)
        return results[:k]


    def _weigh_headers(self, snap: Snapshot, dense: dict[str, float], vector: np.ndarray,
                       stored: dict[str, np.ndarray] | None = None) -> tuple[dict[str, float], dict[str, float]]:
        """Each candidate's stored vector mixes its text with its contextual header at HEADER_WEIGHT (assistant/
        embed.py). Separated again (split_headed), the text's own cosine goes to the no-answer floor and the
        answer evidence (a header naming the question's subject lifted a non-answer's cosine past the floor's
        rescue), and ranking re-mixes them with the header weight the collection warrants (collection_header_weight).
        Returns (ranking cosines, text cosines)."""
        embeddings = getattr(self.vectors, "embeddings", None)
        if self.embed_headers is None or embeddings is None or not dense:
            return dense, {}
        headers = {pid: _header_of(snap.passages[snap.id_to_index[pid]]) for pid in dense}
        headed = [pid for pid, h in headers.items() if h]
        if not headed:
            return dense, dict(dense)
        header_vecs = self.embed_headers([headers[pid] for pid in headed])
        stored = dict(stored or {})
        stored.update(embeddings([pid for pid in headed if pid not in stored]))
        headed = [pid for pid in headed if pid in stored]
        if not headed:
            return dense, dict(dense)
        q = np.asarray(vector, dtype=np.float32)
        h = np.stack([header_vecs[headers[pid]] for pid in headed])
        m = np.stack([stored[pid] for pid in headed])
        header_q = h @ q
        text_q, text_h = split_headed(m @ q, np.einsum("ij,ij->i", m, h), header_q)
        remixed = headed_cosine(text_q, header_q, text_h, collection_header_weight(snap, self.settings))
        text = dict(dense)
        ranking = dict(dense)
        for i, pid in enumerate(headed):
            text[pid] = float(text_q[i])
            ranking[pid] = float(remixed[i])
        return ranking, text

    def _dense_candidates(self, snap: Snapshot, vector: np.ndarray, n: int,
                          filters: Filters | None) -> list[tuple[str, float]]:
        """Chroma's n nearest that the live snapshot holds. Vectors it does not hold (left by an interrupted
        ingest until the next one deletes them) are skipped, and when they took places the lookup is
        repeated deeper, so orphans never crowd out live passages. No orphans: one lookup, as before."""
        want = n
        for _ in range(4):
            hits = self.vectors.query(vector, want, filters)
            live = [(pid, score) for pid, score in hits if pid in snap.id_to_index]
            if len(live) == len(hits) or len(live) >= n:
                return live[:n]
            if len(hits) < want:  # the index gave all it could find
                break
            want *= 4
        # Orphans are still in the way (HNSW is approximate: many near-identical orphans can hide live
        # vectors from it). Exact cosine over the live passages instead; only a damaged store gets here,
        # and a bounded number of passages is scored.
        mask = snap.mask(filters)
        ids = [p.id for i, p in enumerate(snap.passages) if mask is None or mask[i]][:EXACT_FALLBACK_MAX]
        exact = sorted(getattr(self.vectors, "similarity", lambda *_: {})(vector, ids).items(), key=lambda x: -x[1])
        return exact[:n] if len(exact) > len(live) else live[:n]

    def _complete(self, snap: Snapshot, dense: dict[str, float], bm25: dict[str, float], bm25_all: np.ndarray,
                  vector: np.ndarray, stored: dict[str, np.ndarray] | None = None) -> tuple[dict[str, float], dict[str, float]]:
        """Score-based fusion needs both scores for every candidate: a passage only one retriever
        fetched gets its exact score from the other (BM25 from the full score array, cosine from the
        stored vector). Without this the blend depends on the candidate depth (SciFact train nDCG@10:
        0.7245 at 50 candidates, 0.7372 at 400; 0.7396 at any depth with completed scores)."""
        bm25 = dict(bm25)
        for pid in dense:
            if pid not in bm25:
                value = float(bm25_all[snap.id_to_index[pid]])
                if value > 0:
                    bm25[pid] = value
        missing = [pid for pid in bm25 if pid not in dense]
        similarity = getattr(self.vectors, "similarity", None)
        if missing and stored is not None and self.embed_headers is not None and hasattr(self.vectors, "embeddings"):
            # the header split needs every candidate's stored vector: one request fetches them for both (-2 ms)
            stored.update(self.vectors.embeddings([*dense, *missing]))
            q = np.asarray(vector, dtype=np.float32)
            dense = {**dense, **{pid: float(stored[pid] @ q) for pid in missing if pid in stored}}
        elif missing and similarity is not None:
            dense = {**dense, **similarity(vector, missing)}
        return dense, bm25

    @staticmethod
    def _prefer_current(snap: Snapshot, fused: dict[str, float], mask: np.ndarray | None = None) -> dict[str, float]:
        """A superseded document's passages lose to their successor's: each loses a little score, and the
        successor's matching passage (the same words but a changed figure or date: word overlap at least
        SUCCESSOR_MATCH) scores at least what the old one scored. The penalty alone is not enough once
        passages carry their document's title (assistant/embed.py): a newer version titled differently
        ("NPS update ... 2020" for "National Probation Service update ...: Leicester, ...") moved its
        passage's cosine 0.11 below the old one's, and the old figure was quoted. A successor the filters
        leave out (asking what the 2019 papers said) is not promoted."""
        superseded = snap.superseded_docs
        if not superseded:
            return fused
        out = dict(fused)
        for pid, score in fused.items():
            passage = snap.passages[snap.id_to_index[pid]]
            if passage.doc_id not in superseded:
                continue
            out[pid] = min(out[pid], score * SUPERSEDED_PENALTY)
            newer = snap.documents[passage.doc_id].superseded_by
            for i in snap.passages_by_doc.get(newer, ()) if newer else ():
                if mask is not None and not mask[i]:
                    continue
                match = snap.passages[i]
                if _near_duplicate(passage.text, match.text, SUCCESSOR_MATCH):
                    out[match.id] = max(out.get(match.id, 0.0), score)
        return out


@lru_cache(maxsize=100_000)
def _header_cached(title: str | None, section: str | None, text: str) -> str:
    return embedding_header(title, section, text)


def _header_of(p: Passage) -> str:
    """The contextual header the passage was embedded with (assistant/ingest/chunk.py embedding_header)."""
    return _header_cached(p.title, p.section, p.text)


def collection_header_weight(snap: Snapshot, settings) -> float:
    """How much a passage's header counts in ranking beside its text: settings.header_weight, scaled down in a
    collection of few documents. A header says which document (and section) a passage comes from; among two
    documents that tells passages apart little, and a short question matching one title lifted that whole
    document above the answer (repository corpus, 2 documents: passage MRR@10 0.890 at the full weight,
    0.897 scaled by ln 2 / ln 10), while ten documents or more keep the weight the generated library measured
    best (hit@5 0.901 -> 0.975 against no header). Scaled by ln(documents) / ln(header_full_weight_documents):
    the information a document label carries, relative to that of a label among that many documents. Documents
    are counted by distinct title: 39 paragraphs all titled "Normans" (the SQuAD development set) get no header
    weight (gold-paragraph hit@1 0.792 at the full weight, as before headers at none)."""
    full = max(float(getattr(settings, "header_full_weight_documents", 10)), 2.0)
    documents = max(len({d.title.strip().lower() for d in snap.documents.values()}), 1)
    return float(getattr(settings, "header_weight", HEADER_WEIGHT)) * min(1.0, math.log(documents) / math.log(full))


class CrossEncoderReranker:
    """Optional: a sentence-transformers CrossEncoder loaded from a local path (ASSISTANT_RERANKER_MODEL)."""

    def __init__(self, path: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(path, device="cpu")

    def rerank(self, query: str, results: list[ScoredPassage]) -> list[ScoredPassage]:
        scores = self.model.predict([(query, r.passage.text) for r in results])
        order = np.argsort(-np.asarray(scores))
        return [results[i].model_copy(update={"score": float(scores[i])}) for i in order]
