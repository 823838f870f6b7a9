"""Connexion's Flask view functions, decorated once instead of on every request.

Connexion 3.3 rebuilds each operation's decorator chain (parameter parsing, `inspect.signature`
of the handler, response building) and its URI parser on every request, about a tenth of a
request's cost here. What it builds depends only on the operation, so each view function here
builds it on its first request and keeps it. See INTERNALS.md.
"""

from __future__ import annotations

import functools
from typing import Any

from connexion.apps.flask import FlaskOperation
from connexion.decorators import FlaskDecorator
from flask import Flask


def decorate_once(app: Flask) -> None:
    for endpoint, view in list(app.view_functions.items()):
        if isinstance(view, FlaskOperation):
            app.view_functions[endpoint] = _DecoratedOnce(view)


class _DecoratedOnce:
    def __init__(self, operation: FlaskOperation) -> None:
        self._decorator = FlaskDecorator(
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
        request = self._decorator.framework.get_request(uri_parser=self._uri_parser)
        return self._decorated(request)
