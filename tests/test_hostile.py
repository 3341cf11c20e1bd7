"""Hostile requests and hostile configuration: each costs linear time and ends in a clear answer.

Every request here is built by hand as a raw WSGI environ (no client library that could
normalise a path or a header on the way), and the middleware is called directly. The only
timing is a per-request guard far above any honest cost (50 ms): a super-linear parse of a
few KB breaks it, machine noise does not.
"""

from __future__ import annotations

import io
import json
import logging
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.validate import validator

import pytest

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError, PolicyWarning
from wsgicors.headers import ACAH, ACAO, ACEH, VARY
from wsgicors.integrations.gunicorn import WrapError, wrap

Headers = list[tuple[str, str]]
GUARD_SECONDS = 0.05
APP_ORIGIN = "https://app.example.com"


def environ_for(
    method: str = "GET", path: str = "/", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


class Result:
    def __init__(self, status: str, headers: Headers, body: bytes, app_calls: int) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.app_calls = app_calls

    def get(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def call(
    middleware: Callable[..., Iterable[bytes]], environ: dict[str, Any], *, timed: bool = False
) -> Result:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    started = time.perf_counter()
    iterable = middleware(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    elapsed = time.perf_counter() - started
    if timed:
        assert elapsed < GUARD_SECONDS, f"{elapsed:.3f} s for one request"
    calls = getattr(middleware, "app", None)
    return Result(captured["status"], captured["headers"], body, getattr(calls, "calls", 0))


class App:
    """Answers 200 with the given headers and counts its calls."""

    def __init__(self, headers: Headers | None = None) -> None:
        self.headers = headers or [("Content-Type", "text/plain")]
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.calls += 1
        start_response("200 OK", list(self.headers))
        return [b"app"]


def wrapped(policy: object = None, headers: Headers | None = None) -> CORSMiddleware:
    return CORSMiddleware(App(headers), policy)  # type: ignore[arg-type]


def preflight_environ(acrh: str | None = None, **extra: str) -> dict[str, Any]:
    headers = {"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST", **extra}
    if acrh is not None:
        headers["Access-Control-Request-Headers"] = acrh
    return environ_for("OPTIONS", "/", headers)


# --- Access-Control-Request-Headers: linear parsing ------------------------------------------

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
        pytest.param(
            CORSPolicy(allow_origins=[APP_ORIGIN], allow_headers=["X-A"]), id="named-headers"
        ),
    ],
)
def test_hostile_header_list_refused_in_linear_time(acrh: str, policy: CORSPolicy) -> None:
    result = call(wrapped(policy), preflight_environ(acrh), timed=True)

    assert result.status == "403 Forbidden"
    assert result.get(ACAO) == []


def test_header_list_answer_is_the_trimmed_names_joined_with_commas() -> None:
    middleware = validator(wrapped(CORSPolicy()))

    result = call(middleware, preflight_environ("x-a ,\tx-b, ,X-C\t"))

    assert result.status == "204 No Content"
    assert result.get(ACAH) == ["x-a,x-b,X-C"]


def test_header_list_with_only_empty_elements_gets_no_allow_headers() -> None:
    result = call(wrapped(CORSPolicy()), preflight_environ(" , \t,"))

    assert result.status == "204 No Content"
    assert result.get(ACAH) == []


# --- path scopes: the scope of the path the router dispatches ------------------------------


def _scoped(headers: Headers | None = None) -> CORSMiddleware:
    return wrapped(
        {
            "/": CORSPolicy(allow_origins=["https://*.example.com"], allow_credentials=True),
            "/admin": CORSPolicy(
                allow_origins=["https://admin.example.com"], allow_credentials=True
            ),
            "/private": None,
        },
        headers,
    )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("//admin/secret", id="leading-double-slash"),
        pytest.param("/admin//secret", id="inner-double-slash"),
        pytest.param("///admin", id="triple-slash"),
        pytest.param("/x/../admin/secret", id="dot-dot"),
        pytest.param("/./admin/secret", id="dot"),
        pytest.param("/admin/./secret", id="dot-inside"),
    ],
)
def test_path_that_routes_to_a_stricter_scope_gets_that_scope(path: str) -> None:
    environ = environ_for("GET", path, {"Origin": "https://ugc.example.com"})

    result = call(_scoped(), environ)

    assert result.get(ACAO) == []
    assert result.get(VARY) == ["Origin"]


