"""The dashboard at /__mock/: static files (HTML, CSS, JavaScript modules, no build step) that
use the control API from the browser like any other client of it.

Served by Starlette's StaticFiles (ETags, HEAD, types, no path traversal) from the package, so
it works offline and in the image. Every answer carries a Content-Security-Policy that allows
only the page's own files: no inline script, nothing from another origin. The files hold no
data and need no token; the page asks for one when the control API refuses it (`--token`).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from connexion.exceptions import ProblemException
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = "/dashboard/"  # under the control API's base path
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidated by ETag: a new version shows at once
}


class Dashboard:
    """Answers `<base>/` (the page) and `<base>/dashboard/...` (its files); passes the rest on."""

    def __init__(self, app: ASGIApp, base_path: str = "/__mock") -> None:
        self.app = app
        self.page = base_path + "/"
        self.assets = base_path + ASSETS
        self.files = StaticFiles(directory=STATIC)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.page or path.startswith(self.assets)):
            await self.app(scope, receive, send)
            return
        inner = path[len(self.assets) :] if path != self.page else "index.html"
        scope = {**scope, "path": "/" + inner, "root_path": ""}

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        try:
            await self.files(scope, receive, secured)
        except HTTPException as error:  # raised before anything was sent
            raise _problem(error.status_code, path) from None


def _problem(status: int, path: str) -> ProblemException:
    if status == 405:
        detail, headers = "The dashboard's files are read with GET", {"Allow": "GET, HEAD"}
    else:
        detail, headers = f"Nothing is served at {path}", {}
    return ProblemException(
        status=status, title=HTTPStatus(status).phrase, detail=detail, headers=headers
    )
