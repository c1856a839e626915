"""Ask every blind question (evals/blind/questions.yaml) through the real Service and score it.

    python -m evals.blind.score CORPUS_DIR INDEX_DIR [--out report.json]

CORPUS_DIR holds the documents of evals/blind/generate.py (written there when missing). An answerable
question is right when the answer is given (answered or partial), holds every expected word, and its first
citation is the expected document, page and numbered paragraph (where the question names them); an
unanswerable one is right when the answer is not `answered`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

QUESTIONS = Path(__file__).with_name("questions.yaml")


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [dict({"answerable": True}, **q) for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]


def score_one(q: dict, answer) -> dict:
    """What was right and wrong with one answer: words, document, page, paragraph, or the refusal."""
    row = {"id": q["id"], "question": q["question"], "answerable": q["answerable"], "status": answer.status,
           "answer": answer.answer[:300]}
    first = answer.citations[0] if answer.citations else None
    if first is not None:
        row["cited"] = {"doc": first.doc_id, "page": first.page, "paragraph": first.paragraph,
                        "section": first.section}
    if not q["answerable"]:
        row["ok"] = answer.status != "answered"
        return row
    text = answer.answer.lower()
    row["given"] = answer.status != "no_answer"
    row["words"] = all(w.lower() in text for w in q["expect"])
    # stricter, reported beside: the answer's first quoted sentence holds the expected words (a sentence from
    # another document put first, e.g. newest first, reads as the answer)
    row["lead"] = all(w.lower() in text.split("[", 1)[0] for w in q["expect"])
    row["doc_ok"] = first is not None and first.doc_id == q["doc"]
    row["page_ok"] = "page" not in q or (first is not None and first.page == q["page"])
    row["paragraph_ok"] = "paragraph" not in q or (first is not None and first.paragraph == q["paragraph"])
    row["ok"] = all(row[k] for k in ("given", "words", "doc_ok", "page_ok", "paragraph_ok"))
    return row


def run(service, questions: list[dict]) -> list[dict]:
    return [score_one(q, service.ask(q["question"])) for q in questions]


def summary(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    out = {"answerable_right": f"{sum(r['ok'] for r in ans)}/{len(ans)}",
           "unanswerable_refused": f"{sum(r['ok'] for r in una)}/{len(una)}",
           "all_right": f"{sum(r['ok'] for r in rows)}/{len(rows)}"}
    for key in ("given", "words", "doc_ok", "page_ok", "paragraph_ok", "lead"):
        out[key] = f"{sum(r[key] for r in ans)}/{len(ans)}"
    return out


def main(argv: list[str] | None = None) -> None:
    from assistant.config import Settings
    from assistant.service import Service
    from evals.blind.generate import build

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("index", type=Path)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    if not (args.corpus / "manifest.yaml").exists():
        build(args.corpus)
    service = Service(Settings(corpus_dir=args.corpus, index_dir=args.index, ocr="off"))
    report = service.ingest()
    assert not report.failed, report.failed
    rows = run(service, load_questions())
    for r in rows:
        flags = "" if r["ok"] else "  <-- " + ",".join(
            k for k in ("given", "words", "doc_ok", "page_ok", "paragraph_ok") if r["answerable"] and not r[k]) \
            if r["answerable"] else ("" if r["ok"] else "  <-- answered")
        print(f"{'OK ' if r['ok'] else 'BAD'} {r['id']:22} {r['status']:9} {r.get('cited')} | {r['answer'][:110]!r}{flags}")
    print(json.dumps(summary(rows), indent=1))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary(rows), "rows": rows}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
