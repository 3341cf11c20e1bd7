"""Flask: real Flask applications through WebTest, and examples/flask_app.py.

The middleware reads routes from ``url_map`` through the core's ``WerkzeugRouter``; these
tests cover what Flask adds on top: blueprints, ``methods=`` on routes, ``strict_slashes``
redirects, a path routed for some methods only, and the ``app.wsgi_app`` recipe.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import webtest
from flask import Blueprint, Flask
from werkzeug.test import Client, EnvironBuilder

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAM, ACAO, ACEH, ACMA, ACRM, ALLOW, ORIGIN, VARY
from wsgicors.routes import find_router

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SITE = "https://www.domain.com"
POLICY = CORSPolicy(
    allow_origins=[SITE],
    allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
    auto_options=True,
)


def shop() -> Flask:
    """Routes of every shape Flask offers, none of them aware of CORS."""
    app = Flask("shop")
    orders = Blueprint("orders", "shop", url_prefix="/orders")

    @orders.get("/")
    def list_orders() -> dict[str, list[int]]:
        return {"orders": []}

    @orders.route("/<int:order_id>", methods=["GET", "PATCH"])
    def order(order_id: int) -> dict[str, int]:
        return {"id": order_id}

    app.register_blueprint(orders)

    @app.post("/upload")
    def upload() -> tuple[str, int]:
        return "", 201

    @app.get("/report")
    def read_report() -> str:
        return "report"

    @app.delete("/report")
    def delete_report() -> tuple[str, int]:
        return "", 204

    @app.route("/exact", strict_slashes=False)
    def exact() -> str:
        return "exact"

    return app


@pytest.fixture
def wrapped() -> webtest.TestApp:
    return webtest.TestApp(CORSMiddleware(shop(), POLICY))


@pytest.fixture
def recipe() -> webtest.TestApp:
    app = shop()
    app.wsgi_app = CORSMiddleware(app.wsgi_app, POLICY, router=app)  # type: ignore[method-assign]
    return webtest.TestApp(app)


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        pytest.param("/orders/", "GET, HEAD, OPTIONS", id="blueprint route"),
        pytest.param("/orders/7", "GET, HEAD, OPTIONS, PATCH", id="blueprint methods="),
        pytest.param("/upload", "OPTIONS, POST", id="POST-only route"),
        pytest.param(
            "/report", "DELETE, GET, HEAD, OPTIONS", id="two view functions, one rule each"
        ),
        pytest.param("/exact/", "GET, HEAD, OPTIONS", id="strict_slashes=False"),
    ],
)
def test_plain_options_on_wrapped_app_allows_route_methods(
    wrapped: webtest.TestApp, path: str, allow: str
) -> None:
    response = wrapped.options(path, headers={ORIGIN: SITE})

    assert (response.status, response.headers[ALLOW], response.headers[ACAO]) == (
        "200 OK",
        allow,
        SITE,
    )


def test_plain_options_through_wsgi_app_recipe_allows_route_methods(
    recipe: webtest.TestApp,
) -> None:
    response = recipe.options("/orders/7")

    assert (response.status, response.headers[ALLOW]) == ("200 OK", "GET, HEAD, OPTIONS, PATCH")


def test_wsgi_app_recipe_without_router_allows_policy_methods() -> None:
    app = shop()
    app.wsgi_app = CORSMiddleware(app.wsgi_app, POLICY)  # type: ignore[method-assign]

    response = webtest.TestApp(app).options("/upload")

    assert response.headers[ALLOW] == "GET, HEAD, POST, PUT, DELETE, OPTIONS"


def test_missing_slash_on_strict_route_is_flasks_redirect_with_cors(
    wrapped: webtest.TestApp,
) -> None:
    response = wrapped.options("/orders", headers={ORIGIN: SITE})

    assert (response.status, response.headers["Location"], response.headers[ACAO]) == (
        "308 PERMANENT REDIRECT",
        "http://localhost/orders/",
        SITE,
    )
    assert ALLOW not in response.headers


def test_preflight_on_strict_slashes_redirect_path_is_answered(wrapped: webtest.TestApp) -> None:
    # A preflight never reaches Flask, so its redirect cannot break it.
    response = wrapped.options("/orders", headers={ORIGIN: SITE, ACRM: "PUT"})

    assert (response.status, response.headers[ACAM]) == ("204 No Content", "PUT")


def test_unknown_path_is_flasks_404_with_cors(wrapped: webtest.TestApp) -> None:
    response = wrapped.options("/nowhere", headers={ORIGIN: SITE}, status=404)

    assert (response.headers[ACAO], response.headers[VARY]) == (SITE, "Origin")


def test_method_a_route_lacks_is_flasks_405_with_cors(wrapped: webtest.TestApp) -> None:
    response = wrapped.put("/upload", headers={ORIGIN: SITE}, status=405)

    # werkzeug lists the methods of a 405 in set order, which varies between runs.
    allowed = set(response.headers[ALLOW].split(", "))
    assert (allowed, response.headers[ACAO]) == ({"OPTIONS", "POST"}, SITE)


def test_actual_request_to_blueprint_route_carries_cors(wrapped: webtest.TestApp) -> None:
    response = wrapped.get("/orders/7", headers={ORIGIN: SITE})

    assert (response.json, response.headers[ACAO], response.headers[VARY]) == (
        {"id": 7},
        SITE,
        "Origin",
    )


def test_flask_set_cors_header_is_replaced_by_policy() -> None:
    app = Flask("own")

    @app.get("/")
    def index() -> tuple[str, dict[str, str]]:
        return "", {"Access-Control-Allow-Origin": "*"}

    response = webtest.TestApp(CORSMiddleware(app, POLICY)).get("/", headers={ORIGIN: SITE})

    assert response.headers.getall(ACAO) == [SITE]


# --- examples/flask_app.py -----------------------------------------------------------------


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delitem(sys.modules, "flask_app", raising=False)
    return importlib.import_module("flask_app")


def test_flask_example_preflight_from_subdomain_is_allowed(example: ModuleType) -> None:
    client = webtest.TestApp(example.app)

    response = client.options(
        "/api/items/1", headers={ORIGIN: "https://shop.domain.com", ACRM: "PUT"}
    )

    assert (response.status, response.headers[ACAO], response.headers[ACMA]) == (
        "204 No Content",
        "https://shop.domain.com",
        "3600",
    )


def test_flask_example_options_allows_item_route_methods(example: ModuleType) -> None:
    response = webtest.TestApp(example.app).options("/api/items/1")

    assert response.headers[ALLOW] == "DELETE, GET, HEAD, OPTIONS, PUT"


def test_flask_example_test_client_gets_cors(example: ModuleType) -> None:
    response = example.app.test_client().get("/api/health", headers={ORIGIN: SITE})

    assert (response.headers[ACAO], response.headers[ACEH]) == (SITE, "ETag")


def test_flask_example_other_origin_gets_no_cors(example: ModuleType) -> None:
    response = webtest.TestApp(example.app).get(
        "/api/items/", headers={ORIGIN: "https://domain.com.evil.example"}
    )

    assert (ACAO in response.headers, response.headers[VARY]) == (False, "Origin")


# --- auto_options binds the request exactly as Flask does ----------------------------------
#
# Flask binds url_map per request in Flask.create_url_adapter: the subdomain is read from the
# Host only with subdomain_matching (else every request is on the default subdomain), the
# whole Host is matched with host_matching, and TRUSTED_HOSTS refuses a Host with a 400.
# Whenever Flask would not answer the OPTIONS with 200 (404, 400, a redirect), the middleware
# passes it on; when Flask would, Allow is the set of methods Flask accepts there.

EVERY_METHOD = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
ANY_METHOD = CORSPolicy(allow_methods=["*"], auto_options=True)


def _subdomain_routes(app: Flask) -> Flask:
    @app.get("/s")
    def root_s() -> str:
        return "root"

    @app.put("/s", subdomain="api")
    def api_s() -> str:
        return "api"

    @app.get("/root-only")
    def root_only() -> str:
        return "root"

    @app.delete("/api-only", subdomain="api")
    def api_only() -> tuple[str, int]:
        return "", 204

    @app.post("/user", subdomain="<user>")
    def user(user: str) -> str:
        return user

    @app.get("/slash/")
    def slash() -> str:
        return "slash"

    return app


def subdomain_matching() -> Flask:
    app = Flask("subdomains", subdomain_matching=True, static_folder=None)
    app.config["SERVER_NAME"] = "example.com"
    return _subdomain_routes(app)


def no_subdomain_matching() -> Flask:
    # The default: SERVER_NAME alone does not turn subdomain matching on, so every request
    # is routed on the default subdomain, whatever its Host.
    app = Flask("flat", static_folder=None)
    app.config["SERVER_NAME"] = "example.com"
    return _subdomain_routes(app)


def host_matching() -> Flask:
    app = Flask("hosts", host_matching=True, static_folder=None)
    app.config["SERVER_NAME"] = "a.example"  # ignored for matching under host_matching

    @app.get("/h", host="a.example")
    def a() -> str:
        return "a"

    @app.put("/h", host="b.example")
    def b() -> str:
        return "b"

    @app.patch("/h", host="<tenant>.c.example")
    def c(tenant: str) -> str:
        return tenant

    return app


def trusted_hosts() -> Flask:
    app = Flask("trusted", static_folder=None)
    app.config["TRUSTED_HOSTS"] = ["example.com", ".example.net"]

    @app.route("/t", methods=["GET", "PUT"])
    def t() -> str:
        return "t"

    return app


def _answer(app: object, host: str, path: str, method: str = "OPTIONS") -> tuple[int, set[str]]:
    response = Client(app).open(path, method=method, base_url=f"http://{host}")  # type: ignore[arg-type]
    allow = response.headers.get(ALLOW)
    return response.status_code, set() if allow is None else set(allow.split(", "))


_MISMATCH = pytest.mark.filterwarnings("ignore:Current server name:UserWarning")


@pytest.mark.parametrize(
    ("factory", "host", "path", "status", "allow"),
    [
        pytest.param(
            subdomain_matching, "example.com", "/s", 200, {"GET", "HEAD", "OPTIONS"}, id="root /s"
        ),
        pytest.param(
            subdomain_matching, "api.example.com", "/s", 200, {"OPTIONS", "PUT"}, id="api. /s"
        ),
        pytest.param(
            subdomain_matching,
            "api.example.com",
            "/root-only",
            404,
            set(),
            id="root route on api.",
        ),
        pytest.param(
            subdomain_matching,
            "api.example.com",
            "/api-only",
            200,
            {"DELETE", "OPTIONS"},
            id="api. route",
        ),
        pytest.param(
            subdomain_matching, "example.com", "/api-only", 404, set(), id="api. route on root"
        ),
        pytest.param(
            subdomain_matching, "bob.example.com", "/s", 404, set(), id="unrouted subdomain"
        ),
        pytest.param(
            subdomain_matching,
            "bob.example.com",
            "/user",
            200,
            {"OPTIONS", "POST"},
            id="<user> subdomain",
        ),
        pytest.param(
            subdomain_matching,
            "other.test",
            "/s",
            404,
            set(),
            id="Host outside SERVER_NAME",
            marks=_MISMATCH,
        ),
        pytest.param(subdomain_matching, "example.com", "/slash", 308, set(), id="redirect"),
        pytest.param(
            no_subdomain_matching,
            "api.example.com",
            "/s",
            200,
            {"GET", "HEAD", "OPTIONS"},
            id="no subdomain_matching: api. is the root",
        ),
        pytest.param(
            no_subdomain_matching,
            "api.example.com",
            "/api-only",
            404,
            set(),
            id="no subdomain_matching: subdomain rule never matches",
        ),
        pytest.param(
            host_matching, "a.example", "/h", 200, {"GET", "HEAD", "OPTIONS"}, id="host a"
        ),
        pytest.param(host_matching, "b.example", "/h", 200, {"OPTIONS", "PUT"}, id="host b"),
        pytest.param(
            host_matching, "x.c.example", "/h", 200, {"OPTIONS", "PATCH"}, id="<tenant> host"
        ),
        pytest.param(host_matching, "d.example", "/h", 404, set(), id="unrouted host"),
        pytest.param(
            trusted_hosts,
            "example.com",
            "/t",
            200,
            {"GET", "HEAD", "OPTIONS", "PUT"},
            id="trusted host",
        ),
        pytest.param(
            trusted_hosts,
            "www.example.net",
            "/t",
            200,
            {"GET", "HEAD", "OPTIONS", "PUT"},
            id="trusted subdomain",
        ),
        pytest.param(trusted_hosts, "evil.example", "/t", 400, set(), id="untrusted host"),
        pytest.param(
            trusted_hosts, "example.com.evil.example", "/t", 400, set(), id="trusted host prefix"
        ),
    ],
)
def test_plain_options_answers_as_flask_routes_the_host(
    factory: Callable[[], Flask], host: str, path: str, status: int, allow: set[str]
) -> None:
    flask_answer = _answer(factory(), host, path)
    wrapped_answer = _answer(CORSMiddleware(factory(), ANY_METHOD), host, path)

    assert (flask_answer, wrapped_answer) == ((status, allow), (status, allow))


@pytest.mark.parametrize(
    ("factory", "host", "path"),
    [
        pytest.param(subdomain_matching, "api.example.com", "/s", id="api. /s"),
        pytest.param(subdomain_matching, "example.com", "/s", id="root /s"),
        pytest.param(subdomain_matching, "bob.example.com", "/user", id="<user> subdomain"),
        pytest.param(no_subdomain_matching, "api.example.com", "/s", id="no subdomain_matching"),
        pytest.param(host_matching, "b.example", "/h", id="host b"),
        pytest.param(trusted_hosts, "www.example.net", "/t", id="trusted subdomain"),
    ],
)
def test_allow_lists_exactly_the_methods_flask_does_not_refuse(
    factory: Callable[[], Flask], host: str, path: str
) -> None:
    accepted = {m for m in EVERY_METHOD if _answer(factory(), host, path, m)[0] != 405}

    status, allow = _answer(CORSMiddleware(factory(), ANY_METHOD), host, path)

    assert (status, allow) == (200, accepted)


def test_wsgi_app_recipe_binds_subdomain_as_flask_does() -> None:
    app = subdomain_matching()
    app.wsgi_app = CORSMiddleware(app.wsgi_app, ANY_METHOD, router=app)  # type: ignore[method-assign]

    assert [_answer(app, host, "/s") for host in ("api.example.com", "example.com")] == [
        (200, {"OPTIONS", "PUT"}),
        (200, {"GET", "HEAD", "OPTIONS"}),
    ]


def test_untrusted_host_reaches_flask_with_cors_headers() -> None:
    response = webtest.TestApp(CORSMiddleware(trusted_hosts(), POLICY)).options(
        "/t", headers={"Host": "evil.example", ORIGIN: SITE}, status=400
    )

    assert (ALLOW in response.headers, response.headers[ACAO]) == (False, SITE)


def test_router_does_not_mark_the_environ_as_a_flask_request() -> None:
    environ = EnvironBuilder(
        "/s", method="OPTIONS", base_url="http://api.example.com"
    ).get_environ()
    before = dict(environ)

    methods = find_router(subdomain_matching()).allowed_methods(environ)  # type: ignore[union-attr]

    assert (methods, environ) == (frozenset({"OPTIONS", "PUT"}), before)
