"""debug: why each request got its answer, in the wsgicors log and in a refused preflight's body.

Every client value in a log line is quoted with repr(), so a request cannot forge a line.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from helpers import A, B, Preflight, Serve, call, cors_header_names, environ_for, wrapped

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACRH, ACRM, CONTENT_TYPE, ORIGIN

# --- log lines -------------------------------------------------------------------------------


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


# --- client values quoted with repr() --------------------------------------------------------


def test_debug_log_quotes_origin_with_repr(serve: Serve, cors_log: Any) -> None:
    serve(allow_origins=[A], debug=True).get("/", headers={ORIGIN: B})

    assert any(repr(B) in message for message in cors_log.messages)


def test_debug_log_refused_header_quoted_with_repr(
    serve: Serve, preflight: Preflight, cors_log: Any
) -> None:
    preflight(serve(allow_headers=["X-A"], debug=True), "POST", request_headers="x-secret")

    assert any(repr("x-secret") in message for message in cors_log.messages)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        pytest.param(ORIGIN, "https://b.example\n[CORS] allowed: everything", id="origin"),
        pytest.param(ACRM, "PUT\r\n[CORS] ok", id="acrm"),
        pytest.param(ACRH, "x-a\n[CORS] ok", id="acrh"),
    ],
)
def test_debug_log_never_writes_raw_newline_from_request(
    make_app: Any, cors_log: Any, header: str, value: str
) -> None:
    middleware = CORSMiddleware(make_app(), CORSPolicy(allow_origins=[A], debug=True))

    call(middleware, environ_for("OPTIONS", "/", {ORIGIN: A, ACRM: "POST", header: value}))

    assert cors_log.messages != []
    assert not any("\n" in message or "\r" in message for message in cors_log.messages)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("GET\r\nX-Injected: 1", {"Origin": A}, id="method-crlf"),
        pytest.param("G\x1b[31mET", {"Origin": A}, id="method-escape"),
        pytest.param("GET", {"Origin": "https://a\r\n.example"}, id="origin-crlf"),
        pytest.param(
            "OPTIONS",
            {"Origin": "https://a.example\x1b[0m", "Access-Control-Request-Method": "P\nUT"},
            id="preflight",
        ),
        pytest.param(
            "OPTIONS",
            {
                "Origin": A,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-a\r\n\x1b",
            },
            id="header-list",
        ),
    ],
)
def test_request_values_logged_with_repr(
    method: str, headers: dict[str, str], cors_log: Any
) -> None:
    policy = CORSPolicy(allow_origins=[A], allow_methods=["*"], debug=True)
    middleware = wrapped(policy, [("Content-Type", "text/plain"), ("Access-Control-Max-Age", "1")])

    call(middleware, environ_for(method, "/", headers))

    assert cors_log.messages
    for message in cors_log.messages:
        assert not set(message) & {"\r", "\n", "\x1b"}, message


# --- refused preflight bodies ----------------------------------------------------------------


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
