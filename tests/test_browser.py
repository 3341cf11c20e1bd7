"""The browser model (``wsgicors.tools.browser``) against the Fetch standard, and the engines
where they differ from it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsgicors import CORSPolicy
from wsgicors.compiled import CompiledPolicy, Refusal
from wsgicors.headers import ACAC, ACAH, ACAM, ACAO, ACEH, ACMA, ACRH, ACRM, ORIGIN
from wsgicors.origins import is_serialized_origin
from wsgicors.tools.browser import (
    CHECK_ACAC,
    CHECK_ACAH_SYNTAX,
    CHECK_ACAM_SYNTAX,
    CHECK_ACAO_MISMATCH,
    CHECK_ACAO_MISSING,
    CHECK_ACAO_MULTIPLE,
    CHECK_ACAO_WILDCARD,
    CHECK_HEADER,
    CHECK_METHOD,
    CHECK_PREFLIGHT_REDIRECT,
    CHECK_PREFLIGHT_STATUS,
    FetchRequest,
    HTTPRequest,
    HTTPResponse,
    PreflightCache,
    check_preflight,
    cors_check,
    evaluate,
    is_forbidden_request_header,
    normalize_method,
    parse_list,
    parse_origin,
    preflight_cache,
    readable_headers,
    safelist_problem,
    unsafe_header_names,
)

APP = "https://app.example.com"


def request(
    method: str = "GET", *headers: tuple[str, str], credentials: bool = False
) -> FetchRequest:
    return FetchRequest(APP, method, headers, credentials, "/api")


def response(status: int = 200, **headers: str) -> HTTPResponse:
    names = {
        "acao": ACAO,
        "acac": ACAC,
        "acam": ACAM,
        "acah": ACAH,
        "aceh": ACEH,
        "acma": ACMA,
    }
    return HTTPResponse(status, [(names.get(k, k), v) for k, v in headers.items()])


# --- #cors-safelisted-request-header -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("Accept", "application/json", id="accept json"),
        pytest.param("accept", "*/*", id="accept lower-case name"),
        pytest.param("Accept", "text/html;q=0.9,\tx/y", id="accept with tab"),
        pytest.param("Accept-Language", "en-US,en;q=0.5", id="accept-language"),
        pytest.param("Content-Language", "de-DE, *", id="content-language star"),
        pytest.param("Content-Type", "text/plain", id="text/plain"),
        pytest.param("Content-Type", "Text/Plain;charset=UTF-8", id="content-type mixed case"),
        pytest.param("Content-Type", "multipart/form-data; boundary=x", id="multipart"),
        pytest.param("Content-Type", "application/x-www-form-urlencoded", id="form-urlencoded"),
        pytest.param("Content-Type", "text/plain;", id="content-type empty parameter"),
        pytest.param("Range", "bytes=0-", id="open range"),
        pytest.param("Range", "bytes=10-20", id="closed range"),
        pytest.param("Range", "bytes=5-5", id="one-byte range"),
        pytest.param("Accept", "a" * 128, id="128 bytes"),
    ],
)
def test_safelisted_request_header_has_no_problem(name: str, value: str) -> None:
    assert safelist_problem(name, value) is None


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        pytest.param(
            "X-Token",
            "1",
            "'X-Token' is not one of the CORS-safelisted request headers",
            id="custom header",
        ),
        pytest.param(
            "Authorization",
            "Bearer x",
            "'Authorization' is not one of the CORS-safelisted request headers",
            id="authorization",
        ),
        pytest.param("Accept", "a" * 129, "its value is longer than 128 bytes", id="129 bytes"),
        pytest.param(
            "Accept",
            'text/"html"',
            "its value contains the CORS-unsafe byte '\"'",
            id="accept with quote",
        ),
        pytest.param(
            "Accept",
            "x@y",
            "its value contains the CORS-unsafe byte '@'",
            id="accept with at",
        ),
        pytest.param(
            "Accept",
            "a\x7f",
            "its value contains the CORS-unsafe byte '\\x7f'",
            id="accept with DEL",
        ),
        pytest.param(
            "Accept-Language",
            "en_US",
            "its value contains '_'; only letters, digits, space and '*,-.;=' are safelisted",
            id="language underscore",
        ),
        pytest.param(
            "Content-Language",
            "de\tDE",
            "its value contains '\\t'; only letters, digits, space and '*,-.;=' are safelisted",
            id="language tab",
        ),
        pytest.param(
            "Content-Type",
            "application/json",
            "its essence 'application/json' is not one of 'application/x-www-form-urlencoded', "
            "'multipart/form-data', 'text/plain'",
            id="json",
        ),
        pytest.param(
            "Content-Type",
            'text/plain; charset="utf-8"',
            "its value contains the CORS-unsafe byte '\"'",
            id="quoted parameter",
        ),
        pytest.param(
            "Content-Type", "text", "'text' is not a MIME type", id="content-type no slash"
        ),
        pytest.param(
            "Content-Type", "text/", "'text/' is not a MIME type", id="content-type no subtype"
        ),
        pytest.param(
            "Range",
            "bytes=-500",
            "'bytes=-500' is not a single 'bytes=N-' or 'bytes=N-M' range",
            id="suffix range",
        ),
        pytest.param(
            "Range",
            "bytes=0-1,5-6",
            "'bytes=0-1,5-6' is not a single 'bytes=N-' or 'bytes=N-M' range",
            id="two ranges",
        ),
        pytest.param(
            "Range",
            "bytes=9-3",
            "'bytes=9-3' is not a single 'bytes=N-' or 'bytes=N-M' range",
            id="reversed range",
        ),
        pytest.param(
            "Range",
            "bytes= 0-",
            "'bytes= 0-' is not a single 'bytes=N-' or 'bytes=N-M' range",
            id="range with space",
        ),
        pytest.param(
            "Range",
            "Bytes=0-",
            "'Bytes=0-' is not a single 'bytes=N-' or 'bytes=N-M' range",
            id="range unit case",
        ),
    ],
)
def test_unsafe_request_header_names_problem(name: str, value: str, problem: str) -> None:
    assert safelist_problem(name, value) == problem


def test_safelisted_values_over_1024_bytes_together_are_all_unsafe() -> None:
    headers = [("Accept", "a" * 128)] * 8 + [("Content-Language", "en")]
    assert unsafe_header_names(headers) == ("accept", "content-language")


def test_safelisted_values_of_exactly_1024_bytes_are_safe() -> None:
    assert unsafe_header_names([("Accept", "a" * 128)] * 8) == ()


def test_unsafe_header_names_are_lower_cased_deduplicated_sorted() -> None:
    headers = [("X-B", "1"), ("x-a", "2"), ("X-A", "3"), ("Content-Type", "application/json")]
    assert unsafe_header_names(headers) == ("content-type", "x-a", "x-b")


# --- requests: methods, forbidden headers, origins ------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        pytest.param("get", "GET", id="get upper-cased"),
        pytest.param("delete", "DELETE", id="delete upper-cased"),
        pytest.param("Options", "OPTIONS", id="options upper-cased"),
        pytest.param("patch", "patch", id="patch kept"),
        pytest.param("PATCH", "PATCH", id="PATCH kept"),
        pytest.param("PROPFIND", "PROPFIND", id="extension method"),
    ],
)
def test_method_normalised_like_fetch(given: str, sent: str) -> None:
    assert normalize_method(given) == sent


@pytest.mark.parametrize(
    ("method", "message"),
    [
        pytest.param("trace", "'trace' is a forbidden method: a page cannot send it", id="trace"),
        pytest.param("CONNECT", "'CONNECT' is a forbidden method: a page cannot send it", id="c"),
        pytest.param(
            "GE T", "'GE T' is not a method: a method is a token such as 'PUT'", id="space"
        ),
        pytest.param("", "'' is not a method: a method is a token such as 'PUT'", id="empty"),
    ],
)
def test_method_refused_like_fetch(method: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        normalize_method(method)


@pytest.mark.parametrize(
    ("name", "value", "forbidden"),
    [
        pytest.param("Cookie", "a=b", True, id="cookie"),
        pytest.param("origin", "https://evil.example", True, id="origin"),
        pytest.param("Sec-Fetch-Mode", "cors", True, id="sec prefix"),
        pytest.param("Proxy-Authorization", "x", True, id="proxy prefix"),
        pytest.param("Content-Length", "3", True, id="content-length"),
        pytest.param("X-HTTP-Method-Override", "TRACE", True, id="override to trace"),
        pytest.param("X-Method-Override", "get, track", True, id="override list with track"),
        pytest.param("X-HTTP-Method-Override", "PUT", False, id="override to put"),
        pytest.param("Authorization", "Bearer x", False, id="authorization"),
        pytest.param("X-Secret", "1", False, id="x-secret"),
    ],
)
def test_forbidden_request_header(name: str, value: str, forbidden: bool) -> None:
    assert is_forbidden_request_header(name, value) is forbidden


def test_forbidden_headers_are_dropped_from_what_is_sent() -> None:
    req = request("GET", ("Cookie", "a=b"), ("X-Token", "1"), ("Sec-X", "2"))
    assert req.sent_headers == (("X-Token", "1"),)
    assert req.dropped_headers == ("Cookie", "Sec-X")


def test_forbidden_header_alone_needs_no_preflight() -> None:
    assert request("GET", ("Cookie", "a=b")).needs_preflight is False


def test_header_values_are_stripped_like_headers_append() -> None:
    assert request("GET", ("Accept", "  text/plain \t")).headers == (("Accept", "text/plain"),)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        pytest.param(("X Y", "1"), "'X Y' is not a header name: a header name is a token", id="n"),
        pytest.param(("X", "a\nb"), "the value of 'X' contains a NUL, CR or LF byte", id="lf"),
    ],
)
def test_invalid_header_is_refused(header: tuple[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        request("GET", header)


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://app.example.com", id="https"),
        pytest.param("http://localhost:8080", id="port"),
        pytest.param("http://[::1]:3000", id="ipv6"),
        pytest.param("null", id="null"),
        pytest.param("chrome-extension://abc", id="other scheme"),
    ],
)
def test_origin_accepted(origin: str) -> None:
    assert parse_origin(origin) == origin


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        pytest.param(
            "https://app.example.com/",
            "'https://app.example.com/' is not an origin: an origin has no path; remove the "
            "trailing '/' (use 'https://app.example.com')",
            id="trailing slash",
        ),
        pytest.param(
            "https://app.example.com/x?y",
            "'https://app.example.com/x?y' is not an origin: an origin has no path, query or "
            "fragment; keep only scheme://host[:port]: use 'https://app.example.com'",
            id="path",
        ),
        pytest.param(
            "https://App.Example.com",
            "'https://App.Example.com' is not an origin: browsers send the scheme and host in "
            "lower case; use 'https://app.example.com'",
            id="upper case",
        ),
        pytest.param(
            "https://app.example.com:443",
            "'https://app.example.com:443' is not an origin: browsers omit the default port 443 "
            "of https from the Origin header; remove ':443': use 'https://app.example.com'",
            id="default port",
        ),
        pytest.param(
            "app.example.com",
            "'app.example.com' is not an origin: an origin is scheme://host[:port]; add the "
            "scheme, e.g. 'https://app.example.com'",
            id="no scheme",
        ),
        pytest.param(
            "https://u:p@app.example.com",
            "'https://u:p@app.example.com' is not an origin: an origin has no user name or "
            "password; remove the part before '@': use 'https://app.example.com'",
            id="userinfo",
        ),
        pytest.param(
            "https://app.example.com:99999",
            "'https://app.example.com:99999' is not an origin: a port is a number from 1 to "
            "65535; fix the port in 'https://app.example.com:99999'",
            id="port range",
        ),
        pytest.param(
            " https://app.example.com",
            "' https://app.example.com' is not an origin: an origin contains no whitespace or "
            "control characters; remove them: write 'https://app.example.com'",
            id="whitespace",
        ),
        pytest.param(
            "https://",
            "'https://' is not an origin: an origin names a host; write e.g. 'https://example.com'",
            id="no host",
        ),
        pytest.param(
            "1http://a",
            "'1http://a' is not an origin: the scheme is a letter then letters, digits, '+', '-' "
            "or '.'; write a scheme such as 'https'",
            id="scheme",
        ),
        pytest.param(
            "https://*.example.com",
            "'https://*.example.com' is not an origin: a page has one origin: wildcards are for "
            "allow_origins",
            id="wildcard",
        ),
    ],
)
def test_origin_refused_with_hint(origin: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_origin(origin)


# --- the preflight request -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "needed"),
    [
        pytest.param("GET", [], False, id="plain GET"),
        pytest.param("HEAD", [], False, id="HEAD"),
        pytest.param("POST", [("Content-Type", "text/plain")], False, id="form-like POST"),
        pytest.param("POST", [("Content-Type", "application/json")], True, id="JSON POST"),
        pytest.param("PUT", [], True, id="PUT"),
        pytest.param("patch", [], True, id="lower-case patch"),
        pytest.param("OPTIONS", [], True, id="OPTIONS"),
        pytest.param("GET", [("Authorization", "Bearer x")], True, id="Authorization"),
        pytest.param("GET", [("Range", "bytes=-1")], True, id="suffix Range"),
    ],
)
def test_needs_preflight(method: str, headers: list[tuple[str, str]], needed: bool) -> None:
    assert request(method, *headers).needs_preflight is needed


def test_preflight_request_has_method_and_sorted_lower_case_names() -> None:
    req = request(
        "PUT",
        ("X-Token", "1"),
        ("Content-Type", "application/json"),
        ("Accept", "text/plain"),
        ("x-token", "2"),
    )
    assert req.preflight_request() == HTTPRequest(
        "OPTIONS",
        "/api",
        [
            (ORIGIN, APP),
            ("Accept", "*/*"),
            (ACRM, "PUT"),
            (ACRH, "content-type,x-token"),
        ],
    )


def test_preflight_request_without_unsafe_headers_has_no_request_headers() -> None:
    assert request("DELETE").preflight_request() == HTTPRequest(
        "OPTIONS", "/api", [(ORIGIN, APP), ("Accept", "*/*"), (ACRM, "DELETE")]
    )


def test_simple_request_has_no_preflight_request() -> None:
    assert request("GET", ("Accept", "application/json")).preflight_request() is None


def test_actual_request_combines_duplicate_headers_and_adds_origin() -> None:
    req = request("GET", ("X-A", "1"), ("Cookie", "c=1"), ("x-a", "2"))
    assert req.actual_request() == HTTPRequest("GET", "/api", [(ORIGIN, APP), ("X-A", "1, 2")])


def test_preflight_triggers_name_method_and_each_header() -> None:
    req = request("PUT", ("Content-Type", "application/json"), ("X-Token", "1"))
    assert req.preflight_triggers() == (
        "the method 'PUT' is not CORS-safelisted (only GET, HEAD and POST are)",
        "the header 'Content-Type: application/json' is not CORS-safelisted: its essence "
        "'application/json' is not one of 'application/x-www-form-urlencoded', "
        "'multipart/form-data', 'text/plain'",
        "the header 'X-Token: 1' is not CORS-safelisted: 'X-Token' is not one of the "
        "CORS-safelisted request headers",
    )


# --- #cors-check --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "headers"),
    [
        pytest.param(False, {"acao": "*"}, id="star without credentials"),
        pytest.param(False, {"acao": APP}, id="exact origin"),
        pytest.param(True, {"acao": APP, "acac": "true"}, id="credentials with exact origin"),
    ],
)
def test_cors_check_passes(credentials: bool, headers: dict[str, str]) -> None:
    assert cors_check(request(credentials=credentials), response(200, **headers)) is None


@pytest.mark.parametrize(
    ("credentials", "fields", "check", "reason"),
    [
        pytest.param(
            False,
            [],
            CHECK_ACAO_MISSING,
            "No 'Access-Control-Allow-Origin' header is present on the response (origin "
            "'https://app.example.com').",
            id="missing",
        ),
        pytest.param(
            False,
            [(ACAO, APP), (ACAO, APP)],
            CHECK_ACAO_MULTIPLE,
            "The 'Access-Control-Allow-Origin' header contains multiple values "
            "'https://app.example.com, https://app.example.com', but only one is allowed.",
            id="two fields",
        ),
        pytest.param(
            False,
            [(ACAO, "*"), (ACAO, "*")],
            CHECK_ACAO_MULTIPLE,
            "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but "
            "only one is allowed.",
            id="two stars",
        ),
        pytest.param(
            False,
            [(ACAO, f"{APP}, https://b.example")],
            CHECK_ACAO_MULTIPLE,
            "The 'Access-Control-Allow-Origin' header contains multiple values "
            "'https://app.example.com, https://b.example', but only one is allowed.",
            id="list in one field",
        ),
        pytest.param(
            True,
            [(ACAO, "*"), (ACAC, "true")],
            CHECK_ACAO_WILDCARD,
            "The value of the 'Access-Control-Allow-Origin' header in the response must not "
            "be the wildcard '*' when the request's credentials mode is 'include'.",
            id="star with credentials",
        ),
        pytest.param(
            False,
            [(ACAO, APP + "/")],
            CHECK_ACAO_MISMATCH,
            "The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' "
            "that is not equal to the supplied origin 'https://app.example.com'.",
            id="trailing slash",
        ),
        pytest.param(
            False,
            [(ACAO, "https://APP.example.com")],
            CHECK_ACAO_MISMATCH,
            "The 'Access-Control-Allow-Origin' header has a value 'https://APP.example.com' "
            "that is not equal to the supplied origin 'https://app.example.com'.",
            id="case differs",
        ),
        pytest.param(
            False,
            [(ACAO, "null")],
            CHECK_ACAO_MISMATCH,
            "The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to "
            "the supplied origin 'https://app.example.com'.",
            id="null",
        ),
        pytest.param(
            True,
            [(ACAO, APP)],
            CHECK_ACAC,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' "
            "which must be 'true' when the request's credentials mode is 'include'.",
            id="credentials without ACAC",
        ),
        pytest.param(
            True,
            [(ACAO, APP), (ACAC, "True")],
            CHECK_ACAC,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is "
            "'True' which must be 'true' when the request's credentials mode is 'include'.",
            id="ACAC capitalised",
        ),
        pytest.param(
            True,
            [(ACAO, APP), (ACAC, "true"), (ACAC, "true")],
            CHECK_ACAC,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is "
            "'true, true' which must be 'true' when the request's credentials mode is "
            "'include'.",
            id="ACAC twice",
        ),
    ],
)
def test_cors_check_fails(
    credentials: bool, fields: list[tuple[str, str]], check: str, reason: str
) -> None:
    failed = cors_check(request(credentials=credentials), HTTPResponse(200, fields))
    assert failed is not None
    assert (failed.check, failed.reason) == (check, reason)


@pytest.mark.parametrize(
    ("allow_origin", "fix"),
    [
        pytest.param(
            APP + "/",
            "remove the trailing '/' from 'https://app.example.com/': an origin has no path",
            id="trailing slash",
        ),
        pytest.param(
            "https://App.example.com",
            "origins are compared byte for byte: send 'https://app.example.com' in lower case",
            id="case",
        ),
        pytest.param(
            "https://other.example",
            "send 'Access-Control-Allow-Origin: https://app.example.com'",
            id="other",
        ),
    ],
)
def test_cors_check_mismatch_fix(allow_origin: str, fix: str) -> None:
    failed = cors_check(request(), response(acao=allow_origin))
    assert failed is not None
    assert failed.fix == fix


def test_cors_check_on_preflight_uses_chromium_prefix() -> None:
    failed = cors_check(request("PUT"), response(204), preflight=True)
    assert failed is not None
    assert failed.reason == (
        "Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the preflight response (origin "
        "'https://app.example.com')."
    )


def test_null_origin_matches_null() -> None:
    req = FetchRequest("null", "GET")
    assert cors_check(req, response(acao="null")) is None


# --- #cors-preflight-fetch --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("req", "resp"),
    [
        pytest.param(request("PUT"), response(204, acao=APP, acam="PUT"), id="method listed"),
        pytest.param(request("PUT"), response(200, acao="*", acam="*"), id="method star"),
        pytest.param(
            request("PUT"), response(299, acao=APP, acam="GET, PUT"), id="status 299 in list"
        ),
        pytest.param(
            request("POST", ("X-Token", "1")),
            response(204, acao=APP, acah="x-token"),
            id="safelisted method needs no ACAM",
        ),
        pytest.param(
            request("GET", ("X-Token", "1")),
            response(204, acao=APP, acah="X-TOKEN"),
            id="header case-insensitive",
        ),
        pytest.param(
            request("GET", ("X-Token", "1")), response(204, acao="*", acah="*"), id="header star"
        ),
        pytest.param(
            request("PUT", ("X-Token", "1"), credentials=True),
            response(204, acao=APP, acac="true", acam="PUT", acah="X-Token"),
            id="credentials with names",
        ),
        pytest.param(
            request("GET", ("X-A", "1"), ("X-B", "2")),
            response(204, acao=APP, acah=" x-a ,,\tx-b, "),
            id="list with spaces and empty elements",
        ),
        pytest.param(
            request("GET", ("Authorization", "Bearer x")),
            response(204, acao="*", acah="*"),
            id="Authorization under star, Chromium",
        ),
    ],
)
def test_preflight_passes(req: FetchRequest, resp: HTTPResponse) -> None:
    assert check_preflight(req, resp)[0] == ()


@pytest.mark.parametrize(
    ("req", "resp", "check", "reason"),
    [
        pytest.param(
            request("PUT"),
            response(403),
            CHECK_ACAO_MISSING,
            "Response to preflight request doesn't pass access control check: No "
            "'Access-Control-Allow-Origin' header is present on the preflight response "
            "(origin 'https://app.example.com').",
            id="403 without CORS headers",
        ),
        pytest.param(
            request("PUT"),
            response(401, acao=APP, acam="PUT"),
            CHECK_PREFLIGHT_STATUS,
            "Response to preflight request doesn't pass access control check: It does not "
            "have HTTP ok status (status 401).",
            id="401 with CORS headers",
        ),
        pytest.param(
            request("PUT"),
            response(301, acao=APP, acam="PUT"),
            CHECK_PREFLIGHT_REDIRECT,
            "Response to preflight request doesn't pass access control check: Redirect is not "
            "allowed for a preflight request (status 301).",
            id="redirect",
        ),
        pytest.param(
            request("PUT"),
            response(204, acao=APP),
            CHECK_METHOD,
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response "
            "(the header is missing).",
            id="ACAM missing",
        ),
        pytest.param(
            request("patch"),
            response(204, acao=APP, acam="PATCH"),
            CHECK_METHOD,
            "Method patch is not allowed by Access-Control-Allow-Methods in preflight response "
            "(it lists 'PATCH'; methods are case-sensitive).",
            id="method case-sensitive",
        ),
        pytest.param(
            request("PUT", credentials=True),
            response(204, acao=APP, acac="true", acam="*"),
            CHECK_METHOD,
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response "
            "('*' is a literal method name, not a wildcard, for a request with credentials).",
            id="method star with credentials",
        ),
        pytest.param(
            request("PUT"),
            response(204, acao=APP, acam="GET, PU T"),
            CHECK_ACAM_SYNTAX,
            "Cannot parse Access-Control-Allow-Methods response header field in preflight "
            "response: 'GET, PU T' is not a comma-separated list of methods.",
            id="ACAM malformed",
        ),
        pytest.param(
            request("GET", ("X-Token", "1")),
            response(204, acao=APP, acah="x-token;"),
            CHECK_ACAH_SYNTAX,
            "Cannot parse Access-Control-Allow-Headers response header field in preflight "
            "response: 'x-token;' is not a comma-separated list of header names.",
            id="ACAH malformed",
        ),
        pytest.param(
            request("GET", ("X-Token", "1")),
            response(204, acao=APP),
            CHECK_HEADER,
            "Request header field x-token is not allowed by Access-Control-Allow-Headers in "
            "preflight response (the header is missing).",
            id="ACAH missing",
        ),
        pytest.param(
            request("POST", ("Content-Type", "application/json")),
            response(204, acao=APP, acah="Accept-Language"),
            CHECK_HEADER,
            "Request header field content-type is not allowed by Access-Control-Allow-Headers "
            "in preflight response (it lists 'Accept-Language').",
            id="JSON content-type not listed",
        ),
        pytest.param(
            request("GET", ("X-Token", "1"), credentials=True),
            response(204, acao=APP, acac="true", acah="*"),
            CHECK_HEADER,
            "Request header field x-token is not allowed by Access-Control-Allow-Headers in "
            "preflight response ('*' is a literal header name, not a wildcard, for a request "
            "with credentials).",
            id="header star with credentials",
        ),
        pytest.param(
            request("PUT", credentials=True),
            response(204, acao="*", acac="true", acam="PUT"),
            CHECK_ACAO_WILDCARD,
            "Response to preflight request doesn't pass access control check: The value of the "
            "'Access-Control-Allow-Origin' header in the preflight response must not be the "
            "wildcard '*' when the request's credentials mode is 'include'.",
            id="preflight star with credentials",
        ),
        pytest.param(
            request("PUT", credentials=True),
            response(204, acao=APP, acam="PUT"),
            CHECK_ACAC,
            "Response to preflight request doesn't pass access control check: The value of the "
            "'Access-Control-Allow-Credentials' header in the preflight response is '' which "
            "must be 'true' when the request's credentials mode is 'include'.",
            id="preflight without ACAC",
        ),
    ],
)
def test_preflight_fails(req: FetchRequest, resp: HTTPResponse, check: str, reason: str) -> None:
    rejections, _ = check_preflight(req, resp)
    assert [(r.check, r.reason) for r in rejections] == [(check, reason)]


def test_preflight_reports_every_header_not_allowed() -> None:
    req = request("GET", ("X-A", "1"), ("X-B", "2"), ("X-C", "3"))
    rejections, _ = check_preflight(req, response(204, acao=APP, acah="x-b"))
    assert [r.value for r in rejections] == ["x-a", "x-c"]


def test_authorization_under_star_passes_with_a_note() -> None:
    _, notes = check_preflight(
        request("GET", ("Authorization", "Bearer x")), response(204, acao="*", acah="*")
    )
    assert notes == (
        "Access-Control-Allow-Headers: '*' covers 'authorization' in Chromium, Firefox and "
        "WebKit, but the Fetch standard says it must be listed by name; list 'Authorization' "
        "for browsers that follow the standard.",
    )


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        pytest.param(None, (), id="absent"),
        pytest.param("", (), id="empty"),
        pytest.param("GET,PUT", ("GET", "PUT"), id="no spaces"),
        pytest.param(" a , b ,", ("a", "b"), id="spaces and trailing comma"),
        pytest.param("*", ("*",), id="star"),
        pytest.param("a b", None, id="space inside"),
        pytest.param('"a"', None, id="quoted"),
    ],
)
def test_parse_list(value: str | None, parsed: tuple[str, ...] | None) -> None:
    assert parse_list(value) == parsed


# --- the preflight cache -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cache"),
    [
        pytest.param(None, PreflightCache(None, 5, 5, 5, 5), id="absent: 5 s"),
        pytest.param("0", PreflightCache("0", 0, 0, 0, 0), id="0: no cache"),
        pytest.param("600", PreflightCache("600", 600, 600, 600, 600), id="600"),
        pytest.param("7200", PreflightCache("7200", 7200, 7200, 7200, 600), id="7200"),
        pytest.param("43200", PreflightCache("43200", 43200, 7200, 43200, 600), id="12h"),
        pytest.param("100000", PreflightCache("100000", 100000, 7200, 86400, 600), id="capped"),
        pytest.param("-1", PreflightCache("-1", 5, 0, 0, 5), id="negative: not cached"),
        pytest.param("12h", PreflightCache("12h", 5, 5, 0, 5), id="duration string"),
    ],
)
def test_preflight_cache_lifetime(header: str | None, cache: PreflightCache) -> None:
    resp = response(204) if header is None else response(204, acma=header)
    assert preflight_cache(resp) == cache


# --- #cors-filtered-response ---------------------------------------------------------------------


_BODY_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", "2"),
    ("Cache-Control", "no-store"),
    ("X-Request-Id", "7"),
    ("X-Total", "3"),
    ("Set-Cookie", "a=b"),
    ("ETag", '"x"'),
]


@pytest.mark.parametrize(
    ("credentials", "expose", "readable"),
    [
        pytest.param(
            False, None, ("Content-Type", "Content-Length", "Cache-Control"), id="safelisted only"
        ),
        pytest.param(
            False,
            "x-request-id, ETag",
            ("Content-Type", "Content-Length", "Cache-Control", "X-Request-Id", "ETag"),
            id="exposed by name",
        ),
        pytest.param(
            False,
            "*",
            (
                ACAO,
                "Content-Type",
                "Content-Length",
                "Cache-Control",
                "X-Request-Id",
                "X-Total",
                "ETag",
                ACEH,
            ),
            id="star exposes all but Set-Cookie",
        ),
        pytest.param(
            True,
            "*",
            ("Content-Type", "Content-Length", "Cache-Control"),
            id="star with credentials is a literal name",
        ),
        pytest.param(
            False,
            "Set-Cookie",
            ("Content-Type", "Content-Length", "Cache-Control"),
            id="Set-Cookie never",
        ),
        pytest.param(
            False,
            "x-total;",
            ("Content-Type", "Content-Length", "Cache-Control"),
            id="malformed list exposes nothing",
        ),
    ],
)
def test_readable_headers(
    credentials: bool, expose: str | None, readable: tuple[str, ...]
) -> None:
    headers = [(ACAO, APP), *_BODY_HEADERS]
    if expose is not None:
        headers.append((ACEH, expose))
    assert readable_headers(request(credentials=credentials), HTTPResponse(200, headers)) == (
        readable
    )


# --- evaluate: the whole exchange ---------------------------------------------------------------


def test_evaluate_simple_request_allowed() -> None:
    verdict = evaluate(request(), None, response(200, acao="*", **{"Content-Type": "text/plain"}))
    assert (verdict.preflight, verdict.allowed, verdict.reasons) == (False, True, [])
    assert verdict.readable_headers == ("Content-Type",)
    assert verdict.cache is None


def test_evaluate_error_status_is_still_readable() -> None:
    verdict = evaluate(request(), None, response(500, acao=APP))
    assert verdict.allowed is True


def test_evaluate_preflighted_request_allowed_with_cache() -> None:
    verdict = evaluate(
        request("PUT"), response(204, acao=APP, acam="PUT", acma="600"), response(200, acao=APP)
    )
    assert (verdict.preflight, verdict.allowed) == (True, True)
    assert verdict.cache == PreflightCache("600", 600, 600, 600, 600)


def test_evaluate_failed_preflight_blocks_without_actual_response() -> None:
    verdict = evaluate(request("PUT"), response(403), None)
    assert (verdict.preflight, verdict.allowed) == (True, False)
    assert [r.check for r in verdict.rejections] == [CHECK_ACAO_MISSING]
    assert verdict.fixes == [
        "the preflight response must carry 'Access-Control-Allow-Origin: "
        "https://app.example.com' (or '*')"
    ]


def test_evaluate_actual_response_checked_after_preflight() -> None:
    verdict = evaluate(request("PUT"), response(204, acao=APP, acam="PUT"), response(200))
    assert (verdict.preflight, verdict.allowed) == (True, False)
    assert [r.check for r in verdict.rejections] == [CHECK_ACAO_MISSING]


def test_evaluate_notes_dropped_forbidden_header() -> None:
    verdict = evaluate(request("GET", ("Cookie", "a=b")), None, response(200, acao="*"))
    assert verdict.notes == (
        "A script cannot set 'Cookie' (a forbidden request header): the browser leaves it out.",
    )


def test_evaluate_without_needed_preflight_response_is_an_error() -> None:
    message = "this request needs a preflight: pass the preflight response"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        evaluate(request("PUT"), None, response(200, acao="*"))


def test_evaluate_without_actual_response_is_an_error() -> None:
    message = "pass the actual response: the browser sends the request"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        evaluate(request(), None, None)


def test_http_response_get_combines_fields() -> None:
    resp = HTTPResponse(200, [("Vary", "Origin"), ("vary", "Accept")])
    assert resp.get("VARY") == "Origin, Accept"
    assert resp.get("X") is None


# --- one origin syntax: the model's and wsgicors.origins' --------------------------------------

_SCHEMES = st.sampled_from(["http", "https", "HTTP", "ws", "wss", "chrome-extension", "1x", ""])
_LABELS = st.sampled_from(
    ["a", "example", "xn--bcher-kva", "a-b", "a_b", "-a", "A", "0", "01", "255", "256", "0x1f"]
)
_HOSTS = st.one_of(
    st.lists(st.one_of(_LABELS, st.just("")), min_size=1, max_size=5).map(".".join),
    st.builds(lambda host: host + ".", st.lists(_LABELS, min_size=1, max_size=4).map(".".join)),
    st.sampled_from(
        ["[::1]", "[::0:1]", "[0:0::1]", "[::FFFF:1.2.3.4]", "[::1", "::1", "a$b", ""]
    ),
)
_PORTS = st.one_of(
    st.just(""),
    st.integers(0, 70000).map(lambda n: f":{n}"),
    st.integers(1, 999).map(lambda n: f":0{n}"),
    st.sampled_from([":", ":*", ":80", ":443", ":1a"]),
)
_TAILS = st.sampled_from(["", "", "", "/", "/x", "?q", "#f", " ", "\t"])
_ORIGINS = st.one_of(
    st.builds(lambda s, h, p, t: f"{s}://{h}{p}{t}", _SCHEMES, _HOSTS, _PORTS, _TAILS),
    st.sampled_from(["null", "NULL", "*", "https:/a", "https//a"]),
    st.text(max_size=20),
)


@settings(max_examples=2000, derandomize=True, database=None, deadline=None)
@given(_ORIGINS)
def test_model_and_core_agree_on_what_an_origin_is(origin: str) -> None:
    try:
        parse_origin(origin)
    except ValueError:
        accepted = False
    else:
        accepted = True
    assert accepted is is_serialized_origin(origin)


def test_origin_a_browser_may_serialise_is_refused_with_the_middleware() -> None:
    # URL #host-parsing keeps an empty label, so a page may have this origin; no policy can
    # name it and the middleware refuses it before reading the policy.
    origin = "https://a..b"
    environ = {"REQUEST_METHOD": "OPTIONS", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}
    refusal = CompiledPolicy(CORSPolicy()).preflight(environ, origin)
    assert isinstance(refusal, Refusal)
    assert refusal.check == "origin-syntax"
    with pytest.raises(ValueError, match="a host is dot-separated labels"):
        parse_origin(origin)


def test_old_module_names_are_the_tools() -> None:
    import wsgicors.browser
    import wsgicors.debug
    from wsgicors.tools import browser, echo

    assert all(
        getattr(wsgicors.browser, name) is getattr(browser, name) for name in browser.__all__
    )
    assert wsgicors.browser.__all__ == browser.__all__
    assert (wsgicors.debug.app, wsgicors.debug.echo) == (echo.app, echo.echo)