@pytest.mark.parametrize("path", ["//private/x", "/public/../private/x", "/./private"])
def test_path_that_routes_to_a_scope_without_cors_gets_no_cors(path: str) -> None:
    environ = environ_for("GET", path, {"Origin": "https://ugc.example.com"})

    result = call(_scoped(), environ)

    assert result.headers == [("Content-Type", "text/plain")]


@pytest.mark.parametrize("path", ["*", "", "x"])
def test_path_not_starting_with_slash_belongs_to_the_root_scope(path: str) -> None:
    middleware = _scoped()
    environ = environ_for(
        "OPTIONS",
        path,
        {"Origin": "https://ugc.example.com", "Access-Control-Request-Method": "PUT"},
    )

    result = call(middleware, environ)

    assert result.status == "403 Forbidden"
    assert middleware.app.calls == 0  # type: ignore[attr-defined]


def test_path_not_starting_with_slash_read_as_if_it_did() -> None:
    environ = environ_for("GET", "admin/secret", {"Origin": "https://ugc.example.com"})

    result = call(_scoped(), environ)

    assert result.get(ACAO) == []
    assert result.get(VARY) == ["Origin"]


def test_options_star_preflight_answered_under_the_root_scope() -> None:
    middleware = wrapped({"/": CORSPolicy(allow_methods=["GET", "PUT"])})
    environ = environ_for(
        "OPTIONS", "*", {"Origin": APP_ORIGIN, "Access-Control-Request-Method": "PUT"}
    )

    result = call(middleware, environ)

    assert result.status == "204 No Content"
    assert result.get(ACAO) == ["*"]
    assert middleware.app.calls == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        pytest.param(
            ["/api", "/api/"],
            "- policy: '/api/': path prefixes '/api' and '/api/' name the same path (a "
            "trailing '/' makes no difference); keep one of them",
            id="same-path-twice",
        ),
        pytest.param(
            ["/api?x=1"],
            "- policy: '/api?x=1': a path prefix is a decoded path, without '?': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="query",
        ),
        pytest.param(
            ["/api#top"],
            "- policy: '/api#top': a path prefix is a decoded path, without '#': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="fragment",
        ),
        pytest.param(
            ["/a%2Fb"],
            "- policy: '/a%2Fb': a path prefix is a decoded path, without '%': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="percent",
        ),
        pytest.param(
            ["/api v1"],
            "- policy: '/api v1': a path prefix is a decoded path, without ' ': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="space",
        ),
        pytest.param(
            ["/api\x00"],
            "- policy: '/api\\x00': a path prefix is a decoded path, without '\\x00': "
            "PATH_INFO never holds a query, a fragment, percent-escapes, whitespace or "
            "control characters; write the path as the application routes it, e.g. '/api'",
            id="nul",
        ),
        pytest.param(
            ["//api"],
            "- policy: '//api': a path prefix is written as routers match it, without "
            "empty, '.' or '..' segments; write '/api'",
            id="double-slash",
        ),
        pytest.param(
            ["/api/../admin"],
            "- policy: '/api/../admin': a path prefix is written as routers match it, "
            "without empty, '.' or '..' segments; write '/admin'",
            id="dot-dot",
        ),
    ],
)
def test_path_prefix_that_cannot_match_as_written_refused(paths: list[str], message: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        wrapped({path: CORSPolicy() for path in paths})

    assert str(excinfo.value).splitlines()[1:] == [message]


# --- logs ------------------------------------------------------------------------------------


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record)

    handler = Keep(logging.DEBUG)
    logger = logging.getLogger("wsgicors")
    logger.addHandler(handler)
    try:
        yield kept
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("GET\r\nX-Injected: 1", {"Origin": APP_ORIGIN}, id="method-crlf"),
        pytest.param("G\x1b[31mET", {"Origin": APP_ORIGIN}, id="method-escape"),
        pytest.param("GET", {"Origin": "https://a\r\n.example"}, id="origin-crlf"),
        pytest.param(
            "OPTIONS",
            {"Origin": "https://a.example\x1b[0m", "Access-Control-Request-Method": "P\nUT"},
            id="preflight",
        ),
        pytest.param(
            "OPTIONS",
            {
                "Origin": APP_ORIGIN,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-a\r\n\x1b",
            },
            id="header-list",
        ),
    ],
)
def test_request_values_logged_with_repr(
    method: str, headers: dict[str, str], records: list[logging.LogRecord]
) -> None:
    policy = CORSPolicy(allow_origins=[APP_ORIGIN], allow_methods=["*"], debug=True)
    middleware = wrapped(policy, [("Content-Type", "text/plain"), ("Access-Control-Max-Age", "1")])

    call(middleware, environ_for(method, "/", headers))

    messages = [record.getMessage() for record in records]
    assert messages
    for message in messages:
        assert not set(message) & {"\r", "\n", "\x1b"}, message


