"""HTTP mode: POST /slack/events on the API's FastAPI app (`assistant.http` entry point).

Mounted only when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are both set. Bolt verifies every request's
signature and timestamp (forged or replayed requests get 401). Bolt's dispatch is synchronous, so it runs
in the thread pool: the event loop keeps serving the API while Bolt acknowledges and hands the work to
its listener threads.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bots.slack.app import SlackBot
from bots.slack.settings import SlackSettings
from bots.slack.startup import ConfigError, SlackCredentials

log = logging.getLogger("bots.slack")

EVENTS_PATH = "/slack/events"


def _refused(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def mount(app: FastAPI, service, *, credentials: SlackCredentials | None = None,
          settings: SlackSettings | None = None) -> SlackBot | None:
    """Add POST /slack/events when Slack HTTP mode is configured; otherwise do nothing. Returns the bot.
    `settings` default: SlackSettings() from the environment and assistant.toml."""
    credentials = credentials or SlackCredentials.from_env()
    if not (credentials.bot_token and credentials.signing_secret):
        log.info("Slack HTTP mode off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve %s", EVENTS_PATH)
        return None
    from slack_bolt.adapter.fastapi import SlackRequestHandler
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.concurrency import run_in_threadpool

    bot = None
    try:
        bot = SlackBot(service, settings)  # reads the channel defaults file
        bolt = bot.build_app(credentials.check_bot_token(), credentials.signing_secret)
    except ConfigError as exc:
        reason = str(exc)
        log.error("Slack HTTP mode not available: %s", reason)
        if bot is not None:
            bot.close()

        @app.post(EVENTS_PATH, include_in_schema=False)
        async def slack_unavailable() -> JSONResponse:
            return JSONResponse({"error": {"code": "slack_unavailable", "message": reason}}, status_code=503)

        return None

    class ThreadedSlackRequestHandler(SlackRequestHandler):
        """The fastapi adapter, with Bolt's blocking dispatch moved off the event loop."""

        async def handle(self, req: Request, addition_context_properties=None):
            body = await req.body()
            bolt_response = await run_in_threadpool(self.app.dispatch,
                                                    to_bolt_request(req, body, addition_context_properties))
            return to_starlette_response(bolt_response)

    handler = ThreadedSlackRequestHandler(bolt)

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request):
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not stamp.isdigit() or not request.headers.get("X-Slack-Signature"):
            return _refused(401, "unauthorized", "missing or malformed Slack signature headers")
        try:
            return await handler.handle(request)
        except Exception:  # a body Bolt cannot read: a clear 400, the details only in the log
            log.exception("Slack request could not be read")
            return _refused(400, "bad_request", "the request body could not be read as a Slack request")

    app.state.slack_bot = bot
    log.info("Slack HTTP mode on: %s", EVENTS_PATH)
    return bot
