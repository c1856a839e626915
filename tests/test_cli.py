"""The CLI over a real index: exit codes, JSON shape, one line on stderr for bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import assistant.config
import assistant.service

ANSWER_KEYS = {"question", "status", "answer", "citations", "timings_ms"}
CITATION_KEYS = {"n", "doc_id", "title", "doc_type", "published", "page", "section", "paragraph", "quote", "score",
                 "source", "passage_id", "url"}


@pytest.fixture
def cli(service, corpus_settings, monkeypatch):
    """Run `assistant ...` in-process against the session's real index."""
    from assistant.cli import app

    monkeypatch.setattr(assistant.service, "_service", service)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, list(args))
    return run


def test_ask_json_has_the_design_shape(cli):
    result = cli("ask", "What rating did inspectors give NPS Midlands?", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert ANSWER_KEYS <= set(data) and data["status"] == "answered"
    assert data["citations"] and CITATION_KEYS <= set(data["citations"][0])  # extra fields (table, url) are additive
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}


def test_search_json_with_filters(cli):
    result = cli("search", "victim liaison workloads", "--k", "3", "--type", "inspection_report", "--since",
                 "2018-01-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 1 <= len(data["results"]) <= 3
    assert {r["doc_type"] for r in data["results"]} == {"inspection_report"}


def test_plain_ask_and_docs(cli):
    result = cli("ask", "How many long-term custody cases will transfer under OMIC?")
    assert result.exit_code == 0 and "350" in result.stdout and "[1]" in result.stdout
    result = cli("docs")
    assert result.exit_code == 0 and "llr-nps-board-update-2019" in result.stdout


@pytest.mark.parametrize("args,message", [
    (["ask", "   "], "the question is empty"),
    (["ask", "x" * 2001], "limit is 2000"),
    (["search", "workloads", "--type", "novel"], "--type must be one of"),
    (["search", "workloads", "--since", "last year"], "--since/--until must be dates"),
    (["ingest", "/no/such/path.pdf"], "no such file or folder"),
])
def test_bad_input_exits_2_with_one_line_on_stderr(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
