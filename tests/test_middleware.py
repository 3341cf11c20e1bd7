"""CORSMiddleware request handling, DESIGN §2 (path scopes, ``.policy``) and §5 (every branch)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import wsgiref.util
from collections.abc import Callable
from typing import Any

import flask
import pytest
import webtest

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError, PolicyWarning
from wsgicors.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRH,
    ACRM,
    ACRPN,
    ALLOW,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ENV_ACRM,
    ORIGIN,
    VARY,
)

A = "https://a.example"
B = "https://b.example"
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
PREFLIGHT_VARY_PNA = PREFLIGHT_VARY + ", Access-Control-Request-Private-Network"
OWNED = [ACAO, ACAC, ACAM, ACAH, ACEH, ACMA, ACAPN]

Serve = Callable[..., webtest.TestApp]
Preflight = Callable[..., webtest.TestResponse]


def tokens(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def cors_header_names(response: webtest.TestResponse) -> list[str]:
    return [name for name, _ in response.headerlist if name.lower().startswith("access-control-")]


def allow_set(response: webtest.TestResponse) -> set[str]:
    [allow] = response.headers.getall(ALLOW)
    return set(tokens(allow))


# --- preflight: success (DESIGN §5 "Preflight", success) --------------------------------


def test_preflight_all_origins_answers_204_with_star(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(), "POST", origin=A)

    assert response.status == "204 No Content"
    assert response.headers.getall(ACAO) == ["*"]


def test_preflight_answered_without_calling_app(
    serve: Serve, preflight: Preflight, app: Any
) -> None:
    preflight(serve(), "POST", origin=A)

    assert app.calls == []


def test_preflight_success_body_empty(serve: Serve, preflight: Preflight) -> None:
    assert preflight(serve(), "POST", origin=A).body == b""


def test_preflight_exact_origin_echoed_verbatim(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=[A], allow_methods=["PUT"]), "PUT", origin=A)

    assert response.status_int == 204
    assert response.headers.getall(ACAO) == [A]


def test_preflight_allow_methods_is_requested_method(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_methods=["GET", "PUT", "DELETE"])

    assert preflight(client, "DELETE").headers.getall(ACAM) == ["DELETE"]


def test_preflight_any_method_wildcard_echoes_method(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_methods=["*"]), "PATCH")

    assert response.status_int == 204
    assert response.headers.getall(ACAM) == ["PATCH"]


def test_preflight_options_method_always_allowed(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_methods=["GET"]), "OPTIONS")

    assert response.status_int == 204
    assert response.headers.getall(ACAM) == ["OPTIONS"]


def test_preflight_lower_case_method_allowed_when_listed(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(allow_methods=["patch"], lint=False), "patch")

    assert response.status_int == 204
    assert response.headers.getall(ACAM) == ["patch"]


def test_preflight_method_configured_lower_case_normalised(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(allow_methods=["put"]), "PUT")

    assert response.status_int == 204
    assert response.headers.getall(ACAM) == ["PUT"]


def test_preflight_without_request_headers_has_no_allow_headers(
    serve: Serve, preflight: Preflight
) -> None:
    assert preflight(serve(), "POST").headers.getall(ACAH) == []


def test_preflight_requested_headers_echoed(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(), "POST", request_headers="authorization,x-custom")

    assert response.status_int == 204
    assert response.headers.getall(ACAH) == ["authorization,x-custom"]


def test_preflight_listed_header_allowed_case_insensitively(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(allow_headers=["X-Custom"]), "POST", request_headers="x-custom")

    assert response.status_int == 204
    assert [name.lower() for name in tokens(response.headers[ACAH])] == ["x-custom"]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("accept", id="accept"),
        pytest.param("accept-language", id="accept-language"),
        pytest.param("content-language", id="content-language"),
        pytest.param("content-type", id="content-type"),
    ],
)
def test_preflight_always_allowed_header_with_empty_allow_headers_succeeds(
    serve: Serve, preflight: Preflight, name: str
) -> None:
    response = preflight(serve(allow_headers=[]), "POST", request_headers=name)

    assert response.status_int == 204
    assert [value.lower() for value in tokens(response.headers[ACAH])] == [name]


def test_preflight_credentials_adds_allow_credentials(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=[A], allow_credentials=True), "POST")

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]


def test_preflight_credentials_with_any_header_echoes_names(
    serve: Serve, preflight: Preflight
) -> None:
    client = serve(allow_origins=[A], allow_credentials=True)

    response = preflight(client, "POST", request_headers="x-custom")

    assert response.headers.getall(ACAH) == ["x-custom"]


def test_preflight_credentials_with_any_method_echoes_method(
    serve: Serve, preflight: Preflight
) -> None:
    client = serve(allow_origins=[A], allow_credentials=True, allow_methods=["*"])

    assert preflight(client, "DELETE").headers.getall(ACAM) == ["DELETE"]


def test_preflight_without_credentials_has_no_allow_credentials(
    serve: Serve, preflight: Preflight
) -> None:
    assert preflight(serve(allow_origins=[A]), "POST").headers.getall(ACAC) == []


def test_preflight_max_age_sent(serve: Serve, preflight: Preflight) -> None:
    assert preflight(serve(max_age="12h"), "POST").headers.getall(ACMA) == ["43200"]


def test_preflight_no_max_age_configured_has_no_header(serve: Serve, preflight: Preflight) -> None:
    assert preflight(serve(), "POST").headers.getall(ACMA) == []


def test_preflight_never_carries_expose_headers(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(expose_headers=["X-Total"]), "POST")

    assert response.headers.getall(ACEH) == []


def test_preflight_success_status_200_configured(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(options_success_status=200), "POST")

    assert response.status == "200 OK"
    assert response.body == b""
    assert response.headers.getall(CONTENT_LENGTH) == ["0"]
    assert len(response.headers.getall(CONTENT_TYPE)) == 1


def test_preflight_204_has_no_content_length(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(), "POST")

    assert response.headers.getall(CONTENT_LENGTH) == []


def test_preflight_private_network_requested_and_allowed(
    serve: Serve, preflight: Preflight
) -> None:
    client = serve(allow_private_network=True)

    response = preflight(client, "POST", **{ACRPN: "true"})

    assert response.status_int == 204
    assert response.headers.getall(ACAPN) == ["true"]


def test_preflight_private_network_allowed_not_requested_has_no_header(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(allow_private_network=True), "POST")

    assert response.headers.getall(ACAPN) == []


def test_preflight_private_network_requested_not_allowed_has_no_header(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(), "POST", **{ACRPN: "true"})

    assert response.headers.getall(ACAPN) == []


# --- preflight: failure -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "method", "origin", "request_headers"),
    [
        pytest.param({"allow_origins": [A]}, "POST", B, None, id="origin"),
        pytest.param({}, "PUT", A, None, id="method"),
        pytest.param({"allow_methods": ["patch"]}, "PATCH", A, None, id="method-case"),
        pytest.param({"allow_methods": ["POST"]}, "GET", A, None, id="safelisted-not-listed"),
        pytest.param({"allow_headers": ["X-A"]}, "POST", A, "x-a,x-b", id="header"),
        pytest.param({"allow_headers": []}, "POST", A, "authorization", id="no-headers"),
        pytest.param({}, "POST", "HTTPS://A.EXAMPLE", None, id="malformed-origin-all"),
    ],
)
def test_preflight_refused_answers_403(
    serve: Serve,
    preflight: Preflight,
    options: dict[str, Any],
    method: str,
    origin: str,
    request_headers: str | None,
) -> None:
    response = preflight(serve(**options), method, origin=origin, request_headers=request_headers)

    assert response.status == "403 Forbidden"
    assert cors_header_names(response) == []


def test_preflight_refused_not_debug_has_empty_body(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(), "PUT")

    assert response.body == b""
    assert response.headers.getall(CONTENT_LENGTH) == ["0"]


def test_preflight_refused_does_not_call_app(serve: Serve, preflight: Preflight, app: Any) -> None:
    preflight(serve(), "PUT")

    assert app.calls == []


@pytest.mark.parametrize(
    ("options", "method", "origin", "request_headers", "words"),
    [
        pytest.param({"allow_origins": [A]}, "POST", B, None, ["origin", B], id="origin"),
        pytest.param({}, "PUT", A, None, ["method", "PUT"], id="method"),
        pytest.param(
            {"allow_headers": ["X-A"]},
            "POST",
            A,
            "x-a,x-secret",
            ["header", "x-secret"],
            id="header",
        ),
    ],
)
def test_preflight_refused_debug_body_names_check_and_value(
    serve: Serve,
    preflight: Preflight,
    options: dict[str, Any],
    method: str,
    origin: str,
    request_headers: str | None,
    words: list[str],
) -> None:
    client = serve(debug=True, **options)

    response = preflight(client, method, origin=origin, request_headers=request_headers)

    assert response.status_int == 403
    assert response.headers[CONTENT_TYPE].startswith("text/plain")
    for word in words:
        assert word.lower() in response.text.lower()


def test_preflight_refused_debug_body_has_no_cors_headers(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(debug=True), "PUT")

    assert cors_header_names(response) == []


def test_preflight_origin_checked_before_method(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=[A], debug=True), "PUT", origin=B)

    assert B in response.text
    assert "PUT" not in response.text


def test_preflight_method_checked_before_headers(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_headers=["X-A"], debug=True)

    response = preflight(client, "PUT", request_headers="x-secret")

    assert "PUT" in response.text
    assert "x-secret" not in response.text


# --- preflight: Vary ----------------------------------------------------------------------


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


# --- classification -----------------------------------------------------------------------


def test_options_with_origin_and_empty_acrm_is_not_preflight(serve: Serve, app: Any) -> None:
    response = serve().options("/", headers={ORIGIN: A, ACRM: ""})

    assert response.body == b"app body"
    assert app.methods_seen == ["OPTIONS"]


def test_options_with_acrm_but_no_origin_is_not_preflight(serve: Serve, app: Any) -> None:
    response = serve().options("/", headers={ACRM: "PUT"})

    assert response.status_int == 200
    assert app.methods_seen == ["OPTIONS"]


def test_get_with_acrm_is_not_preflight(serve: Serve, app: Any) -> None:
    response = serve().get("/", headers={ORIGIN: A, ACRM: "PUT"})

    assert response.body == b"app body"
    assert response.headers.getall(ACAM) == []


# --- preflight with options_passthrough -----------------------------------------------------


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


# --- actual requests ----------------------------------------------------------------------


def test_actual_all_origins_sends_star(serve: Serve) -> None:
    response = serve().get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == ["*"]


def test_actual_all_origins_without_origin_sends_star(serve: Serve) -> None:
    assert serve().get("/").headers.getall(ACAO) == ["*"]


def test_actual_all_origins_adds_no_vary(serve: Serve) -> None:
    assert serve().get("/", headers={ORIGIN: A}).headers.getall(VARY) == []


def test_actual_all_origins_method_not_allowed_has_no_star(serve: Serve) -> None:
    response = serve().put("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == []
    assert response.headers.getall(VARY) == []


def test_actual_keeps_app_status_and_body(serve: Serve, make_app: Any) -> None:
    wrapped = make_app(status="201 Created", body=b"created")

    response = serve(wrapped=wrapped).post("/", headers={ORIGIN: A})

    assert response.status == "201 Created"
    assert response.body == b"created"


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


def test_actual_method_not_allowed_has_no_allow_origin(serve: Serve) -> None:
    response = serve(allow_origins=[A]).put("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == []
    assert response.headers.getall(VARY) == ["Origin"]


def test_actual_head_allowed_by_default(serve: Serve) -> None:
    assert serve(allow_origins=[A]).head("/", headers={ORIGIN: A}).headers.getall(ACAO) == [A]


def test_actual_plain_options_counts_as_allowed(serve: Serve, app: Any) -> None:
    response = serve(allow_origins=[A], allow_methods=["GET"]).options("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert app.methods_seen == ["OPTIONS"]


def test_actual_credentials_sends_allow_credentials(serve: Serve) -> None:
    response = serve(allow_origins=[A], allow_credentials=True).get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]


def test_actual_credentials_origin_not_allowed_has_no_credentials(serve: Serve) -> None:
    response = serve(allow_origins=[A], allow_credentials=True).get("/", headers={ORIGIN: B})

    assert response.headers.getall(ACAC) == []


def test_actual_expose_headers_sent_as_configured(serve: Serve) -> None:
    client = serve(expose_headers=["Content-Length", "Content-Type", "X-Total"])

    [expose] = client.get("/", headers={ORIGIN: A}).headers.getall(ACEH)

    assert tokens(expose) == ["Content-Length", "Content-Type", "X-Total"]


def test_actual_expose_wildcard_sent(serve: Serve) -> None:
    response = serve(expose_headers=["*"]).get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACEH) == ["*"]


def test_actual_no_expose_headers_configured_has_none(serve: Serve) -> None:
    assert serve().get("/", headers={ORIGIN: A}).headers.getall(ACEH) == []


@pytest.mark.parametrize(
    "header",
    [pytest.param(ACAM, id="ACAM"), pytest.param(ACAH, id="ACAH"), pytest.param(ACMA, id="ACMA")],
)
def test_actual_never_carries_preflight_headers(serve: Serve, header: str) -> None:
    client = serve(allow_origins=[A], max_age=600, allow_methods=["GET", "PUT"])

    response = client.get("/", headers={ORIGIN: A, ACRH: "x-a"})

    assert response.headers.getall(header) == []


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


def test_actual_default_policy_when_none_given(make_app: Any) -> None:
    client = webtest.TestApp(CORSMiddleware(make_app()))

    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == ["*"]


# --- Vary merging ---------------------------------------------------------------------------


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


# --- the middleware owns CORS headers -------------------------------------------------------


def _setting(make_app: Any, name: str, value: str) -> Any:
    return make_app(headers=[(CONTENT_TYPE, "text/plain"), (CONTENT_LENGTH, "8"), (name, value)])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(ACAO, "*", id="ACAO"),
        pytest.param(ACAC, "true", id="ACAC"),
        pytest.param(ACAM, "GET, PUT", id="ACAM"),
        pytest.param(ACAH, "X-Secret", id="ACAH"),
        pytest.param(ACEH, "X-Secret", id="ACEH"),
        pytest.param(ACMA, "86400", id="ACMA"),
        pytest.param(ACAPN, "true", id="ACAPN"),
        pytest.param("access-control-allow-origin", "*", id="lower-case-name"),
    ],
)
def test_app_cors_header_dropped_when_origin_not_allowed(
    serve: Serve, make_app: Any, name: str, value: str
) -> None:
    client = serve(wrapped=_setting(make_app, name, value), allow_origins=[A])

    response = client.get("/", headers={ORIGIN: B})

    assert cors_header_names(response) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(ACAO, "*", id="ACAO"),
        pytest.param(ACMA, "86400", id="ACMA"),
        pytest.param(ACAH, "X-Secret", id="ACAH"),
    ],
)
def test_app_cors_header_dropped_without_origin(
    serve: Serve, make_app: Any, name: str, value: str
) -> None:
    client = serve(wrapped=_setting(make_app, name, value), allow_origins=[A])

    assert cors_header_names(client.get("/")) == []


def test_app_allow_origin_replaced_not_duplicated(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_setting(make_app, ACAO, "*"), allow_origins=[A])

    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == [A]


def test_app_allow_origin_replaced_under_all_origins(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_setting(make_app, ACAO, A))

    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == ["*"]


def test_app_expose_headers_replaced_by_policy(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_setting(make_app, ACEH, "X-Secret"), expose_headers=["X-Total"])

    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACEH) == ["X-Total"]


def test_app_credentials_dropped_when_policy_has_none(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_setting(make_app, ACAC, "true"), allow_origins=[A])

    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAC) == []


def test_app_other_headers_kept(serve: Serve, make_app: Any) -> None:
    client = serve(wrapped=_setting(make_app, "X-App", "1"), allow_origins=[A])

    assert client.get("/", headers={ORIGIN: A}).headers.getall("X-App") == ["1"]


def test_app_cors_header_dropped_logged_as_warning_in_debug(
    serve: Serve, make_app: Any, cors_log: Any
) -> None:
    client = serve(wrapped=_setting(make_app, ACAO, "*"), allow_origins=[A], debug=True)

    client.get("/", headers={ORIGIN: A})

    warnings = [r for r in cors_log.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert ACAO.lower() in warnings[0].getMessage().lower()


# --- auto_options -------------------------------------------------------------------------


def test_auto_options_plain_options_answered_200(serve: Serve, app: Any) -> None:
    response = serve(auto_options=True).options("/")

    assert response.status == "200 OK"
    assert response.body == b""
    assert app.calls == []


def test_auto_options_allow_from_allow_methods(serve: Serve) -> None:
    response = serve(auto_options=True, allow_methods=["GET", "PUT"]).options("/")

    assert allow_set(response) - {"OPTIONS"} == {"GET", "PUT"}


def test_auto_options_empty_response_has_length_and_type(serve: Serve) -> None:
    response = serve(auto_options=True).options("/")

    assert response.headers.getall(CONTENT_LENGTH) == ["0"]
    assert len(response.headers.getall(CONTENT_TYPE)) == 1


def test_auto_options_adds_actual_request_cors_headers(serve: Serve) -> None:
    client = serve(
        auto_options=True, allow_origins=[A], allow_credentials=True, expose_headers=["X-Total"]
    )

    response = client.options("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]
    assert response.headers.getall(ACEH) == ["X-Total"]
    assert response.headers.getall(VARY) == ["Origin"]
    assert response.headers.getall(ACAM) == []


def test_auto_options_all_origins_without_origin_sends_star(serve: Serve) -> None:
    assert serve(auto_options=True).options("/").headers.getall(ACAO) == ["*"]


def test_auto_options_off_passes_plain_options_to_app(serve: Serve, app: Any) -> None:
    response = serve().options("/")

    assert response.body == b"app body"
    assert app.methods_seen == ["OPTIONS"]


def test_auto_options_preflight_still_answered_as_preflight(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(auto_options=True), "POST")

    assert response.status_int == 204
    assert response.headers.getall(ALLOW) == []


class FlaskSite:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.app = flask.Flask("wsgicors_test_site")

        @self.app.before_request
        def _record() -> None:
            self.seen.append(f"{flask.request.method} {flask.request.path}")

        @self.app.route("/items", methods=["GET", "POST"])
        def items() -> str:
            return "items"

        @self.app.route("/items/<int:item_id>", methods=["DELETE", "PATCH"])
        def item(item_id: int) -> str:
            return f"item {item_id}"


@pytest.fixture
def site() -> FlaskSite:
    return FlaskSite()


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        pytest.param("/items", {"GET", "HEAD", "POST", "OPTIONS"}, id="collection"),
        pytest.param("/items/3", {"DELETE", "PATCH", "OPTIONS"}, id="member"),
    ],
)
def test_auto_options_flask_allow_from_url_map(
    serve: Serve, site: FlaskSite, path: str, methods: set[str]
) -> None:
    response = serve(wrapped=site.app, auto_options=True).options(path)

    assert response.status == "200 OK"
    assert allow_set(response) == methods


def test_auto_options_flask_known_path_not_sent_to_app(serve: Serve, site: FlaskSite) -> None:
    serve(wrapped=site.app, auto_options=True).options("/items")

    assert site.seen == []


def test_auto_options_flask_unknown_path_gets_app_404(serve: Serve, site: FlaskSite) -> None:
    response = serve(wrapped=site.app, auto_options=True).options("/nowhere", status=404)

    assert response.status_int == 404
    assert site.seen == ["OPTIONS /nowhere"]


def test_auto_options_flask_unknown_path_404_decorated(serve: Serve, site: FlaskSite) -> None:
    client = serve(wrapped=site.app, auto_options=True, allow_origins=[A])

    response = client.options("/nowhere", headers={ORIGIN: A}, status=404)

    assert response.headers.getall(ACAO) == [A]


def test_auto_options_flask_with_origin_adds_cors_headers(serve: Serve, site: FlaskSite) -> None:
    client = serve(wrapped=site.app, auto_options=True, allow_origins=[A])

    response = client.options("/items", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(VARY) == ["Origin"]


def test_auto_options_flask_preflight_not_sent_to_app(
    serve: Serve, preflight: Preflight, site: FlaskSite
) -> None:
    response = preflight(serve(wrapped=site.app, auto_options=True), "POST", path="/items")

    assert response.status_int == 204
    assert site.seen == []


def test_auto_options_flask_get_passes_to_app(serve: Serve, site: FlaskSite) -> None:
    response = serve(wrapped=site.app, auto_options=True).get("/items", headers={ORIGIN: A})

    assert response.text == "items"
    assert response.headers.getall(ACAO) == ["*"]


# --- path-scoped policies (DESIGN §2) ---------------------------------------------------------


@pytest.fixture
def scoped(serve: Serve, make_app: Any) -> webtest.TestApp:
    wrapped = make_app(
        headers=[
            (CONTENT_TYPE, "text/plain"),
            (CONTENT_LENGTH, "8"),
            (ACAO, "https://app.example"),
        ]
    )
    policies = {
        "/api": CORSPolicy(allow_origins=[A]),
        "/api/v2": CORSPolicy(allow_origins=[B]),
        "/public/": CORSPolicy(),
        "/admin": None,
    }
    return serve(policies, wrapped=wrapped)


@pytest.mark.parametrize(
    ("path", "origin", "expected"),
    [
        pytest.param("/api", A, [A], id="prefix-itself"),
        pytest.param("/api/", A, [A], id="prefix-slash"),
        pytest.param("/api/users", A, [A], id="under-prefix"),
        pytest.param("/api/users", B, [], id="under-prefix-other-origin"),
        pytest.param("/api/v2/users", B, [B], id="longest-prefix"),
        pytest.param("/api/v2/users", A, [], id="longest-prefix-refuses-shorter"),
        pytest.param("/api/v2", B, [B], id="longest-prefix-itself"),
        pytest.param("/api/v2x", A, [A], id="longest-not-on-boundary"),
        pytest.param("/public", A, ["*"], id="slash-key-itself"),
        pytest.param("/public/x", A, ["*"], id="slash-key-under"),
    ],
)
def test_path_scope_selects_policy(
    scoped: webtest.TestApp, path: str, origin: str, expected: list[str]
) -> None:
    assert scoped.get(path, headers={ORIGIN: origin}).headers.getall(ACAO) == expected


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/apix", id="not-on-boundary"),
        pytest.param("/API/users", id="case-differs"),
        pytest.param("/publicity", id="slash-key-not-on-boundary"),
        pytest.param("/admin/users", id="none-policy"),
        pytest.param("/admin", id="none-policy-itself"),
        pytest.param("/other", id="no-match"),
        pytest.param("/", id="root"),
    ],
)
def test_path_scope_without_policy_leaves_response_alone(
    scoped: webtest.TestApp, path: str
) -> None:
    response = scoped.get(path, headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == ["https://app.example"]
    assert response.headers.getall(VARY) == []


def test_path_scope_none_sends_preflight_to_app(
    scoped: webtest.TestApp, preflight: Preflight, make_app: Any
) -> None:
    response = preflight(scoped, "POST", path="/admin/users")

    assert response.status == "200 OK"
    assert response.body == b"app body"


def test_path_scope_root_prefix_matches_every_path(serve: Serve) -> None:
    client = serve({"/": CORSPolicy(allow_origins=[A]), "/open": None})

    assert client.get("/anything/deep", headers={ORIGIN: A}).headers.getall(ACAO) == [A]


def test_path_scope_matches_path_info_not_script_name(serve: Serve) -> None:
    client = serve({"/api": CORSPolicy(allow_origins=[A])})

    response = client.get(
        "/api/users", headers={ORIGIN: A}, extra_environ={"SCRIPT_NAME": "/mount"}
    )

    assert response.headers.getall(ACAO) == [A]


def test_path_scope_script_name_not_part_of_match(serve: Serve) -> None:
    client = serve({"/mount": CORSPolicy(allow_origins=[A])})

    response = client.get("/api", headers={ORIGIN: A}, extra_environ={"SCRIPT_NAME": "/mount"})

    assert response.headers.getall(ACAO) == []


def test_path_scope_preflight_uses_scoped_policy(serve: Serve, preflight: Preflight) -> None:
    client = serve({"/api": CORSPolicy(allow_methods=["PUT"])})

    assert preflight(client, "PUT", path="/api/x").status_int == 204
    assert preflight(client, "PUT", path="/other").status_int == 200


# --- .policy ----------------------------------------------------------------------------------


def test_policy_attribute_returns_given_policy(make_app: Any) -> None:
    policy = CORSPolicy(allow_origins=[A])

    assert CORSMiddleware(make_app(), policy).policy is policy


def test_policy_assignment_takes_effect(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)

    middleware.policy = CORSPolicy(allow_origins=[B])

    assert client.get("/", headers={ORIGIN: B}).headers.getall(ACAO) == [B]
    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == []


def test_policy_assignment_returns_new_policy(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    new = CORSPolicy(allow_origins=[B])

    middleware.policy = new

    assert middleware.policy is new


def test_policy_assignment_of_mapping_takes_effect(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)

    middleware.policy = {"/api": CORSPolicy(allow_origins=[B])}

    assert client.get("/api", headers={ORIGIN: B}).headers.getall(ACAO) == [B]
    assert client.get("/", headers={ORIGIN: A}).headers.getall(ACAO) == []


def test_policy_assignment_invalid_keeps_old_policy(make_app: Any) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)

    with pytest.raises((TypeError, ValueError)):
        middleware.policy = {"/api": "not a policy"}  # type: ignore[dict-item]

    assert client.get("/api", headers={ORIGIN: A}).headers.getall(ACAO) == [A]


# --- allow_origin_func (DESIGN §2) ----------------------------------------------------------


def test_origin_func_receives_origin_and_environ(serve: Serve) -> None:
    calls: list[tuple[str, str]] = []

    def decide(origin: str, environ: Any) -> bool:
        calls.append((origin, environ["PATH_INFO"]))
        return True

    serve(allow_origin_func=decide).get("/some/path", headers={ORIGIN: A})

    assert calls == [(A, "/some/path")]


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [pytest.param(True, [A], id="allowed"), pytest.param(False, [], id="refused")],
)
def test_origin_func_decides_actual_request(
    serve: Serve, verdict: bool, expected: list[str]
) -> None:
    response = serve(allow_origin_func=lambda origin, environ: verdict).get(
        "/", headers={ORIGIN: A}
    )

    assert response.headers.getall(ACAO) == expected
    assert response.headers.getall(VARY) == ["Origin"]


@pytest.mark.parametrize(
    ("verdict", "status"),
    [pytest.param(True, 204, id="allowed"), pytest.param(False, 403, id="refused")],
)
def test_origin_func_decides_preflight(
    serve: Serve, preflight: Preflight, verdict: bool, status: int
) -> None:
    response = preflight(serve(allow_origin_func=lambda origin, environ: verdict), "POST")

    assert response.status_int == status


def test_origin_func_with_credentials_echoes_origin(serve: Serve) -> None:
    client = serve(allow_origin_func=lambda origin, environ: True, allow_credentials=True)

    response = client.get("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]
    assert response.headers.getall(ACAC) == ["true"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("HTTPS://A.EXAMPLE", id="upper-case"),
        pytest.param(f"{A}, {B}", id="comma-joined"),
        pytest.param(f"{A}/", id="trailing-slash"),
    ],
)
def test_origin_func_never_sees_malformed_origin_allowed(serve: Serve, origin: str) -> None:
    response = serve(allow_origin_func=lambda o, environ: True).get("/", headers={ORIGIN: origin})

    assert response.headers.getall(ACAO) == []


def test_origin_func_not_consulted_without_origin(serve: Serve) -> None:
    calls: list[str] = []

    def decide(origin: str, environ: Any) -> bool:
        calls.append(origin)
        return True

    response = serve(allow_origin_func=decide).get("/")

    assert calls == []
    assert response.headers.getall(ACAO) == []


# --- debug logging (DESIGN §3 debug, §6 logging) --------------------------------------------


def test_debug_off_logs_nothing(serve: Serve, preflight: Preflight, cors_log: Any) -> None:
    client = serve(allow_origins=[A])
    client.get("/", headers={ORIGIN: A})
    preflight(client, "PUT")

    assert cors_log.records == []


@pytest.mark.parametrize(
    "request_kind",
    [
        pytest.param("preflight-ok", id="preflight-ok"),
        pytest.param("preflight-refused", id="preflight-refused"),
        pytest.param("actual-allowed", id="actual-allowed"),
        pytest.param("actual-refused", id="actual-refused"),
    ],
)
def test_debug_logs_each_decision_with_prefix(
    serve: Serve, preflight: Preflight, cors_log: Any, request_kind: str
) -> None:
    client = serve(allow_origins=[A], debug=True)
    if request_kind == "preflight-ok":
        preflight(client, "POST")
    elif request_kind == "preflight-refused":
        preflight(client, "PUT")
    elif request_kind == "actual-allowed":
        client.get("/", headers={ORIGIN: A})
    else:
        client.get("/", headers={ORIGIN: B})

    assert cors_log.records != []
    assert all(message.startswith("[CORS]") for message in cors_log.messages)


def test_debug_log_uses_wsgicors_logger(serve: Serve, cors_log: Any) -> None:
    serve(debug=True).get("/", headers={ORIGIN: A})

    assert {record.name.split(".")[0] for record in cors_log.records} == {"wsgicors"}


def test_debug_log_quotes_origin_with_repr(serve: Serve, cors_log: Any) -> None:
    serve(allow_origins=[A], debug=True).get("/", headers={ORIGIN: B})

    assert any(repr(B) in message for message in cors_log.messages)


def test_debug_log_refused_header_quoted_with_repr(
    serve: Serve, preflight: Preflight, cors_log: Any
) -> None:
    preflight(serve(allow_headers=["X-A"], debug=True), "POST", request_headers="x-secret")

    assert any(repr("x-secret") in message for message in cors_log.messages)


def _call(middleware: Any, **environ_values: str) -> list[tuple[str, list[tuple[str, str]]]]:
    environ: dict[str, Any] = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(environ_values)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, headers))
        return lambda data: None

    body = middleware(environ, start_response)
    try:
        b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return started


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("HTTP_ORIGIN", "https://b.example\n[CORS] allowed: everything", id="origin"),
        pytest.param("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "PUT\r\n[CORS] ok", id="acrm"),
        pytest.param("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "x-a\n[CORS] ok", id="acrh"),
    ],
)
def test_debug_log_never_writes_raw_newline_from_request(
    make_app: Any, cors_log: Any, variable: str, value: str
) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A], debug=True))
    environ = {
        "REQUEST_METHOD": "OPTIONS",
        "HTTP_ORIGIN": A,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        variable: value,
    }

    _call(middleware, **environ)

    assert cors_log.messages != []
    assert not any("\n" in message or "\r" in message for message in cors_log.messages)


def test_debug_visible_on_stderr_without_logging_setup() -> None:
    script = textwrap.dedent(
        """
        import webtest
        from wsgicors import CORSMiddleware, CORSPolicy

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]

        client = webtest.TestApp(CORSMiddleware(app, CORSPolicy(debug=True)))
        client.get("/", headers={"Origin": "https://a.example"})
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "[CORS]" in result.stderr
    assert repr("https://a.example") in result.stderr
    assert result.stdout == ""


