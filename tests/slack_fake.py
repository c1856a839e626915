"""Stand-ins for what the tests cannot reach: Slack's Web API and its Socket Mode WebSocket endpoint.

FakeSlack is a real HTTP server on 127.0.0.1 that the real slack_sdk WebClient talks to (through
ASSISTANT_SLACK_API_URL). It records every call and answers the way Slack does, including Slack's
refusals: a message with more than 50 blocks, a section over 3000 characters, a button label over 75
characters, duplicate action ids, or no text at all comes back {"ok": false, "error": "invalid_blocks"}
(or msg_too_long / no_text), so a test passes only if the bot stays inside Slack's limits.

Also here: helpers that build and sign Slack's request payloads, a uvicorn server on a free port,
and a Socket Mode WebSocket server.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from slack_sdk.signature import SignatureVerifier

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_USER = "UBOT"
TEAM = "T0001"


@dataclass
class Call:
    method: str
    args: dict
    token: str | None
    at: float = field(default_factory=time.monotonic)


def block_problems(blocks) -> list[str]:
    """What Slack would refuse in these blocks (api.slack.com/reference/block-kit/blocks)."""
    problems = []
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    if len(blocks) > 50:
        problems.append(f"{len(blocks)} blocks (max 50)")
    action_ids, block_ids = [], []
    for b in blocks:
        t = b.get("type")
        if b.get("block_id"):
            block_ids.append(b["block_id"])
            if len(b["block_id"]) > 255:
                problems.append("block_id over 255")
        if t == "section":
            text = (b.get("text") or {}).get("text", "")
            if not text or len(text) > 3000:
                problems.append(f"section text length {len(text)} (1..3000)")
        elif t == "context":
            els = b.get("elements") or []
            if not 1 <= len(els) <= 10:
                problems.append(f"context with {len(els)} elements (1..10)")
            for e in els:
                if len(e.get("text", "")) > 3000:
                    problems.append("context text over 3000")
        elif t == "actions":
            els = b.get("elements") or []
            if not 1 <= len(els) <= 25:
                problems.append("actions with bad element count")
            for e in els:
                label = (e.get("text") or {}).get("text", "")
                if not label or len(label) > 75:
                    problems.append(f"button label length {len(label)} (1..75)")
                if len(e.get("value", "")) > 2000:
                    problems.append("button value over 2000")
                if len(e.get("action_id", "")) > 255:
                    problems.append("action_id over 255")
                action_ids.append(e.get("action_id"))
        elif t == "header":
            if len((b.get("text") or {}).get("text", "")) > 150:
                problems.append("header over 150")
        elif t not in ("divider",):
            problems.append(f"unknown block type {t!r}")
    if len(set(action_ids)) != len(action_ids):
        problems.append("duplicate action_id")
    if len(set(block_ids)) != len(block_ids):
        problems.append("duplicate block_id")
    return problems


class FakeSlack:
    """The Slack Web API on 127.0.0.1: records calls, answers like Slack, enforces Block Kit limits."""

    def __init__(self, bot_token: str = BOT_TOKEN, app_token: str = APP_TOKEN):
        self.bot_token = bot_token
        self.app_token = app_token
        self.calls: list[Call] = []
        self.responses: list[dict] = []          # bodies POSTed to response_url
        self.refused: list[tuple[str, list[str]]] = []
        self.channels: dict[str, dict] = {}      # conversations.info answers by channel id
        self.not_member: set[str] = set()        # channels where the bot cannot post
        self.failures: dict[str, list[str]] = {}  # method -> errors to return, one per call
        self.http_failures: dict[str, list[int]] = {}  # method -> HTTP statuses (429, 5xx) to answer, one per call
        self.ws_url: str | None = None           # apps.connections.open answer
        self._lock = threading.Lock()
        self._ts = 1_700_000_000_000_100
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("application/json"):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
                path = urllib.parse.urlparse(self.path).path
                status = fake._http_failure(path.rsplit("/", 1)[-1], args)
                if status:  # Slack refusing at the HTTP level: rate limited (Retry-After) or a server error
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "1")
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                    return
                if path.startswith("/response/"):
                    body = fake._response_url(path, args)
                else:
                    auth = self.headers.get("Authorization", "")
                    token = auth[7:] if auth.startswith("Bearer ") else args.get("token")
                    body = fake._api(path.rsplit("/", 1)[-1], args, token)
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self.response_url = f"http://127.0.0.1:{self.port}/response/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.refused.clear()
            self.failures.clear()
            self.http_failures.clear()

    def _http_failure(self, method: str, args: dict) -> int | None:
        with self._lock:
            queued = self.http_failures.get(method)
            if not queued:
                return None
            self.calls.append(Call(method, {**args, "http_status": queued[0]}, None))
            return queued.pop(0)

    # --- the API -----------------------------------------------------------------------------
    def _next_ts(self) -> str:
        self._ts += 100
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _response_url(self, path: str, args: dict) -> dict:
        with self._lock:
            self.calls.append(Call("response_url", {**args, "path": path}, None))
            problems = block_problems(args["blocks"]) if args.get("blocks") else []
            if problems:
                self.refused.append(("response_url", problems))
                return {"ok": False, "error": "invalid_blocks"}
            self.responses.append(args)
        return {"ok": True}

    def _api(self, method: str, args: dict, token: str | None) -> dict:
        with self._lock:
            self.calls.append(Call(method, args, token))
            if method == "apps.connections.open":
                if token != self.app_token:
                    return {"ok": False, "error": "invalid_auth"}
                return {"ok": True, "url": self.ws_url or "ws://127.0.0.1:9/nowhere"}
            if token != self.bot_token:
                return {"ok": False, "error": "invalid_auth"}
            queued = self.failures.get(method)
            if queued:
                return {"ok": False, "error": queued.pop(0)}
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                return {"ok": False, "error": "unknown_method"}
            return handler(args)

    def _auth_test(self, args):
        return {"ok": True, "url": "https://example.slack.com/", "team": "Probation", "user": "assistant",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BBOT", "is_enterprise_install": False}

    def _message_checks(self, method: str, args: dict) -> dict | None:
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if args["channel"] in self.not_member:
            return {"ok": False, "error": "not_in_channel"}
        if not args.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        if len(args.get("text") or "") > 40000:
            return {"ok": False, "error": "msg_too_long"}
        if blocks is not None:
            problems = block_problems(blocks)
            if problems:
                self.refused.append((method, problems))
                return {"ok": False, "error": "invalid_blocks"}
        return None

    def _chat_postMessage(self, args):
        refused = self._message_checks("chat.postMessage", args)
        if refused:
            return refused
        ts = self._next_ts()
        return {"ok": True, "channel": args["channel"], "ts": ts,
                "message": {"type": "message", "user": BOT_USER, "ts": ts, "text": args.get("text", ""),
                            "thread_ts": args.get("thread_ts")}}

    def _chat_postEphemeral(self, args):
        refused = self._message_checks("chat.postEphemeral", args)
        if refused:
            return refused
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args):
        refused = self._message_checks("chat.update", args)
        if refused:
            return refused
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", "")}

    def _views_open(self, args):
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        title = ((view or {}).get("title") or {}).get("text", "")
        if not view or view.get("type") != "modal" or not 1 <= len(title) <= 24 or not view.get("blocks"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{self._next_ts().replace('.', '')}", **view}}

    def _reactions_add(self, args):
        return {"ok": True}

    def _reactions_remove(self, args):
        return {"ok": True}

    def _conversations_info(self, args):
        info = self.channels.get(args.get("channel", ""))
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": args["channel"], **info}}

    # --- what tests look at ------------------------------------------------------------------
    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate, timeout: float = 60.0, idle: float = 0.4) -> list[Call]:
        """Wait until predicate(calls) holds, then until no new call arrives for `idle` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                calls = list(self.calls)
            if predicate(calls):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; calls so far: {[c.method for c in calls]}")
            time.sleep(0.02)
        while True:
            with self._lock:
                n, last = len(self.calls), (self.calls[-1].at if self.calls else 0.0)
            if time.monotonic() - last >= idle:
                with self._lock:
                    if len(self.calls) == n:
                        return list(self.calls)
            time.sleep(0.05)

    def wait_method(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        self.wait_for(lambda calls: sum(c.method == method for c in calls) >= count, timeout)
        return self.of(method)


def blocks_of(call: Call) -> list[dict]:
    blocks = call.args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def block_texts(call: Call) -> str:
    """All the text in a message's blocks, joined (for assertions)."""
    out = []
    for b in blocks_of(call):
        if b.get("text"):
            out.append(b["text"].get("text", ""))
        for e in b.get("elements") or []:
            out.append(e.get("text", "") if isinstance(e.get("text"), str) else (e.get("text") or {}).get("text", ""))
    return "\n".join(out)


def action_value(call: Call, action_id: str) -> str:
    for b in blocks_of(call):
        for e in b.get("elements") or []:
            if e.get("action_id") == action_id:
                return e["value"]
    raise AssertionError(f"no {action_id} button in the message")


# --- signed requests to the bot ---------------------------------------------------------------

def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)}


