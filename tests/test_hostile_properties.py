"""Properties over hostile input: paths under real Flask and Django apps, and header lists.

For paths, hypothesis builds request paths from ``//`` runs, ``.`` and ``..`` segments,
``;`` and case changes, sends each straight to a real Flask or Django application wrapped
in path-scoped policies, and checks the one guarantee that matters: whenever the framework
serves a view, the policy applied is the one of that view's own path. Each policy marks its
answers with its own ``Access-Control-Expose-Headers`` value, so the response says which
policy was applied.

For header lists, hypothesis builds ``Access-Control-Request-Headers`` values from runs of
``,``, spaces and tabs, tokens and one bad byte, up to the middleware's size limits, and
checks the answer against the rule (split on ``,``, trim, skip empty elements, every name a
token) and a per-request guard that only a super-linear parse could break.
"""

from __future__ import annotations

import importlib
import io
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAH, ACAO, ACEH

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ORIGIN = "https://app.example.com"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The routes both frameworks serve, and the scope each one's path falls in.
ROUTES = ["/", "/admin", "/admin/secret", "/api/data", "/apix", "/public/info", "/private/p"]
SCOPES: dict[str, str | None] = {
    "/": "X-Root",
    "/admin": "X-Admin",
    "/api": "X-Api",
    "/private": None,
}


def marker_for(route: str) -> str | None:
    """The marker of the longest scope prefix of ``route`` on a segment boundary."""
    best = max(
        (
            prefix
            for prefix in SCOPES
            if route == prefix or route.startswith(prefix.rstrip("/") + "/")
        ),
        key=len,
    )
    return SCOPES[best]


def scoped(app: Any) -> CORSMiddleware:
    policies = {
        prefix: None
        if marker is None
        else CORSPolicy(allow_origins=[ORIGIN], allow_credentials=True, expose_headers=[marker])
        for prefix, marker in SCOPES.items()
    }
    return CORSMiddleware(app, policies)


SEGMENTS = st.sampled_from(
    [
        "",
        ".",
        "..",
        "admin",
        "Admin",
        "api",
        "apix",
        "data",
        "public",
        "info",
        "private",
        "p",
        "secret",
        ";",
        "admin;x",
        "%2e",
        "x",
    ]
)
PATHS = st.builds(
    lambda lead, segments, tail: lead + "/".join(segments) + tail,
    st.sampled_from(["/", "//", "///", "", "/./", "/../"]),
    st.lists(SEGMENTS, max_size=6),
    st.sampled_from(["", "/", "//"]),
)