# --- more request-handling corners (DESIGN §3, §5) ------------------------------------------


def test_star_among_origins_allows_every_origin(serve: Serve) -> None:
    with pytest.warns(PolicyWarning):
        client = serve(allow_origins=[A, "*"])

    assert client.get("/", headers={ORIGIN: B}).headers.getall(ACAO) == ["*"]


def test_actual_any_method_wildcard_allows_put(serve: Serve) -> None:
    response = serve(allow_origins=[A], allow_methods=["*"]).put("/", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == [A]


def test_actual_method_compared_case_sensitively(serve: Serve) -> None:
    client = serve(allow_origins=[A], allow_methods=["PATCH"], lint=False)

    response = client.request("/", method="patch", headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == []


def test_preflight_null_origin_under_all_origins_gets_star(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(), "POST", origin="null")

    assert response.status_int == 204
    assert response.headers.getall(ACAO) == ["*"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param(f"{A}, {B}", id="comma-joined"),
        pytest.param("", id="empty"),
        pytest.param(f"{A}/", id="trailing-slash"),
        pytest.param("x" * 400, id="over-long"),
    ],
)
def test_preflight_malformed_origin_under_all_origins_refused(
    serve: Serve, preflight: Preflight, origin: str
) -> None:
    response = preflight(serve(), "POST", origin=origin)

    assert response.status_int == 403
    assert cors_header_names(response) == []


def test_auto_options_allow_with_options_listed_once(serve: Serve) -> None:
    response = serve(auto_options=True, allow_methods=["GET", "OPTIONS"]).options("/")

    [allow] = response.headers.getall(ALLOW)
    assert sorted(tokens(allow)) == ["GET", "OPTIONS"]


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


@pytest.mark.parametrize(
    "policies",
    [
        pytest.param({"api": CORSPolicy()}, id="prefix-without-slash"),
        pytest.param({"allow_origins": ["https://a.example"]}, id="config-dict"),
        pytest.param({"/api": {"allow_origins": ["*"]}}, id="dict-as-policy"),
    ],
)
def test_path_scope_bad_mapping_refused(make_app: Any, policies: dict[str, Any]) -> None:
    with pytest.raises((PolicyError, TypeError)):
        CORSMiddleware(make_app(), policies)


def test_path_scope_config_dict_hint_names_from_dict(make_app: Any) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSMiddleware(make_app(), {"allow_origins": ["https://a.example"]})

    assert any("from_dict" in problem.hint for problem in excinfo.value.problems)


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param("https://a.example", id="string"),
        pytest.param(["https://a.example"], id="list"),
        pytest.param(42, id="number"),
    ],
)
def test_policy_of_wrong_type_refused(make_app: Any, policy: object) -> None:
    with pytest.raises(TypeError):
        CORSMiddleware(make_app(), policy)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "method", "headers", "words"),
    [
        pytest.param({}, "PUT", {ORIGIN: A}, ["'PUT'", "allow_methods"], id="star-method"),
        pytest.param({"allow_origins": [A]}, "GET", {}, ["Origin"], id="no-origin"),
        pytest.param(
            {"allow_origins": [A]}, "PUT", {ORIGIN: A}, ["'PUT'", "allow_methods"], id="method"
        ),
        pytest.param({"allow_origins": [A]}, "GET", {ORIGIN: B}, [repr(B)], id="origin"),
    ],
)
def test_debug_logs_why_actual_request_gets_no_cors_headers(
    serve: Serve,
    cors_log: Any,
    options: dict[str, Any],
    method: str,
    headers: dict[str, str],
    words: list[str],
) -> None:
    serve(debug=True, **options).request("/", method=method, headers=headers)

    [message] = cors_log.messages
    for word in words:
        assert word in message


