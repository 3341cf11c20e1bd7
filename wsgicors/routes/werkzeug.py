"""Routers for werkzeug ``Map`` applications: Flask, and any app with a ``url_map``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ..views import ViewPolicy, view_policy
from . import UNKNOWN_METHODS

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

    from werkzeug.routing import Map, MapAdapter

__all__ = ["FlaskRouter", "WerkzeugRouter"]

# A method no rule lists: matching with it tells "no rule for this path" (NotFound), "a
# redirect" (RequestRedirect), "these methods" (MethodNotAllowed) and "a rule that takes
# every method" (a match) apart, as werkzeug's own MapAdapter.allowed_methods does.
_NO_SUCH_METHOD = "--"


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

    def _adapter(self, environ: WSGIEnvironment) -> MapAdapter | None:
        try:
            # shallow: the request may never read the body, nor register itself in the
            # environ (Flask makes its own request object when the request reaches it).
            request = self.app.request_class(environ, shallow=True)
            adapter: MapAdapter | None = self.app.create_url_adapter(request)
        except Exception:  # TRUSTED_HOSTS (400), a Host that cannot be bound: Flask answers
            return None
        return adapter

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        adapter = self._adapter(environ)
        return None if adapter is None else _adapter_methods(adapter)

    def marked_view(self, environ: WSGIEnvironment, method: str) -> tuple[str, ViewPolicy] | None:
        """The endpoint a ``method`` request reaches and its mark, if it has one.

        The view function's own mark wins over its blueprint's, and a nested blueprint's
        over its parent's. A request Flask would not dispatch to a view (404, 405, a
        redirect, a refused ``Host``) reaches none.
        """
        adapter = self._adapter(environ)
        if adapter is None:
            return None
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            return None
        mark = view_policy(self.app.view_functions.get(endpoint))
        if mark is not None:
            return f"view {endpoint!r}", mark
        parts = str(endpoint).split(".")[:-1]
        while parts:
            name = ".".join(parts)
            mark = view_policy(self.app.blueprints.get(name))
            if mark is not None:
                return f"blueprint {name!r}", mark
            parts.pop()
        return None

    def __repr__(self) -> str:
        return f"FlaskRouter({self.app!r})"
