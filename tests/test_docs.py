"""Docs that match the code: the README's settings tables are what docs/settings_table.py renders from the
settings classes, every setting says what it does, and docs/architecture.md names what the code has."""

from __future__ import annotations

import re
import tomllib

from docs import settings_table
from tests.helpers import ROOT

ARCHITECTURE = ROOT / "docs" / "architecture.md"
# the prose docs a newcomer reads; files and folders they name in `backticks` or as plain paths must exist
PROSE = [ROOT / "README.md", ARCHITECTURE, ROOT / "evals" / "README.md", ROOT / "benchmarks" / "README.md",
         ROOT / "CHANGELOG.md"]
PATH = re.compile(r"(?<![\w/.-])((?:assistant|bots|benchmarks|evals|tests|docs)/[\w./-]*\w)")
GENERATED = ("evals/reports", "benchmarks/.cache", "evals/questions/slack-feedback.yaml")  # made by runs


def test_readme_settings_tables_are_generated_from_settings():
    text = settings_table.README.read_text(encoding="utf-8")
    new, changed = settings_table.rewrite(text)
    assert not changed, (f"README.md settings tables out of date: {changed}; "
                         "run `python -m docs.settings_table --write`")
    assert settings_table.main(["--check"]) == 0


def test_every_setting_has_a_description():
    assert settings_table.missing_descriptions() == []


def test_check_fails_when_a_table_drifts():
    text = settings_table.README.read_text(encoding="utf-8")
    drifted = text.replace("| `ASSISTANT_TOP_K` |", "| `ASSISTANT_TOP_K_OLD` |", 1)
    assert drifted != text
    assert settings_table.rewrite(drifted)[1] == ["core"]


def test_every_table_lists_every_field_once():
    text = settings_table.README.read_text(encoding="utf-8")
    for cls in {t.cls for t in settings_table.TABLES}:
        for name in cls.model_fields:
            assert text.count(f"| `{settings_table.variable(cls, name)}` |") == 1, name


def test_paths_named_in_the_docs_exist():
    missing = []
    for doc in PROSE:
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            for m in PATH.finditer(line):
                path = m.group(1).rstrip(".")
                if any(c in path for c in "*<{") or path.startswith(GENERATED):
                    continue
                if not (ROOT / path).exists():
                    missing.append(f"{doc.relative_to(ROOT)}:{n}: {path}")
    assert not missing, "\n".join(missing)


def test_architecture_names_every_step_router_and_entry_point():
    from assistant.ask import STEPS

    text = ARCHITECTURE.read_text(encoding="utf-8")
    for step in STEPS:
        assert f"`{step.__name__}`" in text, step.__name__
    for router in (ROOT / "assistant" / "api" / "routes").glob("[!_]*.py"):
        assert f"routes/{router.name}" in text, router.name
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for group, entries in pyproject["project"]["entry-points"].items():
        assert f"`{group}`" in text, group
        for target in entries.values():
            assert target in text, target


def test_architecture_lists_every_module():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = []
    for package in ("assistant", "assistant/ingest", "assistant/api", "assistant/llm", "assistant/evaluation",
                    "bots/slack"):
        for module in (ROOT / package).glob("[!_]*.py"):
            if f"`{module.name}`" not in text and f"{package}/{module.name}" not in text:
                missing.append(f"{package}/{module.name}")
    assert not missing, f"docs/architecture.md does not say what these own: {missing}"


def test_answer_fields_are_documented():
    from assistant.models import Answer, Citation

    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text[text.index("## The answer JSON"):text.index("## Question sets")]
    for name in Answer.model_fields:
        assert f"`{name}`" in section, name
    for name in Citation.model_fields:
        assert f"`{name}`" in section, name
    status = Answer.model_fields["status"].annotation.__args__
    for value in status:
        assert f"`{value}`" in section, value
