"""Which methods a path supports, for answering plain ``OPTIONS`` with ``auto_options``.

A router is anything with an ``allowed_methods(environ)`` method: the set of methods the
wrapped application routes for the request, or ``None`` when it would not route the request
(an unknown path, a redirect, a ``Host`` it refuses: the request then goes to the
application, so its 404, 308 or 400 stays its own). An empty set, ``UNKNOWN_METHODS``, means
the request is routed but its methods cannot be told (a Django function view without
``require_http_methods``, a werkzeug ``Rule`` without ``methods``): ``Allow`` then comes
from ``allow_methods``.

A router sees the request as the application will: ``FlaskRouter`` binds the ``url_map``
with the application's own ``create_url_adapter`` (``SERVER_NAME``, ``subdomain_matching``,
``host_matching``, ``TRUSTED_HOSTS``), and ``DjangoRouter`` checks ``ALLOWED_HOSTS`` as
``request.get_host()`` does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from werkzeug.routing import MapAdapter

__all__ = ["UNKNOWN_METHODS", "FlaskRouter", "Router", "WerkzeugRouter", "find_router"]

#: Returned by a router for a path it routes but whose methods it cannot tell; ``Allow``
#: then lists ``allow_methods``.
UNKNOWN_METHODS: frozenset[str] = frozenset()

# A method no rule lists: matching with it tells "no rule for this path" (NotFound), "a
# redirect" (RequestRedirect), "these methods" (MethodNotAllowed) and "a rule that takes
# every method" (a match) apart, as werkzeug's own MapAdapter.allowed_methods does.
_NO_SUCH_METHOD = "--"


@runtime_checkable
class Router(Protocol):
    """Finds the methods a path supports."""

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        """The methods routed for the request's path, or ``None`` for an unknown path.

        ``UNKNOWN_METHODS`` (empty) when the path is known but its methods are not.
        """


def _adapter_methods(adapter: MapAdapter) -> frozenset[str] | None:
    try:
        adapter.match(method=_NO_SUCH_METHOD)
    except MethodNotAllowed as error:
        return frozenset(error.valid_methods or ()) or None
    except HTTPException:  # no rule (404), or a strict_slashes/redirect_to redirect
        return None
    # A Rule without methods accepts every method, this one included.
    return UNKNOWN_METHODS


class WerkzeugRouter:
    """Reads a werkzeug ``Map`` bound as ``url_map.bind_to_environ(environ)`` binds it.

    A path matched by a ``Rule`` without ``methods`` (which accepts every method) gives
    ``UNKNOWN_METHODS``, so ``Allow`` lists ``allow_methods`` (or, when that is ``"*"``,
    the common methods).
    """

    def __init__(self, url_map: Map) -> None:
        self.url_map = url_map

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        try:
            adapter = self.url_map.bind_to_environ(environ)
        except Exception:  # a Host header the map cannot bind to: let the app answer
            return None
        return _adapter_methods(adapter)

    def __repr__(self) -> str:
        return f"WerkzeugRouter({self.url_map!r})"


class FlaskRouter:
    """Reads a Flask application's ``url_map``, bound exactly as Flask binds it.

    Flask's ``create_url_adapter`` decides the binding: the subdomain is read from the
    ``Host`` only under ``subdomain_matching`` (otherwise every request is routed on the
    default subdomain), ``SERVER_NAME`` is the server name unless ``host_matching`` is on,
    and a ``Host`` outside ``TRUSTED_HOSTS`` is refused. A request Flask would refuse or
    could not bind goes to Flask, which answers it (400, 404).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        try:
            # shallow: the request may never read the body, nor register itself in the
            # environ (Flask makes its own request object when the request reaches it).
            request = self.app.request_class(environ, shallow=True)
            adapter = self.app.create_url_adapter(request)
        except Exception:  # TRUSTED_HOSTS (400), a Host that cannot be bound: Flask answers
            return None
        if adapter is None:
            return None
        return _adapter_methods(adapter)

    def __repr__(self) -> str:
        return f"FlaskRouter({self.app!r})"


def _not_a_router(app: object, attribute: object) -> TypeError:
    return TypeError(
        f"router={app!r} has an allowed_methods attribute that is not callable "
        f"(a {type(attribute).__name__}): a router's allowed_methods(environ) is a method "
        "that returns the path's methods, or None for a path the application does not "
        "route; define it as a method, or pass a Flask app, a werkzeug Map-backed app or "
        "Django's WSGIHandler"
    )


def find_router(app: object) -> Router | None:
    """The router of a known kind of application, or ``None`` when there is none to read.

    Accepts a router itself (an object whose ``allowed_methods`` is callable), a Flask
    application, an application with a werkzeug ``url_map``, or Django's ``WSGIHandler``
    (what ``get_wsgi_application()`` returns). An application whose ``allowed_methods`` is
    not callable (a list of methods, say) is not taken for a router; an object that is
    neither an application nor a router but has such an attribute is a ``TypeError``.
    """
    attribute = getattr(app, "allowed_methods", None)
    if callable(attribute):
        return app  # type: ignore[return-value]  # has the one method a Router needs
    url_map = getattr(app, "url_map", None)
    if isinstance(url_map, Map):
        if callable(getattr(app, "create_url_adapter", None)) and isinstance(
            getattr(app, "request_class", None), type
        ):
            return FlaskRouter(app)
        return WerkzeugRouter(url_map)
    # Django stays optional: a WSGIHandler exists only once its module has been imported,
    # so looking in sys.modules never imports Django for an application of another kind.
    django_wsgi = sys.modules.get("django.core.handlers.wsgi")
    if django_wsgi is not None and isinstance(app, django_wsgi.WSGIHandler):
        from .integrations.django import DjangoRouter

        return DjangoRouter()
    if attribute is not None and not callable(app):
        # Not a WSGI application, so it was given as router=: say what is wrong with it.
        raise _not_a_router(app, attribute)
    return None
