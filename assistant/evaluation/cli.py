"""`assistant eval` and `assistant eval-beir`: parse, call the runner, render (progress bar, summary table, files)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err = Console(stderr=True)


# the settings a report records (what the base configuration ran with; configurations list their overrides)
SETTINGS_SHOWN = ("retrieval_mode", "top_k", "candidates", "fusion", "rrf_k", "dense_weight", "bm25_weight", "bm25_k1",
                  "bm25_b", "min_dense_score", "min_term_coverage", "answer_sentences", "chunk_min_words",
                  "chunk_max_words", "domain_features", "answer_mode", "embed_backend")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)  # one line, never wrapped
    raise typer.Exit(code)


def _configs(config: str | None, compare: str | None, default: str):
    from assistant.evaluation.configs import ConfigError, resolve

    if config and compare:
        _fail("use either --config NAME or --compare A,B,..., not both")
    try:
        return resolve(compare or config or default)
    except ConfigError as exc:
        _fail(str(exc))


def _summary_table(summary: dict, metrics: tuple[str, ...], title: str) -> Table:
    """One row per metric, one column per configuration (fits a terminal with several configurations)."""
    from assistant.evaluation.report import fmt

    table = Table("metric", *summary, title=title)
    for m in metrics:
        table.add_row(m, *(fmt(s.get(m)) for s in summary.values()))
    return table


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=False)


def eval_command(files: list[Path] = typer.Argument(..., help="Question set YAML files (evals/questions/*.yaml)."),
                 config: str | None = typer.Option(None, "--config", help="One named configuration (default: hybrid)."),
                 compare: str | None = typer.Option(None, "--compare", help="Several, side by side: dense,bm25,hybrid,naive"),
                 out: Path | None = typer.Option(None, "--out", help="Report folder (default evals/reports/<time>-<name>/)."),
                 gate: Path | None = typer.Option(None, "--gate", help="Thresholds file (evals/gate.yaml): exit 1 if "
                                                                          "the first configuration falls below it."),
                 include_restricted: bool = typer.Option(False, "--include-restricted",
                                                         help="Also search restricted documents (default: not).")) -> None:
    """Score question sets: retrieval (document and passage level), answers, refusals, latency."""
    from assistant.evaluation.gate import GateError, check_gate, check_set_gates, load_gate
    from assistant.evaluation.questions import QuestionSetError, load_sets
    from assistant.evaluation.report import QUESTION_METRICS, default_out_dir, write_json, write_markdown, write_plots
    from assistant.evaluation.runner import EvalRunError, build_report, check_index, run_questions, targets_for

    try:
        names, questions = load_sets(files)
    except QuestionSetError as exc:
        _fail(str(exc))
    configs = _configs(config, compare, "hybrid")
    thresholds = None
    if gate is not None:
        try:
            thresholds = load_gate(gate)
        except GateError as exc:
            _fail(str(exc))
    from assistant.access import access_for
    from assistant.service import get_service

    service = get_service()
    access = access_for(include_restricted)
    try:
        check_index(service, questions, access)
    except EvalRunError as exc:
        _fail(str(exc))
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    total = len(questions) * len(configs)
    with _progress() as bar:
        task = bar.add_task("preparing configurations", total=total)
        try:
            with targets_for(configs, service, access=access) as targets:
                records = run_questions(questions, targets,
                                        progress=lambda name: bar.update(task, advance=1, description=f"eval {name}"))
        except EvalRunError as exc:
            _fail(str(exc))
    snap = service.snapshot()
    meta = {"started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S"), "sets": names,
            "files": [str(f) for f in files], "questions": len(questions), "index_version": snap.version,
            "documents": sorted(d.doc_id for d in service.documents(access=access)), "passages": len(snap.passages),
            "restricted_included": include_restricted,
            "settings": {k: getattr(service.settings, k) for k in SETTINGS_SHOWN if hasattr(service.settings, k)}}
    report = build_report(records, configs, meta)
    out_dir = out or default_out_dir("-".join(names) if len(names) <= 3 else f"{len(names)}-sets")
    write_json(report, out_dir)
    write_markdown(report, out_dir, f"Evaluation: {', '.join(names)}")
    write_plots(report, out_dir, QUESTION_METRICS)
    console.print(_summary_table(report["summary"], QUESTION_METRICS + ("latency_p50_ms", "latency_p95_ms"),
                                 f"{len(questions)} questions ({', '.join(names)})"))
    console.print(f"report: {out_dir}/report.json, report.md, metrics.png, latency.png, answerability.png",
                  highlight=False, soft_wrap=True)  # one line, never wrapped: scripts read the path
    if thresholds is not None:
        failures = check_gate(report["summary"][configs[0].name], thresholds)
        failures += check_set_gates(report["per_set"], configs[0].name, thresholds)
        for f in failures:
            typer.echo(f"gate: {f}", err=True)
        if failures:
            raise typer.Exit(1)


def eval_beir_command(dataset: Path = typer.Argument(..., help="BEIR-format folder (corpus.jsonl, queries.jsonl, qrels/)."),
                      config: str | None = typer.Option(None, "--config", help="One configuration (default hybrid)."),
                      compare: str | None = typer.Option(None, "--compare", help="Several: dense,bm25,hybrid"),
                      split: str = typer.Option("test", "--split", help="qrels/<split>.tsv: test, dev or train."),
                      out: Path | None = typer.Option(None, "--out", help="Report folder."),
                      cache_dir: Path | None = typer.Option(None, "--cache-dir",
                                                               help="Corpus embedding cache (default <index dir>/state/embeddings).")) -> None:
    """Score retrieval on a BEIR dataset (nDCG@10, recall@100, MRR@10) through the product Retriever."""
    from assistant.config import get_settings
    from assistant.evaluation.beir import BeirError, evaluate_beir, load_beir
    from assistant.evaluation.report import BEIR_METRICS, default_out_dir, write_beir_markdown, write_json, write_plots

    configs = _configs(config, compare, "hybrid")
    try:
        data = load_beir(dataset, split)
    except BeirError as exc:
        _fail(str(exc))
    if not data.query_ids:
        _fail(f"qrels/{split}.tsv judges no query that queries.jsonl holds")
    settings = get_settings()
    from assistant.embed import get_embedder

    embedder = get_embedder(settings.embed_device, settings.embed_batch_size, settings.torch_threads,
                            settings.embed_backend)
    with _progress() as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        try:
            report = evaluate_beir(data, configs, settings, embedder, cache_dir or settings.state_dir / "embeddings",
                                   progress=progress)
        except BeirError as exc:
            _fail(str(exc))
    out_dir = out or default_out_dir(f"beir-{data.name}-{split}")
    write_json(report, out_dir)
    write_beir_markdown(report, out_dir, f"BEIR {data.name} ({split})")
    write_plots(report, out_dir, BEIR_METRICS)
    console.print(_summary_table(report["summary"], BEIR_METRICS + ("latency_p50_ms", "latency_p95_ms"),
                                 f"{data.name} {split}: {len(data.query_ids)} queries, {len(data.corpus)} documents"))
    console.print(f"report: {out_dir}/report.json, report.md, metrics.png, latency.png", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
    app.command("eval-beir")(eval_beir_command)
    from assistant.evaluation.conversations import eval_conversations_command  # multi-turn sets (issue 14)
    app.command("eval-conversations")(eval_conversations_command)
