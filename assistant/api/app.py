"""The HTTP API: parse, check the caller, call the service, render. No retrieval logic here.

`create_app(service, settings)` assembles the FastAPI app from its parts: error mapping (errors.py), the
caller's identity (deps.py), one router per feature (routes/) and the plugins' routes. The app keeps no
per-request state, so any number of worker processes or hosts can serve the same index (see README, "HTTP API").
"""

import logging
import threading
from contextlib import asynccontextmanager
from importlib.metadata import entry_points

from fastapi import FastAPI
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

import assistant
from assistant.api import errors
from assistant.api.auth import FailedAuthLimiter, KeyRing, RateLimiter
from assistant.api.docs import mount_local_docs
from assistant.api.errors import TooLargeAsJson
from assistant.api.guard import AuthGuard
from assistant.api.metrics import Metrics, MetricsMiddleware
from assistant.api.routes import conversations, documents, ops, questions, sources, web
from assistant.api.uploads import Uploads
from assistant.config import Settings

log = logging.getLogger("assistant.api")

APP_BODY_LIMIT = 1024 * 1024  # any other route, plugins' included

DESCRIPTION = ("Cited answers from HM Inspectorate of Probation reports, MAPPA guidance and partnership "
               "board papers. Send `Authorization: Bearer <key>`; keys have the role `reader` (ask, search, "
               "read documents) or `admin` (also upload and delete). Errors are "
               "`{\"error\": {\"code\": ..., \"message\": ...}}`.")


def create_app(service=None, settings: Settings | None = None) -> FastAPI:
    """The app over `service` (default: the process-wide one). `settings` (default: the service's)
    supplies the API's own settings: keys, rate limit, upload limit."""
    if service is None:
        from assistant.service import Service, get_service  # the service loads the models: only when needed

        service = get_service() if settings is None else Service(settings)
    settings = settings or service.settings
    warmed = threading.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        def warm():
            try:
                service.warm()
                warmed.set()
            except Exception:  # readyz says why
                log.exception("warm-up failed")
        threading.Thread(target=warm, name="assistant-warm", daemon=True).start()
        yield

    app = FastAPI(title="Probation guidance assistant", version=assistant.__version__, description=DESCRIPTION,
                  lifespan=lifespan,
                  max_body_size=None,  # set below, inside the middleware that makes its 413 JSON
                  docs_url=None, redoc_url=None)  # /docs from local assets (assistant/api/docs.py), no CDN
    mount_local_docs(app)
    metrics = Metrics(service)
    app.state.service = service
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.warmed = warmed
    app.state.keyring = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.uploads = Uploads(service.settings.corpus_dir)

    errors.install(app)
    # outermost last: metrics see every response, 413s from the body limit included, as JSON
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=APP_BODY_LIMIT)
    app.add_middleware(TooLargeAsJson)
    app.add_middleware(AuthGuard, keyring=app.state.keyring, metrics=metrics,  # before any body is read
                       failures=FailedAuthLimiter(settings.auth_failures_per_minute),
                       per_minute=settings.auth_failures_per_minute)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    app.include_router(questions.router)
    app.include_router(conversations.router)
    app.include_router(sources.router)  # before documents: its {doc_id:path} would swallow .../passages
    app.include_router(documents.router)
    app.include_router(documents.upload_router(documents.max_upload_bytes(settings)))
    app.include_router(ops.router)
    web.mount(app)
    _mount_plugins(app, service)
    return app


def _mount_plugins(app: FastAPI, service) -> None:
    """Routes from other packages (the Slack bot's POST /slack/events) join through the `assistant.http`
    entry-point group, so `assistant` never imports them."""
    for ep in entry_points(group="assistant.http"):
        try:
            ep.load()(app, service)
        except Exception as exc:  # a broken plugin must not take the API down
            log.warning("HTTP plugin %s could not be mounted: %s", ep.name, exc)