def test_passthrough_private_network_vary_and_allow(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_private_network=True, options_passthrough=True)

    response = preflight(client, "POST", **{ACRPN: "true"})

    assert response.body == b"app body"
    assert response.headers.getall(ACAPN) == ["true"]
    assert response.headers.getall(VARY) == [PREFLIGHT_VARY_PNA]


def test_debug_off_app_cors_header_dropped_silently(
    serve: Serve, make_app: Any, cors_log: Any
) -> None:
    client = serve(wrapped=_setting(make_app, ACAO, "*"), allow_origins=[A])

    client.get("/", headers={ORIGIN: A})

    assert cors_log.records == []


def test_auto_options_origin_not_allowed_has_allow_but_no_cors(serve: Serve) -> None:
    response = serve(auto_options=True, allow_origins=[A]).options("/", headers={ORIGIN: B})

    assert response.status == "200 OK"
    assert {"GET", "HEAD", "POST"} <= allow_set(response)
    assert cors_header_names(response) == []
    assert response.headers.getall(VARY) == ["Origin"]


def test_preflight_null_origin_configured_answers_null(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=["null"]), "POST", origin="null")

    assert response.status_int == 204
    assert response.headers.getall(ACAO) == ["null"]


def test_router_without_allowed_methods_refused(make_app: Any) -> None:
    with pytest.raises(TypeError):
        CORSMiddleware(make_app(), CORSPolicy(auto_options=True), router=object())


