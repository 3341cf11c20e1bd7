"""options_passthrough: preflights go on to the application, with the preflight's CORS headers."""

from __future__ import annotations

from typing import Any

from helpers import (
    PREFLIGHT_VARY,
    PREFLIGHT_VARY_PNA,
    A,
    B,
    Preflight,
    Serve,
    allow_set,
    cors_header_names,
    tokens,
)

from wsgicors.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRPN,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    VARY,
)


def test_passthrough_success_calls_app(serve: Serve, preflight: Preflight, app: Any) -> None:
    preflight(serve(options_passthrough=True), "POST")

    assert app.methods_seen == ["OPTIONS"]


def test_passthrough_success_keeps_app_status_and_body(
    serve: Serve, preflight: Preflight, make_app: Any
) -> None:
    wrapped = make_app(status="202 Accepted", body=b"from app")

    response = preflight(serve(wrapped=wrapped, options_passthrough=True), "POST")

    assert response.status == "202 Accepted"
    assert response.body == b"from app"


def test_passthrough_success_adds_preflight_headers(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_origins=[A], allow_credentials=True, max_age=60, options_passthrough=True)

    response = preflight(client, "POST", request_headers="x-custom")

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAM) == ["POST"]
    assert response.headers.getall(ACAH) == ["x-custom"]
    assert response.headers.getall(ACAC) == ["true"]
    assert response.headers.getall(ACMA) == ["60"]
    assert response.headers.getall(VARY) == [PREFLIGHT_VARY]


def test_passthrough_success_has_no_expose_headers(serve: Serve, preflight: Preflight) -> None:
    client = serve(expose_headers=["X-Total"], options_passthrough=True)

    assert preflight(client, "POST").headers.getall(ACEH) == []


def test_passthrough_success_replaces_app_cors_headers(
    serve: Serve, preflight: Preflight, make_app: Any
) -> None:
    wrapped = make_app(
        headers=[
            (CONTENT_LENGTH, "0"),
            (CONTENT_TYPE, "text/plain"),
            (ACAO, "https://evil.example"),
            (ACAM, "GET, POST, PUT, DELETE"),
            (ACEH, "X-Secret"),
            (ACMA, "99999"),
        ],
        body=b"",
    )
    client = serve(wrapped=wrapped, allow_origins=[A], options_passthrough=True)

    response = preflight(client, "POST")

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAM) == ["POST"]
    assert response.headers.getall(ACEH) == []
    assert response.headers.getall(ACMA) == []


def test_passthrough_success_merges_app_vary(
    serve: Serve, preflight: Preflight, make_app: Any
) -> None:
    wrapped = make_app(
        headers=[(CONTENT_LENGTH, "8"), (CONTENT_TYPE, "text/plain"), (VARY, "Accept")]
    )

    response = preflight(serve(wrapped=wrapped, options_passthrough=True), "POST")

    [vary] = response.headers.getall(VARY)
    assert tokens(vary) == ["Accept", *tokens(PREFLIGHT_VARY)]


def test_passthrough_private_network_vary_and_allow(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_private_network=True, options_passthrough=True)

    response = preflight(client, "POST", **{ACRPN: "true"})

    assert response.body == b"app body"
    assert response.headers.getall(ACAPN) == ["true"]
    assert response.headers.getall(VARY) == [PREFLIGHT_VARY_PNA]


def test_passthrough_failure_calls_app(serve: Serve, preflight: Preflight, app: Any) -> None:
    response = preflight(serve(options_passthrough=True), "PUT")

    assert response.status == "200 OK"
    assert response.body == b"app body"
    assert app.methods_seen == ["OPTIONS"]


def test_passthrough_failure_adds_only_preflight_vary(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=[A], options_passthrough=True), "POST", origin=B)

    assert cors_header_names(response) == []
    assert response.headers.getall(VARY) == [PREFLIGHT_VARY]


def test_passthrough_failure_drops_app_cors_headers(
    serve: Serve, preflight: Preflight, make_app: Any
) -> None:
    wrapped = make_app(headers=[(CONTENT_LENGTH, "8"), (CONTENT_TYPE, "text/plain"), (ACAO, "*")])
    client = serve(wrapped=wrapped, allow_origins=[A], options_passthrough=True)

    response = preflight(client, "POST", origin=B)

    assert cors_header_names(response) == []


def test_passthrough_with_auto_options_answers_allow(
    serve: Serve, preflight: Preflight, app: Any
) -> None:
    client = serve(options_passthrough=True, auto_options=True)

    response = preflight(client, "POST")

    assert response.status == "200 OK"
    assert app.calls == []
    assert {"GET", "HEAD", "POST"} <= allow_set(response)
    assert response.headers.getall(ACAM) == ["POST"]
    assert response.headers.getall(VARY) == [PREFLIGHT_VARY]
