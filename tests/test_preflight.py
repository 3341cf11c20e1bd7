"""Preflight requests: what counts as one, the answer when it succeeds, and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import A, B, Preflight, Serve, cors_header_names, tokens

from wsgicors.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRM,
    ACRPN,
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ORIGIN,
)

# --- what counts as a preflight --------------------------------------------------------------


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


# --- success ---------------------------------------------------------------------------------


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


def test_preflight_null_origin_under_all_origins_gets_star(
    serve: Serve, preflight: Preflight
) -> None:
    response = preflight(serve(), "POST", origin="null")

    assert response.status_int == 204
    assert response.headers.getall(ACAO) == ["*"]


def test_preflight_null_origin_configured_answers_null(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=["null"]), "POST", origin="null")

    assert response.status_int == 204
    assert response.headers.getall(ACAO) == ["null"]


@pytest.mark.parametrize(
    ("options", "method"),
    [
        pytest.param({"allow_methods": ["GET", "PUT", "DELETE"]}, "DELETE", id="listed"),
        pytest.param({"allow_methods": ["*"]}, "PATCH", id="any-method-wildcard"),
        pytest.param({"allow_methods": ["GET"]}, "OPTIONS", id="options-always-allowed"),
        pytest.param(
            {"allow_methods": ["patch"], "lint": False}, "patch", id="lower-case-when-listed"
        ),
        pytest.param({"allow_methods": ["put"]}, "PUT", id="configured-lower-case-normalised"),
        pytest.param(
            {"allow_origins": [A], "allow_credentials": True, "allow_methods": ["*"]},
            "DELETE",
            id="credentials-with-any-method",
        ),
    ],
)
def test_preflight_allowed_method_is_the_allow_methods_answer(
    serve: Serve, preflight: Preflight, options: dict[str, Any], method: str
) -> None:
    response = preflight(serve(**options), method)

    assert response.status_int == 204
    assert response.headers.getall(ACAM) == [method]


@pytest.mark.parametrize(
    ("options", "extra", "header"),
    [
        pytest.param({}, {}, ACAH, id="no-request-headers-no-allow-headers"),
        pytest.param({"allow_origins": [A]}, {}, ACAC, id="no-credentials-no-allow-credentials"),
        pytest.param({}, {}, ACMA, id="no-max-age-configured"),
        pytest.param({"expose_headers": ["X-Total"]}, {}, ACEH, id="never-expose-headers"),
        pytest.param({}, {}, CONTENT_LENGTH, id="204-no-content-length"),
        pytest.param(
            {"allow_private_network": True}, {}, ACAPN, id="private-network-allowed-not-requested"
        ),
        pytest.param({}, {ACRPN: "true"}, ACAPN, id="private-network-requested-not-allowed"),
    ],
)
def test_preflight_success_leaves_out_header_not_called_for(
    serve: Serve,
    preflight: Preflight,
    options: dict[str, Any],
    extra: dict[str, str],
    header: str,
) -> None:
    response = preflight(serve(**options), "POST", **extra)

    assert response.status_int == 204
    assert response.headers.getall(header) == []


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


def test_preflight_max_age_sent(serve: Serve, preflight: Preflight) -> None:
    assert preflight(serve(max_age="12h"), "POST").headers.getall(ACMA) == ["43200"]


def test_preflight_success_status_200_configured(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(options_success_status=200), "POST")

    assert response.status == "200 OK"
    assert response.body == b""
    assert response.headers.getall(CONTENT_LENGTH) == ["0"]
    assert len(response.headers.getall(CONTENT_TYPE)) == 1


def test_preflight_private_network_requested_and_allowed(
    serve: Serve, preflight: Preflight
) -> None:
    client = serve(allow_private_network=True)

    response = preflight(client, "POST", **{ACRPN: "true"})

    assert response.status_int == 204
    assert response.headers.getall(ACAPN) == ["true"]


def test_repeated_preflight_gets_identical_answer(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_origins=[A], allow_methods=["PUT"], max_age=60)

    first = preflight(client, "PUT", origin=A, request_headers="x-a")
    second = preflight(client, "PUT", origin=A, request_headers="x-a")

    assert second.status == first.status == "204 No Content"
    assert second.headerlist == first.headerlist


# --- refusal ---------------------------------------------------------------------------------


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


def test_preflight_refused_not_debug_has_empty_body(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(), "PUT")

    assert response.body == b""
    assert response.headers.getall(CONTENT_LENGTH) == ["0"]


def test_preflight_refused_does_not_call_app(serve: Serve, preflight: Preflight, app: Any) -> None:
    preflight(serve(), "PUT")

    assert app.calls == []


def test_preflight_origin_checked_before_method(serve: Serve, preflight: Preflight) -> None:
    response = preflight(serve(allow_origins=[A], debug=True), "PUT", origin=B)

    assert B in response.text
    assert "PUT" not in response.text


def test_preflight_method_checked_before_headers(serve: Serve, preflight: Preflight) -> None:
    client = serve(allow_headers=["X-A"], debug=True)

    response = preflight(client, "PUT", request_headers="x-secret")

    assert "PUT" in response.text
    assert "x-secret" not in response.text
