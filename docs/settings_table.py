"""The README's settings tables, generated from the settings classes so they cannot drift (the way simonw/llm
keeps its docs with cog).

    python -m docs.settings_table --write    # rewrite the tables in README.md
    python -m docs.settings_table --check    # exit 1 naming each table that differs (tests/test_docs.py runs it)

Each table sits between `<!-- settings:NAME:start -->` and `<!-- settings:NAME:end -->` in README.md; the prose
around it is hand-written and left alone. A row is: the environment variable, the field's
`Field(description=...)` (with other settings' names written as their variables) and the default. Secrets
that are not settings fields (SLACK_BOT_TOKEN...) stay hand-written outside the markers.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from assistant.config import Settings
from bots.slack.settings import SlackSettings

README = Path(__file__).resolve().parent.parent / "README.md"


def _is_llm(name: str) -> bool:
    return name.startswith("llm_") or name == "answer_mode"


@dataclass(frozen=True)
class Table:
    name: str  # the marker name in README.md
    cls: type[BaseSettings]
    keep: Callable[[str], bool]  # which fields of the class this table lists


TABLES = (
    Table("core", Settings, lambda name: not _is_llm(name)),
    Table("llm", Settings, _is_llm),
    Table("slack", SlackSettings, lambda name: True),
)


def variable(cls: type[BaseSettings], name: str) -> str:
    """The environment variable a field is read from (the class's env_prefix + the upper-cased name)."""
    return f"{cls.model_config.get('env_prefix', '')}{name}".upper()


def render_default(value) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, Path):
        return f"`{value.as_posix()}/`" if not value.suffix else f"`{value.as_posix()}`"
    if isinstance(value, (list, tuple, set, dict)) and not value:
        return "empty"
    return f"`{value}`"


def default_of(field) -> str:
    if field.default_factory is not None:
        return render_default(field.default_factory())
    return render_default(None if field.default is PydanticUndefined else field.default)


def missing_descriptions() -> list[str]:
    """Settings fields with no description: every row must say what the setting does."""
    seen: set[type] = set()
    missing = []
    for table in TABLES:
        if table.cls in seen:
            continue
        seen.add(table.cls)
        missing += [f"{table.cls.__name__}.{name}" for name, field in table.cls.model_fields.items()
                    if not (field.description or "").strip()]
    return missing


def render(table: Table) -> str:
    fields = {name: f for name, f in table.cls.model_fields.items() if table.keep(name)}
    names = {name: variable(t.cls, name) for t in TABLES for name in t.cls.model_fields}
    # another setting named in a description (only snake_case names: "port" or "fusion" are also plain words)
    named = sorted((re.escape(n) for n in names if "_" in n), key=len, reverse=True)
    mention = re.compile(r"(?<![`\w])(" + "|".join(named) + r")(?![`\w])")
    lines = ["| variable | meaning | default |", "|---|---|---|"]
    for name, field in fields.items():
        text = " ".join((field.description or "").split())
        text = mention.sub(lambda m: f"`{names[m.group(1)]}`", text).replace("|", "\\|")
        lines.append(f"| `{names[name]}` | {text} | {default_of(field)} |")
    return "\n".join(lines)


def _markers(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- settings:{name}:start -->\n)(.*?)(<!-- settings:{name}:end -->)", re.DOTALL)


def rewrite(text: str) -> tuple[str, list[str]]:
    """The README text with every table regenerated, and the names of the tables that changed."""
    changed = []
    for table in TABLES:
        pattern = _markers(table.name)
        match = pattern.search(text)
        if match is None:
            raise SystemExit(f"error: README.md has no <!-- settings:{table.name}:start/end --> markers")
        body = render(table) + "\n"
        if match.group(2) != body:
            changed.append(table.name)
            text = text[:match.start(2)] + body + text[match.end(2):]
    return text, changed


def main(argv: list[str]) -> int:
    if argv not in (["--write"], ["--check"]):
        print("usage: python -m docs.settings_table --write | --check", file=sys.stderr)
        return 2
    if missing := missing_descriptions():
        print(f"error: settings without a description: {', '.join(missing)}", file=sys.stderr)
        return 1
    text = README.read_text(encoding="utf-8")
    new, changed = rewrite(text)
    if argv == ["--write"]:
        if changed:
            README.write_text(new, encoding="utf-8")
        print(f"README.md: {', '.join(changed) or 'no'} table(s) rewritten")
        return 0
    if changed:
        print(f"README.md settings tables out of date: {', '.join(changed)} "
              "(run `python -m docs.settings_table --write`)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
