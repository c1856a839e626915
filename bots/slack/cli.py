"""`assistant slack` (Socket Mode) and `assistant feedback export`, joined to the CLI through the
`assistant.cli` entry point. Heavy imports (Bolt, the model) happen inside the commands."""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
from pathlib import Path

import typer

from assistant.cli_support import fail


def register(app: typer.Typer) -> None:
    app.command("slack")(slack)
    feedback = typer.Typer(help="Feedback staff gave in Slack (👍/👎).", no_args_is_help=True)
    feedback.command("export")(export)
    feedback.command("purge")(purge)
    app.add_typer(feedback, name="feedback")


def slack(log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING or ERROR.")) -> None:
    """Run the Slack bot over Socket Mode (no public URL needed): needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN."""
    from bots.slack.app import SlackBot
    from bots.slack.startup import ConfigError, SlackCredentials

    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        fail(f"--log-level must be DEBUG, INFO, WARNING or ERROR (got {log_level!r})")
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    credentials = SlackCredentials.from_env()
    try:  # cheap checks first, before the model loads
        credentials.check_bot_token()
        credentials.check_app_token()
    except ConfigError as exc:
        fail(str(exc))

    from assistant.service import get_service
    from bots.slack.channels import load_channel_defaults
    from bots.slack.settings import SlackSettings
    from bots.slack.startup import verify_app_token, verify_bot_token, web_client

    slack_settings = SlackSettings()
    assert credentials.bot_token is not None and credentials.app_token is not None  # checked by check_*_token
    try:  # the admin's files and then Slack, before the model loads, so a mistake fails in a second
        load_channel_defaults(slack_settings.slack_channel_defaults)
        client = web_client(slack_settings, credentials.bot_token, quiet=True)
        verify_bot_token(client, slack_settings)
        verify_app_token(client, slack_settings, credentials.app_token)
    except ConfigError as exc:
        fail(str(exc))
    service = get_service()
    settings = service.settings
    bot = SlackBot(service, slack_settings)
    try:
        service.warm()
    except Exception as exc:
        fail(f"the index could not be loaded from {settings.index_dir}: {exc}")
    if not service.documents():
        print(f"warning: the index in {settings.index_dir} is empty: run `assistant ingest` (until then the bot "
              "replies that it has nothing to answer from)", file=sys.stderr)
    try:
        connection = _start(bot, credentials)
    except ConfigError as exc:
        bot.close()
        fail(str(exc))
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    print("Slack bot connected over Socket Mode; Ctrl-C to stop.", file=sys.stderr)
    try:  # says when the connection drops and comes back; past the retry budget, exits 2
        connection.watch(stop, say=lambda line: print(line, file=sys.stderr))
    except ConfigError as exc:
        fail(str(exc))
    finally:
        connection.close()
        bot.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(bot, credentials):
    from bots.slack.startup import start_socket_mode

    return start_socket_mode(bot, credentials)


def export(out: Path | None = typer.Option(None, "--out", help="Write the YAML here (default: standard output)."),
           vote: str = typer.Option("all", "--vote", help="Which items: up, down or all."),
           name: str = typer.Option("slack-feedback", "--name", help="The question set's name.")) -> None:
    """Write 👍/👎 feedback from Slack as a question set (docs/architecture.md, "Question sets") for
    `assistant eval`."""
    import yaml

    from assistant.config import get_settings
    from bots.slack.settings import SlackSettings
    from bots.slack.store import SlackStore

    if vote not in ("up", "down", "all"):
        fail(f"--vote must be up, down or all (got {vote!r})")
    path = SlackSettings().feedback_db(get_settings().state_dir)
    if not path.exists():
        fail(f"no Slack feedback yet: {path} does not exist (the bot creates it when it first answers)")
    data, review = SlackStore(path).question_set(vote, name=name)
    if not data["questions"] and not review:
        fail(f"no feedback matches --vote {vote}: nothing written", code=1)
    lines = ["# Questions staff rated with 👍/👎 in Slack (assistant feedback export); run with `assistant eval`.",
             "# needs_review: answers staff marked 👎 (with their reasons). `assistant eval` skips them: label one",
             "# (expected_sources and expected_quote, or answerable: false) and move it into questions to use it."]
    if review:
        data["needs_review"] = review
    text = "\n".join(lines) + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    if out is None:
        sys.stdout.write(text)
    else:
        if not out.parent.exists():
            fail(f"--out: folder {out.parent} does not exist")
        out.write_text(text, encoding="utf-8")
        print(f"{len(data['questions'])} questions written to {out}"
              + (f"; {len(review)} need review (needs_review)" if review else ""),
              file=sys.stderr)


_DURATION = re.compile(r"^\s*(\d+)\s*([dwh]?)\s*$", re.IGNORECASE)
_UNIT_S = {"": 86400, "d": 86400, "w": 7 * 86400, "h": 3600}


def parse_age(text: str) -> float:
    """'365d', '52w', '12h' or a number of days -> seconds; ValueError otherwise."""
    m = _DURATION.match(text or "")
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"--older-than must be a positive number of days like 365d (or weeks 52w, hours 12h); "
                         f"got {text!r}")
    return int(m.group(1)) * _UNIT_S[m.group(2).lower()]


def purge(older_than: str = typer.Option(..., "--older-than", help="Age like 365d, 52w or 12h.")) -> None:
    """Delete Slack answers and votes older than --older-than (retention; ASSISTANT_SLACK_RETENTION_DAYS does
    it whenever the bot starts)."""
    from assistant.config import get_settings
    from bots.slack.settings import SlackSettings
    from bots.slack.store import SlackStore

    try:
        seconds = parse_age(older_than)
    except ValueError as exc:
        fail(str(exc))
    path = SlackSettings().feedback_db(get_settings().state_dir)
    if not path.exists():
        print(f"nothing to purge: {path} does not exist", file=sys.stderr)
        return
    counts = SlackStore(path).purge(seconds)
    from assistant.audit import AuditLog, cli_actor

    AuditLog.from_settings(get_settings()).record("purge", cli_actor(), "ok", older_than=older_than.strip(),
                                               answers=counts["answers"], feedback=counts["feedback"])
    print(f"{counts['answers']} answers and {counts['feedback']} votes older than {older_than.strip()} deleted "
          f"from {path}")
