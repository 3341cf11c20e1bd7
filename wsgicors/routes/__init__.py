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

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from ..views import ViewPolicy

__all__ = ["UNKNOWN_METHODS", "Router", "ViewRouter", "find_router"]

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


class ViewRouter(Router, Protocol):
    """A router that also tells which marked view a request reaches (per-view policies).

    It may also have ``load_views()``, which the middleware calls once, before the first
    request's lookup, to import the views whose marks it must see (Django's URLconf).
    """

    def marked_view(self, environ: WSGIEnvironment, method: str) -> tuple[str, ViewPolicy] | None:
        """``(name, mark)`` of the view a ``method`` request reaches, when it is marked with
        :func:`~wsgicors.cors_policy`; ``None`` when it is not, or when no view is reached."""


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
    # Frameworks stay optional: a werkzeug Map or a Django WSGIHandler exists only once its
    # module has been imported, so looking in sys.modules imports neither for an
    # application of another kind.
    routing = sys.modules.get("werkzeug.routing")
    url_map = getattr(app, "url_map", None)
    if routing is not None and isinstance(url_map, routing.Map):
        from .werkzeug import FlaskRouter, WerkzeugRouter

        if callable(getattr(app, "create_url_adapter", None)) and isinstance(
            getattr(app, "request_class", None), type
        ):
            return FlaskRouter(app)
        return WerkzeugRouter(url_map)
    django_wsgi = sys.modules.get("django.core.handlers.wsgi")
    if django_wsgi is not None and isinstance(app, django_wsgi.WSGIHandler):
        from .django import DjangoRouter

        return DjangoRouter()
    if attribute is not None and not callable(app):
        # Not a WSGI application, so it was given as router=: say what is wrong with it.
        raise _not_a_router(app, attribute)
    return None


def __getattr__(name: str) -> Any:
    # The routers of each framework, imported with their framework only when asked for.
    if name in ("FlaskRouter", "WerkzeugRouter"):
        from . import werkzeug

        return getattr(werkzeug, name)
    if name == "DjangoRouter":
        from . import django

        return django.DjangoRouter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
