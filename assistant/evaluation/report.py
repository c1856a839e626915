"""Writing a run to disk: report.json (docs/architecture.md, "The eval report"), report.md (tables, worst questions,
per-type breakdown) and PNG plots (metric bars per configuration, latency distribution)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

QUESTION_METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10", "passage_hit@1", "passage_hit@5", "passage_mrr@10",
                    "answer_contains", "citation_precision", "refusal_accuracy")
BEIR_METRICS = ("ndcg@10", "recall@100", "mrr@10", "hit@1", "hit@10")
TABLE_LATENCY = ("latency_p50_ms", "latency_p95_ms")


def default_out_dir(name: str, root: Path | str = "evals/reports") -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.+-]+", "-", name).strip("-")[:80] or "run"
    return Path(root) / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}"


def fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) <= 1.0 else f"{v:.1f}"
    return str(v)


def summary_rows(summary: dict, metrics: tuple[str, ...]) -> tuple[list[str], list[list[str]]]:
    header = ["config", *metrics]
    rows = [[name, *(fmt(s.get(m)) for m in metrics)] for name, s in summary.items()]
    return header, rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_json(report: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def worst_questions(records: list[dict], config: str, limit: int = 12) -> list[dict]:
    """Failures first (wrong refusal, passage not in the top 5, answer missing a required substring),
    then by how far down the right passage was."""
    def badness(r: dict) -> tuple:
        c = r["checks"]
        return (not c.get("refusal_correct", True), c.get("passage_hit@5") == 0.0, c.get("hit@5") == 0.0,
                c.get("answer_contains") is False, -(c.get("passage_mrr@10") or c.get("mrr@10") or 1.0))

    rows = [r for r in records if r["config"] == config]
    failing = [r for r in rows if any(badness(r)[:4]) or r.get("error")]
    return sorted(failing, key=badness, reverse=True)[:limit]


def why(r: dict) -> str:
    c = r["checks"]
    reasons = []
    if r.get("error"):
        reasons.append(f"error: {r['error']}")
    if not c.get("refusal_correct", True):
        reasons.append("answered an unanswerable question" if not r["answerable"] else "refused an answerable one")
    if c.get("passage_hit@5") == 0.0:
        reasons.append(f"answer passage at rank {c.get('passage_rank') or '>10'}")
    elif c.get("hit@5") == 0.0:
        reasons.append("expected document not in top 5")
    if c.get("answer_contains") is False and r["status"] == "answered":
        reasons.append(f"answer lacks {', '.join(repr(s) for s in c.get('answer_missing', []))}")
    ev = r.get("evidence")
    if ev:
        reasons.append(f"evidence: cosine {fmt(ev.get('top_dense'))}, coverage {fmt(ev.get('coverage'))}")
    return "; ".join(reasons)


def write_markdown(report: dict, out: Path, title: str) -> Path:
    summary = report["summary"]
    meta = report.get("meta", {})
    lines = [f"# {title}", "", f"Run {meta.get('started', '')}; question sets: {', '.join(meta.get('sets', []))}; "
             f"{meta.get('questions', '?')} questions; index version {meta.get('index_version', '?')}.", ""]
    lines += ["## Summary", "", markdown_table(*summary_rows(summary, QUESTION_METRICS + TABLE_LATENCY)), ""]
    lines += ["Document level: hit@k, MRR@10, nDCG@10 from `expected_sources`. Passage level: the passage "
              "contains `expected_quote`. Refusal accuracy over all questions (unanswerable ones must come back "
              "`no_answer`, answerable ones must not). Latency: whole `ask` call, ms.", ""]
    extra = ("answered_rate", "refused_rate", "partial_rate", "no_answer_recall", "false_refusal_rate", "recall@10", "retrieve_p50_ms", "retrieve_p95_ms",
             "answer_p50_ms", "answer_p95_ms", "answer_words_p50", "retrieved_words_p50", "n_answerable",
             "n_unanswerable", "errors")
    lines += ["### More figures", "", markdown_table(*summary_rows(summary, extra)), ""]
    if report.get("per_set"):
        lines += ["## Answerability per question set", "",
                  "Answered: share of answerable questions answered (`answered` or `partial`); refused: share of "
                  "unanswerable ones refused (`no_answer` or `partial`).", ""]
        header = ["set", "config", "answerable", "answered", "unanswerable", "refused", "partial", "refusal acc."]
        rows = [[name, c, fmt(v.get("n_answerable")), fmt(v.get("answered_rate")), fmt(v.get("n_unanswerable")),
                 fmt(v.get("refused_rate")), fmt(v.get("partial_rate")), fmt(v.get("refusal_accuracy"))]
                for name, by_config in report["per_set"].items() for c, v in by_config.items()]
        lines += [markdown_table(header, rows), "", "![answerability curve](answerability.png)", ""]
    lines += ["## Per question type", ""]
    for qtype, by_config in report.get("per_type", {}).items():
        n = next(iter(by_config.values())).get("n")
        lines.append(f"**{qtype}** ({n} questions)")
        lines.append("")
        lines.append(markdown_table(*summary_rows(by_config, ("hit@5", "passage_hit@5", "passage_mrr@10",
                                                              "answer_contains", "refusal_accuracy"))))
        lines.append("")
    lines += ["## Worst questions", ""]
    for config in summary:
        worst = worst_questions(report["questions"], config)
        lines.append(f"### {config}: {len(worst)} shown" if worst else f"### {config}: no failures")
        lines.append("")
        for r in worst:
            lines.append(f"- `{r['id']}` ({r['type']}) {r['question']!r}: {why(r)}")
        lines.append("")
    lines += ["## Configurations", ""]
    for c in meta.get("configs", []):
        lines.append(f"- **{c['name']}**: {c['description']}" + (f"; overrides {c['overrides']}" if c["overrides"] else ""))
    lines += ["", "![metrics](metrics.png)", "", "![latency](latency.png)", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_beir_markdown(report: dict, out: Path, title: str) -> Path:
    meta = report.get("meta", {})
    lines = [f"# {title}", "", f"Dataset {meta.get('dataset')} ({meta.get('documents')} documents), split "
             f"{meta.get('split')}, {meta.get('queries')} judged queries; run {meta.get('started', '')}.", "",
             markdown_table(*summary_rows(report["summary"], BEIR_METRICS + TABLE_LATENCY)), "",
             "nDCG@10 and recall@100 as trec_eval computes them (graded relevance, linear gain); MRR@10 as BEIR "
             "computes it. Latency: one query through the product Retriever (query embedding excluded), ms.", ""]
    lines += ["## Configurations", ""]
    for c in meta.get("configs", []):
        lines.append(f"- **{c['name']}**: {c['description']}; settings {c.get('settings', {})}")
    lines += ["", "## Worst queries (first configuration)", ""]
    first = next(iter(report["summary"]), None)
    rows = sorted((q for q in report["questions"] if q["config"] == first), key=lambda q: q["metrics"]["ndcg@10"])[:10]
    for q in rows:
        lines.append(f"- `{q['id']}` {q['question'][:120]!r}: nDCG@10 {q['metrics']['ndcg@10']:.3f}, "
                     f"first relevant at {q['first_relevant_rank'] or '>100'}")
    lines += ["", "![metrics](metrics.png)", "", "![latency](latency.png)", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_plots(report: dict, out: Path, metrics: tuple[str, ...], latency_key: str = "total") -> list[Path]:
    """metrics.png: grouped bars, one group per metric, one bar per configuration; latency.png: box plot
    of per-question latency per configuration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    summary = report["summary"]
    configs = list(summary)
    shown = [m for m in metrics if any(summary[c].get(m) is not None for c in configs)]
    bars_total = len(shown) * max(1, len(configs))
    fig, ax = plt.subplots(figsize=(min(16.0, max(7.0, 4 + 0.2 * bars_total)), 5))
    width = 0.8 / max(1, len(configs))
    x = np.arange(len(shown))
    for i, c in enumerate(configs):
        vals = [summary[c].get(m) or 0.0 for m in shown]
        bars = ax.bar(x + i * width - 0.4 + width / 2, vals, width, label=c)
        for b, v in zip(bars, vals, strict=False):
            ax.annotate(f"{v:.2f}", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=6)
    ax.set_xticks(x, shown, rotation=30, ha="right")
    ax.set_ylim(0, 1.22)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("score (0..1)")
    ax.set_title("Metrics per configuration")
    ax.legend(fontsize=8, ncol=min(8, len(configs)), loc="upper center")
    fig.tight_layout()
    paths = [out / "metrics.png"]
    fig.savefig(paths[0], dpi=120)
    plt.close(fig)

    data = []
    for c in configs:
        vals = [q.get("timings_ms", {}).get(latency_key) for q in report["questions"] if q["config"] == c]
        data.append([v for v in vals if v is not None] or [0.0])
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(configs)), 4))
    ax.boxplot(data, showfliers=True)
    ax.set_xticks(range(1, len(configs) + 1), configs)
    ax.set_yscale("log")
    ax.set_ylabel("ms per question (log scale)")
    ax.set_title("Latency distribution per configuration")
    fig.tight_layout()
    paths.append(out / "latency.png")
    fig.savefig(paths[1], dpi=120)
    plt.close(fig)
    if report.get("answerability_curve"):
        paths.append(write_curve(report["answerability_curve"], out / "answerability.png"))
    return paths


def write_curve(curves: dict, path: Path) -> Path:
    """answerability.png: answered-rate of answerable questions against refused-rate of unanswerable ones as
    the answerability threshold moves from 0 to 1 (one line per configuration, thresholds 0.1..0.9 labelled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    for config, points in curves.items():
        pts = [(r, a) for _, a, r in points if a is not None and r is not None]
        if not pts:
            continue
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", markersize=3, label=config)
        for t, a, r in points:
            if a is not None and r is not None and abs(t * 10 - round(t * 10)) < 1e-9 and 0 < t < 1:
                ax.annotate(f"{t:.1f}", (r, a), fontsize=6, textcoords="offset points", xytext=(3, 3))
    ax.set_xlabel("unanswerable questions refused")
    ax.set_ylabel("answerable questions answered")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title("Answerability: answered vs refused as the threshold moves")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
