"""Header names and Access-Control-Request-Headers parsing (DESIGN §5 preflight step 3)."""

from __future__ import annotations

import wsgiref.util
from collections.abc import Callable
from typing import Any

import pytest
import webtest

from wsgicors import CORSMiddleware, CORSPolicy, headers
from wsgicors.headers import ACAH, ACAO, ACRH, ACRM, ORIGIN

Serve = Callable[..., webtest.TestApp]
Preflight = Callable[..., webtest.TestResponse]


def tokens(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@pytest.mark.parametrize(
    ("constant", "name"),
    [
        pytest.param("ORIGIN", "Origin", id="ORIGIN"),
        pytest.param("VARY", "Vary", id="VARY"),
        pytest.param("ACAO", "Access-Control-Allow-Origin", id="ACAO"),
        pytest.param("ACAC", "Access-Control-Allow-Credentials", id="ACAC"),
        pytest.param("ACAM", "Access-Control-Allow-Methods", id="ACAM"),
        pytest.param("ACAH", "Access-Control-Allow-Headers", id="ACAH"),
        pytest.param("ACEH", "Access-Control-Expose-Headers", id="ACEH"),
        pytest.param("ACMA", "Access-Control-Max-Age", id="ACMA"),
        pytest.param("ACAPN", "Access-Control-Allow-Private-Network", id="ACAPN"),
        pytest.param("ACRM", "Access-Control-Request-Method", id="ACRM"),
        pytest.param("ACRH", "Access-Control-Request-Headers", id="ACRH"),
        pytest.param("ACRPN", "Access-Control-Request-Private-Network", id="ACRPN"),
        pytest.param("ALLOW", "Allow", id="ALLOW"),
    ],
)
def test_header_constant_spells_the_header_name(constant: str, name: str) -> None:
    assert getattr(headers, constant) == name


# --- ACRH parsing: lenient ----------------------------------------------------------------


def _preflight(serve: Serve, request_headers: str, **options: Any) -> webtest.TestResponse:
    client = serve(lint=False, **options)
    return client.options(
        "/",
        headers={ORIGIN: "https://a.example", ACRM: "POST", ACRH: request_headers},
        expect_errors=True,
    )


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a,x-b", id="browser-form"),
        pytest.param("x-a, x-b", id="space"),
        pytest.param("x-a,\tx-b", id="tab"),
        pytest.param("  x-a  ,  x-b  ", id="padding"),
        pytest.param("X-A,X-B", id="upper-case"),
        pytest.param(",x-a,,x-b,", id="empty-elements"),
        pytest.param("x-b,x-a", id="other-order"),
        pytest.param("x-a,x-a,x-b", id="duplicate"),
    ],
)
def test_listed_request_headers_allowed(serve: Serve, value: str) -> None:
    response = _preflight(serve, value, allow_headers=["X-A", "x-b"])

    assert response.status_int == 204
    assert {name.lower() for name in tokens(response.headers[ACAH])} == {"x-a", "x-b"}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a,x-c", id="one-unlisted"),
        pytest.param("x-c", id="only-unlisted"),
        pytest.param("x-a x-b", id="space-not-separator"),
        pytest.param("x-a;x-b", id="semicolon-not-separator"),
        pytest.param("x-", id="prefix-of-listed"),
        pytest.param("x-aa", id="longer-than-listed"),
    ],
)
def test_unlisted_request_header_refused(serve: Serve, value: str) -> None:
    response = _preflight(serve, value, allow_headers=["X-A", "x-b"])

    assert response.status_int == 403
    assert response.headers.getall(ACAO) == []


@pytest.mark.parametrize(
    "value",
    [pytest.param("", id="empty"), pytest.param(" , ,\t", id="only-separators")],
)
def test_no_requested_names_sends_no_allow_headers(serve: Serve, value: str) -> None:
    response = _preflight(serve, value, allow_headers=["X-A"])

    assert response.status_int == 204
    assert response.headers.getall(ACAH) == []


def test_wildcard_echoes_authorization(serve: Serve) -> None:
    response = _preflight(serve, "authorization")

    assert response.status_int == 204
    assert response.headers.getall(ACAH) == ["authorization"]


def test_wildcard_echoes_every_requested_name(serve: Serve) -> None:
    response = _preflight(serve, "content-type,x-api-key,x-requested-with")

    assert response.headers.getall(ACAH) == ["content-type,x-api-key,x-requested-with"]