_counter = iter(range(1, 10**9))


def next_ts() -> str:
    return f"1710000000.{next(_counter):06d}"


def event_body(event: dict, event_id: str | None = None) -> dict:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_counter):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}], "event": event}


def mention(text: str, *, channel: str = "CPUBLIC", user: str = "UALICE", ts: str | None = None,
            thread_ts: str | None = None) -> dict:
    ev = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts or next_ts(),
          "channel": channel}
    if thread_ts:
        ev["thread_ts"] = thread_ts
    ev["event_ts"] = ev["ts"]
    return ev


def dm(text: str, *, channel: str = "DALICE", user: str = "UALICE", ts: str | None = None,
       thread_ts: str | None = None, **extra) -> dict:
    ev = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts or next_ts(),
          "channel": channel, **extra}
    if thread_ts:
        ev["thread_ts"] = thread_ts
    ev["event_ts"] = ev["ts"]
    return ev


def slash_form(text: str, fake: FakeSlack, *, channel: str = "CPUBLIC", user: str = "UALICE") -> dict:
    return {"token": "legacy", "team_id": TEAM, "team_domain": "probation", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/ask",
            "text": text, "api_app_id": "A0001", "response_url": f"{fake.response_url}{next(_counter)}",
            "trigger_id": f"trig.{next(_counter)}"}


