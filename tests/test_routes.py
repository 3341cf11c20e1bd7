"""wsgicors.routes: reading a path's methods from a werkzeug Map, and what counts as a router."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
import webtest
from helpers import allow_set
from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAO, ALLOW, ORIGIN
from wsgicors.routes import UNKNOWN_METHODS, WerkzeugRouter, find_router

SITE = "https://www.domain.com"


class MapApp:
    """A plain werkzeug application: a url_map and a view per endpoint, no framework."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.url_map = Map(list(rules))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"app"]


def environ(path: str) -> dict[str, Any]:
    return EnvironBuilder(path, method="OPTIONS").get_environ()


# --- a Rule without methods accepts every method ----------------------------------------------


@pytest.mark.parametrize(
    ("rules", "path", "methods"),
    [
        pytest.param([Rule("/any", endpoint="any")], "/any", UNKNOWN_METHODS, id="no methods"),
        pytest.param(
            [Rule("/any", endpoint="get", methods=["GET"]), Rule("/any", endpoint="any")],
            "/any",
            UNKNOWN_METHODS,
            id="beside a rule with methods",
        ),
        pytest.param(
            [Rule("/put", endpoint="put", methods=["PUT"])],
            "/put",
            frozenset({"PUT"}),
            id="methods listed",
        ),
        pytest.param([Rule("/any", endpoint="any")], "/other", None, id="unknown path"),
        pytest.param([Rule("/dir/", endpoint="dir")], "/dir", None, id="strict_slashes redirect"),
    ],
)
def test_werkzeug_router_reads_rule_methods(
    rules: list[Rule], path: str, methods: frozenset[str] | None
) -> None:
    assert WerkzeugRouter(Map(rules)).allowed_methods(environ(path)) == methods


@pytest.mark.parametrize(
    ("allow_methods", "allow"),
    [
        pytest.param(["GET", "PATCH"], "GET, PATCH, OPTIONS", id="allow_methods"),
        pytest.param(["*"], "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT", id="* : common"),
    ],
)
def test_plain_options_on_rule_without_methods_allows_policy_methods(
    allow_methods: list[str], allow: str
) -> None:
    app = MapApp([Rule("/any", endpoint="any")])
    policy = CORSPolicy(allow_origins=[SITE], allow_methods=allow_methods, auto_options=True)

    response = webtest.TestApp(CORSMiddleware(app, policy)).options("/any", headers={ORIGIN: SITE})

    assert (response.status, response.headers[ALLOW], response.headers[ACAO], response.body) == (
        "200 OK",
        allow,
        SITE,
        b"",
    )


# --- what counts as a router ------------------------------------------------------------------


class AppWithMethodList:
    """A WSGI app that keeps a list named allowed_methods: an app, not a router."""

    allowed_methods = ("GET", "POST")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"app"]


class BrokenRouter:
    allowed_methods = frozenset({"GET"})


def test_app_with_non_callable_allowed_methods_is_not_a_router() -> None:
    app = AppWithMethodList()
    policy = CORSPolicy(allow_methods=["GET", "PUT"], auto_options=True)

    response = webtest.TestApp(CORSMiddleware(app, policy)).options("/")

    assert (find_router(app), response.status, response.headers[ALLOW]) == (
        None,
        "200 OK",
        "GET, PUT, OPTIONS",
    )


def test_router_with_non_callable_allowed_methods_is_refused_at_construction() -> None:
    router = BrokenRouter()

    with pytest.raises(TypeError) as caught:
        CORSMiddleware(MapApp([]), CORSPolicy(auto_options=True), router=router)

    assert str(caught.value) == (
        f"router={router!r} has an allowed_methods attribute that is not callable "
        "(a frozenset): a router's allowed_methods(environ) is a method that returns the "
        "path's methods, or None for a path the application does not route; define it as a "
        "method, or pass a Flask app, a werkzeug Map-backed app or Django's WSGIHandler"
    )


def test_router_with_allowed_methods_method_is_used_as_given() -> None:
    class Router:
        def allowed_methods(self, environ: dict[str, Any]) -> frozenset[str] | None:
            return frozenset({"PATCH"})

    router = Router()

    assert find_router(router) is router


class FixedRouter:
    """A router as the integrations plug in: methods per path, None for unknown paths."""

    def __init__(self, routes: dict[str, frozenset[str]]) -> None:
        self.routes = routes

    def allowed_methods(self, environ: dict[str, Any]) -> frozenset[str] | None:
        return self.routes.get(environ["PATH_INFO"])


def test_auto_options_custom_router_gives_allow(make_app: Any) -> None:
    router = FixedRouter({"/things": frozenset({"GET", "PATCH"})})
    middleware = CORSMiddleware(make_app(), CORSPolicy(auto_options=True), router=router)

    response = webtest.TestApp(middleware).options("/things")

    assert allow_set(response) - {"OPTIONS"} == {"GET", "PATCH"}


def test_auto_options_custom_router_unknown_path_goes_to_app(make_app: Any) -> None:
    app = make_app()
    router = FixedRouter({"/things": frozenset({"GET"})})
    middleware = CORSMiddleware(app, CORSPolicy(auto_options=True), router=router)

    response = webtest.TestApp(middleware).options("/other")

    assert response.body == b"app body"
    assert app.methods_seen == ["OPTIONS"]


def test_router_without_allowed_methods_refused(make_app: Any) -> None:
    with pytest.raises(TypeError):
        CORSMiddleware(make_app(), CORSPolicy(auto_options=True), router=object())
