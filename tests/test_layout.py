"""The agreed layering (docs/architecture.md): every surface depends on `assistant`; `assistant` never imports
`bots`."""

import re

from tests.helpers import ROOT


def test_assistant_never_imports_bots():
    offenders = []
    for path in (ROOT / "assistant").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(r"\s*(from\s+bots[\s.]|import\s+bots\b)", line) or "__import__(\"bots" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make test" in ci


def test_no_module_grows_past_400_lines():
    """Issue 16: a newcomer can read any module in one sitting; split a module before it passes 400 lines."""
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for folder in ("assistant", "bots") for p in (ROOT / folder).rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n >= 400} == {}