# --- configuration: every bad value a PolicyError --------------------------------------------


def _problem_lines(**options: Any) -> list[str]:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy(**options)
    return str(excinfo.value).splitlines()[1:]


GO_RANGE = (
    "max_age is within Go's duration range (at most 2562047h47m16s either way); browsers "
    "cache a preflight for at most 7200 s (Chromium) or 86400 s (Firefox): write e.g. '2h'"
)
NOT_A_DURATION = (
    "max_age is a Go duration such as '12h', '1h30m', '90s' or '500ms'; write a number with "
    "a unit (ns, us, ms, s, m, h), or an int of seconds"
)


@pytest.mark.parametrize(
    ("value", "line"),
    [
        pytest.param(10**5000, f"- max_age: <an int of 16610 bits>: {GO_RANGE}", id="huge-int"),
        pytest.param(2**63, f"- max_age: 9223372036854775808: {GO_RANGE}", id="2**63"),
        pytest.param(10**20, f"- max_age: 100000000000000000000: {GO_RANGE}", id="10**20"),
        pytest.param("2562048h", f"- max_age: '2562048h': {GO_RANGE}", id="hours-past-go"),
        pytest.param(
            "2562047h47m16.854775808s",
            f"- max_age: '2562047h47m16.854775808s': {GO_RANGE}",
            id="one-nanosecond-past-go",
        ),
        pytest.param(1e300, f"- max_age: 1e+300: {GO_RANGE}", id="huge-float"),
        pytest.param(
            "\u0661\u0662h",
            f"- max_age: '\u0661\u0662h': {NOT_A_DURATION}",
            id="arabic-indic-digits",
        ),
        pytest.param(
            "\uff11\uff12h", f"- max_age: '\uff11\uff12h': {NOT_A_DURATION}", id="fullwidth-digits"
        ),
    ],
)
def test_max_age_outside_go_durations_refused(value: object, line: str) -> None:
    assert _problem_lines(max_age=value) == [line]


def test_max_age_of_5000_digits_refused_with_its_value_shortened() -> None:
    [line] = _problem_lines(max_age="9" * 5000 + "s")

    assert line.startswith("- max_age: '99999")
    assert line.endswith(f": {NOT_A_DURATION}")
    assert len(line) < 600


def test_max_age_at_the_edge_of_go_durations_accepted() -> None:
    with pytest.warns(PolicyWarning, match="above what browsers honour"):
        assert CORSPolicy(max_age="2562047h47m16.854775807s").max_age == 9223372036
    assert CORSPolicy(max_age=-9223372036).max_age == -9223372036


