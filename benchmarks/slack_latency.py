"""Slack bot latency (issue 4): how fast Slack gets its acknowledgement, and how long staff wait for the answer.

HTTP mode as deployed: the Bolt app mounted on FastAPI under uvicorn on 127.0.0.1, the real service over
the repository corpus, the real slack_sdk WebClient posting to the FakeSlack stand-in (tests/slack_fake.py).
Signed app_mention events are posted over HTTP; for each one we time
  ack  = the HTTP response to Slack's POST (Slack retries an event after 3 s without one),
  done = from the POST to the reactions.remove call that ends the answer (the reply is posted just before).
Two runs: sequential (one question at a time) and a burst (N people asking at the same moment).

    .venv/bin/python -m benchmarks.slack_latency [--questions 30] [--burst 20] [--write]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.common import RESULTS_MD, load, machine, pct  # noqa: E402

QUESTIONS = [
    "What did inspectors say about workloads?",
    "What rating did inspectors give the NPS Midlands division?",
    "What did inspectors recommend?",
    "What happens to cases in custody under OMIC?",
    "How is the NPS addressing staff shortages?",
    "What is MAPPA?",
    "What did the inspectors find about premises?",
    "What is the capital of France?",
]
SECTION = "## Slack bot latency (issue 4)"


def build_index(cache: Path):
    from assistant.config import Settings
    from assistant.service import Service

    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=cache / "index")
    service = Service(settings)
    report = service.ingest()
    if report.failed:
        raise SystemExit(f"ingest failed: {[r.path for r in report.failed]}")
    service.warm()
    return settings


def run(questions: int, burst: int) -> dict:
    import os

    from fastapi import FastAPI
    from slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackPoster, Uvicorn, mention

    from assistant.service import Service
    from bots.slack.http import mount

    cache = ROOT / "benchmarks" / ".cache" / "slack"
    cache.mkdir(parents=True, exist_ok=True)
    settings = build_index(cache)
    fake = FakeSlack().start()
    os.environ["SLACK_BOT_TOKEN"] = BOT_TOKEN
    os.environ["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
    db = cache / "slack.sqlite3"
    db.unlink(missing_ok=True)
    from bots.slack.settings import SlackSettings

    slack = SlackSettings(slack_api_url=fake.url, slack_feedback_db=db, slack_rate_limit_per_minute=10_000,
                          slack_max_pending=1000, slack_answer_timeout_s=120)
    app = FastAPI()
    bot = mount(app, Service(settings), settings=slack)
    bot.service.warm()
    out: dict = {}
    with Uvicorn(app) as server:
        poster = SlackPoster(server.url + "/slack/events")

        def ask(i: int, user: str, acks: list, sent: dict, errors: list) -> None:
            ev = mention(QUESTIONS[i % len(QUESTIONS)], user=user)
            t0 = time.monotonic()
            r = poster.event(ev)
            acks.append(time.monotonic() - t0)
            sent[ev["ts"]] = t0
            if r.status_code != 200:
                errors.append(r.status_code)

        def finished(sent: dict) -> list[float]:
            fake.wait_for(lambda calls: sum(c.method == "reactions.remove" for c in calls) >= len(sent), timeout=600,
                          idle=0.5)
            return [c.at - sent[c.args["timestamp"]] for c in fake.of("reactions.remove")]

        # warm-up
        ask(0, "UWARM", [], {}, [])
        fake.wait_method("reactions.remove")
        fake.reset()

        acks, sent, errors = [], {}, []
        for i in range(questions):
            ask(i, "USEQ", acks, sent, errors)
            fake.wait_for(lambda calls, n=i + 1: sum(c.method == "reactions.remove" for c in calls) >= n, idle=0.0)
        done = finished(sent)
        replies = len(fake.of("chat.postMessage"))
        out["sequential"] = {"n": questions, "acks": acks, "done": done, "errors": errors, "replies": replies}
        fake.reset()

        acks, sent, errors = [], {}, []
        threads = [threading.Thread(target=ask, args=(i, f"UB{i:03d}", acks, sent, errors)) for i in range(burst)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done = finished(sent)
        out["burst"] = {"n": burst, "acks": acks, "done": done, "errors": errors,
                        "replies": len(fake.of("chat.postMessage")), "wall": time.monotonic() - t0}
    bot.close()
    fake.stop()
    shutil.rmtree(cache / "index", ignore_errors=True)
    return out


def table(result: dict) -> str:
    rows = ["| run | questions | ack p50 ms | ack p95 ms | ack max ms | answer p50 ms | answer p95 ms | answer max ms "
            "| replies | HTTP errors |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in result.items():
        a = [x * 1000 for x in r["acks"]]
        d = [x * 1000 for x in r["done"]]
        rows.append(f"| {name} | {r['n']} | {pct(a, 50):.1f} | {pct(a, 95):.1f} | {max(a):.1f} | {pct(d, 50):.1f} | "
                    f"{pct(d, 95):.1f} | {max(d):.1f} | {r['replies']} | {len(r['errors'])} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--write", action="store_true", help=f"replace the section '{SECTION}' in RESULTS.md")
    args = parser.parse_args()
    before = load()
    result = run(args.questions, args.burst)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    md = table(result)
    print(md)
    note = (f"_Measured {when} on {machine()}; load average {before} before, {load()} after (other engineers' "
            "work shares the 2 cores)._")
    print(note)
    if args.write:
        text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else "# Benchmark results\n"
        body = (f"{SECTION}\n\n`benchmarks/slack_latency.py`: HTTP mode as deployed (Bolt on FastAPI under uvicorn, "
                "127.0.0.1), the real service over the repository corpus, the real WebClient posting to the "
                "FakeSlack stand-in; signed `app_mention` events. *ack* = the HTTP response Slack waits for "
                "(it retries after 3 s); *answer* = from the POST to the end of the reply (👀 removed). "
                "*sequential*: one question at a time; *burst*: that many people asking at once (two answer "
                "workers). The client runs in the same process as the server.\n\n"
                f"{note}\n\n{md}\n")
        if SECTION in text:
            start = text.index(SECTION)
            nxt = text.find("\n## ", start + len(SECTION))
            text = text[:start] + body + (text[nxt + 1:] if nxt != -1 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + body
        RESULTS_MD.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
