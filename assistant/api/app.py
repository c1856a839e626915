"""The HTTP API: parse, check the caller, call the service, render. No retrieval logic here.

`create_app(service, settings)` builds the FastAPI app. The app keeps no per-request state, so any
number of worker processes or hosts can serve the same index (see README, "HTTP API").
"""

import logging
import threading
import time
from contextlib import asynccontextmanager
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, File, Form, Path as PathParam, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

import assistant
from assistant.answer import citation_for
from assistant.api.auth import FailedAuthLimiter, KeyRing, Principal, RateLimiter, is_loopback
from assistant.api.docs import mount_local_docs
from assistant.api.guard import AuthGuard
from assistant.api.metrics import Metrics, MetricsMiddleware
from assistant.api.schemas import (AskIn, DocType, DocumentList, DocumentOut, ErrorOut, Health, QueryIn, SearchOut,
                                   RatingsOut, UploadOut)
from assistant.api.stream import SSE_RESPONSE, answer_event_stream
from assistant.api.uploads import Uploads, UploadError, safe_filename
from assistant.config import Settings
from assistant.models import Answer, QuestionError

log = logging.getLogger("assistant.api")

JSON_BODY_LIMIT = 64 * 1024  # a 2000-character question with filters is far below this
APP_BODY_LIMIT = 1024 * 1024  # any other route, plugins' included
UPLOAD_OVERHEAD = 256 * 1024  # multipart boundaries and form fields on top of the file itself
UPLOAD_LOCK_TIMEOUT = 60.0  # seconds an upload or delete waits for another writer before 409

ERROR_RESPONSES = {
    400: {"model": ErrorOut, "description": "the body cannot be parsed"},
    401: {"model": ErrorOut, "description": "no or unknown API key"},
    403: {"model": ErrorOut, "description": "the key's role may not do this"},
    422: {"model": ErrorOut, "description": "invalid input; the message names the field"},
    429: {"model": ErrorOut, "description": "rate limit reached; see Retry-After"},
}
BODY_RESPONSES = {**ERROR_RESPONSES, 413: {"model": ErrorOut, "description": "request body too large"}}

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "payload_too_large", 415: "unsupported_file_type", 422: "invalid_request",
          429: "rate_limited", 500: "internal_error", 503: "not_ready"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, headers: dict | None = None,
                   fields: list | None = None) -> JSONResponse:
    body: dict = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return JSONResponse(body, status_code=status, headers=headers)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


