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


@pytest.fixture(scope="session")
def web_service(tmp_path_factory):
    """The repository corpus plus generated documents for the source viewer (tests/webdocs.py), ingested once:
    a 3-page PDF, a 100-page text report, an HTML page, a file deleted after ingest, a symlink to a file
    outside the corpus. Shared by tests/test_sources_api.py and tests/test_web_ui.py; read-only."""
    from assistant.service import Service
    from tests.webdocs import build_web_corpus

    tmp = tmp_path_factory.mktemp("web")
    svc = Service(make_settings(tmp))
    build_web_corpus(svc.settings.corpus_dir, tmp)
    assert not svc.ingest().failed
    (svc.settings.corpus_dir / "gone.txt").unlink()
    return svc
