"""Shared fixtures: the real corpus ingested once per session into a temporary index.

Helpers (make_settings, serve_app, CORPUS...) are in tests/helpers.py; they are imported here too so that
`from tests.conftest import ...` in older test files keeps working.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest

from assistant.config import Settings
from tests.helpers import CORPUS, ROOT, SHARED, make_settings, serve_app  # noqa: F401 (re-exported)


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
