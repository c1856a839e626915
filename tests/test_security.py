"""Secrets, keys and files (issue 13 §5): secrets only from the environment, strong distinct keys,
private files for questions and restricted text, no absolute server paths in `source`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import SecretInConfigError, Settings
from tests.conftest import ROOT

NOTE = """# Victim contact note

1. The victim liaison officer contacts the victim within ten working days of sentence and records the
contact in the case record. Workloads in the victim liaison unit were reviewed in March.
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("line,setting,env", [
    ('llm_api_key = "sk-live-123"', "llm_api_key", "ASSISTANT_LLM_API_KEY"),
    ('api_keys = "k:reader"', "api_keys", "ASSISTANT_API_KEYS"),
    ('[slack]\nbot_token = "xoxb-1"', "bot_token", "SLACK_BOT_TOKEN"),
    ('slack_signing_secret = "abc"', "slack_signing_secret", "SLACK_SIGNING_SECRET"),
])
def test_a_secret_in_assistant_toml_is_refused_naming_it(tmp_path, monkeypatch, line, setting, env):
    (tmp_path / "assistant.toml").write_text(f"top_k = 3\n{line}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SecretInConfigError, match=f"'{setting}'.*environment only.*{env}"):
        Settings()


def test_the_cli_says_so_in_one_line_with_exit_2_and_env_secrets_still_work(tmp_path, monkeypatch):
    (tmp_path / "assistant.toml").write_text('top_k = 3\nllm_api_key = "sk-live-123"\n')
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    environ["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "docs"], cwd=tmp_path, env=environ,
                            capture_output=True, text=True, timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "llm_api_key" in lines[0], result.stderr
    assert "sk-live-123" not in result.stderr + result.stdout
    (tmp_path / "assistant.toml").write_text("top_k = 3\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-from-the-environment")
    settings = Settings()
    assert settings.top_k == 3 and settings.llm_api_key.get_secret_value() == "sk-from-the-environment"


def test_short_keys_and_one_key_with_two_roles_are_refused():
    from assistant.api.auth import KeyConfigError, KeyEntry, hash_key, parse_keys

    good = "k" * 24
    assert parse_keys(f"{good}:reader") == {hash_key(good): KeyEntry("reader")}
    with pytest.raises(KeyConfigError, match="entry 1: the key has 23 characters; keys need at least 24"):
        parse_keys(f"{'k' * 23}:reader")
    with pytest.raises(KeyConfigError, match="entry 2 repeats an earlier key with another role"):
        parse_keys(f"{good}:reader,{good}:admin")
    with pytest.raises(KeyConfigError, match="entry 2 repeats"):  # the same key, once by its hash
        parse_keys(f"{good}:admin,sha256:{hash_key(good)}:reader")
    assert len(parse_keys(f"{good}:reader,{good}:reader")) == 1


def test_serve_refuses_a_short_key_at_start(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    environ.update(ASSISTANT_API_KEYS="short-key:admin", ASSISTANT_INDEX_DIR=str(tmp_path / "i"),
                   ASSISTANT_CORPUS_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "serve", "--port", "1"], env=environ,
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2 and "at least 24" in result.stderr and "short-key" not in result.stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """One short note, ingested by absolute path (the way `assistant ingest /srv/corpus/x.md` gives it)."""
    from assistant.service import Service

    tmp = tmp_path_factory.mktemp("private")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "victim-note.md").write_text(NOTE)
    old = os.umask(0o022)  # the usual umask: files would be world-readable unless made private
    try:
        svc = Service(Settings(corpus_dir=corpus, index_dir=tmp / "indexes"))
        report = svc.ingest([(corpus / "victim-note.md").resolve()])
    finally:
        os.umask(old)
    assert not report.failed
    return svc


def test_snapshot_and_state_are_private(small):
    snap_dir = Path(small.settings.index_dir) / "snapshots"
    version = small.snapshot().version
    assert _mode(snap_dir) == 0o700 and _mode(snap_dir / version) == 0o700
    for f in (snap_dir / version).rglob("*"):
        assert _mode(f) == (0o700 if f.is_dir() else 0o600), f
    assert _mode(small.settings.state_dir) == 0o700
    assert _mode(Path(small.settings.index_dir) / "CURRENT") == 0o600


def test_uploads_and_the_slack_store_are_private(tmp_path):
    import io

    from assistant.api.uploads import Uploads
    from bots.slack.store import SlackStore

    old = os.umask(0o022)
    try:
        uploads = Uploads(tmp_path / "corpus")
        part = uploads.receive(io.BytesIO(b"restricted text " * 10), "note.txt", 10_000)
        target = uploads.target("note.txt")
        uploads.place(part, target)
        uploads.set_entry("note.txt", {"restricted": True})
        store = SlackStore(tmp_path / "state" / "slack.sqlite3")
    finally:
        os.umask(old)
    assert _mode(uploads.folder) == 0o700 and _mode(target) == 0o600 and _mode(uploads.manifest_path) == 0o600
    assert _mode(store.path) == 0o600 and _mode(store.path.parent) == 0o700


def test_source_never_shows_the_servers_absolute_path(small):
    info = small.document("victim-note")
    assert info.source == "corpus/victim-note.md"
    answer = small.ask("When does the victim liaison officer contact the victim?")
    assert answer.citations and all(c.source == "corpus/victim-note.md" for c in answer.citations)
    assert str(Path(small.settings.corpus_dir).resolve()) not in answer.model_dump_json()


# --- over real HTTP --------------------------------------------------------------------------------
ADMIN = "admin-key-for-security-tests-0123"
READER = "reader-key-for-security-tests-012"


def test_failed_authentication_is_limited_per_address_and_counted(service, tmp_path):
    import httpx

    from assistant.api import create_app
    from tests.conftest import make_settings, serve_app

    settings = make_settings(tmp_path, api_keys=f"{READER}:reader", auth_failures_per_minute=3)
    with serve_app(create_app(service, settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        good = {"Authorization": f"Bearer {READER}"}
        assert client.get("/v1/documents", headers=good).status_code == 200
        codes = [client.get("/v1/documents", headers={"Authorization": f"Bearer guess-{n}"}).status_code
                 for n in range(4)]
        assert codes == [401, 401, 401, 429]
        blocked = client.get("/v1/documents", headers=good)  # no key is tried from this address for a while
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 60
        metrics = client.get("/metrics").text
        assert "assistant_auth_failures_total 3.0" in metrics and "assistant_auth_blocked_total 2.0" in metrics


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(service, tmp_path):
    import socket
    from urllib.parse import urlparse

    from assistant.api import create_app
    from tests.conftest import make_settings, serve_app

    settings = make_settings(tmp_path, api_keys=f"{ADMIN}:admin,{READER}:reader", max_upload_mb=100)
    with serve_app(create_app(service, settings)) as url:
        host, port = urlparse(url).hostname, urlparse(url).port
        for auth, status in (("", 401), (f"Authorization: Bearer {READER}\r\n", 403)):
            with socket.create_connection((host, port), timeout=5) as sock:
                head = (f"POST /v1/documents HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Length: 50000000\r\n"
                        "Content-Type: multipart/form-data; boundary=xyz\r\n\r\n")
                sock.sendall(head.encode() + b"--xyz\r\n" + b"x" * 65536)  # 64 kB of a declared 50 MB
                reply = sock.recv(4096).decode("latin-1")  # times out (5 s) if the server waits for the body
            assert reply.startswith(f"HTTP/1.1 {status}"), reply


def test_docs_are_served_from_local_assets(service, tmp_path):
    import httpx

    from assistant.api import create_app
    from tests.conftest import make_settings, serve_app

    with serve_app(create_app(service, make_settings(tmp_path))) as url, httpx.Client(base_url=url) as client:
        page = client.get("/docs").text
        assert "/docs-static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert client.get(f"/docs-static/{asset}").status_code == 200