def _write(tmp_path: Any, text: str) -> str:
    path = tmp_path / "cors.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            "[" * 100_000 + "]" * 100_000,
            "the JSON nests arrays or objects too deeply to read; a CORS configuration nests "
            "a few levels at most: check the file",
            id="nested-100000-deep",
        ),
        pytest.param(
            '{"max_age": ' + "9" * 5000 + "}",
            "the JSON holds a number too long to read; no CORS option needs more than a few "
            "digits: check the file",
            id="5000-digit-number",
        ),
    ],
)
def test_hostile_json_file_is_a_policy_error(tmp_path: Any, text: str, line: str) -> None:
    path = _write(tmp_path, text)

    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_krakend(path)

    assert str(excinfo.value).splitlines() == [
        f"invalid CORS policy in {path} (1 problem):",
        f"- config: {path!r}: {line}",
    ]


def test_hostile_json_file_stops_wrap_with_one_line(tmp_path: Any) -> None:
    path = _write(tmp_path, "[" * 100_000 + "]" * 100_000)

    with pytest.raises(WrapError) as excinfo:
        wrap(App(), config=path)

    assert "\n" not in str(excinfo.value)
    assert "the JSON nests arrays or objects too deeply to read" in str(excinfo.value)


def test_deeply_nested_value_in_code_is_a_policy_error() -> None:
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]

    assert _problem_lines(allow_origins=nested) == [
        "- allow_origins: [[[[[...]]]]]: every entry is a string; quote it, or remove it"
    ]


@pytest.mark.parametrize(
    ("origin", "suffix"),
    [
        pytest.param("https://*.co.uk", "co.uk", id="icann-suffix"),
        pytest.param("https://*.github.io", "github.io", id="private-suffix-github"),
        pytest.param("https://*.vercel.app", "vercel.app", id="private-suffix-vercel"),
        pytest.param("https://*.co.uk:*", "co.uk", id="with-any-port"),
        pytest.param("https://*.github.io.", "github.io", id="trailing-dot"),
    ],
)
@pytest.mark.parametrize("credentials", [False, True])
def test_wildcard_under_a_public_suffix_refused(
    origin: str, suffix: str, credentials: bool
) -> None:
    assert _problem_lines(allow_origins=[origin], allow_credentials=credentials) == [
        f"- allow_origins: {origin!r}: {suffix!r} is a public suffix: anyone can register a "
        f"site under it, so '*.{suffix}' would allow origins an attacker controls; list your "
        f"own sites (e.g. 'https://myapp.{suffix}'), or set "
        "dangerously_tolerate_subdomains_of_public_suffixes=True if you accept that"
    ]


def test_wildcard_under_a_public_suffix_tolerated_when_asked() -> None:
    policy = CORSPolicy(
        allow_origins=["https://*.github.io"],
        dangerously_tolerate_subdomains_of_public_suffixes=True,
    )

    result = call(wrapped(policy), environ_for("GET", "/", {"Origin": "https://x.github.io"}))

    assert result.get(ACAO) == ["https://x.github.io"]


@pytest.mark.parametrize(
    "origin", ["https://*.example.com", "https://*.me.github.io", "http://*.localhost"]
)
def test_wildcard_under_a_registrable_domain_accepted(origin: str) -> None:
    assert CORSPolicy(allow_origins=[origin]).allow_origins == (origin,)


def test_tolerate_public_suffixes_is_python_only() -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSPolicy.from_dict({"dangerously_tolerate_subdomains_of_public_suffixes": True})

    assert str(excinfo.value).splitlines()[1] == (
        "- dangerously_tolerate_subdomains_of_public_suffixes: True: this option has no "
        "KrakenD key: it only exists in Python; remove it from the JSON and pass it as a "
        "keyword: CORSPolicy.from_dict(obj, dangerously_tolerate_subdomains_of_public_"
        "suffixes=...)"
    )


NEVER_MATCHES_V4 = (
    "browsers send an IPv4 address as four decimal parts without leading zeros, so this "
    "entry would never match"
)


