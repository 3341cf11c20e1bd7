"""Vary: what the middleware adds, and how it merges with the application's own Vary."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import (
    PREFLIGHT_VARY,
    PREFLIGHT_VARY_PNA,
    A,
    Headers,
    Preflight,
    Serve,
    call,
    environ_for,
    tokens,
    wrapped,
)

from wsgicors import CORSPolicy
from wsgicors.headers import ACAO, ACEH, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN, VARY

# --- preflight -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "method"),
    [
        pytest.param({}, "POST", id="all-origins-success"),
        pytest.param({"allow_origins": [A]}, "POST", id="exact-success"),
        pytest.param({}, "PUT", id="failure"),
        pytest.param({"debug": True}, "PUT", id="debug-failure"),
    ],
)
def test_preflight_vary_lists_request_headers(
    serve: Serve, preflight: Preflight, options: dict[str, Any], method: str
) -> None:
    response = preflight(serve(**options), method)

    assert response.headers.getall(VARY) == [PREFLIGHT_VARY]


@pytest.mark.parametrize(
    "method", [pytest.param("POST", id="success"), pytest.param("PUT", id="failure")]
)
def test_preflight_vary_with_private_network_option(
    serve: Serve, preflight: Preflight, method: str
) -> None:
    response = preflight(serve(allow_private_network=True), method)

    assert response.headers.getall(VARY) == [PREFLIGHT_VARY_PNA]


# --- merging with the application's Vary -----------------------------------------------------


def _with_vary(make_app: Any, *values: str, name: str = VARY) -> Any:
    return make_app(
        headers=[(CONTENT_TYPE, "text/plain"), (CONTENT_LENGTH, "8")]
        + [(name, value) for value in values]
    )


def test_vary_app_value_merged_with_origin(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_with_vary(make_app, "Accept-Encoding"), allow_origins=[A])

    [vary] = client.get("/", headers={ORIGIN: A}).headers.getall(VARY)

    assert tokens(vary) == ["Accept-Encoding", "Origin"]


def test_vary_several_app_headers_merged_into_one(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_with_vary(make_app, "Accept", "Accept-Encoding"), allow_origins=[A])

    [vary] = client.get("/", headers={ORIGIN: A}).headers.getall(VARY)

    assert tokens(vary) == ["Accept", "Accept-Encoding", "Origin"]


@pytest.mark.parametrize(
    "existing",
    [
        pytest.param("origin", id="lower"),
        pytest.param("ORIGIN", id="upper"),
        pytest.param("Accept, Origin", id="in-list"),
    ],
)
def test_vary_app_origin_not_duplicated(serve: Serve, make_app: Any, existing: str) -> None:
    client = serve(wrapped=_with_vary(make_app, existing), allow_origins=[A])

    [vary] = client.get("/", headers={ORIGIN: A}).headers.getall(VARY)

    assert [name.lower() for name in tokens(vary)].count("origin") == 1


def test_vary_duplicates_across_app_headers_removed(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_with_vary(make_app, "Accept", "accept"), allow_origins=[A])

    [vary] = client.get("/", headers={ORIGIN: A}).headers.getall(VARY)

    assert [name.lower() for name in tokens(vary)] == ["accept", "origin"]


def test_vary_lower_case_header_name_merged(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_with_vary(make_app, "Accept", name="vary"), allow_origins=[A])

    response = client.get("/", headers={ORIGIN: A})

    assert [name for name, _ in response.headerlist if name.lower() == "vary"] != []
    [vary] = response.headers.getall(VARY)
    assert tokens(vary) == ["Accept", "Origin"]


@pytest.mark.parametrize(
    "values",
    [pytest.param(("*",), id="star"), pytest.param(("Accept", "*"), id="star-among-others")],
)
def test_vary_star_stays_star(serve: Serve, make_app: Any, values: tuple[str, ...]) -> None:
    client = serve(wrapped=_with_vary(make_app, *values), allow_origins=[A])

    assert client.get("/", headers={ORIGIN: A}).headers.getall(VARY) == ["*"]


def test_vary_star_stays_star_on_preflight_passthrough(
    serve: Serve, preflight: Preflight, make_app: Any
) -> None:
    client = serve(wrapped=_with_vary(make_app, "*"), options_passthrough=True)

    assert preflight(client, "POST").headers.getall(VARY) == ["*"]


def test_vary_left_exactly_when_nothing_added(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_with_vary(make_app, "Accept", "accept-encoding, Cookie"))

    response = client.get("/", headers={ORIGIN: A})

    assert response.headers.getall(VARY) == ["Accept", "accept-encoding, Cookie"]


@pytest.mark.parametrize(
    "vary",
    [
        pytest.param([("Vary", "Accept-Language,Origin")], id="one-header"),
        pytest.param([("Vary", "accept-language"), ("vary", "ORIGIN")], id="two-headers"),
        pytest.param([("Vary", "*")], id="star"),
    ],
)
def test_app_vary_that_already_names_origin_left_exactly_as_it_was(vary: Headers) -> None:
    policy = CORSPolicy(allow_origins=[A], allow_credentials=True)
    headers = [("Content-Type", "text/plain"), *vary, ("X-After", "1")]

    result = call(wrapped(policy, headers), environ_for("GET", "/", {"Origin": A}))

    assert result.headers == [
        *headers,
        (ACAO, A),
        ("Access-Control-Allow-Credentials", "true"),
    ]


def test_app_vary_without_origin_merged_into_one() -> None:
    policy = CORSPolicy(allow_origins=[A], expose_headers=["X-A"])
    headers = [("Vary", "Accept-Language"), ("Content-Type", "text/plain"), ("vary", "Cookie")]

    result = call(wrapped(policy, headers), environ_for("GET", "/", {"Origin": A}))

    assert result.headers == [
        ("Content-Type", "text/plain"),
        (ACAO, A),
        (ACEH, "X-A"),
        ("Vary", "Accept-Language, Cookie, Origin"),
    ]
