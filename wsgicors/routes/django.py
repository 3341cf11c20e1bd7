"""``DjangoRouter``: a path's methods from Django's URL resolver, for ``auto_options``.

How ``DjangoRouter`` finds a path's methods:

- a request whose ``Host`` is not in ``ALLOWED_HOSTS`` (``request.get_host()`` raises
  ``DisallowedHost``, with ``USE_X_FORWARDED_HOST`` and ``DEBUG`` read as Django reads them)
  goes to Django, which answers it (400 under ``CommonMiddleware``);
- the path is resolved with ``django.urls.resolve`` against ``ROOT_URLCONF`` (or the
  ``urlconf`` given); a path it does not resolve goes to Django, so its 404 (or the
  ``APPEND_SLASH`` redirect) stays Django's;
- a class-based view (``View.as_view()``): the handlers the class defines among its
  ``http_method_names`` (``as_view(http_method_names=...)`` included), with ``HEAD`` when
  it defines ``get`` (Django makes ``head`` an alias of ``get``), less every method that
  ``require_http_methods`` (``require_GET``, ``require_POST``, ``require_safe``) refuses
  where ``method_decorator`` applies it: on ``dispatch`` (in the class body, or
  ``@method_decorator(..., name="dispatch")`` on the class or a base class) it limits every
  method, on a handler (``get``, ...) the methods that handler serves;
- a function view decorated with ``require_http_methods``, ``require_GET``, ``require_POST``
  or ``require_safe``, seen through any decorators that use ``functools.wraps``: the listed
  methods (several such decorators: the methods all of them accept); Django upper-cases the
  request's method, so a listed method in lower case is never accepted;
- any other view accepts any method as far as Django is concerned, so the router returns
  ``wsgicors.routes.UNKNOWN_METHODS`` and ``Allow`` lists ``allow_methods``.

``OPTIONS`` is always in ``Allow``: ``auto_options`` answers it without calling the view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any

from django.core.handlers.wsgi import get_path_info  # type: ignore[import-untyped]
from django.http import HttpRequest  # type: ignore[import-untyped]
from django.urls import Resolver404, get_resolver, resolve  # type: ignore[import-untyped]
from django.utils.decorators import method_decorator  # type: ignore[import-untyped]
from django.views.decorators.http import require_http_methods  # type: ignore[import-untyped]

from ..views import ViewPolicy, view_policy
from . import UNKNOWN_METHODS

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

__all__ = ["DjangoRouter", "view_methods"]

# A view wrapped by decorators is unwrapped at most this deep (guards a __wrapped__ cycle).
_MAX_DEPTH = 32


def _require_methods_codes() -> dict[CodeType, int]:
    """The code objects of ``require_http_methods``' wrappers, and where its list is kept.

    Every view the decorator wraps shares one code object per flavour (sync, async), so a
    view is recognised by identity with no dependence on Django's private names; the list
    of methods is the closure cell the wrapper reads.
    """

    def sync_view(request: object) -> None:
        return None

    async def async_view(request: object) -> None:
        return None

    codes: dict[CodeType, int] = {}
    for view in (sync_view, async_view):
        code = require_http_methods(["GET"])(view).__code__
        if "request_method_list" in code.co_freevars:
            codes[code] = code.co_freevars.index("request_method_list")
    return codes


_REQUIRE_CODES = _require_methods_codes()


def _method_decorator_code() -> tuple[CodeType, int] | None:
    """The code object of ``method_decorator``'s wrapper, and where its decorators are kept.

    Found as ``require_http_methods``' code is, by decorating a probe: every method that
    ``method_decorator`` wraps shares that code object, and the decorators it applies on
    each call are a closure cell.
    """

    def method(self: object, request: object) -> None:
        return None

    code = method_decorator(lambda function: function)(method).__code__
    if "decorators" not in code.co_freevars:
        return None
    return code, code.co_freevars.index("decorators")


_METHOD_DECORATOR = _method_decorator_code()


def _probe(request: object, *args: object, **kwargs: object) -> None:
    """A view for seeing what a decorator given to ``method_decorator`` does."""
    return None


def _required_methods(view: object) -> frozenset[str] | None:
    code = getattr(view, "__code__", None)
    index = _REQUIRE_CODES.get(code) if isinstance(code, CodeType) else None
    closure = getattr(view, "__closure__", None)
    if index is None or closure is None:
        return None
    listed = closure[index].cell_contents
    # Django upper-cases request.method, so a method listed in lower case never matches.
    return frozenset(str(method) for method in listed if str(method) == str(method).upper())


def _decorated_limits(wrapper: object, depth: int) -> list[frozenset[str]]:
    """The methods each ``require_http_methods`` inside a ``method_decorator`` accepts."""
    code = getattr(wrapper, "__code__", None)
    closure = getattr(wrapper, "__closure__", None)
    if _METHOD_DECORATOR is None or code is not _METHOD_DECORATOR[0] or closure is None:
        return []
    limits: list[frozenset[str]] = []
    for decorator in closure[_METHOD_DECORATOR[1]].cell_contents:
        try:
            # Django applies the same decorators to the bound method on every request.
            decorated = decorator(_probe)
        except Exception:  # a decorator that needs a real method: its limits are unknown
            continue
        accepted = _limit_along(decorated, depth + 1)
        if accepted is not None:
            limits.append(accepted)
    return limits


def _limit_along(function: object, depth: int = 0) -> frozenset[str] | None:
    """The methods the decorators around ``function`` let through, ``None`` if unlimited.

    Follows ``__wrapped__`` (``functools.wraps``) and ``method_decorator``'s wrappers.
    """
    accepted: frozenset[str] | None = None
    current = function
    for _ in range(_MAX_DEPTH if depth < _MAX_DEPTH else 0):
        if not callable(current):
            break
        listed = _required_methods(current)
        limits = [listed] if listed is not None else _decorated_limits(current, depth)
        for limit in limits:
            accepted = limit if accepted is None else accepted & limit
        current = getattr(current, "__wrapped__", None)
    return accepted


def _class_methods(view_class: type, initkwargs: Mapping[str, Any]) -> frozenset[str]:
    """The methods ``View.dispatch`` hands to a handler, less those a decorator refuses."""
    names = initkwargs.get("http_method_names", getattr(view_class, "http_method_names", ()))
    dispatch_limit = _limit_along(getattr(view_class, "dispatch", None))
    methods: set[str] = set()
    for name in names:
        # dispatch() looks up request.method.lower(): only lower-case names ever match.
        if not isinstance(name, str) or name != name.lower():
            continue
        handler = getattr(view_class, name, None)
        if handler is None and name == "head":
            handler = getattr(view_class, "get", None)  # View.setup(): head is get
        if handler is None:
            continue
        method = name.upper()
        handler_limit = _limit_along(handler)
        if handler_limit is not None and method not in handler_limit:
            continue
        if dispatch_limit is not None and method not in dispatch_limit:
            continue
        methods.add(method)
    return frozenset(methods)


def view_methods(view: Callable[..., object]) -> frozenset[str]:
    """The methods a resolved Django view accepts, or ``UNKNOWN_METHODS`` if not discoverable."""
    accepted: frozenset[str] | None = None
    class_seen = False
    current: object = view
    for _ in range(_MAX_DEPTH):
        if not callable(current):
            break
        listed = _required_methods(current)
        limits = [listed] if listed is not None else _decorated_limits(current, 0)
        view_class = getattr(current, "view_class", None)
        if not class_seen and isinstance(view_class, type):
            class_seen = True
            initkwargs = getattr(current, "view_initkwargs", None) or {}
            limits.append(_class_methods(view_class, initkwargs))
        for limit in limits:
            accepted = limit if accepted is None else accepted & limit
        current = getattr(current, "__wrapped__", None)
    if accepted is None:
        return UNKNOWN_METHODS
    # An empty intersection still leaves OPTIONS, which auto_options itself answers; the
    # empty set is reserved for "unknown".
    return accepted or frozenset({"OPTIONS"})


class DjangoRouter:
    """Finds a path's methods with Django's URL resolver (see the module documentation).

    ``urlconf`` is a URLconf module or its dotted name; ``None`` means ``ROOT_URLCONF``.
    A URLconf that middleware sets per request (``request.urlconf``) is not seen: the
    middleware runs before Django does.
    """

    def __init__(self, urlconf: str | ModuleType | None = None) -> None:
        self.urlconf = urlconf

    def _resolve(self, environ: WSGIEnvironment) -> Any:
        # The Host exactly as request.get_host() checks it against ALLOWED_HOSTS; a bare
        # HttpRequest reads META and, unlike WSGIRequest, never rewrites the environ.
        request = HttpRequest()
        request.META = environ
        try:
            request.get_host()
        except Exception:  # DisallowedHost: Django answers the request (400)
            return None
        # The path exactly as Django's WSGIRequest.path_info computes it.
        path = get_path_info(environ) or "/"
        try:
            return resolve(path, self.urlconf)
        except Resolver404:
            return None

    def allowed_methods(self, environ: WSGIEnvironment) -> frozenset[str] | None:
        match = self._resolve(environ)
        return None if match is None else view_methods(match.func)

    def load_views(self) -> None:
        """Import the URLconf (and what it includes), so the views it marks are marked."""
        get_resolver(self.urlconf).url_patterns  # noqa: B018 - the property imports them

    def marked_view(self, environ: WSGIEnvironment, method: str) -> tuple[str, ViewPolicy] | None:
        """The view the request's path resolves to and its mark, if it has one.

        Django resolves a path to one view whatever the method (the view refuses methods
        itself), so ``method`` does not change the answer.
        """
        match = self._resolve(environ)
        if match is None:
            return None
        mark = view_policy(match.func)
        if mark is None:
            return None
        name = match.view_name or getattr(match.func, "__qualname__", repr(match.func))
        return f"view {name!r}", mark

    def __repr__(self) -> str:
        return f"DjangoRouter(urlconf={self.urlconf!r})"
