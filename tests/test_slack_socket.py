"""Issue 14 §2: Socket Mode reports the real connection state. `assistant slack` says "connected" only once the
WebSocket is open; when it cannot open one (refused, or the endpoint answers 403) it retries, then exits 2 with
one line saying why; when an open connection is lost and cannot be re-opened it says so and exits 2.
FakeSlack answers apps.connections.open; SocketModeServer (tests/slack_fake.py) is the WebSocket endpoint."""

from __future__ import annotations

import threading

from slack_fake import APP_TOKEN, BOT_TOKEN, SocketModeServer
from test_slack_cli import closed_port, fake, run_cli  # noqa: F401 (fixture)

ATTEMPTS = 2


def socket_env(fake, corpus_settings, **extra) -> dict:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "ASSISTANT_SLACK_API_URL": fake.url,
            "ASSISTANT_INDEX_DIR": str(corpus_settings.index_dir),
            "ASSISTANT_CORPUS_DIR": str(corpus_settings.corpus_dir),
            "ASSISTANT_SLACK_SOCKET_ATTEMPTS": str(ATTEMPTS), "ASSISTANT_SLACK_SOCKET_RETRY_S": "0.2", **extra}


def test_a_connection_that_never_opens_is_not_reported_connected_and_exits_2(fake, corpus_settings, service,
                                                                             tmp_path):
    refusing = SocketModeServer(refuse=True)
    cases = [(f"ws://127.0.0.1:{closed_port()}/link/?ticket=x", "Connection refused"),
             (refusing.url, "answered HTTP 403 instead of opening the WebSocket")]
    try:
        for url, reason in cases:
            fake.reset()
            fake.ws_url = url
            r = run_cli(["slack"], socket_env(fake, corpus_settings,
                                              ASSISTANT_SLACK_FEEDBACK_DB=str(tmp_path / "slack.sqlite3")))
            assert r.exit_code == 2, (url, r.stderr)
            assert "connected" not in r.stderr.lower(), r.stderr
            last = r.stderr.strip().splitlines()[-1]
            assert last.startswith(f"error: could not open the Socket Mode connection after {ATTEMPTS} attempts: ")
            assert reason in last, last
            # one check of the app token, then one fresh URL per attempt
            assert fake.methods().count("apps.connections.open") == 1 + ATTEMPTS
        assert refusing.refused == ATTEMPTS
    finally:
        refusing.close()


def test_a_lost_connection_is_reported_and_exits_2_after_the_retries(fake, corpus_settings, service, tmp_path):
    ws = SocketModeServer()
    fake.ws_url = ws.url

    def lose_it():
        if ws.connected.wait(120):
            fake.ws_url = f"ws://127.0.0.1:{closed_port()}/link/?ticket=gone"
            ws.drop()

    thread = threading.Thread(target=lose_it, daemon=True)
    thread.start()
    try:
        r = run_cli(["slack"], socket_env(fake, corpus_settings,
                                          ASSISTANT_SLACK_FEEDBACK_DB=str(tmp_path / "slack.sqlite3")))
    finally:
        ws.close()
    lines = r.stderr.strip().splitlines()
    assert r.exit_code == 2, r.stderr
    assert "Slack bot connected over Socket Mode; Ctrl-C to stop." in lines
    assert "Slack connection lost: reconnecting." in lines
    assert lines.index("Slack connection lost: reconnecting.") > lines.index(
        "Slack bot connected over Socket Mode; Ctrl-C to stop.")
    assert lines[-1].startswith(f"error: could not open the Socket Mode connection after {ATTEMPTS} attempts: ")
    assert "Connection refused" in lines[-1]
