"""What the browser tests need besides the page itself: headless Chromium through Selenium (the system's
chromium and chromedriver, never a download), a reverse proxy at a path prefix, and axe-core.

The proxy is a real HTTP server in front of the API that strips /assistant, as nginx's
`location /assistant/ { proxy_pass http://api/; }` does, streaming responses through (the answer's SSE).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PREFIX = "/assistant"
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"  # 4.11.4; see vendor/axe-core/README.md


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)"
    if not Path(CHROMEDRIVER).exists():
        return f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)"
    try:
        import axe_selenium_python  # noqa: F401
        import selenium  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[test]')"
    return None


def chrome(width: int = 1400, height: int = 1000):
    """Headless Chromium with nothing that reaches the network on its own (updates, sync, QUIC, first run)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    driver._profile_dir = profile
    return driver


def quit_chrome(driver) -> None:
    driver.quit()
    shutil.rmtree(getattr(driver, "_profile_dir", ""), ignore_errors=True)


def axe_violations(driver, impacts=("serious", "critical")) -> list[dict]:
    """axe-core 4 (vendored) run by axe-selenium-python on the page as it is now: WCAG 2.0/2.1/2.2 A and AA rules
    and axe's best practices; the violations of the given impacts."""
    from axe_selenium_python import Axe

    axe = Axe(driver, script_url=str(AXE))
    axe.inject()
    result = axe.run(options='{"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", '
                             '"wcag22aa", "best-practice"]}}')
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def prefix_proxy(backend: str, prefix: str = PREFIX):
    """An ASGI reverse proxy: {prefix}/x -> {backend}/x, bodies streamed both ways; {prefix} -> {prefix}/."""
    import httpx
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.responses import RedirectResponse, StreamingResponse
    from starlette.routing import Route

    hop = {"host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
           "proxy-authorization", "proxy-authenticate"}
    clients: list[httpx.AsyncClient] = []

    async def forward(request):
        if not clients:
            clients.append(httpx.AsyncClient(base_url=backend, timeout=60))
        path = request.url.path[len(prefix):] or "/"
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in hop]
        upstream = clients[0].build_request(request.method, path, params=request.query_params, headers=headers,
                                            content=await request.body())
        response = await clients[0].send(upstream, stream=True)
        return StreamingResponse(response.aiter_raw(), status_code=response.status_code,
                                 headers={k: v for k, v in response.headers.items() if k.lower() not in hop},
                                 background=BackgroundTask(response.aclose))

    async def slash(request):
        return RedirectResponse(f"{prefix}/", status_code=308)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route(prefix, slash), Route(prefix + "/{rest:path}", forward, methods=methods)])
