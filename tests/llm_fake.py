"""A scripted OpenAI-compatible server on 127.0.0.1 for the LLM tests (a remote LLM cannot be reached here).

POST /v1/chat/completions answers, in order, the replies a test scripted with `fake.script(...)`:

- `Reply(content="...")`: a normal completion; with "stream": true in the request the content is sent as
  server-sent chunks (`chunks=[...]` sets them exactly);
- `Reply(status=500)`: that HTTP status with a JSON error body;
- `Reply(body=b"...")`: exactly these bytes with status 200 (malformed replies);
- `Reply(delay=s)`: wait s seconds first; `Reply(stall_after=i, delay=s)`: in a stream, wait after chunk i;
- a callable `f(request_json) -> Reply`: the reply is computed from what was sent (e.g. to cite the
  passage that contains a phrase, whatever its rank).

When the script runs out the last reply repeats. Every request is recorded (`fake.requests`: path,
headers, parsed JSON body).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str | None = None
    chunks: list[str] | None = None
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    stall_after: int | None = None
    raw_chunks: list[bytes] = field(default_factory=list)  # extra SSE lines sent after the chunks


def passages_in(request: dict) -> dict[int, str]:
    """{n: passage text} from the prompt the service sent."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return {int(n): text for n, text in re.findall(r'<passage n="(\d+)">\n(.*?)\n</passage>', user, re.S)}


def n_of(request: dict, phrase: str) -> int:
    """The number the prompt gave the passage containing `phrase`."""
    hits = [n for n, text in passages_in(request).items() if phrase.lower() in text.lower()]
    assert len(hits) == 1, f"{phrase!r} is in passages {hits} of the prompt"
    return hits[0]


class FakeLLM:
    def __init__(self):
        self.requests: list[dict] = []
        self._script: list = [Reply(status=500, body=b'{"error": {"message": "no reply scripted"}}')]
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake._lock:
                    fake.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
                    reply = fake._script.pop(0) if len(fake._script) > 1 else fake._script[0]
                if callable(reply):
                    reply = reply(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, b'{"error": {"message": "not found"}}')
                if reply.delay and reply.stall_after is None:
                    time.sleep(reply.delay)
                if reply.body is not None:
                    return self._send(reply.status, reply.body)
                if reply.status != 200:
                    return self._send(reply.status, json.dumps(
                        {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}).encode())
                if body and body.get("stream"):
                    return self._stream(reply, body)
                return self._send(200, json.dumps(completion(reply.content or "", body)).encode())

            def _send(self, status: int, payload: bytes, ctype: str = "application/json"):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _stream(self, reply: Reply, body: dict):
                chunks = reply.chunks if reply.chunks is not None else re.findall(r"\S+\s*", reply.content or "")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    for i, text in enumerate(chunks):
                        self.wfile.write(b"data: " + json.dumps(chunk(text, body, i == 0)).encode() + b"\n\n")
                        self.wfile.flush()
                        if reply.stall_after is not None and i == reply.stall_after:
                            time.sleep(reply.delay)
                    for line in reply.raw_chunks:
                        self.wfile.write(line)
                        self.wfile.flush()
                    self.wfile.write(b"data: " + json.dumps(chunk("", body, False, "stop")).encode() + b"\n\n")
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def script(self, *replies) -> None:
        with self._lock:
            self._script = list(replies)
            self.requests.clear()

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def completion(content: str, request: dict | None) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": (request or {}).get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}


def chunk(text: str, request: dict, first: bool, finish: str | None = None) -> dict:
    delta = {"role": "assistant", "content": text} if first else ({"content": text} if text else {})
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": request.get("model", "fake"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def faithful(request: dict, passages: int = 2, sentences: int = 2) -> Reply:
    """A reply a faithful model could give: the first sentences of the top passages, each citing its passage."""
    from assistant.answer import split_sentences
    from assistant.llm.check import split_line

    parts = []
    for n, text in sorted(passages_in(request).items())[:passages]:
        body = text.split("\n\n", 1)[-1]
        found = [x for s in split_sentences(body) for x in split_line(s, final=True)[0] if len(x.split()) >= 6]
        parts += [f"{x.rstrip('.;:')} [{n}]." for x in found[:sentences]]
    return Reply(content=" ".join(parts))
