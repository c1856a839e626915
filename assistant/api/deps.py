"""Request dependencies: who is calling (API key, role, rate limit) and the shared objects on app.state.

`create_app` puts the service, settings, key ring, rate limiter, metrics and uploads folder on `app.state`;
routers read them from there, so each router can be mounted on any app that provides them.
"""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.auth import Principal, is_loopback
from assistant.api.errors import ApiError
from assistant.api.metrics import Metrics
from assistant.api.uploads import UploadError, Uploads
from assistant.audit import AuditLog, key_actor
from assistant.config import Settings
from assistant.models import QuestionError


def get_service(request: Request) -> Any:
    return request.app.state.service


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_uploads(request: Request) -> Uploads:
    return request.app.state.uploads


ServiceDep = Annotated[Any, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
UploadsDep = Annotated[Uploads, Depends(get_uploads)]

bearer = HTTPBearer(auto_error=False, description="an API key from ASSISTANT_API_KEYS")


def principal(request: Request,
              creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    state = request.app.state
    keyring = state.keyring
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
    retry = state.limiter.hit(who.key_id)
    if retry is not None:
        state.metrics.rate_limited.inc()
        raise ApiError(429, "rate_limited", f"rate limit of {state.settings.rate_limit_per_minute} requests per "
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


class AuditTrail:
    """The service's audit log (assistant/audit.py) bound to this request's caller: routes say what was done
    and how it ended; the key id (never the key) is filled in here."""

    def __init__(self, log: AuditLog, actor: str):
        self.log, self.actor = log, actor

    def record(self, action: str, status: str, doc_ids=(), **details) -> dict:
        return self.log.record(action, self.actor, status, tuple(doc_ids), **details)

    def failed(self, action: str, exc: BaseException, doc_ids=(), **details) -> dict:
        """An action that ended in an error: `refused:<code>` for a client error, `error:<type>` otherwise."""
        if isinstance(exc, (ApiError, UploadError)):
            status = f"refused:{exc.code}"
        elif isinstance(exc, QuestionError):
            status = "refused:invalid_question"
        else:
            status = f"error:{type(exc).__name__}"
        return self.record(action, status, doc_ids, **details)


def audit_trail(request: Request, who: Annotated[Principal, Depends(principal)]) -> AuditTrail:
    return AuditTrail(request.app.state.service.audit, key_actor(who.key_id, who.anonymous))


AuditDep = Annotated[AuditTrail, Depends(audit_trail)]
