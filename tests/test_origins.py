"""Origin matching: allow_origins entries against the request's Origin, through the middleware.

Each case sends one actual ``GET`` with the given ``Origin`` and reads
``Access-Control-Allow-Origin``: the request's Origin verbatim when allowed, nothing otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import Serve, call, environ_for, wrapped
from hypothesis import given, settings
from hypothesis import strategies as st

from wsgicors import CORSPolicy
from wsgicors.headers import ACAO, ACRM, ORIGIN, VARY


def _acao(serve: Serve, origin: str, **options: Any) -> list[str]:
    client = serve(lint=False, **options)
    response = client.get("/", headers={ORIGIN: origin})
    return response.headers.getall(ACAO)


def _allowed(serve: Serve, pattern: str, origin: str) -> bool:
    found = _acao(serve, origin, allow_origins=[pattern])
    assert found in ([], [origin]), found
    return found == [origin]


# --- subdomain wildcard -------------------------------------------------------------------

SUBDOMAINS = "https://*.example.com"


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://a.example.com", id="one-label"),
        pytest.param("https://a.b.example.com", id="two-labels"),
        pytest.param("https://x-y.example.com", id="hyphen"),
        pytest.param("https://1.example.com", id="digit"),
        pytest.param("https://xn--bcher-kva.example.com", id="punycode"),
    ],
)
def test_subdomain_wildcard_matches_subdomain(serve: Serve, origin: str) -> None:
    assert _allowed(serve, SUBDOMAINS, origin)


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://example.com", id="apex"),
        pytest.param("https://evilexample.com", id="suffix-without-dot"),
        pytest.param("https://a.evilexample.com", id="sub-of-suffix-without-dot"),
        pytest.param("https://example.com.evil.com", id="apex-as-prefix"),
        pytest.param("https://a.example.com.evil.com", id="sub-as-prefix"),
        pytest.param("https://example.co", id="shorter-tld"),
        pytest.param("http://a.example.com", id="other-scheme"),
        pytest.param("https://a.example.com:8443", id="other-port"),
        pytest.param("https://a.example.com.", id="trailing-dot"),
        pytest.param("https://.example.com", id="empty-label"),
        pytest.param("https://a..example.com", id="empty-inner-label"),
        pytest.param("https://A.EXAMPLE.COM", id="upper-case"),
        pytest.param("https://a.Example.com", id="mixed-case"),
        pytest.param("https://a.example.com/", id="trailing-slash"),
        pytest.param("https://a.example.com, https://b.example.com", id="comma-joined"),
        pytest.param("https://a.example.com,https://b.example.com", id="comma-joined-tight"),
        pytest.param(" https://a.example.com", id="leading-space"),
        pytest.param("https://a.example.com\t", id="trailing-tab"),
        pytest.param("https://a.example.com\x00", id="nul"),
        pytest.param("https://user@a.example.com", id="userinfo"),
        pytest.param("", id="empty"),
        pytest.param("null", id="null"),
        pytest.param("*", id="star"),
        pytest.param("https://*.example.com", id="the-pattern-itself"),
    ],
)
def test_subdomain_wildcard_refuses_look_alike(serve: Serve, origin: str) -> None:
    assert not _allowed(serve, SUBDOMAINS, origin)


def test_subdomain_wildcard_with_port_matches_that_port(serve: Serve) -> None:
    assert _allowed(serve, "https://*.example.com:8443", "https://a.example.com:8443")


def test_subdomain_wildcard_with_port_refuses_no_port(serve: Serve) -> None:
    assert not _allowed(serve, "https://*.example.com:8443", "https://a.example.com")


# --- port wildcard ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("http://localhost", id="no-port"),
        pytest.param("http://localhost:3000", id="port"),
        pytest.param("http://localhost:1", id="port-1"),
        pytest.param("http://localhost:65535", id="port-65535"),
    ],
)
def test_port_wildcard_matches_any_port(serve: Serve, origin: str) -> None:
    assert _allowed(serve, "http://localhost:*", origin)


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("http://localhost.evil.com:3000", id="host-prefix"),
        pytest.param("http://a.localhost:3000", id="subdomain"),
        pytest.param("https://localhost:3000", id="other-scheme"),
        pytest.param("http://localhost:", id="empty-port"),
        pytest.param("http://localhost:abc", id="port-name"),
        pytest.param("http://localhost:3000/", id="trailing-slash"),
        pytest.param("http://evil-localhost:3000", id="look-alike"),
        pytest.param("http://localhost:80", id="default-port-never-serialised"),
        pytest.param("http://localhost:03000", id="leading-zero"),
        pytest.param("http://localhost:0", id="port-0"),
        pytest.param("http://localhost:65536", id="port-above-65535"),
    ],
)
def test_port_wildcard_refuses_other_hosts(serve: Serve, origin: str) -> None:
    assert not _allowed(serve, "http://localhost:*", origin)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        pytest.param("https://a.example.com:8443", True, id="sub-port"),
        pytest.param("https://a.b.example.com", True, id="sub-no-port"),
        pytest.param("https://example.com:8443", False, id="apex-port"),
        pytest.param("https://evilexample.com:8443", False, id="look-alike-port"),
    ],
)
def test_subdomain_and_port_wildcards_combined(serve: Serve, origin: str, allowed: bool) -> None:
    assert _allowed(serve, "https://*.example.com:*", origin) is allowed


# --- exact origins ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "origin", "allowed"),
    [
        pytest.param("https://a.example", "https://a.example", True, id="same"),
        pytest.param("https://a.example:8443", "https://a.example:8443", True, id="same-port"),
        pytest.param("https://a.example:8443", "https://a.example", False, id="port-missing"),
        pytest.param("https://a.example", "https://a.example:8443", False, id="port-added"),
        pytest.param("https://a.example", "https://a.example:443", False, id="default-port"),
        pytest.param("https://a.example", "http://a.example", False, id="scheme"),
        pytest.param("https://a.example", "https://b.a.example", False, id="subdomain"),
        pytest.param("https://a.example", "https://a.example.evil", False, id="suffix"),
        pytest.param("https://a.example", "https://aa.example", False, id="prefix"),
        pytest.param("HTTPS://A.EXAMPLE", "https://a.example", True, id="configured-upper"),
        pytest.param("https://a.example", "HTTPS://A.EXAMPLE", False, id="request-upper"),
        pytest.param("http://[::1]:8080", "http://[::1]:8080", True, id="ipv6"),
        pytest.param("http://127.0.0.1:5000", "http://127.0.0.1:5000", True, id="ipv4"),
        pytest.param("null", "null", True, id="null-configured"),
        pytest.param("https://a.example", "null", False, id="null-not-configured"),
        pytest.param("null", "Null", False, id="null-case"),
    ],
)
def test_exact_origin_matching(serve: Serve, pattern: str, origin: str, allowed: bool) -> None:
    assert _allowed(serve, pattern, origin) is allowed


def test_null_allowed_answers_null(serve: Serve) -> None:
    assert _acao(serve, "null", allow_origins=["null"]) == ["null"]


def test_configured_origin_among_many_matched(serve: Serve) -> None:
    many = [f"https://site{number}.example" for number in range(10_000)]
    patterns = [f"https://*.zone{number}.example" for number in range(100)]

    options = {"allow_origins": many + patterns}

    assert _acao(serve, "https://site9999.example", **options) == ["https://site9999.example"]
    assert _acao(serve, "https://a.zone99.example", **options) == ["https://a.zone99.example"]
    assert _acao(serve, "https://site10000.example", **options) == []
    assert _acao(serve, "https://zone99.example", **options) == []


# --- hostile values: a value that is not one serialised origin is never allowed ---------------


def _long_host(labels: int) -> str:
    return "".join(f"{'a' * 60}." for _ in range(labels)) + "example.com"


def test_long_origin_under_limit_allowed(serve: Serve) -> None:
    origin = f"https://{_long_host(4)}"
    assert len(origin) < 326

    assert _allowed(serve, SUBDOMAINS, origin)


def test_over_long_origin_refused(serve: Serve) -> None:
    origin = f"https://{_long_host(6)}"
    assert len(origin) > 326

    assert not _allowed(serve, SUBDOMAINS, origin)


def test_huge_origin_refused(serve: Serve) -> None:
    assert not _allowed(serve, "https://a.example", "https://a.example" + "a" * 100_000)


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("HTTPS://WHATEVER.EXAMPLE", id="upper-case"),
        pytest.param("https://a.example, https://b.example", id="comma-joined"),
        pytest.param("", id="empty"),
        pytest.param("not an origin", id="garbage"),
        pytest.param("x" * 1000, id="over-long"),
    ],
)
def test_all_origins_without_credentials_sends_star_for_any_value(
    serve: Serve, origin: str
) -> None:
    assert _acao(serve, origin) == ["*"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("HTTPS://A.EXAMPLE", id="upper-case"),
        pytest.param("https://a.example, https://a.example", id="comma-joined-same"),
        pytest.param("https://a.example ", id="trailing-space"),
        pytest.param("", id="empty"),
    ],
)
def test_malformed_origin_refused_under_exact_policy(serve: Serve, origin: str) -> None:
    assert _acao(serve, origin, allow_origins=["https://a.example"]) == []


def test_malformed_origin_still_gets_vary(serve: Serve) -> None:
    client = serve(allow_origins=["https://a.example"])

    response = client.get("/", headers={ORIGIN: "HTTPS://A.EXAMPLE"})

    assert response.headers.getall(VARY) == ["Origin"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://a.example", id="exact"),
        pytest.param("http://localhost:3000", id="loopback"),
    ],
)
def test_credentials_echo_request_origin_verbatim(serve: Serve, origin: str) -> None:
    assert _acao(serve, origin, allow_origins=[origin], allow_credentials=True) == [origin]


def _origin_of_length(length: int) -> str:
    # Labels of at most 63 bytes, as DNS allows, under example.com.
    head = "https://"
    tail = "example.com"
    room = length - len(head) - len(tail)
    labels = []
    while room > 0:
        size = min(63, room - 1)
        labels.append("a" * size + ".")
        room -= size + 1
    origin = head + "".join(labels) + tail
    assert len(origin) == length
    return origin


def test_origin_of_326_bytes_allowed(serve: Serve) -> None:
    origin = _origin_of_length(326)

    assert _allowed(serve, SUBDOMAINS, origin)


def test_origin_of_327_bytes_refused(serve: Serve) -> None:
    origin = _origin_of_length(327)

    assert not _allowed(serve, SUBDOMAINS, origin)


# --- properties -----------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
MATCHER = wrapped(CORSPolicy(allow_origins=[SUBDOMAINS]))


def _matcher_allows(origin: str) -> bool:
    return origin in call(MATCHER, environ_for("GET", "/", {ORIGIN: origin})).values(ACAO)


@settings(max_examples=60, deadline=None)
@given(labels=st.lists(LABEL, min_size=1, max_size=4))
def test_any_subdomain_matches_wildcard(labels: list[str]) -> None:
    assert _matcher_allows("https://" + ".".join(labels) + ".example.com")


@settings(max_examples=60, deadline=None)
@given(label=LABEL, suffix=st.sampled_from(["example.com.evil.com", "example.co", "evil.com"]))
def test_look_alike_hosts_never_match_wildcard(label: str, suffix: str) -> None:
    assert not _matcher_allows(f"https://{label}example.com")
    assert not _matcher_allows(f"https://{label}.{suffix}")


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        pytest.param("http://[::1]:8080", True, id="port"),
        pytest.param("http://[::1]", True, id="no-port"),
        pytest.param("http://[::2]:8080", False, id="other-address"),
        pytest.param("https://[::1]:8080", False, id="other-scheme"),
    ],
)
def test_ipv6_port_wildcard(serve: Serve, origin: str, allowed: bool) -> None:
    assert _allowed(serve, "http://[::1]:*", origin) is allowed


# --- origins with a trailing dot ---------------------------------------------------------------


def test_trailing_dot_origin_gets_star_on_preflight_under_the_defaults() -> None:
    environ = environ_for(
        "OPTIONS",
        "/",
        {ORIGIN: "https://app.example.com.", ACRM: "POST"},
    )

    result = call(wrapped(CORSPolicy()), environ)

    assert result.status == "204 No Content"
    assert result.values(ACAO) == ["*"]


@pytest.mark.parametrize(
    ("entry", "origin", "allowed"),
    [
        pytest.param("https://app.example.com", "https://app.example.com.", False, id="no-dot"),
        pytest.param("https://app.example.com.", "https://app.example.com.", True, id="dot"),
        pytest.param("https://app.example.com.", "https://app.example.com", False, id="dot-only"),
        pytest.param("https://*.example.com", "https://a.example.com.", False, id="wild-no-dot"),
        pytest.param("https://*.example.com.", "https://a.example.com.", True, id="wild-dot"),
        pytest.param("https://*.example.com.", "https://a.example.com", False, id="wild-dot-only"),
        pytest.param("http://localhost.:*", "http://localhost.:8080", True, id="port-dot"),
    ],
)
@pytest.mark.parametrize("kind", ["actual", "preflight"])
def test_trailing_dot_origin_matches_only_entries_with_the_dot(
    entry: str, origin: str, allowed: bool, kind: str
) -> None:
    policy = CORSPolicy(allow_origins=[entry])
    headers = {ORIGIN: origin}
    if kind == "preflight":
        headers[ACRM] = "POST"
    environ = environ_for("OPTIONS" if kind == "preflight" else "GET", "/", headers)

    result = call(wrapped(policy), environ)

    assert result.values(ACAO) == ([origin] if allowed else [])


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.000.000.001",
        "http://0x7f000001",
        "https://123",
        "http://127.0.0.1.",
        "http://[0:0:0:0:0:0:0:1]",
        "http://[.]",
        "https://a..example.com",
        "https://example.com..",
    ],
)
def test_origin_no_browser_serialises_never_allowed(origin: str) -> None:
    policy = CORSPolicy(allow_origins=["http://*.localhost"], allow_origin_func=None)
    middleware = wrapped({"/": policy, "/f": CORSPolicy(allow_origin_func=lambda o, e: True)})
    environ = environ_for("OPTIONS", "/f", {ORIGIN: origin, ACRM: "POST"})

    result = call(middleware, environ)

    assert result.status == "403 Forbidden"
    assert result.values(ACAO) == []
