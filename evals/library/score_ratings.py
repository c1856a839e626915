"""Score `assistant ratings --json` against what the library generator knows (truth.json).

    python -m evals.library.score_ratings LIBRARY/truth.json RATINGS.json [--json]

A standard (or the overall rating) counts as right when a row from that report's document gives the true
value and no row from it gives another; "Not inspected" must come back as such. The body, fieldwork month
and publication date are checked the same way. Rows citing no generated report are counted as stray.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().casefold())


def _standard_key(name: str) -> str:
    """'2.2 Planning', 'planning', 'Planning (2.2)' -> 'planning'."""
    return re.sub(r"[\d.()]+", " ", _norm(name)).strip()


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]


def _month(text: str | None) -> str | None:
    """'March 2024' and '2024-03' both -> '2024-03' (the product stores the fieldwork month as ISO)."""
    m = re.fullmatch(r"([a-z]+) (\d{4})", _norm(text))
    if m and m.group(1) in _MONTHS:
        return f"{m.group(2)}-{_MONTHS.index(m.group(1)) + 1:02d}"
    return text


def _verdict(values: list[str], truth: str) -> bool:
    vals = {_norm(v) for v in values if v}
    return vals == {_norm(truth)}


def score(truth: dict, rows: list[dict]) -> dict:
    by_doc: dict[str, list[dict]] = {}
    stray = 0
    report_ids = {r["doc_id"] for r in truth["reports"]}
    for row in rows:
        doc_id = (row.get("citation") or {}).get("doc_id")
        if doc_id in report_ids:
            by_doc.setdefault(doc_id, []).append(row)
        else:
            stray += 1
    out = {"reports": len(truth["reports"]), "rows": len(rows), "stray_rows": stray, "standards": 0,
           "standards_right": 0, "overall_right": 0, "body_right": 0, "fieldwork_right": 0, "published_right": 0,
           "per_report": []}
    for rep in truth["reports"]:
        got = by_doc.get(rep["doc_id"], [])
        std_values: dict[str, list[str]] = {}
        for row in got:
            for name, rating in (row.get("standards") or {}).items():
                std_values.setdefault(_standard_key(name), []).append(rating)
        right = {s: _verdict(std_values.get(_standard_key(s), []), r) for s, r in rep["ratings"].items()}
        overall_ok = _verdict([r.get("overall") for r in got], rep["overall"])
        body_ok = bool(got) and all(_norm(r.get("body")) in (_norm(rep["body"]), _norm(rep["short"])) for r in got)
        fieldwork_ok = _verdict([_month(r.get("inspected")) for r in got], _month(rep["fieldwork"]))
        published_ok = _verdict([r.get("published") for r in got], rep["published"])
        out["standards"] += len(right)
        out["standards_right"] += sum(right.values())
        out["overall_right"] += overall_ok
        out["body_right"] += body_ok
        out["fieldwork_right"] += fieldwork_ok
        out["published_right"] += published_ok
        out["per_report"].append({"doc_id": rep["doc_id"], "rows": len(got), "overall": overall_ok, "body": body_ok,
                                  "fieldwork": fieldwork_ok, "published": published_ok,
                                  "standards_right": sum(right.values()), "standards": len(right),
                                  "wrong": sorted(s for s, ok in right.items() if not ok),
                                  "bodies_found": sorted({r.get("body") or "" for r in got}),
                                  "overalls_found": sorted({r.get("overall") or "" for r in got})})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.library.score_ratings")
    parser.add_argument("truth", type=Path)
    parser.add_argument("ratings", type=Path, help="output of `assistant ratings --json`")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        truth = json.loads(args.truth.read_text())
        rows = json.loads(args.ratings.read_text())
    except (OSError, ValueError) as exc:
        print(f"cannot read input: {exc}", file=sys.stderr)
        return 2
    result = score(truth, rows)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    n = result["reports"]
    print(f"ratings rows: {result['rows']} ({result['stray_rows']} citing no generated report)")
    print(f"standards right: {result['standards_right']} of {result['standards']}; overall right: "
          f"{result['overall_right']} of {n}; body {result['body_right']}/{n}, fieldwork "
          f"{result['fieldwork_right']}/{n}, published {result['published_right']}/{n}")
    for rep in result["per_report"]:
        print(f"  {rep['doc_id']}: rows {rep['rows']}, standards {rep['standards_right']}/{rep['standards']}, "
              f"overall {'ok' if rep['overall'] else 'WRONG ' + str(rep['overalls_found'])}, "
              f"body {'ok' if rep['body'] else 'WRONG ' + str(rep['bodies_found'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
