"""What every command line (assistant, its plugins, the Slack bot's commands) shares: the one-line error exit."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr (never wrapped), then the exit code (2: bad input, 1: nothing to do)."""
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)
