"""Property-based run over the OpenAPI schema (schemathesis), over real HTTP: no input gives a 5xx, and every
response matches the schema's documented statuses, content types and bodies. Bounded: at most
MAX_EXAMPLES generated requests per operation (a few hundred in all)."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from assistant.api import create_app
from tests.helpers import make_settings, serve_app

ADMIN = "schema-admin-key-0123456789abcdef"
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    from assistant.service import Service

    cfg = make_settings(tmp_path_factory.mktemp("api_schema"), api_keys=f"{ADMIN}:admin",
                        rate_limit_per_minute=1_000_000, auth_failures_per_minute=1_000_000)
    service = Service(cfg)
    assert not service.ingest().failed
    with serve_app(create_app(service)) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            for _ in range(600):
                if client.get("/readyz").status_code == 200:
                    break
        yield url, service


def operations():
    """The schema's operations, named for the test ids (the schema itself is read from the live server)."""
    return ["POST /v1/ask", "POST /v1/search", "GET /v1/documents", "GET /v1/documents/{doc_id}",
            "POST /v1/documents", "DELETE /v1/documents/{doc_id}", *PARAMETERLESS]


PARAMETERLESS = ["GET /healthz", "GET /readyz", "GET /metrics"]  # nothing to get wrong: positive cases only


@pytest.mark.parametrize("operation,mode", [(op, mode) for op in operations() for mode in GenerationMode
                                            if mode == GenerationMode.POSITIVE or op not in PARAMETERLESS])
def test_no_input_gives_a_server_error(live_api, operation, mode):
    url, _ = live_api
    method, path = operation.split(" ")
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    api_operation = schema[path][method]
    seen: list[int] = []

    @given(case=api_operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {ADMIN}"},
            checks=[schemathesis.checks.not_a_server_error, openapi_checks.status_code_conformance,
                    openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance])
        seen.append(response.status_code)

    run()
    assert seen and all(code < 500 for code in seen)


def test_the_corpus_survives_the_run(live_api):
    """Random deletes hit only unknown ids: the real documents are still there afterwards."""
    _, service = live_api
    assert {d.doc_id for d in service.documents()} >= {"hmip-midlands-nps-press-release-2018",
                                                        "llr-nps-board-update-2019"}
