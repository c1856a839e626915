"""The eval runner compares the `extractive` and `llm` configurations when an LLM URL is set (the LLM here is the
scripted OpenAI-compatible server on loopback, replying as a faithful model would), and refuses `llm` clearly
when none is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.evaluation.configs import resolve
from assistant.evaluation.questions import load_sets
from assistant.evaluation.runner import build_report, run_questions, targets_for
from tests.llm_fake import FakeLLM, faithful

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "evals" / "questions" / "smoke.yaml"


def test_extractive_and_llm_configurations_side_by_side(service):
    from assistant.service import Service

    fake = FakeLLM().start()
    try:
        fake.script(faithful)
        base = Service(type(service.settings).model_validate({**service.settings.model_dump(), "llm_url": fake.url,
                                                               "llm_model": "test-model"}))
        names, questions = load_sets([SMOKE])
        configs = resolve("extractive,llm")
        with targets_for(configs, base) as targets:
            records = run_questions(questions, targets)
        report = build_report(records, configs, {"sets": names})
    finally:
        fake.stop()
    summary = report["summary"]
    assert list(summary) == ["extractive", "llm"]
    assert summary["extractive"]["n"] == summary["llm"]["n"] == len(questions)
    assert summary["extractive"]["errors"] == summary["llm"]["errors"] == 0
    by = {(r["config"], r["id"]): r for r in records}
    assert {r["mode"] for r in records if r["config"] == "extractive"} == {"extractive"}
    generated = [r for r in records if r["config"] == "llm" and r["mode"] == "llm"]
    assert generated and fake.requests  # the llm configuration did generate...
    for r in generated:  # ...and every generated answer cites only what it was given, renumbered from [1]
        assert r["status"] == "answered" and r["citations"] and r["citations"][0]["n"] == 1
    # retrieval is the same in both; questions that must be refused are refused in both
    for q in questions:
        assert by[("extractive", q.id)]["retrieved"] == by[("llm", q.id)]["retrieved"]
        if not q.answerable:
            assert by[("llm", q.id)]["status"] == by[("extractive", q.id)]["status"] == "no_answer"
    assert summary["llm"]["refusal_accuracy"] == summary["extractive"]["refusal_accuracy"]


def test_llm_configuration_without_an_llm_url_is_refused(service, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_INDEX_DIR": str(service.settings.index_dir),
                "ASSISTANT_CORPUS_DIR": str(service.settings.corpus_dir)})
    cli = Path(sys.executable).with_name("assistant")
    r = subprocess.run([str(cli), "eval", str(SMOKE), "--compare", "extractive,llm", "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert r.returncode == 2
    assert "error: configuration llm needs ASSISTANT_LLM_URL: an OpenAI-compatible endpoint" in r.stderr.splitlines()
    assert not (tmp_path / "out").exists()
