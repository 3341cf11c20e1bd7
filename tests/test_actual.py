"""Actual (non-preflight) requests: the CORS headers added to the application's own answer."""

from __future__ import annotations

from typing import Any

import pytest
import webtest
from helpers import A, B, Serve, cors_header_names, tokens

from wsgicors import CORSMiddleware, PolicyWarning
from wsgicors.headers import ACAC, ACAH, ACAM, ACAO, ACEH, ACMA, ACRH, ORIGIN, VARY

# --- origins ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "method", "origin", "header", "expected"),
    [
        pytest.param({}, "GET", A, ACAO, ["*"], id="all-origins-star"),
        pytest.param({}, "GET", None, ACAO, ["*"], id="all-origins-without-origin-star"),
        pytest.param({}, "GET", A, VARY, [], id="all-origins-no-vary"),
        pytest.param({"allow_origins": [A]}, "HEAD", A, ACAO, [A], id="head-allowed-by-default"),
        pytest.param(
            {"allow_origins": [A], "allow_methods": ["*"]},
            "PUT",
            A,
            ACAO,
            [A],
            id="any-method-wildcard-allows-put",
        ),
        pytest.param(
            {"allow_origins": [A], "allow_methods": ["PATCH"], "lint": False},
            "patch",
            A,
            ACAO,
            [],
            id="method-compared-case-sensitively",
        ),
        pytest.param({"expose_headers": ["*"]}, "GET", A, ACEH, ["*"], id="expose-wildcard"),
        pytest.param({}, "GET", A, ACEH, [], id="no-expose-headers-configured"),
        pytest.param(
            {"allow_origins": [A], "allow_credentials": True},
            "GET",
            B,
            ACAC,
            [],
            id="credentials-origin-not-allowed",
        ),
    ],
)
def test_actual_answer_header(
    serve: Serve,
    options: dict[str, Any],
    method: str,
    origin: str | None,
    header: str,
    expected: list[str],
) -> None:
    headers = {} if origin is None else {ORIGIN: origin}

    response = serve(**options).request("/", method=method, headers=headers)

    assert response.headers.getall(header) == expected


def test_star_among_origins_allows_every_origin(serve: Serve) -> None:
    with pytest.warns(PolicyWarning):
        client = serve(allow_origins=[A, "*"])

    assert client.get("/", headers={ORIGIN: B}).headers.getall(ACAO) == ["*"]


def test_actual_exact_origin_echoed(serve: Serve) -> None:
    response = serve(allow_origins=[A]).get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(VARY) == ["Origin"]


def test_actual_origin_not_allowed_has_no_cors_headers(serve: Serve) -> None:
    response = serve(allow_origins=[A], expose_headers=["X-Total"]).get("/", headers={ORIGIN: B})

    assert cors_header_names(response) == []


def test_actual_origin_not_allowed_still_varies(serve: Serve) -> None:
    response = serve(allow_origins=[A]).get("/", headers={ORIGIN: B})

    assert response.headers.getall(VARY) == ["Origin"]


def test_actual_without_origin_under_exact_policy_varies(serve: Serve) -> None:
    response = serve(allow_origins=[A]).get("/")

    assert response.headers.getall(ACAO) == []
    assert response.headers.getall(VARY) == ["Origin"]


def test_actual_default_policy_when_none_given(make_app: Any) -> None:
    client = webtest.TestApp(CORSMiddleware(make_app()))

    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == ["*"]


# --- methods ---------------------------------------------------------------------------------


def test_actual_all_origins_method_not_allowed_has_no_star(serve: Serve) -> None:
    response = serve().put("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == []
    assert response.headers.getall(VARY) == []


def test_actual_method_not_allowed_has_no_allow_origin(serve: Serve) -> None:
    response = serve(allow_origins=[A]).put("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == []
    assert response.headers.getall(VARY) == ["Origin"]


def test_actual_plain_options_counts_as_allowed(serve: Serve, app: Any) -> None:
    response = serve(allow_origins=[A], allow_methods=["GET"]).options("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert app.methods_seen == ["OPTIONS"]


# --- credentials and exposed headers ---------------------------------------------------------


def test_actual_credentials_sends_allow_credentials(serve: Serve) -> None:
    response = serve(allow_origins=[A], allow_credentials=True).get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]


def test_actual_expose_headers_sent_as_configured(serve: Serve) -> None:
    client = serve(expose_headers=["Content-Length", "Content-Type", "X-Total"])

    [expose] = client.get("/", headers={ORIGIN: A}).headers.getall(ACEH)

    assert tokens(expose) == ["Content-Length", "Content-Type", "X-Total"]


@pytest.mark.parametrize(
    "header",
    [pytest.param(ACAM, id="ACAM"), pytest.param(ACAH, id="ACAH"), pytest.param(ACMA, id="ACMA")],
)
def test_actual_never_carries_preflight_headers(serve: Serve, header: str) -> None:
    client = serve(allow_origins=[A], max_age=600, allow_methods=["GET", "PUT"])

    response = client.get("/", headers={ORIGIN: A, ACRH: "x-a"})

    assert response.headers.getall(header) == []


# --- the application's answer ----------------------------------------------------------------


def test_actual_keeps_app_status_and_body(serve: Serve, make_app: Any) -> None:
    wrapped = make_app(status="201 Created", body=b"created")

    response = serve(wrapped=wrapped).post("/", headers={ORIGIN: A})

    assert response.status == "201 Created"
    assert response.body == b"created"


@pytest.mark.parametrize(
    "status",
    [
        pytest.param("404 Not Found", id="404"),
        pytest.param("500 Internal Server Error", id="500"),
        pytest.param("401 Unauthorized", id="401"),
    ],
)
def test_actual_error_response_decorated(serve: Serve, make_app: Any, status: str) -> None:
    client = serve(wrapped=make_app(status=status), allow_origins=[A])

    response = client.get("/", headers={ORIGIN: A}, expect_errors=True)

    assert response.status == status
    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(VARY) == ["Origin"]