def view_submission(callback_id: str, private_metadata: str, values: dict, *, user: str = "UALICE") -> dict:
    """What Slack posts when someone submits a modal: values = {block_id: {action_id: value}}."""
    state = {b: {a: {"type": "plain_text_input", "value": v} for a, v in acts.items()} for b, acts in values.items()}
    return {"type": "view_submission", "team": {"id": TEAM, "domain": "probation"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM}, "api_app_id": "A0001",
            "token": "legacy", "trigger_id": f"trig.{next(_counter)}",
            "view": {"id": "V0001", "team_id": TEAM, "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": state}, "hash": "h",
                     "title": {"type": "plain_text", "text": "x"}, "blocks": [], "app_id": "A0001",
                     "bot_id": "BBOT"}}


def action_payload(action_id: str, value: str, fake: FakeSlack, *, channel: str, user: str = "UALICE",
                   message_ts: str, thread_ts: str | None = None, ephemeral: bool = False,
                   blocks: list | None = None) -> dict:
    container = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
    if thread_ts:
        container["thread_ts"] = thread_ts
    payload = {"type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
               "api_app_id": "A0001", "token": "legacy", "container": container,
               "trigger_id": f"trig.{next(_counter)}", "team": {"id": TEAM, "domain": "probation"},
               "channel": {"id": channel, "name": "general"}, "response_url": f"{fake.response_url}{next(_counter)}",
               "actions": [{"action_id": action_id, "block_id": "answer", "value": value, "type": "button",
                            "action_ts": str(time.time())}]}
    if not ephemeral:
        payload["message"] = {"type": "message", "user": BOT_USER, "ts": message_ts, "text": "answer",
                              **({"thread_ts": thread_ts} if thread_ts else {}), **({"blocks": blocks} if blocks else {})}
    return payload


class SlackPoster:
    """Posts signed requests to the bot's POST /slack/events over real HTTP."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET):
        self.url = url
        self.secret = secret
        self.http = httpx.Client(timeout=30)

    def raw(self, body: str, content_type: str, *, secret: str | None = None, timestamp: int | None = None,
            headers: dict | None = None) -> httpx.Response:
        h = {"Content-Type": content_type, **sign(body, secret or self.secret, timestamp), **(headers or {})}
        return self.http.post(self.url, content=body.encode("utf-8"), headers=h)

    def event(self, event: dict, event_id: str | None = None, **kw) -> httpx.Response:
        return self.raw(json.dumps(event_body(event, event_id)), "application/json", **kw)

    def form(self, form: dict, **kw) -> httpx.Response:
        return self.raw(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw)

    def action(self, payload: dict, **kw) -> httpx.Response:
        return self.form({"payload": json.dumps(payload)}, **kw)


# --- servers --------------------------------------------------------------------------------

class Uvicorn:
    """A real uvicorn server for an ASGI app on a free loopback port, in a thread."""

    def __init__(self, app):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Uvicorn:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class SocketModeServer:
    """Slack's Socket Mode endpoint: sends hello, then the envelopes it is given; records the acks."""

    def __init__(self, refuse: bool = False):
        from websockets.sync.server import serve

        self.envelopes: list[dict] = []
        self.acks: list[dict] = []
        self.connected = threading.Event()
        self.refuse = refuse                # answer the WebSocket handshake with HTTP 403
        self.refused = 0
        self._dropped = threading.Event()
        self._lock = threading.Lock()
        self._server = serve(self._handle, "127.0.0.1", 0, process_request=self._gate)
        self.port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/link/?ticket=test"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _gate(self, connection, request):
        if self.refuse:
            with self._lock:
                self.refused += 1
            return connection.respond(403, "Forbidden\n")
        return None

    def drop(self) -> None:
        """Close the open connections and refuse new ones (Slack's endpoint going away)."""
        self.refuse = True
        self._dropped.set()

    def _handle(self, ws) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"},
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600}}))
        self.connected.set()
        sent = 0
        while True:
            with self._lock:
                pending = self.envelopes[sent:]
            for env in pending:
                ws.send(json.dumps(env))
                sent += 1
            if self._dropped.is_set():
                ws.close()
                return
            try:
                message = ws.recv(timeout=0.05)
            except TimeoutError:
                continue
            except Exception:
                return
            data = json.loads(message)
            if "envelope_id" in data:
                with self._lock:
                    self.acks.append(data)

    def send(self, envelope: dict) -> None:
        with self._lock:
            self.envelopes.append(envelope)

    def wait_ack(self, envelope_id: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for a in self.acks:
                    if a["envelope_id"] == envelope_id:
                        return a
            time.sleep(0.02)
        raise AssertionError(f"no ack for {envelope_id}; acks: {self.acks}")

    def close(self) -> None:
        self._server.shutdown()