@pytest.mark.parametrize(
    ("origin", "line"),
    [
        pytest.param(
            "http://127.000.000.001",
            f"{NEVER_MATCHES_V4}; write 'http://127.0.0.1'",
            id="leading-zeros",
        ),
        pytest.param(
            "http://0x7f000001:8080",
            f"{NEVER_MATCHES_V4}; write 'http://127.0.0.1:8080'",
            id="hex",
        ),
        pytest.param("https://123", f"{NEVER_MATCHES_V4}; write 'https://0.0.0.123'", id="number"),
        pytest.param(
            "http://127.0.0.1.", f"{NEVER_MATCHES_V4}; write 'http://127.0.0.1'", id="dot"
        ),
        pytest.param(
            "http://[0:0:0:0:0:0:0:1]",
            "browsers send an IPv6 address in its compressed lower-case form, so this entry "
            "would never match; write 'http://[::1]'",
            id="ipv6-uncompressed",
        ),
        pytest.param(
            "http://[.]",
            "an IPv6 host is an IPv6 address in brackets; write e.g. 'http://[::1]:8080'",
            id="ipv6-garbage",
        ),
        pytest.param(
            "http://1.2.3.999",
            "a host ending in a number is an IPv4 address, and this one is not valid; write "
            "four decimal parts from 0 to 255, e.g. '127.0.0.1'",
            id="ipv4-out-of-range",
        ),
        pytest.param(
            "http://*.0.0.1",
            "a wildcard cannot stand for part of an IP address; list each address, e.g. "
            "'http://127.0.0.1:8080'",
            id="wildcard-ip",
        ),
    ],
)
def test_ip_host_no_browser_sends_refused_with_canonical_form(origin: str, line: str) -> None:
    assert _problem_lines(allow_origins=[origin]) == [f"- allow_origins: {origin!r}: {line}"]


@pytest.mark.parametrize(
    ("origin", "hint"),
    [
        pytest.param(
            "https://a\x00b.example", "remove them: write 'https://ab.example'", id="nul"
        ),
        pytest.param("https://a\x85b.example", "remove them: write 'https://ab.example'", id="c1"),
        pytest.param("\x00", "remove the entry", id="only-nul"),
    ],
)
def test_hint_never_echoes_a_control_character(origin: str, hint: str) -> None:
    [line] = _problem_lines(allow_origins=[origin])

    assert line.endswith(": an origin contains no whitespace or control characters; " + hint)
    assert line.isprintable()


def test_empty_allow_headers_from_json_warns_that_krakend_reads_it_as_all() -> None:
    with pytest.warns(PolicyWarning) as caught:
        policy = CORSPolicy.from_dict({"allow_headers": []})

    assert policy.allow_headers == ()
    assert [str(warning.message) for warning in caught] == [
        "allow_headers: [] allows only the four always-allowed headers (Accept, "
        "Accept-Language, Content-Language, Content-Type), but KrakenD reads an empty list "
        'as every header: write ["*"] for that'
    ]


def test_empty_allow_headers_in_python_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert CORSPolicy(allow_headers=[]).allow_headers == ()


# --- origins with a trailing dot ---------------------------------------------------------------


def test_trailing_dot_origin_gets_star_on_preflight_under_the_defaults() -> None:
    environ = environ_for(
        "OPTIONS",
        "/",
        {"Origin": "https://app.example.com.", "Access-Control-Request-Method": "POST"},
    )

    result = call(wrapped(CORSPolicy()), environ)

    assert result.status == "204 No Content"
    assert result.get(ACAO) == ["*"]


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
    headers = {"Origin": origin}
    if kind == "preflight":
        headers["Access-Control-Request-Method"] = "POST"
    environ = environ_for("OPTIONS" if kind == "preflight" else "GET", "/", headers)

    result = call(wrapped(policy), environ)

    assert result.get(ACAO) == ([origin] if allowed else [])


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
    environ = environ_for(
        "OPTIONS", "/f", {"Origin": origin, "Access-Control-Request-Method": "POST"}
    )

    result = call(middleware, environ)

    assert result.status == "403 Forbidden"
    assert result.get(ACAO) == []


