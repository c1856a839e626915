"""`assistant conversations purge --older-than 30d`: delete API conversations untouched for that long."""

from __future__ import annotations

import re

import typer

from assistant.cli_support import fail

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*$")
_UNIT_S = {"d": 86400.0, "h": 3600.0, "m": 60.0, "": 86400.0}


def parse_age(text: str) -> float:
    """'30d', '12h', '90m' or '30' (days) -> seconds."""
    m = _AGE.match(text or "")
    if not m:
        raise ValueError(f"--older-than {text!r} is not an age: write it like 30d, 12h or 90m")
    return float(m.group(1)) * _UNIT_S[m.group(2)]


def purge(older_than: str | None = typer.Option(None, "--older-than",
                                                   help="e.g. 30d, 12h (default: conversation_retention_days).")) -> None:
    """Delete conversations (and their turns) nobody has used for this long."""
    from assistant.config import get_settings
    from assistant.conversations_store import store_for

    try:
        seconds = parse_age(older_than) if older_than is not None else None
    except ValueError as exc:
        fail(str(exc))
    removed = store_for(get_settings()).purge(seconds)
    typer.echo(f"deleted {removed} conversation{'s' if removed != 1 else ''}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="API conversations (POST /v1/conversations).", no_args_is_help=True)
    group.command("purge")(purge)
    app.add_typer(group, name="conversations")
