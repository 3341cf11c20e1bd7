"""Header names, and Access-Control-Request-Headers parsing (Fetch CORS-preflight fetch, step 7).

The list is split on ",", each element trimmed of spaces and tabs, empty elements skipped,
and every name must be a token (RFC 9110 §5.6.2); the parse is linear in the value's length.
"""

from __future__ import annotations

from typing import Any
from wsgiref.validate import validator

import pytest
import webtest
from helpers import A, Serve, call, environ_for, preflight_environ, tokens, wrapped
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsgicors import CORSPolicy, headers
from wsgicors.headers import ACAH, ACAO, ACRH, ACRM, ORIGIN


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
    ("value", "allow_headers"),
    [
        pytest.param("", ["X-A"], id="empty"),
        pytest.param(" , ,\t", ["X-A"], id="only-separators"),
        pytest.param(" , \t,", ["*"], id="only-separators-any-header"),
    ],
)
def test_no_requested_names_sends_no_allow_headers(
    serve: Serve, value: str, allow_headers: list[str]
) -> None:
    response = _preflight(serve, value, allow_headers=allow_headers)

    assert response.status_int == 204
    assert response.headers.getall(ACAH) == []


def test_wildcard_echoes_authorization(serve: Serve) -> None:
    response = _preflight(serve, "authorization")

    assert response.status_int == 204
    assert response.headers.getall(ACAH) == ["authorization"]


def test_wildcard_echoes_every_requested_name(serve: Serve) -> None:
    response = _preflight(serve, "content-type,x-api-key,x-requested-with")

    assert response.headers.getall(ACAH) == ["content-type,x-api-key,x-requested-with"]


def test_header_list_answer_is_the_trimmed_names_joined_with_commas() -> None:
    middleware = validator(wrapped(CORSPolicy()))

    result = call(middleware, preflight_environ(request_headers="x-a ,\tx-b, ,X-C\t"))

    assert result.status == "204 No Content"
    assert result.values(ACAH) == ["x-a,x-b,X-C"]


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


# --- ACRH: linear time on hostile lists -------------------------------------------------------

HOSTILE_LISTS = [
    pytest.param(",  " * 16 + "@", id="empty-elements-then-bad-byte"),
    pytest.param(",  " * 21 + "@", id="empty-elements-at-the-element-bound"),
    pytest.param(", \t" * 21 + "x@", id="tabs-and-spaces-then-bad-name"),
    pytest.param(" " * 4000 + "@", id="4000-spaces-then-bad-byte"),
    pytest.param("a" * 4000 + " b", id="4000-byte-name-with-a-space"),
    pytest.param("x-a, " * 12 + "\t" * 3000 + ",@", id="tab-run-then-bad-byte"),
]


@pytest.mark.parametrize("acrh", HOSTILE_LISTS)
@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(CORSPolicy(), id="allow-headers-star"),
        pytest.param(CORSPolicy(allow_origins=[A], allow_headers=["X-A"]), id="named-headers"),
    ],
)
def test_hostile_header_list_refused_in_linear_time(acrh: str, policy: CORSPolicy) -> None:
    result = call(wrapped(policy), preflight_environ(request_headers=acrh), timed=True)

    assert result.status == "403 Forbidden"
    assert result.values(ACAO) == []


TOKENS = st.text(alphabet="abcxyz-_0123456789!#$%&'*+.^`|~", min_size=1, max_size=40)
SEPARATORS = st.text(alphabet=", \t", min_size=1, max_size=200)
BAD = st.sampled_from(["@", " ", "\x00", "\x7f", "é", "(", '"', ":", "\x1b", "/"])


@st.composite
def header_lists(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(TOKENS, SEPARATORS), max_size=60))
    value = "".join(parts)
    if draw(st.booleans()):
        position = draw(st.integers(0, len(value)))
        value = value[:position] + draw(BAD) + value[position:]
    if draw(st.booleans()):
        # Stretch to the size limits: a run of separators is the classic backtracking bait.
        value = draw(SEPARATORS) * draw(st.integers(1, 40)) + value
    return value[:5000]


def expected_allow_headers(value: str) -> str | None:
    """The Access-Control-Allow-Headers the rule gives, '' for none, None for a refusal."""
    if len(value) > 4096 or value.count(",") + 1 > 64:
        return None
    names = [name.strip(" \t") for name in value.split(",")]
    names = [name for name in names if name]
    tchars = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
    if not all(set(name) <= tchars for name in names):
        return None
    return ",".join(names)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(value=header_lists())
def test_any_header_list_answered_by_the_rule_in_linear_time(value: str) -> None:
    environ = preflight_environ(method="PUT", request_headers=value)
    middleware = wrapped(CORSPolicy(allow_methods=["PUT"]))

    result = call(middleware, environ, timed=True)

    expected = expected_allow_headers(value)
    if expected is None:
        assert result.status == "403 Forbidden"
        assert result.values(ACAO) == []
    else:
        assert result.status == "204 No Content"
        assert result.values(ACAH) == ([expected] if expected else [])


# --- values that must never be echoed into a response header --------------------------------


@pytest.mark.parametrize(
    ("options", "header", "value"),
    [
        pytest.param(
            {"allow_methods": ["*"]},
            ACRM,
            "PUT\r\nSet-Cookie: a=b",
            id="acrm-crlf",
        ),
        pytest.param({"allow_methods": ["*"]}, ACRM, "GE T", id="acrm-space"),
        pytest.param({}, ACRH, "x-a\r\nSet-Cookie: a=b", id="acrh-crlf"),
        pytest.param({}, ACRH, "x-a;b", id="acrh-semicolon"),
        pytest.param({}, ACRH, "x-a x-b", id="acrh-inner-space"),
        pytest.param({}, ACRH, "(x-a)", id="acrh-parentheses"),
        pytest.param({}, ACRH, "x-\u00e9", id="acrh-non-ascii"),
        pytest.param(
            {"allow_origin_func": lambda origin, environ: True},
            ORIGIN,
            "https://a.example\r\nSet-Cookie: a=b",
            id="origin-crlf",
        ),
    ],
)
def test_non_token_request_value_refused_not_echoed(
    options: dict[str, Any], header: str, value: str
) -> None:
    environ = environ_for("OPTIONS", "/", {ORIGIN: A, ACRM: "POST", header: value})

    result = call(wrapped(CORSPolicy(**options)), environ)

    assert result.status == "403 Forbidden"
    assert [name for name, _ in result.headers if name.lower().startswith("access-control-")] == []
