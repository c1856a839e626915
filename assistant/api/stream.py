"""POST /v1/ask with "stream": true: the answer as server-sent events.

    event: delta    data: {"text": "..."}       checked text of the generated answer, as it is produced
    event: answer   data: {Answer JSON}          the final checked answer with its citations (always sent;
                                                 it replaces the deltas, e.g. when the LLM's answer failed
                                                 the check and the extractive answer is used instead)
    event: error    data: {"error": {...}}       only if the answer could not be made at all
    event: done     data: {}                     always last

Rendering only: the events come from Service.ask_stream.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event

from assistant.models import Answer

log = logging.getLogger("assistant.api")

SSE_RESPONSE = {"description": "The answer. With \"stream\": true, server-sent events instead: `delta` "
                               "({\"text\"}, checked text as it is produced), then `answer` (the final Answer "
                               "JSON, which replaces the deltas), then `done`",
                "content": {"text/event-stream": {"schema": {  # one server-sent event
                    "type": "object", "required": ["data"],
                    "properties": {"event": {"enum": ["delta", "answer", "error", "done"]},
                                   "data": {"type": "string", "description": "JSON"}}}}}}


def answer_event_stream(events: Iterator[str | Answer], on_answer=None) -> StreamingResponse:
    def frames():
        try:
            for event in events:
                if isinstance(event, Answer):
                    if on_answer is not None:
                        on_answer(event)
                    yield format_sse_event(event="answer", data_str=event.model_dump_json())
                else:
                    yield format_sse_event(event="delta", data_str=json.dumps({"text": event}, ensure_ascii=False))
        except Exception:  # the 200 has been sent: say so in the stream, never as a broken connection
            log.exception("streamed answer failed")
            yield format_sse_event(event="error", data_str=json.dumps(
                {"error": {"code": "internal_error", "message": "internal error; the server log has the details"}}))
        yield format_sse_event(event="done", data_str="{}")

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
