"""The applications under test and the layers wrapped around them.

Each builder returns a plain WSGI callable. Every layer gets the policy of
:mod:`benchmarks.scenarios`, written in that layer's own configuration language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
