"""Command line: parse, call the service, render. No retrieval logic here."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

import assistant  # noqa: F401  (offline environment first)
from assistant.audit import cli_actor
from assistant.cli_support import fail

app = typer.Typer(help="Probation guidance assistant: cited answers from inspection reports, MAPPA guidance "
                       "and partnership board papers.", no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)


@app.callback()
def _check_settings() -> None:
    """Settings are read before any command, so a bad assistant.toml (a secret in it) is one clear line."""
    from pydantic import ValidationError

    from assistant.config import SecretInConfigError, get_settings

    try:
        get_settings()
    except SecretInConfigError as exc:
        fail(str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"setting {'.'.join(str(p) for p in first['loc']) or '(settings)'}: {first['msg']}")


def _filters(doc_type: list[str] | None, since: str | None, until: str | None, area: str | None):
    from assistant.models import DOC_TYPES, Filters

    for t in doc_type or []:
        if t not in DOC_TYPES:
            fail(f"--type must be one of {', '.join(DOC_TYPES)} (got {t!r})")
    try:
        after = date.fromisoformat(since) if since else None
        before = date.fromisoformat(until) if until else None
    except ValueError:
        fail("--since/--until must be dates like 2018-01-01")
    return Filters(doc_type=doc_type or None, published_after=after, published_before=before, area=area)


def _service():
    from assistant.service import get_service

    return get_service()


# The command line is a local operator's tool, but it follows the same rule as every surface: restricted
# documents only when asked for (assistant/access.py).
RESTRICTED_OPTION = typer.Option(False, "--include-restricted",
                                 help="Also show restricted documents (manifest `restricted: true`); default: not.")


def _access(include_restricted: bool):
    from assistant.access import access_for

    return access_for(include_restricted)


def _question(text: str) -> str:
    from assistant.models import QuestionError, validate_question

    try:
        return validate_question(text)
    except QuestionError as exc:
        fail(str(exc))


@app.command()
def ingest(paths: list[Path] = typer.Argument(None, help="Files or folders (default: the whole corpus folder; "
                                                          "documents whose file is gone are removed)."),
           json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
           device: str | None = typer.Option(None, "--device", help="Embed on cpu or cuda[:N] (default "
                                                "ASSISTANT_EMBED_DEVICE). A GPU run embeds in fp16 in batches of "
                                                "256+ gathered 4096+ passages at a time.")) -> None:
    """Build or update indexes/ from the corpus: only new or changed files are embedded."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.ingest.pipeline import IngestError

    service = _service()
    if device is not None:
        service.settings = service.settings.model_copy(update=_device_settings(service.settings, device))
    with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, transient=True, disable=json_out) as bar:
        task = bar.add_task("", total=None)

        def progress(event: str, detail: str) -> None:
            if event == "start":
                bar.update(task, total=int(detail))
            else:
                bar.update(task, advance=1, description=detail[-60:])
        try:
            report = service.ingest(paths or None, progress=progress)
        except IngestError as exc:
            service.audit.record("ingest", cli_actor(), "refused:busy", paths=[str(p) for p in paths or []] or None)
            fail(str(exc))
    changed = [r.doc_id for r in report.results if r.status != "unchanged" and r.doc_id]
    service.audit.record("ingest", cli_actor(), "partial" if report.failed else "ok", changed,
                         files={s: report.count(s) for s in ("added", "updated", "unchanged", "removed", "failed")},
                         index_version=report.version)
    if json_out:
        print(json.dumps({"version": report.version, "seconds": round(report.seconds, 3), "embedded": report.embedded,
                          "documents": report.total_documents, "passages": report.total_passages,
                          "files": [{"path": r.path, "doc_id": r.doc_id, "status": r.status, "passages": r.passages,
                                     "error": r.error, "notes": r.notes, "instruction_passages": _flagged(r)}
                                    for r in report.results]}, indent=2))
    else:
        for r in report.failed:
            err.print(f"[red]failed[/red] {r.path}: {r.error}", highlight=False)
        for r in report.results:
            for note in r.notes:  # what reading found: "page 11 has no text layer; not searchable (OCR is off)"
                console.print(f"note {r.doc_id}: {note}", highlight=False)
            if _flagged(r):
                err.print(f"[yellow]flagged[/yellow] {r.doc_id}: {_flagged(r)} passage(s) address instructions to "
                          "AI systems; they support no answer", highlight=False)
        console.print(f"{report.count('added')} added, {report.count('updated')} updated, "
                      f"{report.count('unchanged')} unchanged, {report.count('removed')} removed, "
                      f"{len(report.failed)} failed; {report.embedded} passages embedded; index holds "
                      f"{report.total_documents} documents, {report.total_passages} passages "
                      f"({report.seconds:.2f} s)", highlight=False)
    if report.failed:
        raise typer.Exit(1)


