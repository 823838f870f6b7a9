"""Connexion's Swagger UI middleware, passing at once what cannot be a docs page.

Connexion 3.3 routes every request through the Swagger UI middleware's own Starlette router (a
mount per API, a regular expression per docs route: `openapi.json`, `openapi.yaml`, `ui/...`)
before handing on what matched none: the busiest Starlette routing of an API request. A docs
route can only match a path that starts with its mount's path and its literal part (the part
before any `{`), less a trailing slash (the router redirects a path that lacks or adds one), or
the mount's path itself (redirected to it with a slash). Any other path goes on to the next
middleware as the router's default would send it. See INTERNALS.md.
"""

from __future__ import annotations

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send


class DocsRoutesFirstGlance(SwaggerUIMiddleware):
    _prefixes: tuple[str, ...] | None = None
    _bases: frozenset[str] = frozenset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            if self._prefixes is None:
                self._learn_routes()
            path = scope["path"]
            if not path.startswith(self._prefixes) and path not in self._bases:
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def _learn_routes(self) -> None:
        """The routes are all added before the first request (Connexion refuses later ones)."""
        mounts = [route for route in self.router.routes if isinstance(route, Mount)]
        if len(mounts) < len(self.router.routes):
            self._prefixes = ("",)  # something else than an API's mount: route everything
            return
        self._prefixes = tuple(
            mount.path + getattr(route, "path", "").split("{")[0].rstrip("/")
            for mount in mounts
            for route in mount.routes
        )
        self._bases = frozenset(mount.path for mount in mounts)


def with_docs_routes_first_glance(middlewares: list[type]) -> list[type]:
    """Connexion's middleware list with the Swagger UI middleware replaced by the one above."""
    return [
        DocsRoutesFirstGlance if middleware is SwaggerUIMiddleware else middleware
        for middleware in middlewares
    ]
