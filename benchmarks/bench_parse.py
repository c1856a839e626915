"""Parse + clean + table extraction time against total ingest time (issue 12 target: parsing <= 25 %).

    python -m evals.library.generate DIR --scale 300 --seed 1 --jobs 2    # the scaled library
    python -m benchmarks.bench_parse DIR [--limit N] [--ocr off|auto]

For every report PDF: the layout-aware reader (assistant.ingest.load.load_document: pypdfium2 words,
pdfplumber tables on ruled pages, furniture, footnotes; OCR of the image-only page when --ocr auto) and chunking, timed; then the
passages embedded with the product's embedder (the ingest's dominant cost), timed. Also, for comparison,
plain text with pypdfium2 and with pdfplumber (no layout work): what a faster text layer would save.
Prints seconds, pages and the parse share of parse + embed (the rest of ingest, Chroma and BM25 writes,
is small and not counted, so the share printed is an upper bound).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--limit", type=int, default=None, help="only the first N report PDFs")
    ap.add_argument("--ocr", default="off", choices=["off", "auto"])
    ap.add_argument("--no-compare", action="store_true", help="skip the text-only pypdfium2/pdfplumber timings")
    args = ap.parse_args(argv)

    import pdfplumber
    import pypdfium2

    from assistant.config import Settings
    from assistant.ingest.chunk import chunk_blocks
    from assistant.ingest.load import load_document
    from assistant.ingest.metadata import load_manifest, resolve_metadata
    from assistant.service import Service

    pdfs = sorted((args.dir / "reports").glob("*.pdf"))[: args.limit]
    manifest = load_manifest(args.dir)
    pages = 0
    texts: list[str] = []
    t0 = time.perf_counter()
    for path in pdfs:
        doc = load_document(path, ocr_setting=args.ocr)
        meta = resolve_metadata(path, args.dir, manifest, doc.blocks)
        texts.extend(n.text for n in chunk_blocks(doc.blocks, meta, 80, 300))
    parse_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    for path in pdfs:
        pdf = pypdfium2.PdfDocument(str(path))
        pages += len(pdf)
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    pdfium_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for path in pdfs if not args.no_compare else []:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                page.extract_words()
    plumber_words_s = time.perf_counter() - t0

    embedder = Service(Settings()).embedder
    embedder.embed(texts[:8])  # load the model outside the timing
    t0 = time.perf_counter()
    embedder.embed(texts)
    embed_s = time.perf_counter() - t0

    share = parse_s / (parse_s + embed_s)
    print(f"{len(pdfs)} report PDFs, {pages} pages, {len(texts)} passages, ocr={args.ocr}, {os.cpu_count()} CPUs")
    print(f"parse+clean+tables+chunk (layout reader): {parse_s:.1f} s ({1000 * parse_s / pages:.0f} ms/page)")
    print(f"embedding ({type(embedder).__name__}): {embed_s:.1f} s ({1000 * embed_s / len(texts):.1f} ms/passage)")
    print(f"parse share of parse+embed: {100 * share:.0f} %  (target <= 25 %)")
    if not args.no_compare:
        print(f"for comparison, text only: pypdfium2 {pdfium_s:.1f} s ({1000 * pdfium_s / pages:.0f} ms/page), "
              f"pdfplumber extract_words {plumber_words_s:.1f} s ({1000 * plumber_words_s / pages:.0f} ms/page)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
