"""Shared fixtures: the real corpus ingested once per session into a temporary index."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest

from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


def make_settings(tmp: Path, **overrides) -> Settings:
    corpus = tmp / "corpus"
    if not corpus.exists():
        shutil.copytree(CORPUS, corpus)
    return Settings(corpus_dir=corpus, index_dir=tmp / "indexes", **overrides)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("corpus_index"))


@pytest.fixture(scope="session")
def service(corpus_settings):
    """A Service over the real corpus, ingested once. Tests must not modify it (use fresh_service)."""
    from assistant.service import Service

    svc = Service(corpus_settings)
    report = svc.ingest()
    assert not report.failed
    return svc


@pytest.fixture
def fresh_service(tmp_path):
    """A Service over a private copy of the corpus, for tests that ingest, change or delete."""
    from assistant.service import Service

    return Service(make_settings(tmp_path))


@contextmanager
def serve_app(app, **config):
    """Run an ASGI app under a real uvicorn on a free 127.0.0.1 port (in a thread); yields the base URL."""
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
