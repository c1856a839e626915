"""Operations: liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from assistant.api.deps import MetricsDep, ServiceDep
from assistant.api.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health, "description": "not ready; checks say why"}},
            summary="Index loaded, vector store reachable, model warm")
def readyz(request: Request, service: ServiceDep):
    checks: dict[str, str] = {}
    snap = None
    try:
        snap = service.snapshot()
        checks["index"] = "ok" if snap.passages else "empty: run `assistant ingest`"
    except Exception as exc:
        checks["index"] = f"unreadable: {exc.__class__.__name__}"
    try:
        service.vectors.heartbeat()
        checks["vector_store"] = "ok"
    except Exception as exc:
        checks["vector_store"] = f"unreachable: {exc.__class__.__name__}"
    checks["model"] = "ok" if request.app.state.warmed.is_set() else "loading"
    ready = all(v == "ok" for v in checks.values())
    body = Health(status="ready" if ready else "not_ready", checks=checks,
                  index_version=snap.version if snap else None,
                  documents=len(snap.documents) if snap else None, passages=len(snap.passages) if snap else None)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def prometheus_metrics(metrics: MetricsDep) -> Response:
    data, content_type = metrics.exposition()
    return Response(data, media_type=content_type)
