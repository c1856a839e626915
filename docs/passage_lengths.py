"""Passage word lengths as ingest makes them (load -> clean -> chunk, no embedding), so the README and the
chunk_max_words description state measured figures, not intentions.

    python -m docs.passage_lengths [FOLDER ...]      # default: corpus/

Prints, per folder and over all: passages, words p50 / p90 / p95 / max, and how many passages exceed 200
words (what all-MiniLM-L6-v2 reads in full, about 256 word pieces) and how many are under 80. Table rows (one passage per row) are counted apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embed import MAX_TOKENS, model_path
from assistant.ingest.chunk import chunk_blocks
from assistant.ingest.load import SUPPORTED_SUFFIXES, load_document
from assistant.ingest.metadata import load_manifest, resolve_metadata


def truncated(texts: list[str]) -> int:
    """How many texts are longer than the embedding model reads (256 word pieces): their ends are not embedded."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_path()) / "tokenizer.json"))
    tok.no_truncation()  # the file sets 128; count every piece
    return sum(len(e.ids) > MAX_TOKENS for e in tok.encode_batch(texts))


def passage_words(folder: Path, settings: Settings) -> tuple[list[int], int, int]:
    """Word counts of the prose passages (table rows left out: one row each, however short) the folder's files
    chunk into with these settings; and how many table-row passages there were."""
    manifest = load_manifest(folder)
    counts: list[int] = []
    prose: list[str] = []
    rows = 0
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file()):
        loaded = load_document(path, ocr_setting="off")
        meta = resolve_metadata(path, folder, manifest, loaded.blocks, overrides={"title": loaded.title}
                                if loaded.title else None)
        for node in chunk_blocks(loaded.blocks, meta, settings.chunk_min_words, settings.chunk_max_words):
            if node.metadata.get("table") is not None:
                rows += 1
            else:
                counts.append(len(node.text.split()))
                prose.append(node.text)
    return counts, rows, truncated(prose)


def describe(name: str, counts: list[int], rows: int, cut: int) -> str:
    if not counts:
        return f"{name}: no prose passages ({rows} table rows)"
    a = np.asarray(counts)
    p50, p90, p95 = (int(np.percentile(a, q)) for q in (50, 90, 95))
    return (f"{name}: {len(a)} prose passages (and {rows} table rows); words p50 {p50}, p90 {p90}, p95 {p95}, "
            f"max {a.max()}; over 200 words: {(a > 200).sum()}; under 80: {(a < 80).sum()}; over {MAX_TOKENS} word pieces: {cut}")


def main(argv: list[str]) -> None:
    settings = Settings()
    folders = [Path(a) for a in argv] or [settings.corpus_dir]
    every: list[int] = []
    all_rows = all_cut = 0
    for folder in folders:
        counts, rows, cut = passage_words(folder, settings)
        every += counts
        all_rows += rows
        all_cut += cut
        print(describe(str(folder), counts, rows, cut))
    if len(folders) > 1:
        print(describe("all", every, all_rows, all_cut))
    print(f"(chunk_min_words {settings.chunk_min_words}, chunk_max_words {settings.chunk_max_words})")


if __name__ == "__main__":
    main(sys.argv[1:])
