"""`assistant serve` (the HTTP API under uvicorn) and `assistant api-key`. Imports stay lazy so the rest
of the CLI starts fast."""

from __future__ import annotations

import os
import shutil

import typer

from assistant.cli_support import fail


def check_bind(host: str, api_keys: str | None) -> None:
    """Refuse a non-loopback bind without keys, and malformed keys, with one line on stderr (exit 2)."""
    from assistant.api.auth import KeyConfigError, is_loopback, parse_keys

    try:
        keys = parse_keys(api_keys)
    except KeyConfigError as exc:
        fail(str(exc))
    if not keys and not is_loopback(host):
        fail(f"refusing to serve on {host} without API keys: anyone who can reach it could read and change the "
              f"index. Set ASSISTANT_API_KEYS=key1:reader,key2:admin, or serve on 127.0.0.1")


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str | None = typer.Option(None, "--host", help="Address to bind (default ASSISTANT_HOST, "
                                                                      "127.0.0.1). Anything but loopback needs "
                                                                      "ASSISTANT_API_KEYS."),
              port: int | None = typer.Option(None, "--port", min=1, max=65535,
                                                 help="Port (default ASSISTANT_PORT, 8000)."),
              workers: int = typer.Option(1, "--workers", min=1, max=64,
                                          help="Worker processes (each loads the model; ~0.5 GB each)."),
              log_level: str = typer.Option("info", "--log-level", help="uvicorn log level.")) -> None:
        """Serve the HTTP API (OpenAPI docs at /docs)."""
        from assistant.config import get_settings

        settings = get_settings()
        host = host or settings.host
        port = port or settings.port
        check_bind(host, settings.api_keys.get_secret_value() if settings.api_keys else None)
        if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # every worker writes its counters here and /metrics adds them up (prometheus-client multiprocess)
            folder = settings.state_dir.resolve() / f"prometheus-{port}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        import uvicorn

        uvicorn.run("assistant.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, proxy_headers=True)

    @app.command("api-key")
    def api_key(role: str = typer.Option("reader", "--role", help="reader or admin"),
                restricted: bool = typer.Option(False, "--restricted", help="Grant restricted documents too "
                                                "(the entry gets '+restricted').")) -> None:
        """Make a new random API key; prints it and the ASSISTANT_API_KEYS entries (plain and hash-only)."""
        from assistant.api.auth import ROLES, hash_key, new_key

        if role not in ROLES:
            fail(f"--role must be one of {', '.join(ROLES)} (got {role!r})")
        role = f"{role}+restricted" if restricted else role
        key = new_key()
        print(f"key:    {key}")
        print(f"entry:  {key}:{role}")
        print(f"hashed: sha256:{hash_key(key)}:{role}   (ASSISTANT_API_KEYS may hold this instead of the key)")
