"""Slack surface: a Bolt app that parses messages, calls assistant.service.Service and renders Block Kit.

No retrieval logic lives here. Modules:
  parse     message text -> question, filters, flags (type:..., since:..., until:..., --share, help)
  render    Answer -> Block Kit within Slack's limits (split or trimmed, never rejected)
  store     answers and feedback in SQLite under the state dir; export as an eval question set
  app       the Bolt app: mentions, DMs, /ask, buttons, rate limit, restricted documents, errors
  http      `assistant.http` entry point: POST /slack/events on the FastAPI app (HTTP mode)
  cli       `assistant.cli` entry point: `assistant slack` (Socket Mode), `assistant feedback export`
"""
