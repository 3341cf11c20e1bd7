"""Path scopes under real Flask and Django apps: hostile paths never reach another scope's view.

Hypothesis builds request paths from ``//`` runs, ``.`` and ``..`` segments,
``;`` and case changes, sends each straight to a real Flask or Django application wrapped
in path-scoped policies, and checks the one guarantee that matters: whenever the framework
serves a view, the policy applied is the one of that view's own path. Each policy marks its
answers with its own ``Access-Control-Expose-Headers`` value, so the response says which
policy was applied.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import call, configure_django, environ_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAO, ACEH

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ORIGIN = "https://app.example.com"

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


def check_served_view_gets_its_policy(app: Callable[..., Any], path: str) -> None:
    result = call(app, environ_for("GET", path, {"Origin": ORIGIN}))
    route = result.body.decode("latin-1")
    if not result.status.startswith("200") or route not in ROUTES:
        return
    marker = marker_for(route)
    if marker is None:
        assert result.values(ACAO) == [], (path, route)
    else:
        assert result.values(ACAO) == [ORIGIN], (path, route)
        assert result.values(ACEH) == [marker], (path, route)


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
    result = call(flask_app, environ_for("GET", path, {"Origin": ORIGIN}))

    assert (result.status, result.body) == ("200 OK", path.lstrip("/").join(["/", ""]).encode())
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
    configure_django()
    from django.core.wsgi import get_wsgi_application
    from django.test.utils import override_settings
    from django.urls import path as url

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
    result = call(django_app, environ_for("GET", path, {"Origin": ORIGIN}))

    assert (result.status, result.body) == ("200 OK", path.encode())
    assert result.values(ACEH) == [marker]
