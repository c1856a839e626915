"""Write the fictional probation library: reports, MAPPA protocols, board papers, a press release and a
restricted note, with the corpus manifest.yaml the product reads and truth.json (what the generator knows).

    python -m evals.library.generate OUT_DIR [--scale N_REPORTS] [--seed S]

Without --scale: the small library the question set evals/library/questions.yaml was written from
(3 reports; the same bytes of text whatever the seed). With --scale N: N inspection reports (the 3 fixed
ones first, then varied names, figures, ratings and lengths from the seed) plus the other documents,
for benchmarks (300 reports are about 5,000 pages).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from evals.library.documents import (
    HTML_PAGE,
    MINUTES_MD,
    RESTRICTED_CANARY,
    RESTRICTED_MD,
    press_release,
    write_board_paper_pdf,
    write_mappa_protocol,
)
from evals.library.report_pdf import INSPECTORATE, write_report_pdf
from evals.library.truth import ReportSpec, fixed_reports, ratings_rows, scaled_reports

__all__ = ["build_library", "RESTRICTED_CANARY", "main"]

PRESS_SPEC = "hmip-calderbrook-wendle-pdu-2024"


def _write_one(spec: ReportSpec, target: Path) -> tuple[int, int | None]:
    pages = write_report_pdf(spec, target)
    return pages, spec.extra.get("scan_page")


def build_library(out_dir: Path, scale: int | None = None, seed: int = 0, jobs: int = 1) -> Path:
    """Write the library into out_dir (created if needed) and return out_dir.

    The small library takes a few seconds; `scale` reports take about 0.4 s of CPU each (`jobs` processes).
    """
    out_dir = Path(out_dir)
    reports = scaled_reports(scale, seed) if scale else fixed_reports()
    for sub in ("reports", "mappa", "board", "press", "restricted"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    targets = [out_dir / "reports" / f"{spec.slug}.pdf" for spec in reports]
    if jobs > 1 and len(reports) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            done = list(pool.map(_write_one, reports, targets, chunksize=4))
    else:
        done = [_write_one(spec, target) for spec, target in zip(reports, targets, strict=False)]
    pages = 0
    for spec, (n, scan_page) in zip(reports, done, strict=False):
        pages += n
        spec.extra["scan_page"] = scan_page
        manifest[f"reports/{spec.slug}.pdf"] = {
            "title": spec.title, "doc_type": "inspection_report", "published": spec.published.isoformat(),
            "organisation": INSPECTORATE, "area": f"{spec.place}, {spec.region} region",
            "source": f"https://inspectorate.example/reports/{spec.slug}"}

    for year, newer in ((2022, None), (2024, "mappa/northmoor-mappa-protocol-2022")):
        name = f"mappa/northmoor-mappa-protocol-{year}.docx"
        write_mappa_protocol(out_dir / name, year)
        entry = {"title": f"Northmoor MAPPA Operating Protocol ({year})", "doc_type": "mappa_guidance",
                 "published": "2022-04-01" if year == 2022 else "2024-09-02",
                 "organisation": "Northmoor MAPPA Strategic Management Board", "area": "Northmoor region",
                 "source": f"https://northmoor-mappa.example/protocol-{year}"}
        if newer:
            entry["supersedes"] = newer
        else:
            entry["superseded_by"] = "mappa/northmoor-mappa-protocol-2024"
        manifest[name] = entry

    write_board_paper_pdf(out_dir / "board" / "northmoor-rrb-accommodation-2024.pdf")
    manifest["board/northmoor-rrb-accommodation-2024.pdf"] = {
        "title": "Accommodation on release from custody (Paper RRB/24/07)", "doc_type": "board_paper",
        "published": "2024-04-18", "organisation": "Northmoor Reducing Reoffending Board", "area": "Northmoor region"}
    (out_dir / "board" / "eastvale-csp-iom-performance-2024.html").write_text(HTML_PAGE, encoding="utf-8")
    manifest["board/eastvale-csp-iom-performance-2024.html"] = {
        "title": "Performance report: integrated offender management, quarter 3 2023-24", "doc_type": "board_paper",
        "published": "2024-03-14", "organisation": "Eastvale Community Safety Partnership", "area": "Eastvale",
        "source": "https://eastvale-csp.example/board/2024-03-14/performance"}
    (out_dir / "board" / "southerly-downs-rrb-minutes-2024-02.md").write_text(MINUTES_MD, encoding="utf-8")
    manifest["board/southerly-downs-rrb-minutes-2024-02.md"] = {
        "title": "Southerly Downs Reducing Reoffending Board: minutes of 5 February 2024", "doc_type": "board_paper",
        "published": "2024-02-05", "organisation": "Southerly Downs Reducing Reoffending Board",
        "area": "Southerly Downs region"}

    press = next(r for r in fixed_reports() if r.slug == PRESS_SPEC)
    (out_dir / "press" / f"{press.slug}-press-release.txt").write_text(press_release(press), encoding="utf-8")
    manifest[f"press/{press.slug}-press-release.txt"] = {
        "title": f"{press.short} rated '{press.overall}' by inspectors", "doc_type": "inspection_report",
        "published": press.published.isoformat(), "organisation": INSPECTORATE,
        "area": f"{press.place}, {press.region} region"}

    (out_dir / "restricted" / "northmoor-mappa-level3-review-2024.md").write_text(RESTRICTED_MD, encoding="utf-8")
    manifest["restricted/northmoor-mappa-level3-review-2024.md"] = {
        "title": "Northmoor MAPPA level 3 case review: learning summary", "doc_type": "mappa_guidance",
        "published": "2024-04-02", "organisation": "Northmoor MAPPA Strategic Management Board",
        "area": "Northmoor region", "restricted": True}

    header = ("# Written by evals/library/generate.py: a fictional library (no real bodies, people or figures).\n"
              "# Fields as corpus/manifest.yaml.\n")
    (out_dir / "manifest.yaml").write_text(header + yaml.safe_dump({"documents": manifest}, sort_keys=False,
                                                                   allow_unicode=True), encoding="utf-8")
    (out_dir / "truth.json").write_text(json.dumps({
        "reports": [_report_truth(r) for r in reports], "ratings": ratings_rows(reports),
        "report_pages": pages, "restricted_canary": RESTRICTED_CANARY,
        "restricted_doc_id": "restricted/northmoor-mappa-level3-review-2024",
        "image_only_page": {r.doc_id: r.extra.get("scan_page") for r in reports},
    }, indent=1), encoding="utf-8")
    return out_dir


def _report_truth(r: ReportSpec) -> dict:
    return {"doc_id": r.doc_id, "body": r.body, "short": r.short, "region": r.region, "fieldwork": r.fieldwork_text,
            "published": r.published.isoformat(), "overall": r.overall, "score": r.score, "ratings": r.ratings,
            "scan_fact": f"office at {r.office_move[0]} will close on {r.office_move[2]}",
            "upw_hours_prev_year": r.upw_hours_prev_year}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.library.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=int, default=None, metavar="N_REPORTS",
                        help="write N inspection reports (3 fixed + varied ones) instead of the small library")
    parser.add_argument("--seed", type=int, default=0, help="seed for the varied reports of --scale")
    parser.add_argument("--jobs", type=int, default=1, help="processes writing reports in parallel")
    args = parser.parse_args(argv)
    if args.scale is not None and args.scale < 1:
        print("--scale must be at least 1", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    build_library(args.out_dir, args.scale, args.seed, max(1, args.jobs))
    truth = json.loads((args.out_dir / "truth.json").read_text())
    print(f"wrote {len(truth['reports'])} reports ({truth['report_pages']} report pages) and 7 other documents "
          f"to {args.out_dir} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
