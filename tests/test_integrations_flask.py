"""Flask: real Flask applications through WebTest, and examples/flask_app.py.

The middleware reads routes from ``url_map`` through the core's ``WerkzeugRouter``; these
tests cover what Flask adds on top: blueprints, ``methods=`` on routes, ``strict_slashes``
redirects, a path routed for some methods only, and the ``app.wsgi_app`` recipe.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest
import webtest
from flask import Blueprint, Flask

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAM, ACAO, ACEH, ACMA, ACRM, ALLOW, ORIGIN, VARY

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
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
