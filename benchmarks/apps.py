"""The applications under test and the layers wrapped around them.

Each builder returns a plain WSGI callable. Every layer gets the policy of
:mod:`benchmarks.scenarios`, written in that layer's own configuration language.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

from benchmarks import scenarios

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

BODY = b"ok"


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The least a WSGI application can do; a new header list each call, as real apps make."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [BODY]


class FloorMiddleware:
    """The cheapest useful middleware: wrap start_response and append one constant header.

    Any CORS layer that decorates responses does at least this, so its time is the floor.
    """

    __slots__ = ("app",)

    HEADER = ("X-Floor", "1")

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        def floor_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            return start_response(status, [*headers, self.HEADER], exc_info)

        return self.app(environ, floor_start_response)


def _policy(module: ModuleType, origins: tuple[str, ...] | None = None, **options: Any) -> Any:
    return module.CORSPolicy(
        allow_origins=origins or (scenarios.ALLOWED_ORIGIN,),
        allow_methods=scenarios.ALLOWED_METHODS,
        allow_headers=scenarios.ALLOWED_HEADERS,
        max_age=scenarios.MAX_AGE,
        **options,
    )


def ours(module: ModuleType, app: WSGIApp, origins: tuple[str, ...] | None = None) -> WSGIApp:
    wrapped: WSGIApp = module.CORSMiddleware(app, _policy(module, origins))
    return wrapped


def hostile_layers(module: ModuleType, app: WSGIApp) -> dict[str, WSGIApp]:
    """Ours under each policy the hostile requests meet, by the names in
    ``scenarios.HOSTILE_POLICIES``: the common policy, the same with a subdomain wildcard
    instead of the exact origin, with private network access, and scoped by path."""
    layers = {
        "exact": _policy(module),
        "wildcard": _policy(module, (scenarios.WILDCARD_PATTERN,)),
        "private_network": _policy(module, allow_private_network=True),
        "scoped": {
            "/": _policy(module),
            "/admin": None,
            "/api": _policy(module, allow_credentials=True),
        },
    }
    return {name: module.CORSMiddleware(app, policy) for name, policy in layers.items()}


def observe_layers(module: ModuleType, app: WSGIApp) -> dict[str, WSGIApp]:
    """Ours with and without ``on_decision`` (the common policy), and with and without a
    ``shadow`` candidate: the live policy is ``CORSPolicy()`` (every origin), the candidate
    the common policy (one origin), so a request from any other origin is decided
    differently by the two."""
    return {
        "ours": ours(module, app),
        "on_decision": module.CORSMiddleware(
            app, _policy(module), on_decision=lambda decision: None
        ),
        "open": module.CORSMiddleware(app, module.CORSPolicy()),
        "open_shadow": module.CORSMiddleware(app, module.CORSPolicy(), shadow=_policy(module)),
    }


# Returns a context manager entered around every batch of one variant (and its calibration).
BatchContext = Callable[[], contextlib.AbstractContextManager[Any]]


@contextlib.contextmanager
def marked_views(views: ModuleType, count: int) -> Iterator[None]:
    """The process-wide count of marked views set to ``count``, restored on the way out."""
    saved = views._marked
    views._marked = count
    try:
        yield
    finally:
        views._marked = saved


def _view(number: int) -> Callable[..., str]:
    def view(item: int) -> str:
        return "ok"

    view.__name__ = f"resource{number}"
    return view


def flask_routes_app() -> Any:
    """A Flask app with ``scenarios.VIEW_ROUTES`` routes, ``/api/resource<i>/<int:item>``."""
    import flask

    app = flask.Flask("benchmarks_views")
    for number in range(scenarios.VIEW_ROUTES):
        app.add_url_rule(
            f"/api/resource{number}/<int:item>",
            endpoint=f"resource{number}",
            view_func=_view(number),
            methods=list(scenarios.ALLOWED_METHODS),
        )
    return app


def view_layers(module: ModuleType) -> dict[str, tuple[WSGIApp, BatchContext | None]]:
    """The Flask app of ``flask_routes_app`` (every tenth view marked with the common policy)
    bare, under one global policy and under per-view policies, each with the count of marked
    views it is measured with.

    Marking is process-wide: once a view is marked, every middleware with a router asks it
    which view a request reaches. So the count is put back as it was once the views are
    marked, and each variant's batches run with the count it stands for: 0 for the global
    policy (no view marked: the router is never asked), the real count for per-view
    policies. The other groups, measured between these batches, see the count as it was.
    """
    views = importlib.import_module(f"{module.__name__}.views")
    app = flask_routes_app()
    before = views._marked
    view_policy = module.cors_policy(_policy(module))
    for number in range(0, scenarios.VIEW_ROUTES, scenarios.VIEW_ROUTES // scenarios.VIEW_MARKED):
        view_policy(app.view_functions[f"resource{number}"])
    marked = views._marked
    views._marked = before
    wsgi_app = app.wsgi_app
    return {
        "flask": (wsgi_app, None),
        "global": (
            module.CORSMiddleware(wsgi_app, _policy(module), router=app),
            functools.partial(marked_views, views, 0),
        ),
        # Its own policy names another origin: the allowed origin gets its headers only
        # from the view's policy, which the sanity check verifies.
        "per_view": (
            module.CORSMiddleware(
                wsgi_app, _policy(module, (scenarios.OTHER_ORIGIN,)), router=app
            ),
            functools.partial(marked_views, views, marked),
        ),
    }


def old_wsgicors(module: ModuleType, app: WSGIApp) -> WSGIApp:
    wrapped: WSGIApp = module.CORS(
        app,
        origin=scenarios.ALLOWED_ORIGIN,
        methods=", ".join(scenarios.ALLOWED_METHODS),
        headers=", ".join(scenarios.ALLOWED_HEADERS),
        maxage=str(scenarios.MAX_AGE),
    )
    return wrapped


def flask_app(with_flask_cors: bool = False) -> WSGIApp:
    import flask

    app = flask.Flask("benchmarks")

    @app.route("/", methods=list(scenarios.ALLOWED_METHODS))
    def index() -> str:
        return "ok"

    if with_flask_cors:
        import flask_cors

        flask_cors.CORS(
            app,
            origins=[scenarios.ALLOWED_ORIGIN],
            methods=list(scenarios.ALLOWED_METHODS),
            allow_headers=list(scenarios.ALLOWED_HEADERS),
            max_age=scenarios.MAX_AGE,
        )
    return app


def _configure_django() -> None:
    from django.conf import settings  # type: ignore[import-untyped]

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmarks-only-not-a-secret",
        ALLOWED_HOSTS=["localhost"],
        ROOT_URLCONF="benchmarks.django_urls",
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_TZ=True,
        LOGGING_CONFIG=None,
        CORS_ALLOWED_ORIGINS=[scenarios.ALLOWED_ORIGIN],
        CORS_ALLOW_METHODS=list(scenarios.ALLOWED_METHODS),
        CORS_ALLOW_HEADERS=[h.lower() for h in scenarios.ALLOWED_HEADERS],
        CORS_PREFLIGHT_MAX_AGE=scenarios.MAX_AGE,
    )


def django_app(with_django_cors_headers: bool = False) -> WSGIApp:
    """Django's own WSGI handler for one URL; MIDDLEWARE holds only the CORS layer, if any."""
    _configure_django()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler  # type: ignore[import-untyped]
    from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

    get_wsgi_application()  # runs django.setup() once
    # The handler reads MIDDLEWARE when it is built, so two handlers can differ in it.
    settings.MIDDLEWARE = (
        ["corsheaders.middleware.CorsMiddleware"] if with_django_cors_headers else []
    )
    handler: WSGIApp = WSGIHandler()
    return handler
