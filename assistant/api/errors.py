"""Error mapping for the HTTP API: every failure is `{"error": {"code", "message"}}` JSON, never a stack trace."""

import logging
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.schemas import ErrorOut
from assistant.api.uploads import UploadError
from assistant.models import QuestionError

log = logging.getLogger("assistant.api")

# OpenAPI `responses=`: FastAPI types it dict[int | str, dict[str, Any]]
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "the body cannot be parsed"},
    401: {"model": ErrorOut, "description": "no or unknown API key"},
    403: {"model": ErrorOut, "description": "the key's role may not do this"},
    422: {"model": ErrorOut, "description": "invalid input; the message names the field"},
    429: {"model": ErrorOut, "description": "rate limit reached; see Retry-After"},
}
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {**ERROR_RESPONSES, 413: {"model": ErrorOut, "description": "request body too large"}}

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


async def api_error(request: Request, exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers)


async def upload_error(request: Request, exc: UploadError):
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers)


async def validation_error(request: Request, exc: RequestValidationError):
    fields = []
    for e in exc.errors():
        if e.get("type") == "json_invalid":
            fields.append({"field": "body",
                           "message": f"not valid JSON ({(e.get('ctx') or {}).get('error', 'decode error')})"})
        else:
            fields.append({"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")})
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5]) or "invalid request"
    return error_response(422, "invalid_request", message, fields=fields)


async def question_error(request: Request, exc: QuestionError):
    return error_response(422, "invalid_request", f"question: {exc}",
                          fields=[{"field": "question", "message": str(exc)}])


async def store_unreachable(request: Request, exc: httpx.TransportError):
    # the Chroma server (ASSISTANT_CHROMA_URL) is down or unreachable: a retryable outage, not a bug
    log.error("vector store unreachable on %s %s: %s", request.method, request.url.path, exc)
    return error_response(503, "unavailable", "the vector store is unreachable; try again shortly",
                          headers={"Retry-After": "5"})


async def internal_error(request: Request, exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; the server log has the details")


def install(app: FastAPI) -> None:
    """Register the handlers: always JSON, never a stack trace."""
    # Starlette types a handler as taking any Exception, though it only calls it with the class it is registered
    # for: the narrower handlers below are correct, hence the ignores
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, api_error)  # type: ignore[arg-type]
    app.add_exception_handler(UploadError, upload_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(QuestionError, question_error)  # type: ignore[arg-type]
    app.add_exception_handler(httpx.TransportError, store_unreachable)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, internal_error)