def _flagged(result) -> int:
    """Passages of a newly read file that address instructions to AI systems (assistant/safety.py)."""
    return result.document.instruction_passages if result.document is not None else 0


def _device_settings(settings, device: str) -> dict:
    """Settings for `ingest --device`: cpu, or a CUDA GPU that torch can see (bigger batches there)."""
    import re

    if not re.fullmatch(r"cpu|cuda(:\d+)?", device):
        fail(f"--device must be cpu, cuda or cuda:N (got {device!r})")
    if device == "cpu":
        return {"embed_device": "cpu"}
    if settings.embed_backend != "torch":
        fail(f"--device {device} needs embed_backend=torch (the {settings.embed_backend} backend runs on the CPU only)")
    import torch

    if not torch.cuda.is_available():
        fail(f"--device {device}: torch {torch.__version__} sees no CUDA GPU on this machine; use --device cpu")
    index = int(device.split(":")[1]) if ":" in device else 0
    if index >= torch.cuda.device_count():
        fail(f"--device {device}: only {torch.cuda.device_count()} CUDA device(s) are visible")
    return {"embed_device": device, "embed_batch_size": max(settings.embed_batch_size, 256),
            "ingest_flush_passages": max(settings.ingest_flush_passages, 4096)}


@app.command()
def docs(json_out: bool = typer.Option(False, "--json"), include_restricted: bool = RESTRICTED_OPTION) -> None:
    """List indexed documents: doc_id, type, date, title, passages, notes (pages with no text layer, restricted,
    passages addressing AI systems)."""
    documents = _service().documents(access=_access(include_restricted))
    if json_out:
        print(json.dumps([d.model_dump(exclude={"path"}) for d in documents], indent=2))
        return
    table = Table()
    table.add_column("doc_id", no_wrap=True, min_width=max((len(d.doc_id) for d in documents), default=6))
    table.add_column("type", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("title")
    table.add_column("passages", justify="right")
    table.add_column("notes")
    for d in documents:
        notes = [*d.notes, *(["restricted"] if d.restricted else []),
                 *([f"flagged: {d.instruction_passages} passage(s) address AI systems"] if d.instruction_passages else [])]
        table.add_row(d.doc_id, d.doc_type, d.published or "", d.title, str(d.passages), "; ".join(notes))
    console.print(table)
    if not documents:
        err.print("the index is empty: run `assistant ingest`")


@app.command()
def search(query: str, k: int = typer.Option(5, "--k", min=1, max=50, help="How many passages."),
           doc_type: list[str] | None = typer.Option(None, "--type", help="inspection_report | mappa_guidance | board_paper"),
           since: str | None = typer.Option(None, "--since", help="Published on or after (YYYY-MM-DD)."),
           until: str | None = typer.Option(None, "--until", help="Published on or before (YYYY-MM-DD)."),
           area: str | None = typer.Option(None, "--area"),
           mode: str | None = typer.Option(None, "--mode", help="dense | bm25 | hybrid (default from settings)"),
           json_out: bool = typer.Option(False, "--json", help="Print the API's JSON."),
           include_restricted: bool = RESTRICTED_OPTION) -> None:
    """Ranked passages for a query, with scores and citation fields."""
    from assistant.answer import citation_for

    query = _question(query)
    filters = _filters(doc_type, since, until, area)
    try:
        results = _service().search(query, k=k, filters=filters, mode=mode, access=_access(include_restricted))
    except ValueError as exc:
        fail(str(exc))
    citations = [citation_for(i + 1, r) for i, r in enumerate(results)]
    if json_out:
        print(json.dumps({"query": query, "results": [c.model_dump() for c in citations]}, indent=2))
        return
    if not citations:
        console.print("No passages matched.")
    for c in citations:
        where = ", ".join(x for x in (c.published, f"p. {c.page}" if c.page else None,
                                      f"para {c.paragraph}" if c.paragraph else None) if x)
        console.print(f"[bold][{c.n}] {c.title}[/bold] ({c.doc_id}; {where}) score {c.score:.4f}", highlight=False)
        console.print(f"    {c.quote[:400]}", highlight=False, markup=False)


@app.command()
def ask(question: str,
        doc_type: list[str] | None = typer.Option(None, "--type"),
        since: str | None = typer.Option(None, "--since"),
        until: str | None = typer.Option(None, "--until"),
        area: str | None = typer.Option(None, "--area"),
        k: int = typer.Option(5, "--k", min=1, max=20),
        json_out: bool = typer.Option(False, "--json", help="Print the API's answer JSON."),
        include_restricted: bool = RESTRICTED_OPTION) -> None:
    """A short answer with \\[n] markers and the passages it rests on (or 'could not find')."""
    question = _question(question)
    filters = _filters(doc_type, since, until, area)
    answer = _service().ask(question, k=k, filters=filters, access=_access(include_restricted))
    if json_out:
        print(answer.model_dump_json(indent=2))
        return
    console.print(answer.answer, highlight=False, markup=False)
    for note in answer.notes:
        console.print(f"Note: {note}", highlight=False, markup=False, style="italic")
    console.print()
    for c in answer.citations:
        where = ", ".join(x for x in (c.published, f"p. {c.page}" if c.page else None,
                                      f"para {c.paragraph}" if c.paragraph else None) if x)
        console.print(f"[{c.n}] {c.title} ({where}) [{c.doc_id}]", highlight=False, markup=False)
        if c.url:
            console.print(f"    {c.url}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def ratings(json_out: bool = typer.Option(False, "--json", help="Print the rows as JSON (as GET /v1/ratings)."),
            include_restricted: bool = RESTRICTED_OPTION) -> None:
    """The inspectorate's ratings in the indexed documents, newest first, each with its source passage."""
    rows = _service().ratings(access=_access(include_restricted))
    if json_out:
        print(json.dumps([r.model_dump(exclude={"doc_type", "title"}) for r in rows], indent=2))
        return
    if not rows:
        console.print("No inspection ratings were found in the indexed documents.")
        return
    table = Table("body", "inspected", "published", "overall", "standards", "source")
    for r in rows:
        standards = "\n".join(f"{name}: {rating}" for name, rating in r.standards.items())
        source = f"{r.citation.doc_id}" + (f", para {r.citation.paragraph}" if r.citation.paragraph else "")
        source += "".join(f"\nalso: {c.doc_id}" for c in r.supporting)
        table.add_row(r.body, r.inspected or "", r.published or "", r.overall or "", standards, source)
    console.print(table)


@app.command()
def doctor(repair: bool = typer.Option(False, "--repair", help="Delete orphan vectors and embed passages that "
                                                                 "have none (takes the write lock)."),
           json_out: bool = typer.Option(False, "--json", help="Print the figures as JSON.")) -> None:
    """Check that the vector store holds exactly the live passages; exit 1 if not (and not repaired)."""
    from assistant.ingest.pipeline import IngestError

    service = _service()
    try:
        drift = service.doctor(repair=repair)
    except IngestError as exc:
        fail(str(exc))
    if repair:
        service.audit.record("repair", cli_actor(), "ok" if drift.clean else "repaired",
                             orphans_deleted=len(drift.orphans), embedded=len(drift.missing))
    figures = drift.as_dict()
    if json_out:
        print(json.dumps({**figures, "repaired": repair and not drift.clean}))
    else:
        state = "in step" if drift.clean else ("repaired" if repair else "DRIFT")
        console.print(f"{state}: {drift.passages} live passages, {drift.vectors} vectors, "
                      f"{len(drift.orphans)} orphan vectors, {len(drift.missing)} passages without a vector"
                      + ("" if drift.clean or repair else "; run `assistant doctor --repair`"), highlight=False)
    if not drift.clean and not repair:
        raise typer.Exit(1)


def _load_plugins() -> None:
    """Commands from other packages (e.g. bots/) join through the `assistant.cli` entry-point group,
    so `assistant` itself never imports them."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="assistant.cli"):
        try:
            ep.load()(app)
        except Exception as exc:  # a broken plugin must not take the core commands down
            err.print(f"warning: plugin {ep.name} could not be loaded: {exc}", highlight=False, markup=False)


__import__("assistant.api.cli", fromlist=["register"]).register(app)  # serve, api-key (core)
__import__("assistant.evaluation.cli", fromlist=["register"]).register(app)  # eval, eval-beir
__import__("assistant.conversations_cli", fromlist=["register"]).register(app)  # conversations purge
_load_plugins()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
