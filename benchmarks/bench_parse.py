"""Parse + clean + table extraction time against total ingest time (issue 12 target: parsing <= 25 %).

    python -m evals.library.generate DIR --scale 320 --seed 1 --jobs 2    # the scaled library (~5,000 pages)
    nice -n 5 python -m benchmarks.bench_parse DIR [--ocr auto|off] [--limit N] [--parse-only] [--json OUT]

Runs the product's own ingest (assistant.ingest.pipeline.Ingestor, a fresh index under a temporary folder)
over every file of DIR and times each phase as it happens, exclusively (a phase nested in another is charged
to itself only):

- parse: `load_document` (pypdfium2 words, pdfplumber tables on ruled pages, furniture, footnotes, columns;
  DOCX/HTML/Markdown readers), without OCR;
- ocr: tesseract on the pages with no text layer (its own figure: seconds per scanned page);
- chunk: `chunk_blocks` (passages, table rows);
- per-file other: hashing, file limits, metadata, ratings, instruction flags;
- embed: the product's embedder over every new passage (the model loaded before the clock starts);
- chroma: existing-id lookups and upserts; snapshot: passages, documents and BM25 written and committed.

Each phase gets wall seconds and process CPU seconds (time.process_time: all threads of this process, plus
the CPU of finished child processes, i.e. tesseract), because the machine is shared and wall time is noisy.
The load average is sampled through the run, and a running account is printed every two minutes.
--ocr-every N OCRs one scanned page in N (the others are left unread) when the full OCR would not fit the time. With --parse-only the embedder is not called (parse figures
only, for comparing parser changes); with --compare, plain text with pypdfium2 and pdfplumber is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of its finished children (tesseract)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class PhaseClock:
    """Exclusive wall and CPU seconds per phase: entering a nested phase pauses the enclosing one."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list] = []  # [name, wall_start, cpu_start]

    def _charge(self, frame, now_wall, now_cpu):
        name = frame[0]
        self.wall[name] = self.wall.get(name, 0.0) + now_wall - frame[1]
        self.cpu[name] = self.cpu.get(name, 0.0) + now_cpu - frame[2]

    @contextmanager
    def phase(self, name: str):
        now_wall, now_cpu = time.perf_counter(), _cpu()
        if self._stack:
            self._charge(self._stack[-1], now_wall, now_cpu)
        self._stack.append([name, now_wall, now_cpu])
        self.calls[name] = self.calls.get(name, 0) + 1
        try:
            yield
        finally:
            now_wall, now_cpu = time.perf_counter(), _cpu()
            self._charge(self._stack.pop(), now_wall, now_cpu)
            if self._stack:
                self._stack[-1][1], self._stack[-1][2] = now_wall, now_cpu

    def wrap(self, name: str, fn):
        @wraps(fn)
        def timed(*args, **kwargs):
            with self.phase(name):
                return fn(*args, **kwargs)
        return timed


PROGRESS_S = float(os.environ.get("BENCH_PROGRESS_S", "120"))


def _loadavg() -> float:
    return os.getloadavg()[0]


def _count_pages(corpus: Path) -> tuple[int, int]:
    """(pages of all PDFs, pages of the report PDFs)."""
    import pypdfium2

    total = reports = 0
    for path in sorted(corpus.rglob("*.pdf")):
        pdf = pypdfium2.PdfDocument(str(path))
        n = len(pdf)
        pdf.close()
        total += n
        reports += n if path.parent.name == "reports" else 0
    return total, reports


def _compare_text_only(corpus: Path) -> dict:
    """Plain text of every PDF page with pypdfium2 and with pdfplumber (no layout work), wall and CPU."""
    import pdfplumber
    import pypdfium2

    out = {}
    pdfs = sorted(corpus.rglob("*.pdf"))
    w, c = time.perf_counter(), _cpu()
    for path in pdfs:
        pdf = pypdfium2.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    out["pypdfium2_text"] = {"wall_s": time.perf_counter() - w, "cpu_s": _cpu() - c}
    w, c = time.perf_counter(), _cpu()
    for path in pdfs:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                page.extract_words()
    out["pdfplumber_words"] = {"wall_s": time.perf_counter() - w, "cpu_s": _cpu() - c}
    return out


