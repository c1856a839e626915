"""/docs with Swagger UI served from this server (the PyPI package swagger-ui-bundle), never a CDN:
the page works offline and loads no third-party script. FastAPI's documented self-hosting recipe."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles

STATIC_PATH = "/docs-static"


def mount_local_docs(app: FastAPI) -> None:
    """Call on an app created with docs_url=None (and redoc_url=None)."""
    import swagger_ui_bundle

    app.mount(STATIC_PATH, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - API docs",
                                   oauth2_redirect_url="/docs/oauth2-redirect",
                                   swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
                                   swagger_favicon_url=f"{STATIC_PATH}/favicon-32x32.png")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect():
        return get_swagger_ui_oauth2_redirect_html()
