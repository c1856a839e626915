"""What the document readers produce, as one JSON file: to check that a speed change to the PDF reader leaves
its output identical (blocks with text, kind, page, section, footnotes, refs and table grids; notes; passages).

    python -m benchmarks.parse_fingerprint OUT.json [DIR ...]     # default: the small library, generated
    cmp before.json after.json
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import tempfile
from pathlib import Path


def fingerprint(dirs: list[Path]) -> dict:
    from assistant.ingest.chunk import chunk_blocks
    from assistant.ingest.load import load_document
    from assistant.ingest.metadata import load_manifest, resolve_metadata
    from assistant.ingest.pipeline import discover

    out = {}
    for d in dirs:
        manifest = load_manifest(d)
        for path in discover([d]):
            doc = load_document(path, ocr_setting="off")
            meta = resolve_metadata(path, d, manifest, doc.blocks)
            out[str(path.relative_to(d))] = {
                "blocks": [dataclasses.asdict(b) for b in doc.blocks], "notes": doc.notes, "title": doc.title,
                "scanned": doc.scanned_pages,
                "passages": [[n.text, n.metadata.get("page"), n.metadata.get("section")]
                             for n in chunk_blocks(doc.blocks, meta, 80, 300)]}
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    dirs = [Path(a) for a in argv[1:]]
    if not dirs:
        from evals.library.generate import build_library

        dirs = [build_library(Path(tempfile.mkdtemp(prefix="small-lib-")))]
    data = json.dumps(fingerprint(dirs), indent=1, sort_keys=True, default=str)
    out.write_text(data)
    print(f"{len(json.loads(data))} files, sha256 {hashlib.sha256(data.encode()).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
