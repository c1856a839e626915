"""The web page: `/` (ask, answer, source viewer), its static files, and whether it must ask for a key.

Plain HTML, CSS and JavaScript from assistant/api/static/: no build step, nothing fetched from elsewhere. Every
URL in the page is relative, so it works behind a reverse proxy at a path prefix such as /assistant/.
"""

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parents[1] / "static"

# The page loads only its own files and talks only to its own API; nothing may frame it.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}

router = APIRouter(tags=["web page"])


@router.get("/", response_class=FileResponse, include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/auth/required", summary="Whether callers need an API key (the web page asks for one only then)")
def key_required(request: Request) -> dict:
    return {"key_required": request.app.state.keyring.enabled}


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
