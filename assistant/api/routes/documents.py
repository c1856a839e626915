"""The documents routes: list, read, ratings, upload and delete.

The upload route's body limit comes from settings (`max_upload_mb`) and is fixed when the route is built, so
it joins through `upload_router(max_upload)`; every other route is on the module's `router`.
"""

import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi import Path as PathParam

from assistant.access import RESTRICTED
from assistant.api.deps import Admin, AuditDep, MetricsDep, Reader, ServiceDep, SettingsDep, UploadsDep
from assistant.api.errors import BODY_RESPONSES, ERROR_RESPONSES, ApiError
from assistant.api.schemas import DocType, DocumentList, DocumentOut, ErrorOut, RatingsOut, UploadOut
from assistant.api.uploads import safe_filename
from assistant.ingest.pipeline import IngestError

UPLOAD_OVERHEAD = 256 * 1024  # multipart boundaries and form fields on top of the file itself
UPLOAD_LOCK_TIMEOUT = 60.0  # seconds an upload or delete waits for another writer before 409

router = APIRouter(tags=["documents"])

doc_id_param = PathParam(description="e.g. hmip-midlands-nps-press-release-2018 or uploads/my-paper",
                         min_length=1, max_length=300)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "no such document"}}


def max_upload_bytes(settings) -> int:
    return int(settings.max_upload_mb * 1e6)


@router.get("/v1/documents", response_model=DocumentList, responses=ERROR_RESPONSES,
            summary="Indexed documents, by doc_id, a page at a time")
def list_documents(who: Reader, service: ServiceDep,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                   doc_type: Annotated[DocType | None, Query()] = None) -> DocumentList:
    docs = service.documents(access=who.access)
    if doc_type:
        docs = [d for d in docs if d.doc_type == doc_type]
    page = [DocumentOut.of(d) for d in docs[offset:offset + limit]]
    return DocumentList(documents=page, total=len(docs), limit=limit, offset=offset)


@router.get("/v1/documents/{doc_id:path}", response_model=DocumentOut, responses={**ERROR_RESPONSES, **NOT_FOUND},
            summary="One document's metadata and passage count")
def get_document(doc_id: Annotated[str, doc_id_param], who: Reader, service: ServiceDep) -> DocumentOut:
    doc = service.document(doc_id, access=who.access)  # a restricted one without the grant: the same 404
    if doc is None:
        raise ApiError(404, "not_found", f"no document with doc_id {doc_id!r}")
    return DocumentOut.of(doc)


@router.get("/v1/ratings", response_model=RatingsOut, responses=ERROR_RESPONSES,
            summary="Inspection ratings found in the indexed documents, newest first, each with its citation")
def list_ratings(who: Reader, service: ServiceDep) -> RatingsOut:
    return RatingsOut(ratings=service.ratings(access=who.access))


def upload_document(
        who: Admin, service: ServiceDep, settings: SettingsDep, metrics: MetricsDep, uploads: UploadsDep,
        audit: AuditDep,
        file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, Markdown or text")],
        title: Annotated[str | None, Form(min_length=1, max_length=500)] = None,
        doc_type: Annotated[DocType | None, Form()] = None,
        published: Annotated[date | None, Form(description="YYYY-MM-DD")] = None,
        organisation: Annotated[str | None, Form(min_length=1, max_length=300)] = None,
        area: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
        source: Annotated[str | None, Form(min_length=1, max_length=1000)] = None,
        restricted: Annotated[bool | None, Form()] = None,
        ratings_authority: Annotated[bool | None, Form(description="its ratings are the inspectorate's (default: "
                                                       "no, for an upload)")] = None) -> UploadOut:
    started = time.perf_counter()
    try:
        name = safe_filename(file.filename)
        target = uploads.target(name)
        metadata = {k: v for k, v in {"title": title, "doc_type": doc_type,
                                      "published": published.isoformat() if published else None,
                                      "organisation": organisation, "area": area, "source": source,
                                      "restricted": restricted,
                                      "ratings_authority": ratings_authority}.items() if v is not None}
        # where a citation says the text came from; never the server's absolute path
        metadata.setdefault("source", f"{Path(service.settings.corpus_dir).name}/uploads/{name}")
        tmp = uploads.receive(file.file, name, max_upload_bytes(settings))
        report, result = uploads.ingest(service, tmp, target, metadata, metrics, lock_timeout=UPLOAD_LOCK_TIMEOUT,
                                        display_name=file.filename)
    except Exception as exc:
        audit.failed("upload", exc, file=file.filename)
        raise
    audit.record("upload", result.status, [result.doc_id], file=file.filename, index_version=report.version)
    seconds = time.perf_counter() - started
    metrics.ingest_seconds.observe(seconds)
    doc = service.document(result.doc_id, access=RESTRICTED)  # the uploader's own file: its record, whatever it is
    return UploadOut(status=result.status, document=DocumentOut.of(doc), index_version=report.version,
                     seconds=round(seconds, 3))


def upload_router(max_upload: int) -> APIRouter:
    """POST /v1/documents with a body limit of `max_upload` bytes plus the multipart overhead."""
    upload = APIRouter(tags=["documents"])
    upload.add_api_route(
        "/v1/documents", upload_document, methods=["POST"], response_model=UploadOut, status_code=201,
        responses={**BODY_RESPONSES, 409: {"model": ErrorOut, "description": "another write is running, "
                                           "or another upload has the same doc_id"},
                   413: {"model": ErrorOut, "description": "file over the upload limit"},
                   415: {"model": ErrorOut, "description": "file type not accepted"}},
        summary="Upload one document (admin); it is answerable when this returns 201",
        openapi_extra={"x-max-body-size": max_upload + UPLOAD_OVERHEAD},
        max_body_size=max_upload + UPLOAD_OVERHEAD)
    return upload


@router.delete("/v1/documents/{doc_id:path}", status_code=204,
               responses={**ERROR_RESPONSES, **NOT_FOUND,
                          409: {"model": ErrorOut, "description": "another write is running"}},
               summary="Remove a document from the index (admin); an uploaded file is deleted too")
def delete_document(doc_id: Annotated[str, doc_id_param], who: Admin, service: ServiceDep, metrics: MetricsDep,
                    uploads: UploadsDep, audit: AuditDep) -> Response:
    doc = service.document(doc_id, access=who.access)  # a restricted one without the grant: the same 404
    if doc is None:
        audit.record("delete", "refused:not_found", [doc_id])
        raise ApiError(404, "not_found", f"no document with doc_id {doc_id!r}")
    try:
        with uploads.lock(UPLOAD_LOCK_TIMEOUT):
            # the file first: if the index step fails, a retry (or the next full ingest) finishes the job
            if doc.path and uploads.contains(doc.path):
                Path(doc.path).unlink(missing_ok=True)
                uploads.set_entry(Path(doc.path).name, None)
            service.delete(doc_id)
    except (TimeoutError, IngestError) as exc:
        metrics.ingest_failures.labels("busy").inc()
        audit.record("delete", "refused:conflict", [doc_id])
        raise ApiError(409, "conflict", "another ingest is writing the index; try again",
                       headers={"Retry-After": "5"}) from exc
    metrics.ingest_files.labels("removed").inc()
    audit.record("delete", "removed", [doc_id])
    return Response(status_code=204)
