"""Connexion's Flask view functions, decorated once instead of on every request.

Connexion 3.3 rebuilds each operation's decorator chain (parameter parsing, `inspect.signature`
of the handler, response building) and its URI parser on every request, about a tenth of a
request's cost here. What it builds depends only on the operation, so each view function here
builds it on its first request and keeps it. See INTERNALS.md.

Each request is handed to them as Connexion's `WSGIRequest` over Flask's request object itself
(not Flask's context-local proxy), and does not parse form data when the body is not a form;
parameter names are sanitised once, not on every request.
"""

from __future__ import annotations

import functools
from typing import Any

import flask
from connexion.apps.flask import FlaskOperation
from connexion.decorators import FlaskDecorator
from connexion.decorators.parameter import SyncParameterDecorator
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.lifecycle import WSGIRequest


def decorate_once(app: flask.Flask) -> None:
    for endpoint, view in list(app.view_functions.items()):
        if isinstance(view, FlaskOperation):
            app.view_functions[endpoint] = _DecoratedOnce(view)


class _DecoratedOnce:
    def __init__(self, operation: FlaskOperation) -> None:
        self._decorator = _Decorator(
            pythonic_params=operation.pythonic_params, jsonifier=operation.jsonifier
        )
        self._function = operation._fn
        self._decorated: Any = None
        self._uri_parser: Any = None
        functools.update_wrapper(self, self._function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._decorated is None:  # the URI parser needs the request's operation context
            self._uri_parser = self._decorator.uri_parser
            self._decorated = self._decorator.decorate(self._function)
        # As Connexion's FlaskDecorator.get_request, on the request itself rather than Flask's
        # proxy to it: Connexion's decorators look up a dozen of its attributes.
        current = flask.request._get_current_object()  # type: ignore[attr-defined]
        request = _Request(current, uri_parser=self._uri_parser, view_args=current.view_args)
        return self._decorated(request)


class _Parameters(SyncParameterDecorator):
    """Connexion's parameter decorator, with each parameter name sanitised once: Connexion runs
    two regular expressions over every name of every request. Names are the contract's
    (strict validation refuses any other before this point); the cache is bounded anyway."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sanitize_fn = functools.lru_cache(maxsize=1024)(self.sanitize_fn)  # type: ignore[has-type]


class _Decorator(FlaskDecorator):
    @property
    def _parameter_decorator_cls(self) -> type[SyncParameterDecorator]:
        return _Parameters


class _Request(WSGIRequest):
    """Connexion's request, which asks Werkzeug to parse form data on every request: only a
    form can carry files (the contract has none), so any other body has none to look for."""

    def files(self) -> dict[str, list[object]]:
        if self.mimetype not in FORM_CONTENT_TYPES:
            return {}
        return super().files()
