"""The HTTP API (FastAPI): `create_app(service=None, settings=None)`; `assistant serve` runs it under uvicorn."""

from assistant.api.app import create_app

__all__ = ["create_app"]