class TooLargeAsJson:
    """The framework's body limit answers 413 in plain text before any handler runs; make it our JSON."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rewriting = False

        async def send_wrapper(message):
            nonlocal rewriting
            if message["type"] == "http.response.start" and message["status"] == 413:
                ctype = dict(message.get("headers") or []).get(b"content-type", b"")
                if not ctype.startswith(b"application/json"):
                    rewriting = True
                    body = error_response(413, "payload_too_large", "the request body is too large").body
                    await send({"type": "http.response.start", "status": 413,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
            if rewriting:
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)


def create_app(service=None, settings: Settings | None = None) -> FastAPI:
    """The app over `service` (default: the process-wide one). `settings` (default: the service's)
    supplies the API's own settings: keys, rate limit, upload limit."""
    if service is None:
        from assistant.service import Service, get_service

        service = get_service() if settings is None else Service(settings)
    settings = settings or service.settings
    keyring = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    limiter = RateLimiter(settings.rate_limit_per_minute)
    metrics = Metrics(service)
    uploads = Uploads(service.settings.corpus_dir)
    max_upload = int(settings.max_upload_mb * 1e6)
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

    app = FastAPI(
        title="Probation guidance assistant",
        version=assistant.__version__,
        description="Cited answers from HM Inspectorate of Probation reports, MAPPA guidance and partnership "
                    "board papers. Send `Authorization: Bearer <key>`; keys have the role `reader` (ask, search, "
                    "read documents) or `admin` (also upload and delete). Errors are "
                    "`{\"error\": {\"code\": ..., \"message\": ...}}`.",
        lifespan=lifespan,
        max_body_size=None,  # set below, inside the middleware that makes its 413 JSON
        docs_url=None, redoc_url=None,  # /docs from local assets (assistant/api/docs.py), no CDN
    )
    mount_local_docs(app)
    app.state.service = service
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.warmed = warmed

    # --- errors: always JSON, never a stack trace ---------------------------------------------
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        elif exc.status_code == 413:
            message = "the request body is too large"
        return error_response(exc.status_code, _CODES.get(exc.status_code, "error"), message,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(UploadError)
    async def upload_error(request: Request, exc: UploadError):
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        fields = []
        for e in exc.errors():
            if e.get("type") == "json_invalid":
                fields.append({"field": "body", "message": f"not valid JSON ({(e.get('ctx') or {}).get('error', 'decode error')})"})
            else:
                fields.append({"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")})
        message = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5]) or "invalid request"
        return error_response(422, "invalid_request", message, fields=fields)

    @app.exception_handler(QuestionError)
    async def question_error(request: Request, exc: QuestionError):
        return error_response(422, "invalid_request", f"question: {exc}",
                              fields=[{"field": "question", "message": str(exc)}])

    @app.exception_handler(httpx.TransportError)
    async def store_unreachable(request: Request, exc: httpx.TransportError):
        # the Chroma server (ASSISTANT_CHROMA_URL) is down or unreachable: a retryable outage, not a bug
        log.error("vector store unreachable on %s %s: %s", request.method, request.url.path, exc)
        return error_response(503, "unavailable", "the vector store is unreachable; try again shortly",
                              headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "internal error; the server log has the details")

    # outermost last: metrics see every response, 413s from the body limit included, as JSON
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=APP_BODY_LIMIT)
    app.add_middleware(TooLargeAsJson)
    app.add_middleware(AuthGuard, keyring=keyring, failures=FailedAuthLimiter(settings.auth_failures_per_minute),
                       metrics=metrics, per_minute=settings.auth_failures_per_minute)  # before any body is read
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    # --- who is calling -----------------------------------------------------------------------
    bearer = HTTPBearer(auto_error=False, description="an API key from ASSISTANT_API_KEYS")

    def principal(request: Request,
                  creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
        if not keyring.enabled:
            # No keys configured: the server only binds loopback (`assistant serve` refuses otherwise);
            # if it is exposed some other way, refuse callers that are not on this machine.
            client = request.client.host if request.client else ""
            if client and client != "testclient" and not is_loopback(client):
                raise ApiError(403, "forbidden", "this server has no API keys configured and only answers "
                                                 "requests from this machine; set ASSISTANT_API_KEYS")
            who = Principal(f"anon-{client or 'local'}", "admin", anonymous=True)
        else:
            if creds is None or not creds.credentials:
                raise ApiError(401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'",
                               headers={"WWW-Authenticate": "Bearer"})
            who = keyring.identify(creds.credentials)
            if who is None:
                raise ApiError(401, "unauthorized", "unknown API key", headers={"WWW-Authenticate": "Bearer"})
        retry = limiter.hit(who.key_id)
        if retry is not None:
            metrics.rate_limited.inc()
            raise ApiError(429, "rate_limited", f"rate limit of {settings.rate_limit_per_minute} requests per "
                                                f"minute reached; retry in {retry} s",
                           headers={"Retry-After": str(retry)})
        return who

    def require(role: str):
        def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
            if not who.can(role):
                raise ApiError(403, "forbidden", f"this key has the role {who.role!r}; this needs {role!r}")
            return who
        return check

    Reader = Annotated[Principal, Depends(require("reader"))]
    Admin = Annotated[Principal, Depends(require("admin"))]

    # --- queries ------------------------------------------------------------------------------
    @app.post("/v1/ask", response_model=Answer, tags=["questions"], responses={**BODY_RESPONSES, 200: SSE_RESPONSE},
              summary="A short answer with [n] markers and the passages it rests on", max_body_size=JSON_BODY_LIMIT)
    def ask(body: AskIn, who: Reader) -> Answer:
        filters = body.filters.to_filters() if body.filters else None

        def observe(answer: Answer) -> None:
            metrics.retrieval.labels("ask").observe(answer.timings_ms.get("retrieve", 0.0) / 1000)
            metrics.answer.observe(answer.timings_ms.get("answer", 0.0) / 1000)

        if body.stream:  # server-sent events (assistant/api/stream.py); a bad question is still a 422 here
            return answer_event_stream(service.ask_stream(body.question, k=body.top_k, filters=filters,
                                                          mode=body.mode), observe)
        answer = service.ask(body.question, k=body.top_k, filters=filters, mode=body.mode)
        observe(answer)
        return answer

    @app.post("/v1/search", response_model=SearchOut, tags=["questions"], responses=BODY_RESPONSES,
              summary="Ranked passages with scores and citation fields", max_body_size=JSON_BODY_LIMIT)
    def search(body: QueryIn, who: Reader) -> SearchOut:
        filters = body.filters.to_filters() if body.filters else None
        started = time.perf_counter()
        results = service.search(body.question, k=body.top_k, filters=filters, mode=body.mode)
        metrics.retrieval.labels("search").observe(time.perf_counter() - started)
        return SearchOut(query=body.question.strip(), results=[citation_for(i + 1, r) for i, r in enumerate(results)])

    # --- documents ----------------------------------------------------------------------------
    @app.get("/v1/documents", response_model=DocumentList, tags=["documents"], responses=ERROR_RESPONSES,
             summary="Indexed documents, by doc_id, a page at a time")
    def list_documents(who: Reader,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                       doc_type: Annotated[DocType | None, Query()] = None) -> DocumentList:
        docs = service.documents()
        if doc_type:
            docs = [d for d in docs if d.doc_type == doc_type]
        page = [DocumentOut.of(d) for d in docs[offset:offset + limit]]
        return DocumentList(documents=page, total=len(docs), limit=limit, offset=offset)

    doc_id_param = PathParam(description="e.g. hmip-midlands-nps-press-release-2018 or uploads/my-paper",
                             min_length=1, max_length=300)

    @app.get("/v1/documents/{doc_id:path}", response_model=DocumentOut, tags=["documents"],
             responses={**ERROR_RESPONSES, 404: {"model": ErrorOut, "description": "no such document"}},
             summary="One document's metadata and passage count")
    def get_document(doc_id: Annotated[str, doc_id_param], who: Reader) -> DocumentOut:
        doc = service.document(doc_id)
        if doc is None:
            raise ApiError(404, "not_found", f"no document with doc_id {doc_id!r}")
        return DocumentOut.of(doc)

    @app.get("/v1/ratings", response_model=RatingsOut, tags=["documents"], responses=ERROR_RESPONSES,
             summary="Inspection ratings found in the indexed documents, newest first, each with its citation")
    def list_ratings(who: Reader) -> RatingsOut:
        return RatingsOut(ratings=service.ratings())

    @app.post("/v1/documents", response_model=UploadOut, status_code=201, tags=["documents"],
              responses={**BODY_RESPONSES, 409: {"model": ErrorOut, "description": "another write is running, "
                                                  "or another upload has the same doc_id"},
                         413: {"model": ErrorOut, "description": "file over the upload limit"},
                         415: {"model": ErrorOut, "description": "file type not accepted"}},
              summary="Upload one document (admin); it is answerable when this returns 201",
              openapi_extra={"x-max-body-size": max_upload + UPLOAD_OVERHEAD},
              max_body_size=max_upload + UPLOAD_OVERHEAD)
    def upload_document(
            who: Admin,
            file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, Markdown or text")],
            title: Annotated[str | None, Form(min_length=1, max_length=500)] = None,
            doc_type: Annotated[DocType | None, Form()] = None,
            published: Annotated[date | None, Form(description="YYYY-MM-DD")] = None,
            organisation: Annotated[str | None, Form(min_length=1, max_length=300)] = None,
            area: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
            source: Annotated[str | None, Form(min_length=1, max_length=1000)] = None,
            restricted: Annotated[bool | None, Form()] = None) -> UploadOut:
        from assistant.ingest.pipeline import IngestError

        started = time.perf_counter()
        name = safe_filename(file.filename)
        target = uploads.target(name)
        metadata = {k: v for k, v in {"title": title, "doc_type": doc_type,
                                      "published": published.isoformat() if published else None,
                                      "organisation": organisation, "area": area, "source": source,
                                      "restricted": restricted}.items() if v is not None}
        # where a citation says the text came from; never the server's absolute path
        metadata.setdefault("source", f"{Path(service.settings.corpus_dir).name}/uploads/{name}")
        tmp = uploads.receive(file.file, name, max_upload)
        try:
            with uploads.lock(UPLOAD_LOCK_TIMEOUT):
                clash = uploads.same_stem(target)
                if clash:
                    raise ApiError(409, "conflict", f"{clash[0].name} is already uploaded with the same doc_id "
                                                    f"(uploads/{target.stem}); delete it first or rename the file")
                backup = uploads.place(tmp, target)
                previous_entry = uploads.set_entry(name, metadata)
                try:
                    report = service.ingest([target], overrides={str(target): metadata},
                                            lock_timeout=UPLOAD_LOCK_TIMEOUT)
                except BaseException as exc:
                    uploads.rollback(target, backup)
                    uploads.set_entry(name, previous_entry)
                    if isinstance(exc, IngestError):
                        metrics.ingest_failures.labels("busy").inc()
                        raise ApiError(409, "conflict", str(exc), headers={"Retry-After": "5"}) from exc
                    raise
                result = report.results[0]
                metrics.ingest_files.labels(result.status).inc()
                if result.status == "failed":
                    uploads.rollback(target, backup)
                    uploads.set_entry(name, previous_entry)
                    metrics.ingest_failures.labels("unreadable").inc()
                    raise ApiError(422, "unreadable_document", f"{file.filename}: {result.error}")
                uploads.commit(backup)
        except TimeoutError as exc:  # filelock.Timeout is a TimeoutError
            metrics.ingest_failures.labels("busy").inc()
            raise ApiError(409, "conflict", "another upload or delete is running; try again",
                           headers={"Retry-After": "5"}) from exc
        finally:
            tmp.unlink(missing_ok=True)
        seconds = time.perf_counter() - started
        metrics.ingest_seconds.observe(seconds)
        doc = service.document(result.doc_id)
        return UploadOut(status=result.status, document=DocumentOut.of(doc), index_version=report.version,
                         seconds=round(seconds, 3))

    @app.delete("/v1/documents/{doc_id:path}", status_code=204, tags=["documents"],
                responses={**ERROR_RESPONSES, 404: {"model": ErrorOut, "description": "no such document"},
                           409: {"model": ErrorOut, "description": "another write is running"}},
                summary="Remove a document from the index (admin); an uploaded file is deleted too")
    def delete_document(doc_id: Annotated[str, doc_id_param], who: Admin) -> Response:
        from assistant.ingest.pipeline import IngestError

        doc = service.document(doc_id)
        if doc is None:
            raise ApiError(404, "not_found", f"no document with doc_id {doc_id!r}")
        try:
            with uploads.lock(UPLOAD_LOCK_TIMEOUT):
                # the file first: if the index step fails, a retry (or the next full ingest) finishes the job
                if doc.path and uploads.contains(doc.path):
                    Path(doc.path).unlink(missing_ok=True)
                    uploads.set_entry(Path(doc.path).name, None)
                service.delete(doc_id)
        except (TimeoutError, IngestError) as exc:
            metrics.ingest_failures.labels("busy").inc()
            raise ApiError(409, "conflict", "another ingest is writing the index; try again",
                           headers={"Retry-After": "5"}) from exc
        metrics.ingest_files.labels("removed").inc()
        return Response(status_code=204)

    # --- operations ---------------------------------------------------------------------------
    @app.get("/healthz", response_model=Health, tags=["operations"], summary="The process is alive")
    def healthz() -> Health:
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, tags=["operations"],
             responses={503: {"model": Health, "description": "not ready; checks say why"}},
             summary="Index loaded, vector store reachable, model warm")
    def readyz():
        checks: dict[str, str] = {}
        snap = None
        try:
            snap = service.snapshot()
            checks["index"] = "ok" if snap.passages else "empty: run `assistant ingest`"
        except Exception as exc:
            checks["index"] = f"unreadable: {exc.__class__.__name__}"
        try:
            service.vectors.heartbeat()
            checks["vector_store"] = "ok"
        except Exception as exc:
            checks["vector_store"] = f"unreachable: {exc.__class__.__name__}"
        checks["model"] = "ok" if warmed.is_set() else "loading"
        ready = all(v == "ok" for v in checks.values())
        body = Health(status="ready" if ready else "not_ready", checks=checks,
                      index_version=snap.version if snap else None,
                      documents=len(snap.documents) if snap else None, passages=len(snap.passages) if snap else None)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics",
             response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    def prometheus_metrics() -> Response:
        data, content_type = metrics.exposition()
        return Response(data, media_type=content_type)

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

