"""Conversations: follow-up questions read in the light of the earlier ones (assistant/conversation.py).

POST /v1/conversations -> id; POST /v1/conversations/{id}/messages -> the answer JSON plus `read_as`;
GET /v1/conversations/{id} -> the turns; DELETE it. A conversation belongs to the key that made it: any other
key gets 404, as for a conversation that does not exist. /v1/ask stays stateless.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from assistant.api.deps import MetricsDep, Reader, ServiceDep
from assistant.api.errors import BODY_RESPONSES, ERROR_RESPONSES, ApiError
from assistant.api.routes.questions import JSON_BODY_LIMIT
from assistant.api.schemas import AskIn, ErrorOut
from assistant.api.stream import SSE_RESPONSE, answer_event_stream
from assistant.conversations_store import ConversationStore, store_for
from assistant.models import Answer

router = APIRouter(tags=["conversations"])
_store_lock = threading.Lock()

id_param = PathParam(description="the id POST /v1/conversations returned", pattern=r"^[0-9a-f]{32}$")
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "no such conversation for this key"}}


class ConversationOut(BaseModel):
    id: str
    created: float = Field(description="Unix time")


class TurnOut(BaseModel):
    n: int
    created: float
    question: str = Field(description="as asked")
    filters: dict = Field(description="the filters given with it")
    answer: Answer = Field(description="the answer, with read_as: how the question was read")


class ConversationTurns(BaseModel):
    id: str
    turns: list[TurnOut]


class MessageIn(AskIn):
    """A question in the conversation: {question, filters?, stream?, top_k?, mode?}."""


def get_store(request: Request) -> ConversationStore:
    """One store per app, opened on first use beside the other state."""
    state = request.app.state
    with _store_lock:
        if getattr(state, "conversations", None) is None:
            state.conversations = store_for(state.settings)
        return state.conversations


def _missing(cid: str) -> ApiError:
    return ApiError(404, "not_found", f"no conversation {cid!r} for this key")


@router.post("/v1/conversations", status_code=201, response_model=ConversationOut, responses=ERROR_RESPONSES,
             summary="Start a conversation: follow-up questions are read with the earlier ones")
def create(request: Request, who: Reader) -> ConversationOut:
    return ConversationOut(**get_store(request).create(who.key_id))


@router.post("/v1/conversations/{cid}/messages", response_model=Answer,
             responses={**BODY_RESPONSES, **NOT_FOUND, 200: SSE_RESPONSE}, max_body_size=JSON_BODY_LIMIT,
             summary="Ask in the conversation: the answer JSON with read_as (the standalone question searched)")
def message(cid: Annotated[str, id_param], body: MessageIn, request: Request, who: Reader, service: ServiceDep,
            metrics: MetricsDep) -> Answer | StreamingResponse:
    store = get_store(request)
    history = store.history(cid, who.key_id, service.settings.conversation_turns)
    if history is None:
        raise _missing(cid)
    filters = body.filters.to_filters() if body.filters else None

    def record(answer: Answer) -> None:
        metrics.retrieval.labels("ask").observe(answer.timings_ms.get("retrieve", 0.0) / 1000)
        metrics.answer.observe(answer.timings_ms.get("answer", 0.0) / 1000)
        store.add_turn(cid, who.key_id, body.question.strip(), filters, answer)

    if body.stream:
        return answer_event_stream(service.ask_stream(body.question, k=body.top_k, filters=filters, mode=body.mode,
                                                      history=history, access=who.access), record)
    answer = service.ask(body.question, k=body.top_k, filters=filters, mode=body.mode, history=history,
                         access=who.access)
    record(answer)
    return answer


@router.get("/v1/conversations/{cid}", response_model=ConversationTurns, responses={**ERROR_RESPONSES, **NOT_FOUND},
            summary="The conversation's turns, oldest first")
def turns(cid: Annotated[str, id_param], request: Request, who: Reader) -> ConversationTurns:
    found = get_store(request).turns(cid, who.key_id)
    if found is None:
        raise _missing(cid)
    return ConversationTurns(id=cid, turns=[TurnOut(**t) for t in found])


@router.delete("/v1/conversations/{cid}", status_code=204, responses={**ERROR_RESPONSES, **NOT_FOUND},
               summary="Delete the conversation and its turns")
def delete(cid: Annotated[str, id_param], request: Request, who: Reader) -> Response:
    if not get_store(request).delete(cid, who.key_id):
        raise _missing(cid)
    return Response(status_code=204)