# --- repeated preflights (answers kept per policy) ---------------------------------------


def test_repeated_preflight_gets_identical_answer(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_origins=[A], allow_methods=["PUT"], max_age=60)

    first = preflight(client, "PUT", origin=A, request_headers="x-a")
    second = preflight(client, "PUT", origin=A, request_headers="x-a")

    assert second.status == first.status == "204 No Content"
    assert second.headerlist == first.headerlist


def test_repeated_refused_preflight_logs_each_time(
    serve: Serve, preflight: Preflight, cors_log: Any
) -> None:
    client = serve(allow_origins=[A], debug=True)

    for _ in range(2):
        assert preflight(client, "PUT", origin=B).status_int == 403

    rejected = [r.getMessage() for r in cors_log.records if "rejected" in r.getMessage()]
    assert (
        rejected
        == [f"[CORS] preflight from {B!r} rejected: origin {B!r} is not in allow_origins"] * 2
    )


def test_origin_func_consulted_on_every_preflight(serve: Serve, preflight: Preflight) -> None:
    verdicts = iter([True, False])
    client = serve(allow_origin_func=lambda origin, environ: next(verdicts))

    statuses = [preflight(client, "POST", origin=A).status_int for _ in range(2)]

    assert statuses == [204, 403]


def test_many_distinct_preflights_keep_bounded_answers(app: Any) -> None:
    middleware = CORSMiddleware(app, CORSPolicy(allow_origins=["https://*.example.com"]))
    environ = {"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "/", ENV_ACRM: "GET"}

    statuses = set()
    for n in range(3000):
        middleware(
            {**environ, "HTTP_ORIGIN": f"https://t{n}.example.com"},
            lambda status, headers, exc_info=None: statuses.add(status),
        )

    _, compiled, _ = middleware._state
    assert statuses == {"204 No Content"}
    assert 0 < len(compiled._answers) <= 1024


def test_policy_swap_forgets_kept_preflight_answers(app: Any, preflight: Preflight) -> None:
    middleware = CORSMiddleware(app, CORSPolicy(allow_origins=[A]))
    client = webtest.TestApp(middleware)
    assert preflight(client, "POST", origin=A).status_int == 204

    middleware.policy = CORSPolicy(allow_origins=[B])

    assert preflight(client, "POST", origin=A).status_int == 403