def _pdf_pages(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    n = len(pdf)
    pdf.close()
    return n


def run(corpus: Path, ocr: str, limit: int | None, parse_only: bool, ocr_every: int = 1,
        partial: Path | None = None) -> dict:
    import assistant.ingest.ocr as ocr_mod
    import assistant.ingest.pipeline as pipeline
    from assistant.config import Settings
    from assistant.service import Service

    work = Path(tempfile.mkdtemp(prefix="bench-parse-"))
    settings = Settings(corpus_dir=corpus, index_dir=work / "index", ocr=ocr)
    service = Service(settings)
    clock = PhaseClock()
    embedder = service.embedder
    if not parse_only:
        embedder.embed(["warm-up passage"] * 4)  # the model is loaded outside the clock

    passages_embedded = 0
    real_embed = embedder.embed

    def embed(texts):
        nonlocal passages_embedded
        passages_embedded += len(texts)
        if parse_only:
            import numpy as np
            return np.full((len(texts), 384), 384 ** -0.5, dtype=np.float32)
        return real_embed(texts)

    # the phases, patched where the pipeline looks them up
    originals = (pipeline.load_document, pipeline.chunk_blocks, ocr_mod.ocr_image)
    pipeline.load_document = clock.wrap("parse", pipeline.load_document)
    pipeline.chunk_blocks = clock.wrap("chunk", pipeline.chunk_blocks)
    timed_ocr = clock.wrap("ocr", ocr_mod.ocr_image)
    scans_seen = [0]

    def sampled_ocr(image):
        """Every `ocr_every`-th scanned page is OCR'd (the others come back empty: "not searchable")."""
        scans_seen[0] += 1
        return timed_ocr(image) if (scans_seen[0] - 1) % ocr_every == 0 else ""

    ocr_mod.ocr_image = sampled_ocr
    ingestor = service.ingestor()
    ingestor.embedder_factory = lambda: type("E", (), {"embed": staticmethod(clock.wrap("embed", embed))})()
    for name in ("existing_ids", "update_metadata", "upsert"):
        setattr(service.vectors, name, clock.wrap("chroma", getattr(service.vectors, name)))
    ingestor._ingest_file = clock.wrap("per-file other", ingestor._ingest_file)
    ingestor._commit = clock.wrap("snapshot", ingestor._commit)

    files = pipeline.discover([corpus])
    if limit:
        files = files[:limit]
    loads = [_loadavg()]
    last_sample = [time.perf_counter(), time.perf_counter()]
    done = {"files": 0, "pages": 0}

    def progress(kind, msg):
        if kind != "file":
            return
        done["files"] += 1
        path = Path(msg.split(": ", 1)[1])
        if path.suffix.lower() == ".pdf":
            done["pages"] += _pdf_pages(path)
        if time.perf_counter() - last_sample[0] > 10:
            loads.append(_loadavg())
            last_sample[0] = time.perf_counter()
        if time.perf_counter() - last_sample[1] > PROGRESS_S:  # a running account, in case the run is cut short
            last_sample[1] = time.perf_counter()
            w, c = clock.wall, clock.cpu
            pw, pc = w.get("parse", 0) + w.get("chunk", 0), c.get("parse", 0) + c.get("chunk", 0)
            ew, ec = w.get("embed", 0), c.get("embed", 0)
            line = (f"[{time.strftime('%H:%M:%S')}] {done['files']} files, {done['pages']} pages parsed "
                    f"({1000 * pc / max(1, done['pages']):.1f} ms/page CPU, {1000 * pw / max(1, done['pages']):.1f} wall), "
                    f"{passages_embedded} passages embedded ({1000 * ec / max(1, passages_embedded):.1f} ms/passage CPU, "
                    f"{1000 * ew / max(1, passages_embedded):.1f} wall); OCR {clock.calls.get('ocr', 0)} pages "
                    f"{c.get('ocr', 0):.0f} s CPU; load {_loadavg():.1f}")
            print(line, flush=True)
            if partial is not None:
                partial.write_text(json.dumps({"done": done, "embedded": passages_embedded, "wall": w, "cpu": c,
                                               "calls": clock.calls, "loads": loads}, indent=1))

    load_start = os.getloadavg()
    wall0, cpu0 = time.perf_counter(), _cpu()
    try:
        with clock.phase("ingest other"):
            report, snap = ingestor.run(files if limit else None, progress=progress)
    finally:
        pipeline.load_document, pipeline.chunk_blocks, ocr_mod.ocr_image = originals
    total_wall, total_cpu = time.perf_counter() - wall0, _cpu() - cpu0
    load_end = os.getloadavg()

    all_pages, report_pages = _count_pages(corpus)
    scanned = sum(1 for r in report.results for n in r.notes if "has no text layer" in n)
    ocr_used = sum(1 for r in report.results for n in r.notes if "OCR used" in n)
    return {
        "files": len(report.results), "failed": len(report.failed), "pages": all_pages,
        "report_pages": report_pages, "passages": len(snap.passages), "embedded": passages_embedded,
        "scanned_pages": scanned, "ocr_pages": ocr_used, "ocr": ocr, "ocr_every": ocr_every, "parse_only": parse_only,
        "wall": clock.wall, "cpu": clock.cpu, "calls": clock.calls,
        "total_wall_s": total_wall, "total_cpu_s": total_cpu,
        "load_start": load_start, "load_end": load_end, "load_mean_1min": sum(loads) / len(loads),
        "load_max_1min": max(loads), "cpus": os.cpu_count(),
        "torch_threads": _torch_threads(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _torch_threads() -> int | None:
    try:
        import torch
        return torch.get_num_threads()
    except ImportError:
        return None


def summarise(r: dict) -> list[str]:
    w, c = r["wall"], r["cpu"]
    parse_w, parse_c = w.get("parse", 0) + w.get("chunk", 0), c.get("parse", 0) + c.get("chunk", 0)
    embed_w, embed_c = w.get("embed", 0), c.get("embed", 0)
    ocr_w, ocr_c = w.get("ocr", 0), c.get("ocr", 0)
    pages, passages = r["pages"], max(1, r["passages"])
    lines = [
        f"{r['files']} files ({r['failed']} failed), {pages} PDF pages ({r['report_pages']} in reports), "
        f"{r['passages']} passages, {r['scanned_pages']} scanned pages ({r['ocr_pages']} OCR'd, one in "
        f"{r.get('ocr_every', 1)} tried), ocr={r['ocr']}, "
        f"{r['cpus']} CPUs, torch threads {r['torch_threads']}",
        f"load average (1/5/15 min) at start {'/'.join(f'{x:.2f}' for x in r['load_start'])}, at end "
        f"{'/'.join(f'{x:.2f}' for x in r['load_end'])}; 1-min load through the run: mean {r['load_mean_1min']:.1f}, "
        f"max {r['load_max_1min']:.1f}",
        "",
        f"{'phase':<16} {'wall s':>9} {'CPU s':>9} {'calls':>7}",
    ]
    for name in ("parse", "chunk", "ocr", "per-file other", "embed", "chroma", "snapshot", "ingest other"):
        if name in w:
            lines.append(f"{name:<16} {w[name]:9.1f} {c[name]:9.1f} {r['calls'].get(name, 0):7d}")
    lines.append(f"{'total':<16} {r['total_wall_s']:9.1f} {r['total_cpu_s']:9.1f}")
    lines.append("")
    lines.append(f"parse+clean+tables+chunk: {parse_w:.1f} s wall, {parse_c:.1f} s CPU; "
                 f"{1000 * parse_w / pages:.1f} ms/page wall, {1000 * parse_c / pages:.1f} ms/page CPU "
                 f"(parse alone {1000 * c.get('parse', 0) / pages:.1f} ms/page CPU, chunk {1000 * c.get('chunk', 0) / pages:.1f})")
    if not r["parse_only"]:
        lines.append(f"embedding: {embed_w:.1f} s wall, {embed_c:.1f} s CPU; {1000 * embed_w / passages:.1f} ms/passage "
                     f"wall ({passages / embed_w:.1f} passages/s), {1000 * embed_c / passages:.1f} ms/passage CPU")
        rest_w = r["total_wall_s"] - ocr_w
        rest_c = r["total_cpu_s"] - ocr_c
        lines.append(f"parse share of parse+embed: {100 * parse_w / (parse_w + embed_w):.1f} % by wall, "
                     f"{100 * parse_c / (parse_c + embed_c):.1f} % by CPU  (target <= 25 %)")
        lines.append(f"parse share of the whole ingest without OCR: {100 * parse_w / rest_w:.1f} % by wall, "
                     f"{100 * parse_c / rest_c:.1f} % by CPU")
    if r["ocr_pages"]:
        lines.append(f"OCR: {ocr_w:.1f} s wall, {ocr_c:.1f} s CPU (tesseract included) for {r['ocr_pages']} scanned "
                     f"pages: {ocr_w / r['ocr_pages']:.2f} s/page wall, {ocr_c / r['ocr_pages']:.2f} s/page CPU")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, help="a library written by evals.library.generate")
    ap.add_argument("--ocr", default="auto", choices=["off", "auto"])
    ap.add_argument("--limit", type=int, default=None, help="only the first N files")
    ap.add_argument("--ocr-every", type=int, default=1, metavar="N",
                    help="OCR one scanned page in N (the rest left unread), to bound the run's time")
    ap.add_argument("--parse-only", action="store_true", help="do not embed (parser figures only)")
    ap.add_argument("--compare", action="store_true", help="also time text-only pypdfium2 and pdfplumber")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = ap.parse_args(argv)

    partial = args.json.with_suffix(".partial.json") if args.json else None
    result = run(args.dir.resolve(), args.ocr, args.limit, args.parse_only, max(1, args.ocr_every), partial)
    if args.compare:
        result["compare"] = _compare_text_only(args.dir)
    for line in summarise(result):
        print(line, flush=True)
    if args.compare:
        for name, v in result["compare"].items():
            print(f"for comparison, text only, {name}: {v['wall_s']:.1f} s wall, {v['cpu_s']:.1f} s CPU "
                  f"({1000 * v['cpu_s'] / result['pages']:.1f} ms/page CPU)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=list))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
