"""Fit the answerability model (assistant/answerability_model.json) and report cross-validated figures.

    PYTHONPATH=. .venv/bin/python benchmarks/answerability_fit.py [--normans ../shared/squad_v2_normans] [--write]

For every question of evals/questions/*.yaml (over corpus/), with --library of the generated library's set
(evals/library/questions.yaml over `build_library`, restricted questions left out), and of the SQuAD 2.0 Normans development set
(over its paragraphs, indexed in a temporary folder; measuring only, nothing of it is stored) it runs the
service's own retrieval and sentence selection and records the answerability features. A logistic
regression (scikit-learn) is fitted on questions that reach the stage (not refused earlier by the
dense/coverage floor, not answered by a glossary definition or the ratings table), each source weighted
equally (evals/questions/*-heldout.yaml is left out of the fit and only scored); the threshold is the one that maximises mean refusal accuracy over the sources while answering at
least --min-answered of the answerable questions of each. Figures: 5-fold cross-validated (whole pipeline:
fit and threshold on 4/5, scored on the rest) and across sources (fitted on one source, scored on the other).
`--library-threshold` collects the library's questions but lets them choose only the threshold.
Rows hold the features of floor-refused questions too; `--rows` re-stages them under the floor of the settings it
runs with (ASSISTANT_MIN_DENSE_SCORE, ASSISTANT_MIN_TERM_COVERAGE), so a lower floor is measured with a re-fit.
`--write` stores the model file and the figures in evals/README.md's section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answerability import FEATURES, MODEL_PATH, assess  # noqa: E402

REG_C = float(os.environ.get("ANSWERABILITY_C", "1.0"))  # regularisation (the default was best in 5-fold CV)
HELD_OUT = "-heldout"  # evals/questions/*-heldout.yaml: scored with the fitted model, never fitted on
ZERO = {"features": list(FEATURES), "coef": [0.0] * len(FEATURES), "threshold": 0.0}


def collect(service, questions, source: str) -> list[dict]:
    """One row per question: its features as ask() computes them, and whether ask() reaches the stage."""
    from assistant import domain
    from assistant.answer import evidence_for, select_sentences

    s = service.settings
    snap = service.snapshot()
    glossary = service.glossary if s.domain_features else None
    rows = []
    for q in questions:
        row = {"source": source, "set": q.set, "id": q.id, "question": q.question, "answerable": q.answerable}
        if glossary and glossary.definition_question(q.question) or (s.domain_features and
                                                                      domain.is_ratings_question(q.question)):
            row["stage"] = "deterministic"
            rows.append(row)
            continue
        query = glossary.expand_query(q.question) if glossary else q.question
        filters = q.filters
        if s.domain_features and not (filters and (filters.published_after or filters.published_before)):
            from assistant.dates import period_in

            period = period_in(q.question)
            if period:
                from assistant.models import Filters

                filters = (filters or Filters()).model_copy(update={"published_after": period.after,
                                                                   "published_before": period.before})
        results = service.retriever.search(snap, query, s.top_k, filters, None,
                                           bm25_query=glossary.bm25_query(q.question) if glossary else None)
        if not results:
            row["stage"] = "floor"
            rows.append(row)
            continue
        ev = evidence_for(q.question, results)
        # features for the questions the floor refuses too, so that saved rows can be re-scored under another
        # floor (restage) and the model fitted on what a lower floor would hand it
        chosen = select_sentences(q.question, results, s.answer_sentences, glossary=glossary)
        verdict = assess(q.question, chosen, ev.top_dense, ev.coverage, [r.passage.text for r in results[:3]],
                         glossary, model=ZERO, split=False)
        # with the zero model every row passes the threshold, so "no_answer" here is a hard refusal (a conflict,
        # an asked slot no quoted sentence fills): assess() refuses those whatever the model says
        row.update(evidence={"top_dense": ev.top_dense, "coverage": ev.coverage}, features=verdict.features,
                   hard=verdict.status != "answered", unknown=bool(s.domain_features and domain.unknown_names(q.question, snap, glossary)))
        rows.append(restage(row, s))
    return rows


def restage(row: dict, settings) -> dict:
    """The row's stage under the floor of the code and settings now: "floor" when answer.is_weak refuses it,
    else "model" (rows answered deterministically, or with no passages, keep their stage)."""
    from assistant.answer import Evidence, is_weak

    if "evidence" in row:
        weak = is_weak(Evidence(**row["evidence"]), settings.min_dense_score, settings.min_term_coverage)
        row["stage"] = "floor" if weak else "model"
    return row


# sources that only help choose the threshold (--library-threshold): their questions are ours, but fitting the
# coefficients on them cost the near-miss sets (see --library)
THRESHOLD_ONLY: set[str] = set()


def fit(rows: list[dict], c: float | None = None) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    rows = [r for r in rows if r["source"] not in THRESHOLD_ONLY]
    x = np.array([[r["features"][f] for f in FEATURES[1:]] for r in rows])
    y = np.array([r["answerable"] for r in rows], dtype=int)
    sources = [r["source"] for r in rows]
    w = np.array([len(sources) / (len(set(sources)) * sources.count(s)) for s in sources])  # sources weigh equally
    model = LogisticRegression(C=c or REG_C, max_iter=2000).fit(x, y, sample_weight=w)
    return np.concatenate([model.intercept_, model.coef_[0]])


def prob(coef: np.ndarray, rows: list[dict]) -> np.ndarray:
    x = np.array([[1.0] + [r["features"][f] for f in FEATURES[1:]] for r in rows])
    return 1.0 / (1.0 + np.exp(-(x @ coef)))


def outcome(rows: list[dict], p: np.ndarray | None, threshold: float) -> list[bool]:
    """Refused? for every row: the floor and unknown names refuse, deterministic answers answer."""
    out = []
    for i, r in enumerate(rows):
        if r["stage"] == "floor":
            out.append(True)
        elif r["stage"] == "deterministic":
            out.append(not r["answerable"])  # the table / definition path decides; count it as right
        else:
            # as assess() does: asking for the opposite of what the quoted sentence says, or for a slot no quoted
            # sentence fills, is refused outright
            out.append(bool(r.get("unknown")) or bool(r.get("hard")) or bool(r["features"].get("conflict"))
                       or p[i] < threshold)
    return out


def rates(rows: list[dict], refused: list[bool]) -> dict:
    ans = [ref for r, ref in zip(rows, refused, strict=False) if r["answerable"]]
    una = [ref for r, ref in zip(rows, refused, strict=False) if not r["answerable"]]
    right = [ref != r["answerable"] for r, ref in zip(rows, refused, strict=False)]
    return {"answered": round(1 - float(np.mean(ans)), 4) if ans else None,
            "refused": round(float(np.mean(una)), 4) if una else None,
            "refusal_accuracy": round(float(np.mean(right)), 4), "n": len(rows)}


MIN_REFUSED: dict[str, float] = {}  # --min-refused SET=RATE: a question set whose refused rate bounds the threshold


def choose_threshold(rows: list[dict], coef: np.ndarray, min_answered: float) -> float:
    model_rows = [i for i, r in enumerate(rows) if r["stage"] == "model"]
    p_all = np.zeros(len(rows))
    if model_rows:
        p_all[model_rows] = prob(coef, [rows[i] for i in model_rows])
    # a source whose answerable questions cannot reach min_answered even answering everything past the floor
    # (Normans: 0.896) is not held to it, or no threshold would count as meeting the bound for the others
    ceiling = {}
    for src in {r["source"] for r in rows}:
        idx = [i for i, r in enumerate(rows) if r["source"] == src]
        ceiling[src] = rates([rows[i] for i in idx], [outcome([rows[i]], p_all[[i]], 0.0)[0] for i in idx])["answered"]
    best, best_t = -1.0, 0.5
    for t in np.linspace(0.05, 0.95, 91):
        refused = outcome(rows, p_all, t)
        scores, ok = [], True
        for src in sorted({r["source"] for r in rows}):
            idx = [i for i, r in enumerate(rows) if r["source"] == src]
            m = rates([rows[i] for i in idx], [refused[i] for i in idx])
            scores.append(m["refusal_accuracy"])
            ok &= m["answered"] is None or m["answered"] >= min_answered or (ceiling[src] or 0) < min_answered
        for name, bound in MIN_REFUSED.items():
            idx = [i for i, r in enumerate(rows) if r.get("set") == name]
            m = rates([rows[i] for i in idx], [refused[i] for i in idx]) if idx else {"refused": None}
            ok &= m["refused"] is None or m["refused"] >= bound
        score = float(np.mean(scores)) + (0 if ok else -1)
        if score > best:
            best, best_t = score, float(t)
    return best_t


def evaluate(train: list[dict], test: list[dict], min_answered: float) -> tuple[dict, list[bool], np.ndarray]:
    coef = fit([r for r in train if r["stage"] == "model"])
    t = choose_threshold(train, coef, min_answered)
    p = np.zeros(len(test))
    idx = [i for i, r in enumerate(test) if r["stage"] == "model"]
    if idx:
        p[idx] = prob(coef, [test[i] for i in idx])
    refused = outcome(test, p, t)
    return rates(test, refused), refused, p


def by_source(rows: list[dict], refused: list[bool]) -> dict:
    out = {}
    for key in sorted({r["source"] for r in rows} | {r["set"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if key in (r["source"], r["set"])]
        out[key] = rates([rows[i] for i in idx], [refused[i] for i in idx])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--normans", type=Path, default=ROOT.parent / "shared" / "squad_v2_normans")
    ap.add_argument("--min-answered", type=float, default=0.90)
    ap.add_argument("--library", action="store_true",
                    help="also fit on the generated library's questions (measured 2026-12-02, not adopted: library "
                         "answered 0.79 -> 0.86 but near-miss refused 0.78 -> 0.64 and the held-out near-miss set "
                         "0.54 -> 0.46)")
    ap.add_argument("--library-threshold", action="store_true",
                    help="collect the generated library's questions too, but use them only to choose the threshold "
                         "(the coefficients are fitted on the other sources)")
    ap.add_argument("--min-refused", action="append", default=[], metavar="SET=RATE",
                    help="the threshold must also refuse at least RATE of SET's unanswerable questions (issue 11's "
                         "target: near-miss=0.8); without it the rule, maximising mean refusal accuracy over the "
                         "sources, chose 0.43 on 2026-12-02 and refused 0.67 of near-miss")
    ap.add_argument("--rows", type=Path, help="reuse features collected earlier (JSON)")
    ap.add_argument("--save-rows", type=Path)
    ap.add_argument("--write", action="store_true", help="write assistant/answerability_model.json")
    args = ap.parse_args()

    for item in args.min_refused:
        name, _, rate = item.partition("=")
        MIN_REFUSED[name] = float(rate)
    if args.rows:
        from assistant.config import Settings

        settings = Settings()
        rows = [restage(r, settings) for r in json.loads(args.rows.read_text())]
    else:
        from assistant.config import Settings
        from assistant.evaluation.questions import load_sets
        from assistant.service import Service

        rows = []
        with tempfile.TemporaryDirectory(prefix="answerability-fit-") as tmp:
            ours = Service(Settings(index_dir=Path(tmp) / "ours"))
            ours.ingest()
            files = sorted((ROOT / "evals" / "questions").glob("*.yaml"))
            _, qs = load_sets([f for f in files if not f.stem.endswith(HELD_OUT)])
            rows += collect(ours, qs, "ours")
            held = [f for f in files if f.stem.endswith(HELD_OUT)]
            if held:
                _, qs = load_sets(held)
                rows += collect(ours, qs, "heldout")
            if args.library or args.library_threshold:
                # the generated realistic library (issue 12): tables, covers, minutes
                from evals.library.generate import build_library

                build_library(Path(tmp) / "library")
                lib = Service(Settings(corpus_dir=Path(tmp) / "library", index_dir=Path(tmp) / "library-index"))
                lib.ingest()
                _, qs = load_sets([ROOT / "evals" / "library" / "questions.yaml"])
                rows += collect(lib, [q for q in qs if q.type != "restricted"], "library")
            if (args.normans / "questions.yaml").is_file():
                norm = Service(Settings(corpus_dir=args.normans / "docs", index_dir=Path(tmp) / "normans"))
                norm.ingest()
                _, qs = load_sets([args.normans / "questions.yaml"])
                rows += collect(norm, qs, "normans")
        if args.save_rows:
            args.save_rows.write_text(json.dumps(rows))

    if args.library_threshold:
        THRESHOLD_ONLY.add("library")
    elif not args.library:
        rows = [r for r in rows if r["source"] != "library"]  # rows saved with the library, fitted without it
    heldout = [r for r in rows if r["source"] == "heldout"]
    rows = [r for r in rows if r["source"] != "heldout"]
    rng = np.random.default_rng(0)
    folds = 5
    order = rng.permutation(len(rows))
    fold_of = {int(i): k % folds for k, i in enumerate(order)}
    cv_refused = [False] * len(rows)
    for k in range(folds):
        train = [r for i, r in enumerate(rows) if fold_of[i] != k]
        test_idx = [i for i in range(len(rows)) if fold_of[i] == k]
        _, refused, _ = evaluate(train, [rows[i] for i in test_idx], args.min_answered)
        for i, ref in zip(test_idx, refused, strict=False):
            cv_refused[i] = ref
    print("5-fold cross-validated (fit and threshold on 4/5, scored on 1/5):")
    cv = by_source(rows, cv_refused)
    for k, v in cv.items():
        print(f"  {k:20s} {v}")
    across = {}
    for held in ("normans", "ours", "library"):
        train = [r for r in rows if r["source"] != held]
        test = [r for r in rows if r["source"] == held]
        if train and test:
            across[held], _, _ = evaluate(train, test, args.min_answered)
            print(f"fitted without {held}, scored on {held}: {across[held]}")

    model_rows = [r for r in rows if r["stage"] == "model"]
    coef = fit(model_rows)
    t = choose_threshold(rows, coef, args.min_answered)
    p = np.zeros(len(rows))
    idx = [i for i, r in enumerate(rows) if r["stage"] == "model"]
    p[idx] = prob(coef, [rows[i] for i in idx])
    fitted = by_source(rows, outcome(rows, p, t))
    print(f"fitted on all: threshold {t:.2f}")
    for k, v in fitted.items():
        print(f"  {k:20s} {v}")
    if heldout:
        ph = np.zeros(len(heldout))
        hidx = [i for i, r in enumerate(heldout) if r["stage"] == "model"]
        if hidx:
            ph[hidx] = prob(coef, [heldout[i] for i in hidx])
        held_figures = rates(heldout, outcome(heldout, ph, t))
        print(f"held out (never fitted on), with this fit: {held_figures}")
    print("coefficients: " + ", ".join(f"{f} {c:+.3f}" for f, c in zip(FEATURES, coef, strict=False)))
    # the curve: answered rate of answerable questions vs refused rate of unanswerable ones, per source
    if args.write:
        model = {"features": list(FEATURES), "coef": [round(float(c), 5) for c in coef], "threshold": round(t, 3),
                 "fitted": time.strftime("%Y-%m-%d"), "min_answered": args.min_answered,
                 "min_refused": MIN_REFUSED,
                 "trained_on": {s: sum(r["source"] == s for r in model_rows) for s in sorted({r["source"] for r in rows})
                                if s not in THRESHOLD_ONLY},
                 "threshold_from": sorted({r["source"] for r in rows}),
                 "cross_validated": cv, "across_sources": across, "fitted_figures": fitted,
                 "how": "benchmarks/answerability_fit.py"}
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"written {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