def environ_for(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call(
    app: Callable[..., Any], environ: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    iterable = app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    return captured["status"], captured["headers"], body


def values(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def check_served_view_gets_its_policy(app: Callable[..., Any], path: str) -> None:
    status, headers, body = call(app, environ_for("GET", path, {"Origin": ORIGIN}))
    route = body.decode("latin-1")
    if not status.startswith("200") or route not in ROUTES:
        return
    marker = marker_for(route)
    if marker is None:
        assert values(headers, ACAO) == [], (path, route)
    else:
        assert values(headers, ACAO) == [ORIGIN], (path, route)
        assert values(headers, ACEH) == [marker], (path, route)


# --- Flask -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flask_app() -> CORSMiddleware:
    flask = pytest.importorskip("flask")
    app = flask.Flask("paths")

    for route in ROUTES:
        app.add_url_rule(route, route, lambda route=route: route)
    return scoped(app)


@PROPERTY
@given(path=PATHS)
def test_flask_view_always_gets_the_policy_of_its_own_path(
    flask_app: CORSMiddleware, path: str
) -> None:
    check_served_view_gets_its_policy(flask_app, path)


@pytest.mark.parametrize("path", ["//admin/secret", "//private/p", "///admin"])
def test_flask_serves_double_slash_paths_and_the_scope_follows(
    flask_app: CORSMiddleware, path: str
) -> None:
    # The property above is only as strong as the paths Flask serves: these it does.
    status, _, body = call(flask_app, environ_for("GET", path, {"Origin": ORIGIN}))

    assert (status, body) == ("200 OK", path.lstrip("/").join(["/", ""]).encode())
    check_served_view_gets_its_policy(flask_app, path)


# --- Django ------------------------------------------------------------------------------------


def _django_view(route: str) -> Callable[..., Any]:
    from django.http import HttpResponse

    def view(request: Any) -> Any:
        return HttpResponse(route)

    return view


@pytest.fixture(scope="module")
def django_app() -> Iterator[CORSMiddleware]:
    pytest.importorskip("django")
    from django.conf import settings as django_settings
    from django.test.utils import override_settings
    from django.urls import path as url

    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    if not django_settings.configured:
        example = importlib.import_module("djangoproject.settings")
        django_settings.configure(
            **{name: getattr(example, name) for name in dir(example) if name.isupper()}
        )
        import django

        django.setup()
    from django.core.wsgi import get_wsgi_application

    module = type(sys)("wsgicors_hostile_paths_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        url(route.lstrip("/"), _django_view(route)) for route in ROUTES
    ]
    sys.modules[module.__name__] = module
    with override_settings(ROOT_URLCONF=module.__name__, MIDDLEWARE=[], ALLOWED_HOSTS=["*"]):
        yield scoped(get_wsgi_application())
    del sys.modules[module.__name__]


@PROPERTY
@given(path=PATHS)
def test_django_view_always_gets_the_policy_of_its_own_path(
    django_app: CORSMiddleware, path: str
) -> None:
    check_served_view_gets_its_policy(django_app, path)


# --- Access-Control-Request-Headers ------------------------------------------------------------

TOKENS = st.text(alphabet="abcxyz-_0123456789!#$%&'*+.^`|~", min_size=1, max_size=40)
SEPARATORS = st.text(alphabet=", \t", min_size=1, max_size=200)
BAD = st.sampled_from(["@", " ", "\x00", "\x7f", "é", "(", '"', ":", "\x1b", "/"])


@st.composite
def header_lists(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(TOKENS, SEPARATORS), max_size=60))
    value = "".join(parts)
    if draw(st.booleans()):
        position = draw(st.integers(0, len(value)))
        value = value[:position] + draw(BAD) + value[position:]
    if draw(st.booleans()):
        # Stretch to the size limits: a run of separators is the classic backtracking bait.
        value = draw(SEPARATORS) * draw(st.integers(1, 40)) + value
    return value[:5000]


def expected_allow_headers(value: str) -> str | None:
    """The Access-Control-Allow-Headers the rule gives, '' for none, None for a refusal."""
    if len(value) > 4096 or value.count(",") + 1 > 64:
        return None
    names = [name.strip(" \t") for name in value.split(",")]
    names = [name for name in names if name]
    tchars = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
    if not all(set(name) <= tchars for name in names):
        return None
    return ",".join(names)


def _empty_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]


@PROPERTY
@given(value=header_lists())
def test_any_header_list_answered_by_the_rule_in_linear_time(value: str) -> None:
    environ = environ_for(
        "OPTIONS",
        "/",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": value,
        },
    )
    middleware = CORSMiddleware(_empty_app, CORSPolicy(allow_methods=["PUT"]))

    started = time.perf_counter()
    status, headers, _ = call(middleware, environ)
    assert time.perf_counter() - started < 0.05

    expected = expected_allow_headers(value)
    if expected is None:
        assert status == "403 Forbidden"
        assert values(headers, ACAO) == []
    else:
        assert status == "204 No Content"
        assert values(headers, ACAH) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        pytest.param("/admin/secret", "X-Admin", id="admin"),
        pytest.param("/api/data", "X-Api", id="api"),
        pytest.param("/apix", "X-Root", id="apix-is-not-api"),
        pytest.param("/public/info", "X-Root", id="public"),
    ],
)
def test_django_serves_the_plain_paths_under_their_scope(
    django_app: CORSMiddleware, path: str, marker: str
) -> None:
    # The property above is only as strong as the paths Django serves: these it does.
    status, headers, body = call(django_app, environ_for("GET", path, {"Origin": ORIGIN}))

    assert (status, body) == ("200 OK", path.encode())
    assert values(headers, ACEH) == [marker]
