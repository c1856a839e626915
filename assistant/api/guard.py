"""Authentication before the body: pure ASGI, in front of every /v1/ route.

Why here and not only in the route's dependency: FastAPI reads (and spools) a multipart body before it
resolves dependencies, so an unauthenticated 20 MB upload used to be received in full before its 401.
This guard answers from the headers alone: no or unknown key 401, a reader key on an admin route 403,
and an address with too many failed authentications in the last minute 429 (counted in /metrics as
`assistant_auth_failures_total` and `assistant_auth_blocked_total`). The route dependency still checks
the key and role (defence in depth, and the per-key rate limit).
"""

from __future__ import annotations

import json

from assistant.api.auth import FailedAuthLimiter, KeyRing

ADMIN_ROUTES = {("POST", "/v1/documents")}


def _admin_only(method: str, path: str) -> bool:
    return (method, path) in ADMIN_ROUTES or (method == "DELETE" and path.startswith("/v1/documents/"))


class AuthGuard:
    def __init__(self, app, keyring: KeyRing, failures: FailedAuthLimiter, metrics=None, per_minute: int = 0):
        self.app = app
        self.keyring = keyring
        self.failures = failures
        self.metrics = metrics
        self.per_minute = per_minute

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not self.keyring.enabled or not path.startswith("/v1/"):
            return await self.app(scope, receive, send)
        address = (scope.get("client") or ("unknown", 0))[0]
        retry = self.failures.blocked(address)
        if retry is not None:
            if self.metrics is not None:
                self.metrics.auth_blocked.inc()
            return await _reply(send, 429, "rate_limited", f"too many failed authentications from this address "
                                f"({self.per_minute} a minute); retry in {retry} s", {"retry-after": str(retry)})
        token = _bearer(scope)
        who = self.keyring.identify(token) if token else None
        if who is None:
            self.failures.failed(address)
            if self.metrics is not None:
                self.metrics.auth_failures.inc()
            message = "unknown API key" if token else "missing API key: send 'Authorization: Bearer <key>'"
            return await _reply(send, 401, "unauthorized", message, {"www-authenticate": "Bearer"})
        if _admin_only(scope.get("method", ""), path) and not who.can("admin"):
            return await _reply(send, 403, "forbidden", f"this key has the role {who.role!r}; this needs 'admin'")
        return await self.app(scope, receive, send)


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


async def _reply(send, status: int, code: str, message: str, headers: dict | None = None) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close")]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
