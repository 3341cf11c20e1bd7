"""Which methods a path supports, for answering plain ``OPTIONS`` with ``auto_options``.

A router is anything with ``allowed_methods(environ)``: the set of methods the wrapped
application routes for the request's path, or ``None`` when it does not know the path
(the request then goes to the application, so its 404 stays a 404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from werkzeug.routing import Map

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

__all__ = ["Router", "WerkzeugRouter", "find_router"]


@runtime_checkable
class Router(Protocol):
    """Finds the methods a path supports."""

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        """The methods routed for the request's path, or ``None`` for an unknown path."""


class WerkzeugRouter:
    """Reads a werkzeug ``Map``, such as a Flask application's ``url_map``."""

    def __init__(self, url_map: Map) -> None:
        self.url_map = url_map

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        try:
            adapter = self.url_map.bind_to_environ(environ)
        except Exception:  # a Host header the map cannot bind to: let the app answer
            return None
        # MapAdapter.allowed_methods returns [] for an unknown path and for one that only
        # redirects (strict_slashes); both go to the app.
        methods = adapter.allowed_methods()
        return frozenset(methods) if methods else None


def find_router(app: object) -> Router | None:
    """The router of a known kind of application, or ``None`` when there is none to read.

    Accepts a router itself, or an application with a werkzeug ``url_map`` (Flask).
    """
    if isinstance(app, Router):
        return app
    url_map = getattr(app, "url_map", None)
    if isinstance(url_map, Map):
        return WerkzeugRouter(url_map)
    return None
