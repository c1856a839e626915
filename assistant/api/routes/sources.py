"""A document's text and original file, for the web page's source viewer: GET .../passages and GET .../file.

Both go through the service (Service.passages, Service.document_file), so the same rule decides who may read a
document here as everywhere else. Mounted before the documents router: `/v1/documents/{doc_id:path}` would
otherwise take `/v1/documents/x/passages` as the doc_id `x/passages`.
"""

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import FileResponse

from assistant.api.deps import Reader, ServiceDep
from assistant.api.errors import ERROR_RESPONSES, ApiError
from assistant.api.routes.documents import NOT_FOUND, doc_id_param
from assistant.api.schemas import DocumentOut, PassageList, PassageOut

router = APIRouter(tags=["documents"])

# The types ingest accepts (assistant/ingest/load.py); text is served as UTF-8 as ingest reads it.
MEDIA_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
               ".md": "text/markdown; charset=utf-8", ".html": "text/html; charset=utf-8",
               ".htm": "text/html; charset=utf-8",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# An uploaded HTML file is someone else's page: served inside a CSP sandbox (no scripts, an opaque origin), so
# it can never read the page's API key or call the API as the reader. nosniff stops any type guessing.
FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}
SANDBOX = {"Content-Security-Policy": "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"}


def media_type(suffix: str) -> str:
    return MEDIA_TYPES.get(suffix.lower(), "application/octet-stream")


@router.get("/v1/documents/{doc_id:path}/passages", response_model=PassageList,
            responses={**ERROR_RESPONSES, **NOT_FOUND},
            summary="A document's passages in reading order, with page, section and paragraph")
def document_passages(doc_id: Annotated[str, doc_id_param], who: Reader, service: ServiceDep) -> PassageList:
    passages = service.passages(doc_id)
    doc = service.document(doc_id)
    if passages is None or doc is None:
        raise ApiError(404, "not_found", f"no document with doc_id {doc_id!r}")
    path = service.document_file(doc_id)
    return PassageList(document=DocumentOut.of(doc), file_type=media_type(path.suffix) if path else None,
                       passages=[PassageOut(id=p.id, n=i + 1, page=p.page, section=p.section, paragraph=p.paragraph,
                                            text=p.text, table=getattr(p, "table", None))
                                 for i, p in enumerate(passages)])


@router.get("/v1/documents/{doc_id:path}/file", response_class=FileResponse,
            responses={**ERROR_RESPONSES, 404: {"description": "no such document, or it has no file to serve"},
                       200: {"content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()},
                             "description": "the original file"}},
            summary="The document's original file (PDF, DOCX, HTML, Markdown or text)")
def document_file(doc_id: Annotated[str, doc_id_param], who: Reader, service: ServiceDep) -> FileResponse:
    if service.document(doc_id) is None:
        raise ApiError(404, "not_found", f"no document with doc_id {doc_id!r}")
    path = service.document_file(doc_id)
    if path is None:
        raise ApiError(404, "not_found", f"document {doc_id!r} has no original file on this server")
    kind = media_type(path.suffix)
    headers = {**FILE_HEADERS, **(SANDBOX if kind.startswith("text/html") else {})}
    return FileResponse(path, media_type=kind, headers=headers, filename=path.name, content_disposition_type="inline")
