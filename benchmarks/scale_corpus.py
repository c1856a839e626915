"""Scale corpora of 1k, 10k and 100k passages built from real text, cached under benchmarks/.cache/.

Real sentences (the 5,183 SciFact abstracts in ../shared/beir/scifact/corpus.jsonl and the
sentences of corpus/*.txt) are recombined into unique passages of 80-190 words, written as numbered
paragraphs of plain-text documents (title line, "Published <date>" line, ~10 paragraphs each) under
new doc_ids, with a manifest.yaml giving each document a type, date, area and organisation. The
product's own chunker turns each numbered paragraph into one passage, so the corpus goes through the
real pipeline (load, clean, chunk, embed, Chroma, BM25, snapshot) like any other.

The same seed always gives the same files: a corpus folder is written once, marked complete with a
stamp file, and reused by every later run (delete benchmarks/.cache/corpus-N to rebuild it).

    .venv/bin/python -m benchmarks.scale_corpus 1000 10000 100000
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
SCIFACT = ROOT.parent / "shared" / "beir" / "scifact"
GENERATOR_VERSION = 1
PASSAGES_PER_DOC = 10

AREAS = ["Midlands", "London", "North West", "North East", "Yorkshire and the Humber", "South West",
         "South East", "East of England", "Wales", "Kent, Surrey and Sussex", "Greater Manchester",
         "Leicester, Leicestershire and Rutland", "Cumbria and Lancashire", "Thames Valley", "Durham Tees Valley"]
KINDS = {
    "inspection_report": ("HM Inspectorate of Probation", "Inspection of probation services: {area} ({n})"),
    "mappa_guidance": ("MAPPA Strategic Management Board", "MAPPA annual report and guidance: {area} ({n})"),
    "board_paper": ("Probation Service partnership board", "Update to the partnership board: {area} ({n})"),
}
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\d])")


def sentences() -> list[str]:
    """Real sentences of 5-60 words: SciFact abstracts and the project corpus."""
    out: list[str] = []
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.extend(_SENT.split(row.get("text") or ""))
    for f in sorted((ROOT / "corpus").glob("*.txt")):
        text = re.sub(r"\s+", " ", f.read_text(encoding="utf-8", errors="replace"))
        out.extend(_SENT.split(text))
    keep = []
    for s in out:
        s = s.strip()
        n = len(s.split())
        # a sentence must not look like a numbered paragraph or a bullet when it opens one
        if 5 <= n <= 60 and not re.match(r"^(\d|[•\-*])", s):
            keep.append(s)
    return keep


def _passage(rng: random.Random, pool: list[str]) -> str:
    target = rng.randint(80, 190)
    words, parts = 0, []
    while words < target:
        s = pool[rng.randrange(len(pool))]
        n = len(s.split())
        if words + n > 195 and words >= 80:
            break
        parts.append(s)
        words += n
    return " ".join(parts)


def build(size: int, cache: Path = CACHE, seed: int = 20240601) -> Path:
    """The folder corpus-<size>/ with ~size passages in size/10 documents (built once, then reused)."""
    folder = cache / f"corpus-{size}"
    stamp = folder / ".complete"
    want = {"generator": GENERATOR_VERSION, "size": size, "seed": seed}
    if stamp.is_file() and json.loads(stamp.read_text()) == want:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    tmp = cache / f".corpus-{size}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "docs").mkdir(parents=True)
    rng = random.Random(seed + size)
    pool = sentences()
    seen: set[str] = set()
    n_docs = max(1, size // PASSAGES_PER_DOC)
    manifest = ["documents:"]
    start = date(2012, 1, 1)
    for d in range(n_docs):
        kind = rng.choice(list(KINDS))
        org, title_fmt = KINDS[kind]
        area = rng.choice(AREAS)
        published = start + timedelta(days=rng.randrange(13 * 365))
        title = title_fmt.format(area=area, n=d + 1)
        paras = PASSAGES_PER_DOC if d < n_docs - 1 else size - PASSAGES_PER_DOC * (n_docs - 1)
        lines = [title, "", f"Published {published.day} {published:%B %Y}", "", "Findings", ""]
        for p in range(1, paras + 1):
            text = _passage(rng, pool)
            while hashlib.sha1(text.encode()).digest() in seen:  # unique passages only
                text = _passage(rng, pool)
            seen.add(hashlib.sha1(text.encode()).digest())
            lines += [f"{p}. {text}", ""]
        name = f"docs/{kind.split('_')[0]}-{d:06d}.txt"
        (tmp / name).write_text("\n".join(lines), encoding="utf-8")
        manifest += [f"  {name}:", f"    title: {json.dumps(title)}", f"    doc_type: {kind}",
                     f"    published: {published.isoformat()}", f"    organisation: {json.dumps(org)}",
                     f"    area: {json.dumps(area)}"]
    (tmp / "manifest.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    (tmp / ".complete").write_text(json.dumps(want), encoding="utf-8")
    tmp.rename(folder)
    return folder


def queries(n: int = 200, seed: int = 7) -> list[str]:
    """Benchmark questions: SciFact claims (their answers are in every scale corpus) and probation questions."""
    probation = [
        "What overall rating did inspectors give the NPS Midlands division?",
        "What is a MAPPA level 3 case?", "When do OMIC case transfers happen?",
        "What did the inspectors say about workloads?", "How many staff vacancies does the NPS have?",
        "What are the key partnerships the NPS is involved with?",
        "What did the report say about victim contact?", "Who is responsible for statutory supervision of offenders?",
        "What is the Offender Management in Custody programme?", "How is the Midlands division organised?",
    ]
    rng = random.Random(seed)
    claims = []
    with open(SCIFACT / "queries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            text = (json.loads(line).get("text") or "").strip()
            if 3 <= len(text.split()) <= 40:
                claims.append(text)
    rng.shuffle(claims)
    mixed = claims[: max(0, n - len(probation))] + probation
    rng.shuffle(mixed)
    return mixed[:n]


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1000, 10000, 100000]
    for size in sizes:
        t0 = time.perf_counter()
        folder = build(size)
        files = sum(1 for _ in (folder / "docs").glob("*.txt"))
        print(f"corpus-{size}: {files} files in {folder} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
