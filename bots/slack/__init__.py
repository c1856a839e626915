"""Slack surface: a Bolt app that parses messages, calls assistant.service.Service and renders Block Kit.

No retrieval logic lives here. Modules:
  parse     message text -> question, filters, flags (type:..., since:..., until:..., --share, help)
  render    Answer -> Block Kit within Slack's limits (split or trimmed, never rejected)
  store     answers and feedback in SQLite under the state dir; export as an eval question set
  settings  SlackSettings: the bot's own ASSISTANT_SLACK_* settings (tokens only from SLACK_* env vars)
  startup   credentials, the Web API client, token checks, the Socket Mode connection
  policy    where the bot answers, restricted documents, per-user rate limit (`limits`), event de-duplication
  replies   what is sent back: thread replies (mentions, DMs) and /ask replies, Slack I/O with fallbacks
  app       the Bolt app: routes mentions, DMs, /ask and buttons through one question flow
  http      `assistant.http` entry point: POST /slack/events on the FastAPI app (HTTP mode)
  cli       `assistant.cli` entry point: `assistant slack` (Socket Mode), `assistant feedback export`
"""
