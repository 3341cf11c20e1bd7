"""Which methods a path supports, for answering plain ``OPTIONS`` with ``auto_options``.

A router is anything with ``allowed_methods(environ)``: the set of methods the wrapped
application routes for the request's path, or ``None`` when it does not know the path
(the request then goes to the application, so its 404 stays a 404). An empty set,
``UNKNOWN_METHODS``, means the path is routed but its methods cannot be told (a Django
function view without ``require_http_methods``): ``Allow`` then comes from ``allow_methods``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from werkzeug.routing import Map

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

__all__ = ["UNKNOWN_METHODS", "Router", "WerkzeugRouter", "find_router"]

#: Returned by a router for a path it routes but whose methods it cannot tell; ``Allow``
#: then lists ``allow_methods``.
UNKNOWN_METHODS: frozenset[str] = frozenset()


@runtime_checkable
class Router(Protocol):
    """Finds the methods a path supports."""

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        """The methods routed for the request's path, or ``None`` for an unknown path.

        ``UNKNOWN_METHODS`` (empty) when the path is known but its methods are not.
        """


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

    Accepts a router itself, an application with a werkzeug ``url_map`` (Flask), or
    Django's ``WSGIHandler`` (what ``get_wsgi_application()`` returns).
    """
    if isinstance(app, Router):
        return app
    url_map = getattr(app, "url_map", None)
    if isinstance(url_map, Map):
        return WerkzeugRouter(url_map)
    # Django stays optional: a WSGIHandler exists only once its module has been imported,
    # so looking in sys.modules never imports Django for an application of another kind.
    django_wsgi = sys.modules.get("django.core.handlers.wsgi")
    if django_wsgi is not None and isinstance(app, django_wsgi.WSGIHandler):
        from .integrations.django import DjangoRouter

        return DjangoRouter()
    return None