# --- ACRH bounds: 4096 bytes, 64 elements (empty ones count) --------------------------------


def _names(count: int, width: int = 8) -> list[str]:
    return [f"x-{number:0{width - 2}d}" for number in range(count)]


def test_request_headers_with_64_elements_allowed(serve: Serve) -> None:
    value = ",".join(_names(64))

    response = _preflight(serve, value)

    assert response.status_int == 204
    assert tokens(response.headers[ACAH]) == _names(64)


def test_request_headers_with_65_elements_refused(serve: Serve) -> None:
    response = _preflight(serve, ",".join(_names(65)))

    assert response.status_int == 403
    assert response.headers.getall(ACAO) == []
    assert response.headers.getall(ACAH) == []


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a" + "," * 64, id="64-commas"),
        pytest.param(",".join(["x-a"] * 33 + [""] * 32), id="empties-mixed"),
        pytest.param("," * 1000, id="only-commas"),
    ],
)
def test_request_headers_counting_empty_elements_refused(serve: Serve, value: str) -> None:
    assert _preflight(serve, value).status_int == 403


def test_request_headers_of_4096_bytes_allowed(serve: Serve) -> None:
    names = _names(64, width=63)
    value = ",".join(names) + "x"
    assert len(value) == 4096

    assert _preflight(serve, value).status_int == 204


def test_request_headers_over_4096_bytes_refused(serve: Serve) -> None:
    value = ",".join(_names(64, width=63)) + "xx"
    assert len(value) == 4097

    response = _preflight(serve, value)

    assert response.status_int == 403
    assert response.headers.getall(ACAO) == []


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x" * 4097, id="one-long-name"),
        pytest.param(" " * 5000, id="spaces"),
        pytest.param("x-a, " * 1000, id="repeated"),
        pytest.param("a" * 1_000_000, id="one-megabyte"),
    ],
)
def test_hostile_request_headers_refused(serve: Serve, value: str) -> None:
    assert _preflight(serve, value).status_int == 403


def test_over_long_request_headers_refused_with_specific_allow_list(serve: Serve) -> None:
    value = ",".join(["x-a"] * 65)

    assert _preflight(serve, value, allow_headers=["X-A"]).status_int == 403


def test_over_long_request_headers_refused_in_debug_with_reason(serve: Serve) -> None:
    response = _preflight(serve, "x" * 5000, debug=True)

    assert response.status_int == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "access-control-request-headers" in response.text.lower()


# --- values that must never be echoed into a response header --------------------------------


def _raw_preflight(policy: CORSPolicy, **environ_values: str) -> tuple[str, list[tuple[str, str]]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "OPTIONS",
        "HTTP_ORIGIN": "https://a.example",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
    }
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(environ_values)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, headers))
        return lambda data: None

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    body = CORSMiddleware(app, policy)(environ, start_response)
    b"".join(body)
    [(status, response_headers)] = started
    return status, response_headers


@pytest.mark.parametrize(
    ("options", "variable", "value"),
    [
        pytest.param(
            {"allow_methods": ["*"]},
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
            "PUT\r\nSet-Cookie: a=b",
            id="acrm-crlf",
        ),
        pytest.param(
            {"allow_methods": ["*"]}, "HTTP_ACCESS_CONTROL_REQUEST_METHOD", "GE T", id="acrm-space"
        ),
        pytest.param(
            {}, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "x-a\r\nSet-Cookie: a=b", id="acrh-crlf"
        ),
        pytest.param({}, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "x-a;b", id="acrh-semicolon"),
        pytest.param({}, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "x-a x-b", id="acrh-inner-space"),
        pytest.param({}, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "(x-a)", id="acrh-parentheses"),
        pytest.param({}, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "x-\u00e9", id="acrh-non-ascii"),
        pytest.param(
            {"allow_origin_func": lambda origin, environ: True},
            "HTTP_ORIGIN",
            "https://a.example\r\nSet-Cookie: a=b",
            id="origin-crlf",
        ),
    ],
)
def test_non_token_request_value_refused_not_echoed(
    options: dict[str, Any], variable: str, value: str
) -> None:
    status, response_headers = _raw_preflight(CORSPolicy(**options), **{variable: value})

    assert status == "403 Forbidden"
    assert [
        name for name, _ in response_headers if name.lower().startswith("access-control-")
    ] == []