# --- memory: what the middleware keeps is bounded in bytes ------------------------------------


def _kept_bytes(action: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        action()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def test_hostile_preflights_keep_under_1_mb() -> None:
    middleware = wrapped(CORSPolicy(allow_methods=["*"]))
    call(middleware, preflight_environ())  # warm up: first-call allocations are not kept state

    def flood() -> None:
        for index in range(1000):
            environ = environ_for(
                "OPTIONS",
                "/",
                {
                    "Origin": f"https://{index}{'a' * 8000}.example",
                    "Access-Control-Request-Method": f"M{index}{'X' * 8000}",
                    "Access-Control-Request-Private-Network": "x" * 8000,
                },
            )
            call(middleware, environ)

    assert _kept_bytes(flood) < 1_000_000


def test_many_distinct_valid_preflights_keep_under_1_mb() -> None:
    middleware = wrapped(CORSPolicy(allow_methods=["*"]))
    call(middleware, preflight_environ())

    def flood() -> None:
        for index in range(5000):
            environ = environ_for(
                "OPTIONS",
                "/",
                {
                    "Origin": f"https://{index}-{'a' * 60}.{'b' * 60}.{'c' * 60}.example",
                    "Access-Control-Request-Method": f"M{index}XXXXXXXXXXXXXXXXXXXX",
                    "Access-Control-Request-Headers": ",".join(
                        f"x-{index}-{'h' * 40}" for _ in range(5)
                    ),
                },
            )
            call(middleware, environ)

    assert _kept_bytes(flood) < 1_000_000


def test_application_header_names_learned_within_a_bound() -> None:
    calls = iter(range(10**6))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        index = next(calls)
        start_response("200 OK", [(f"X-{index}-{n}-{'n' * 8000}", "1") for n in range(3)])
        return [b""]

    middleware = CORSMiddleware(app, CORSPolicy(allow_origins=[APP_ORIGIN]))

    def flood() -> None:
        for _ in range(2000):
            call(middleware, environ_for("GET", "/", {"Origin": APP_ORIGIN}))

    assert _kept_bytes(flood) < 1_000_000


# --- Vary --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vary",
    [
        pytest.param([("Vary", "Accept-Language,Origin")], id="one-header"),
        pytest.param([("Vary", "accept-language"), ("vary", "ORIGIN")], id="two-headers"),
        pytest.param([("Vary", "*")], id="star"),
    ],
)
def test_app_vary_that_already_names_origin_left_exactly_as_it_was(vary: Headers) -> None:
    policy = CORSPolicy(allow_origins=[APP_ORIGIN], allow_credentials=True)
    headers = [("Content-Type", "text/plain"), *vary, ("X-After", "1")]

    result = call(wrapped(policy, headers), environ_for("GET", "/", {"Origin": APP_ORIGIN}))

    assert result.headers == [
        *headers,
        (ACAO, APP_ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
    ]


def test_app_vary_without_origin_merged_into_one() -> None:
    policy = CORSPolicy(allow_origins=[APP_ORIGIN], expose_headers=["X-A"])
    headers = [("Vary", "Accept-Language"), ("Content-Type", "text/plain"), ("vary", "Cookie")]

    result = call(wrapped(policy, headers), environ_for("GET", "/", {"Origin": APP_ORIGIN}))

    assert result.headers == [
        ("Content-Type", "text/plain"),
        (ACAO, APP_ORIGIN),
        (ACEH, "X-A"),
        ("Vary", "Accept-Language, Cookie, Origin"),
    ]


def test_config_error_text_is_json_safe() -> None:
    # Values quoted in errors are repr()-escaped: they survive a JSON round trip unchanged.
    [line] = _problem_lines(allow_methods=["GET\r\n"])
    assert json.loads(json.dumps(line)) == line
    assert "\r" not in line
    assert "\n" not in line
