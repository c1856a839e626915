"""POST /v1/ask and POST /v1/search: parse, call the service, render."""

import time

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.answer import citation_for
from assistant.api.deps import AuditDep, MetricsDep, Reader, ServiceDep
from assistant.api.errors import BODY_RESPONSES
from assistant.api.schemas import AskIn, QueryIn, SearchOut
from assistant.api.stream import SSE_RESPONSE, answer_event_stream
from assistant.models import Answer
from assistant.privacy import redact

JSON_BODY_LIMIT = 64 * 1024  # a 2000-character question with filters is far below this

router = APIRouter(tags=["questions"])


@router.post("/v1/ask", response_model=Answer, responses={**BODY_RESPONSES, 200: SSE_RESPONSE},
             summary="A short answer with [n] markers and the passages it rests on", max_body_size=JSON_BODY_LIMIT)
def ask(body: AskIn, who: Reader, service: ServiceDep, metrics: MetricsDep, audit: AuditDep) -> Answer | StreamingResponse:
    filters = body.filters.to_filters() if body.filters else None

    def observe(answer: Answer) -> None:
        metrics.retrieval.labels("ask").observe(answer.timings_ms.get("retrieve", 0.0) / 1000)
        metrics.answer.observe(answer.timings_ms.get("answer", 0.0) / 1000)
        audit.record("ask", answer.status, [c.doc_id for c in answer.citations], question=answer.question,
                     stream=body.stream or None)

    try:
        if body.stream:  # server-sent events (assistant/api/stream.py); a bad question is still a 422 here
            return answer_event_stream(service.ask_stream(body.question, k=body.top_k, filters=filters,
                                                          mode=body.mode, access=who.access), observe)
        answer = service.ask(body.question, k=body.top_k, filters=filters, mode=body.mode, access=who.access)
    except Exception as exc:
        audit.failed("ask", exc, question=body.question)
        raise
    observe(answer)
    return answer


@router.post("/v1/search", response_model=SearchOut, responses=BODY_RESPONSES,
             summary="Ranked passages with scores and citation fields", max_body_size=JSON_BODY_LIMIT)
def search(body: QueryIn, who: Reader, service: ServiceDep, metrics: MetricsDep, audit: AuditDep) -> SearchOut:
    filters = body.filters.to_filters() if body.filters else None
    started = time.perf_counter()
    try:
        results = service.search(body.question, k=body.top_k, filters=filters, mode=body.mode, access=who.access)
    except Exception as exc:
        audit.failed("search", exc, question=body.question)
        raise
    metrics.retrieval.labels("search").observe(time.perf_counter() - started)
    audit.record("search", "ok", [r.passage.doc_id for r in results], question=body.question)
    return SearchOut(query=redact(body.question.strip()).text,  # echoed with placeholders, like ask
                     results=[citation_for(i + 1, r) for i, r in enumerate(results)])
