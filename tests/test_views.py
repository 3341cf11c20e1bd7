"""Per-view policies: ``@cors_policy`` on Flask views and blueprints, Django views and classes.

Each app is real; the middleware asks the app's own router which view a request reaches
(for a preflight, the view of the requested method) and applies that view's policy, before
any path scope and before the middleware's own policy.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import call, configure_django, environ_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgicors import CORSMiddleware, CORSPolicy, cors_policy
from wsgicors import views as views_module
from wsgicors.headers import ACAC, ACAM, ACAO, ACEH

DEFAULT_ORIGIN = "https://default.example"
VIEW_ORIGIN = "https://view.example"
PUT_ORIGIN = "https://put.example"
BLUEPRINT_ORIGIN = "https://blueprint.example"

DEFAULT = CORSPolicy(allow_origins=[DEFAULT_ORIGIN], allow_methods=["GET", "PUT", "POST"])
VIEW = CORSPolicy(allow_origins=[VIEW_ORIGIN], allow_credentials=True, expose_headers=["X-View"])
PUT_VIEW = CORSPolicy(allow_origins=[PUT_ORIGIN], allow_methods=["PUT"])
BLUEPRINT = CORSPolicy(allow_origins=[BLUEPRINT_ORIGIN], expose_headers=["X-Blueprint"])
OWN = CORSPolicy(allow_origins=[VIEW_ORIGIN], expose_headers=["X-Own"])


def get(app: Any, path: str, origin: str, method: str = "GET") -> dict[str, list[str]]:
    result = call(app, environ_for(method, path, {"Origin": origin}))
    return {name: result.values(name) for name in (ACAO, ACAC, ACEH)} | {"status": [result.status]}


def preflight(app: Any, path: str, origin: str, method: str) -> tuple[str, list[str]]:
    environ = environ_for(
        "OPTIONS", path, {"Origin": origin, "Access-Control-Request-Method": method}
    )
    result = call(app, environ)
    return result.status, result.values(ACAO)


# --- Flask -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flask_app() -> Any:
    flask = pytest.importorskip("flask")
    app = flask.Flask("views")

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    @cors_policy(VIEW)  # above the route: the same function object is marked
    @app.get("/items")
    def items() -> str:
        return "items"

    @app.put("/items")
    @cors_policy(PUT_VIEW)  # below the route: marked before it is registered
    def replace_items() -> str:
        return "replaced"

    @app.get("/users/<int:user_id>")
    @cors_policy(VIEW)
    def user(user_id: int) -> str:
        return f"user {user_id}"

    @app.get("/closed")
    @cors_policy(None)
    def closed() -> str:
        return "closed"

    @app.get("/dir/")
    @cors_policy(VIEW)
    def directory() -> str:
        return "dir"

    admin = flask.Blueprint("admin", "views.admin", url_prefix="/admin")

    @admin.get("/stats")
    def stats() -> str:
        return "stats"

    @admin.get("/own")
    @cors_policy(OWN)
    def own() -> str:
        return "own"

    cors_policy(BLUEPRINT)(admin)
    app.register_blueprint(admin)
    app.wsgi_app = CORSMiddleware(app.wsgi_app, DEFAULT, router=app)  # type: ignore[method-assign]
    return app


@pytest.mark.parametrize(
    ("path", "origin", "expected"),
    [
        pytest.param("/plain", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="unmarked-view-default"),
        pytest.param("/plain", VIEW_ORIGIN, [], id="unmarked-view-not-view-origin"),
        pytest.param("/items", VIEW_ORIGIN, [VIEW_ORIGIN], id="marked-view"),
        pytest.param("/items", DEFAULT_ORIGIN, [], id="marked-view-not-default-origin"),
        pytest.param("/users/7", VIEW_ORIGIN, [VIEW_ORIGIN], id="route-converter"),
        pytest.param("/users/x", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="converter-404-default"),
        pytest.param("/admin/stats", BLUEPRINT_ORIGIN, [BLUEPRINT_ORIGIN], id="blueprint"),
        pytest.param("/admin/own", VIEW_ORIGIN, [VIEW_ORIGIN], id="view-beats-blueprint"),
        pytest.param("/admin/own", BLUEPRINT_ORIGIN, [], id="blueprint-not-for-own-view"),
        pytest.param("/nowhere", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="404-default"),
        pytest.param("/dir", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="strict-slashes-redirect"),
        pytest.param("/dir/", VIEW_ORIGIN, [VIEW_ORIGIN], id="after-redirect"),
    ],
)
def test_flask_view_policy_applies(
    flask_app: Any, path: str, origin: str, expected: list[str]
) -> None:
    assert get(flask_app, path, origin)[ACAO] == expected


def test_flask_view_policy_carries_its_own_headers(flask_app: Any) -> None:
    answer = get(flask_app, "/items", VIEW_ORIGIN)

    assert answer == {
        ACAO: [VIEW_ORIGIN],
        ACAC: ["true"],
        ACEH: ["X-View"],
        "status": ["200 OK"],
    }


def test_flask_view_marked_none_gets_no_cors(flask_app: Any) -> None:
    result = call(flask_app, environ_for("GET", "/closed", {"Origin": DEFAULT_ORIGIN}))

    assert result.status == "200 OK"
    assert [
        name for name, _ in result.headers if name.lower().startswith(("access-", "vary"))
    ] == []


def test_flask_preflight_gets_the_policy_of_the_requested_methods_view(flask_app: Any) -> None:
    assert preflight(flask_app, "/items", PUT_ORIGIN, "PUT") == ("204 No Content", [PUT_ORIGIN])
    assert preflight(flask_app, "/items", VIEW_ORIGIN, "PUT") == ("403 Forbidden", [])
    assert preflight(flask_app, "/items", VIEW_ORIGIN, "GET") == ("204 No Content", [VIEW_ORIGIN])


def test_flask_method_not_routed_falls_back_to_default(flask_app: Any) -> None:
    # POST /items reaches no view (405): the middleware's own policy answers.
    assert preflight(flask_app, "/items", DEFAULT_ORIGIN, "POST") == (
        "204 No Content",
        [DEFAULT_ORIGIN],
    )


def test_view_policy_beats_a_path_scope() -> None:
    flask = pytest.importorskip("flask")
    app = flask.Flask("scoped_views")

    @app.get("/api/open")
    @cors_policy(VIEW)
    def open_view() -> str:
        return "open"

    @app.get("/api/other")
    def other() -> str:
        return "other"

    app.wsgi_app = CORSMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {"/api": None, "/": DEFAULT}, router=app
    )

    assert get(app, "/api/open", VIEW_ORIGIN)[ACAO] == [VIEW_ORIGIN]
    assert get(app, "/api/other", DEFAULT_ORIGIN)[ACAO] == []
    assert get(app, "/else", DEFAULT_ORIGIN)[ACAO] == [DEFAULT_ORIGIN]


def test_router_never_asked_while_no_view_is_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    class Router:
        def allowed_methods(self, environ: dict[str, Any]) -> frozenset[str] | None:
            return None

        def marked_view(self, environ: dict[str, Any], method: str) -> None:
            asked.append(environ["PATH_INFO"])

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b""]

    middleware = CORSMiddleware(app, DEFAULT, router=Router())
    monkeypatch.setattr(views_module, "_marked", 0)
    call(middleware, environ_for("GET", "/a", {"Origin": DEFAULT_ORIGIN}))
    monkeypatch.setattr(views_module, "_marked", 1)
    call(middleware, environ_for("GET", "/b", {"Origin": DEFAULT_ORIGIN}))
    call(middleware, environ_for("GET", "/b", {"Origin": DEFAULT_ORIGIN}))

    assert asked == ["/b"]  # asked once for /b: the answer is remembered


@pytest.mark.parametrize("value", ["https://a.example", {"allow_origins": ["*"]}, 42])
def test_cors_policy_takes_a_policy_or_none(value: object) -> None:
    with pytest.raises(TypeError) as excinfo:
        cors_policy(value)  # type: ignore[arg-type]

    assert str(excinfo.value) == (
        f"cors_policy() takes a CORSPolicy or None, not {type(value).__name__}: write "
        "@cors_policy(CORSPolicy(allow_origins=[...])) or @cors_policy(None)"
    )


def test_cors_policy_returns_the_view_unchanged() -> None:
    def view() -> str:
        return "v"

    assert cors_policy(VIEW)(view) is view


# --- Django ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def django_app() -> Iterator[Any]:
    pytest.importorskip("django")
    configure_django()
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpResponse
    from django.test.utils import override_settings
    from django.urls import include, path, re_path
    from django.views import View
    from django.views.decorators.http import require_http_methods

    @cors_policy(VIEW)
    def marked(request: Any) -> Any:
        return HttpResponse("marked")

    def plain(request: Any) -> Any:
        return HttpResponse("plain")

    @require_http_methods(["GET", "PUT"])
    @cors_policy(PUT_VIEW)
    def wrapped_view(request: Any) -> Any:
        return HttpResponse("wrapped")

    @cors_policy(BLUEPRINT)
    class Things(View):
        def get(self, request: Any) -> Any:
            return HttpResponse("things")

    @cors_policy(None)
    def closed(request: Any) -> Any:
        return HttpResponse("closed")

    inner = types.ModuleType("wsgicors_views_inner_urls")
    inner.urlpatterns = [path("deep/", marked, name="deep")]  # type: ignore[attr-defined]
    inner.app_name = "inner"  # type: ignore[attr-defined]
    sys.modules[inner.__name__] = inner
    urls = types.ModuleType("wsgicors_views_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("marked/", marked),
        path("plain/", plain),
        path("wrapped/", wrapped_view),
        path("things/", Things.as_view()),
        re_path(r"^re/(?P<n>[0-9]+)/$", marked),
        path("closed/", closed),
        path("ns/", include(inner.__name__, namespace="ns")),
    ]
    sys.modules[urls.__name__] = urls
    with override_settings(
        ROOT_URLCONF=urls.__name__,
        ALLOWED_HOSTS=["127.0.0.1"],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        APPEND_SLASH=True,
    ):
        yield CORSMiddleware(get_wsgi_application(), DEFAULT)
    del sys.modules[urls.__name__], sys.modules[inner.__name__]


@pytest.mark.parametrize(
    ("path", "origin", "expected"),
    [
        pytest.param("/marked/", VIEW_ORIGIN, [VIEW_ORIGIN], id="function-view"),
        pytest.param("/marked/", DEFAULT_ORIGIN, [], id="function-view-not-default"),
        pytest.param("/plain/", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="unmarked-default"),
        pytest.param("/things/", BLUEPRINT_ORIGIN, [BLUEPRINT_ORIGIN], id="class-based-view"),
        pytest.param("/re/12/", VIEW_ORIGIN, [VIEW_ORIGIN], id="re-path"),
        pytest.param("/ns/deep/", VIEW_ORIGIN, [VIEW_ORIGIN], id="include-namespace"),
        pytest.param("/marked", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="append-slash-redirect"),
        pytest.param("/nowhere/", DEFAULT_ORIGIN, [DEFAULT_ORIGIN], id="404-default"),
    ],
)
def test_django_view_policy_applies(
    django_app: Any, path: str, origin: str, expected: list[str]
) -> None:
    assert get(django_app, path, origin)[ACAO] == expected


def test_django_view_under_require_http_methods_keeps_its_policy(django_app: Any) -> None:
    assert preflight(django_app, "/wrapped/", PUT_ORIGIN, "PUT") == (
        "204 No Content",
        [PUT_ORIGIN],
    )


def test_django_view_marked_none_gets_no_cors(django_app: Any) -> None:
    result = call(django_app, environ_for("GET", "/closed/", {"Origin": DEFAULT_ORIGIN}))

    assert result.status == "200 OK"
    assert [name for name, _ in result.headers if name.lower().startswith("access-")] == []


def test_django_preflight_answered_with_the_views_method_list(django_app: Any) -> None:
    environ = environ_for(
        "OPTIONS", "/wrapped/", {"Origin": PUT_ORIGIN, "Access-Control-Request-Method": "PUT"}
    )

    assert call(django_app, environ).values(ACAM) == ["PUT"]


# --- property: the policy applied is the policy of the view the framework dispatches to --------

ROUTES = ["/plain", "/items", "/users/1", "/closed", "/dir/", "/admin/stats", "/admin/own"]
EXPECTED_BY_BODY = {
    "plain": DEFAULT_ORIGIN,
    "items": VIEW_ORIGIN,
    "user 1": VIEW_ORIGIN,
    "closed": None,
    "dir": VIEW_ORIGIN,
    "stats": BLUEPRINT_ORIGIN,
    "own": VIEW_ORIGIN,
}
PATHS = st.builds(
    lambda lead, route, tail: lead + route.lstrip("/") + tail,
    st.sampled_from(["/", "//", "/./", "/x/../"]),
    st.sampled_from(ROUTES),
    st.sampled_from(["", "/", "//", "/."]),
)


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=PATHS, origin=st.sampled_from([DEFAULT_ORIGIN, VIEW_ORIGIN, BLUEPRINT_ORIGIN]))
def test_flask_served_view_always_gets_its_own_policy(
    flask_app: Any, path: str, origin: str
) -> None:
    result = call(flask_app, environ_for("GET", path, {"Origin": origin}))
    body = result.body.decode()
    if result.status != "200 OK" or body not in EXPECTED_BY_BODY:
        return
    allowed = EXPECTED_BY_BODY[body]
    assert result.values(ACAO) == ([origin] if origin == allowed else []), (path, body)


def test_debug_log_names_the_view_or_scope_that_chose_the_policy(cors_log: Any) -> None:
    flask = pytest.importorskip("flask")
    app = flask.Flask("debug_views")

    @app.get("/api/marked")
    @cors_policy(CORSPolicy(allow_origins=[VIEW_ORIGIN], debug=True))
    def marked() -> str:
        return "marked"

    @app.get("/api/plain")
    def plain() -> str:
        return "plain"

    app.wsgi_app = CORSMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {"/api": CORSPolicy(debug=True)}, router=app
    )
    call(app, environ_for("GET", "/api/marked", {"Origin": VIEW_ORIGIN}))
    call(app, environ_for("GET", "/api/plain"))
    call(app, environ_for("GET", "/api/marked"))

    assert cors_log.messages == [
        f"[CORS] 'GET' request from {VIEW_ORIGIN!r} (view 'marked'): allowed",
        "[CORS] 'GET' request without Origin (path scope '/api'): '*' for every origin",
        "[CORS] 'GET' request without Origin (view 'marked'): not a CORS request",
    ]


DJANGO_ROUTES = ["/marked/", "/plain/", "/things/", "/re/12/", "/closed/", "/ns/deep/"]
DJANGO_EXPECTED_BY_BODY = {
    "marked": VIEW_ORIGIN,
    "plain": DEFAULT_ORIGIN,
    "things": BLUEPRINT_ORIGIN,
    "closed": None,
}


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    path=st.builds(
        lambda lead, route, tail: lead + route.lstrip("/") + tail,
        st.sampled_from(["/", "//", "/./", "/x/../"]),
        st.sampled_from(DJANGO_ROUTES),
        st.sampled_from(["", "/", "."]),
    ),
    origin=st.sampled_from([DEFAULT_ORIGIN, VIEW_ORIGIN, BLUEPRINT_ORIGIN]),
)
def test_django_served_view_always_gets_its_own_policy(
    django_app: Any, path: str, origin: str
) -> None:
    result = call(django_app, environ_for("GET", path, {"Origin": origin}))
    body = result.body.decode()
    if result.status != "200 OK" or body not in DJANGO_EXPECTED_BY_BODY:
        return
    allowed = DJANGO_EXPECTED_BY_BODY[body]
    assert result.values(ACAO) == ([origin] if origin == allowed else []), (path, body)


@pytest.mark.parametrize("path", ["/marked/", "/things/", "/ns/deep/", "/closed/"])
def test_django_serves_the_property_paths(django_app: Any, path: str) -> None:
    # The property above is only as strong as the paths Django serves: these it does.
    assert call(django_app, environ_for("GET", path, {"Origin": VIEW_ORIGIN})).status == "200 OK"


def test_cors_policy_on_what_cannot_carry_a_mark_refused() -> None:
    with pytest.raises(TypeError) as excinfo:
        cors_policy(VIEW)(42)

    assert str(excinfo.value) == (
        "cors_policy() marks a view function, a class-based view or a blueprint; 42 cannot "
        "carry an attribute"
    )


def test_mark_found_through_a_decorator_that_only_sets_wrapped() -> None:
    @cors_policy(VIEW)
    def view() -> str:
        return "v"

    def outer() -> str:  # a decorator's wrapper that copies no __dict__
        return view()

    outer.__wrapped__ = view  # type: ignore[attr-defined]

    assert views_module.view_policy(outer) == views_module.ViewPolicy(VIEW)


def test_wrapped_cycle_without_a_mark_ends() -> None:
    def loop() -> None:
        return None

    loop.__wrapped__ = loop  # type: ignore[attr-defined]

    assert views_module.view_policy(loop) is None


def test_shadow_candidate_never_overrides_a_marked_views_policy() -> None:
    import logging

    flask = pytest.importorskip("flask")
    app = flask.Flask("shadow_views")

    @app.get("/items")
    @cors_policy(VIEW)
    def items() -> str:
        return "items"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    seen: list[Any] = []
    app.wsgi_app = CORSMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        DEFAULT,
        router=app,
        on_decision=seen.append,
        shadow=CORSPolicy(allow_origins=["https://nobody.example"]),
    )
    logging.getLogger("wsgicors.shadow").disabled = True
    try:
        call(app, environ_for("GET", "/items", {"Origin": VIEW_ORIGIN}))
        call(app, environ_for("GET", "/plain", {"Origin": DEFAULT_ORIGIN}))
    finally:
        logging.getLogger("wsgicors.shadow").disabled = False

    assert [(d.scope, d.allowed, d.shadow) for d in seen] == [
        ("view 'items'", True, False),
        (None, True, False),
        (None, False, True),
    ]
