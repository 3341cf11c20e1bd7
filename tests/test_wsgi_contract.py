"""The WSGI contract (PEP 3333), checked on every path the middleware can take.

A small in-process server drives the middleware directly (no WebTest) so that the exact
objects passing between server, middleware and app can be compared by identity.
"""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.validate import validator

import attrs
import flask
import pytest
from helpers import A, B, environ_for
from werkzeug.middleware.lint import LintMiddleware

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.headers import ACAO, ACRM, ACRPN, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN, VARY

StartResponse = Callable[..., Callable[[bytes], object]]
Headers = list[tuple[str, str]]


class Server:
    """Plays the server's part: provides start_response and write, consumes and closes."""

    def __init__(self, mutate_headers: bool = False) -> None:
        self.mutate_headers = mutate_headers
        self.started: list[tuple[str, Headers, Any]] = []
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def start_response(self, status: str, headers: Headers, exc_info: Any = None) -> Any:
        self.started.append((status, list(headers), exc_info))
        if self.mutate_headers:
            # wsgiref's handler, for one, adds Date and Server to the very list it is given.
            headers.append(("X-Server", "added"))
        return self.write

    def run(self, app: Any, environ: dict[str, Any]) -> tuple[str, Headers, bytes]:
        result = app(environ, self.start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers, _ = self.started[-1]
        return status, headers, b"".join(self.written) + body


class Body:
    """An app iterable that records whether it was iterated and closed."""

    def __init__(self, chunks: Iterable[bytes] = (b"app body",)) -> None:
        self.chunks = list(chunks)
        self.iterated = False
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        self.iterated = True
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True


class ContractApp:
    """A WSGI app that keeps what it gave and got, for identity and mutation checks."""

    def __init__(self, extra_headers: Headers | None = None, fresh_list: bool = False) -> None:
        self.fresh_list = fresh_list
        self.headers: Headers = [
            (CONTENT_TYPE, "text/plain"),
            (CONTENT_LENGTH, "8"),
            (VARY, "Accept"),
            (ACAO, "*"),
            *(extra_headers or []),
        ]
        self.snapshot = list(self.headers)
        self.body = Body()
        self.write: Any = None
        self.environ: dict[str, Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Body:
        self.environ = environ
        headers = list(self.headers) if self.fresh_list else self.headers
        self.write = start_response("200 OK", headers)
        return self.body


@attrs.frozen
class Scenario:
    policy: Any
    method: str
    headers: dict[str, str]
    path: str = "/"
    calls_app: bool = True
    flask: bool = False

    def environ(self) -> dict[str, Any]:
        return environ_for(self.method, self.path, self.headers)


PREFLIGHT = {ORIGIN: A, ACRM: "POST"}
REFUSED_PREFLIGHT = {ORIGIN: A, ACRM: "PUT"}

SCENARIOS = {
    "preflight-204": Scenario(CORSPolicy(), "OPTIONS", PREFLIGHT, calls_app=False),
    "preflight-200": Scenario(
        CORSPolicy(options_success_status=200), "OPTIONS", PREFLIGHT, calls_app=False
    ),
    "preflight-299": Scenario(
        CORSPolicy(options_success_status=299), "OPTIONS", PREFLIGHT, calls_app=False
    ),
    "preflight-private-network": Scenario(
        CORSPolicy(allow_private_network=True),
        "OPTIONS",
        {**PREFLIGHT, ACRPN: "true"},
        calls_app=False,
    ),
    "preflight-refused": Scenario(CORSPolicy(), "OPTIONS", REFUSED_PREFLIGHT, calls_app=False),
    "preflight-refused-debug": Scenario(
        CORSPolicy(debug=True), "OPTIONS", REFUSED_PREFLIGHT, calls_app=False
    ),
    "passthrough": Scenario(CORSPolicy(options_passthrough=True), "OPTIONS", PREFLIGHT),
    "passthrough-refused": Scenario(
        CORSPolicy(options_passthrough=True), "OPTIONS", REFUSED_PREFLIGHT
    ),
    "passthrough-auto-options": Scenario(
        CORSPolicy(options_passthrough=True, auto_options=True),
        "OPTIONS",
        PREFLIGHT,
        calls_app=False,
    ),
    "auto-options": Scenario(CORSPolicy(auto_options=True), "OPTIONS", {}, calls_app=False),
    "auto-options-origin": Scenario(
        CORSPolicy(auto_options=True, allow_origins=[A]), "OPTIONS", {ORIGIN: A}, calls_app=False
    ),
    "auto-options-flask-known": Scenario(
        CORSPolicy(auto_options=True), "OPTIONS", {ORIGIN: A}, "/items", False, True
    ),
    "auto-options-flask-unknown": Scenario(
        CORSPolicy(auto_options=True), "OPTIONS", {ORIGIN: A}, "/nowhere", True, True
    ),
    "actual-all-origins": Scenario(CORSPolicy(), "GET", {ORIGIN: A}),
    "actual-all-origins-no-origin": Scenario(CORSPolicy(), "GET", {}),
    "actual-exact": Scenario(
        CORSPolicy(allow_origins=[A], allow_credentials=True, expose_headers=["X-Total"]),
        "GET",
        {ORIGIN: A},
    ),
    "actual-refused": Scenario(CORSPolicy(allow_origins=[A]), "GET", {ORIGIN: B}),
    "actual-no-origin": Scenario(CORSPolicy(allow_origins=[A]), "GET", {}),
    "actual-method-not-allowed": Scenario(CORSPolicy(), "PUT", {ORIGIN: A}),
    "actual-plain-options": Scenario(CORSPolicy(allow_origins=[A]), "OPTIONS", {ORIGIN: A}),
    "actual-debug": Scenario(CORSPolicy(allow_origins=[A], debug=True), "GET", {ORIGIN: A}),
    "path-without-policy": Scenario({"/api": CORSPolicy(allow_origins=[A])}, "GET", {ORIGIN: A}),
    "path-none-preflight": Scenario({"/": None}, "OPTIONS", PREFLIGHT),
}

ALL = [pytest.param(name, id=name) for name in SCENARIOS]
CALLING_APP = [pytest.param(name, id=name) for name, s in SCENARIOS.items() if s.calls_app]
PLAIN_CALLING_APP = [
    pytest.param(name, id=name) for name, s in SCENARIOS.items() if s.calls_app and not s.flask
]


def flask_site() -> flask.Flask:
    site = flask.Flask("wsgicors_contract_site")

    @site.route("/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    return site


def app_for(scenario: Scenario) -> Any:
    return flask_site() if scenario.flask else ContractApp()


class WithUrlMap:
    """A WSGI wrapper (validator, lint) that still shows the Flask app's ``url_map``."""

    def __init__(self, wrapper: Any, site: Any) -> None:
        self.wrapper = wrapper
        self.url_map = site.url_map

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        return self.wrapper(environ, start_response)


def wrap_inner(scenario: Scenario, checker: Callable[[Any], Any]) -> Any:
    inner = app_for(scenario)
    return WithUrlMap(checker(inner), inner) if scenario.flask else checker(inner)


class Spy:
    """Wraps an app (keeping its url_map visible) to record the iterable it returned."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.url_map = getattr(app, "url_map", None)
        self.returned: Any = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        self.returned = self.app(environ, start_response)
        return self.returned


# --- wsgiref.validate and werkzeug's LintMiddleware on every path -----------------------------


@pytest.mark.parametrize("name", ALL)
def test_wsgiref_validator_passes(name: str) -> None:
    scenario = SCENARIOS[name]
    middleware = CORSMiddleware(wrap_inner(scenario, validator), scenario.policy)

    status, _, _ = Server().run(validator(middleware), scenario.environ())

    assert status[:3].isdigit()


@pytest.mark.parametrize("name", ALL)
def test_werkzeug_lint_passes(name: str) -> None:
    scenario = SCENARIOS[name]
    middleware = CORSMiddleware(wrap_inner(scenario, LintMiddleware), scenario.policy)

    with warnings.catch_warnings():
        # RFC 9110 §8.6: a 204 carries no Content-Length, though lint asks for "0".
        warnings.filterwarnings("ignore", "204 responses must have an empty content length")
        status, headers, _ = Server().run(LintMiddleware(middleware), scenario.environ())

    if status.startswith("204"):
        assert [n for n, _ in headers if n.lower() == "content-length"] == []


@pytest.mark.parametrize("name", ALL)
def test_empty_non_204_response_has_length_and_type(name: str) -> None:
    scenario = SCENARIOS[name]
    app = app_for(scenario)

    status, headers, body = Server().run(CORSMiddleware(app, scenario.policy), scenario.environ())

    names = [n.lower() for n, _ in headers]
    if body == b"" and not status.startswith("204"):
        assert dict((n.lower(), v) for n, v in headers)["content-length"] == "0"
        assert names.count("content-type") == 1
    if status.startswith("204"):
        assert "content-length" not in names
        assert "content-type" not in names
        assert body == b""


# --- the body iterable ----------------------------------------------------------------------


@pytest.mark.parametrize("name", CALLING_APP)
def test_app_iterable_returned_as_same_object(name: str) -> None:
    scenario = SCENARIOS[name]
    spy = Spy(app_for(scenario))
    middleware = CORSMiddleware(spy, scenario.policy)

    result = middleware(scenario.environ(), Server().start_response)
    try:
        assert result is spy.returned
    finally:
        result.close()


@pytest.mark.parametrize("name", PLAIN_CALLING_APP)
def test_app_iterable_not_consumed_by_middleware(name: str) -> None:
    scenario = SCENARIOS[name]
    app = ContractApp()

    result = CORSMiddleware(app, scenario.policy)(scenario.environ(), Server().start_response)

    assert app.body.iterated is False
    result.close()


@pytest.mark.parametrize("name", PLAIN_CALLING_APP)
def test_close_reaches_app_iterable(name: str) -> None:
    scenario = SCENARIOS[name]
    app = ContractApp()

    Server().run(CORSMiddleware(app, scenario.policy), scenario.environ())

    assert app.body.closed is True


def test_streaming_app_starting_response_lazily_is_decorated() -> None:
    state = {"started": False}

    def streaming(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        state["started"] = True
        start_response("200 OK", [(CONTENT_TYPE, "text/plain")])
        yield b"one "
        yield b"two"

    middleware = CORSMiddleware(streaming, CORSPolicy(allow_origins=[A]))
    server = Server()

    result = middleware(environ_for("GET", "/", {ORIGIN: A}), server.start_response)

    assert state["started"] is False
    assert b"".join(result) == b"one two"
    result.close()  # type: ignore[attr-defined]
    [(status, headers, _)] = server.started
    assert status == "200 OK"
    assert [v for n, v in headers if n == ACAO] == [A]
    assert [v for n, v in headers if n == VARY] == ["Origin"]


def test_file_wrapper_result_returned_untouched() -> None:
    class FileWrapper:
        def __init__(self, file: Any, block_size: int = 8192) -> None:
            self.file = file

        def __iter__(self) -> Iterator[bytes]:
            return iter([self.file.read()])

        def close(self) -> None:
            self.file.close()

    def serving_file(environ: dict[str, Any], start_response: StartResponse) -> Any:
        start_response("200 OK", [(CONTENT_TYPE, "application/octet-stream")])
        return environ["wsgi.file_wrapper"](io.BytesIO(b"file"))

    environ = environ_for("GET", "/", {ORIGIN: A})
    environ["wsgi.file_wrapper"] = FileWrapper

    result = CORSMiddleware(serving_file, CORSPolicy())(environ, Server().start_response)

    assert type(result) is FileWrapper
    assert b"".join(result) == b"file"
    result.close()


def test_file_wrapper_reaches_app_unchanged() -> None:
    seen: list[Any] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        seen.append(environ.get("wsgi.file_wrapper"))
        start_response("200 OK", [(CONTENT_TYPE, "text/plain")])
        return [b""]

    marker = object()
    environ = environ_for("GET", "/", {ORIGIN: A})
    environ["wsgi.file_wrapper"] = marker

    Server().run(CORSMiddleware(app, CORSPolicy()), environ)

    assert seen == [marker]


# --- start_response -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PLAIN_CALLING_APP)
def test_start_response_returns_server_write(name: str) -> None:
    scenario = SCENARIOS[name]
    app = ContractApp()
    server = Server()

    server.run(CORSMiddleware(app, scenario.policy), scenario.environ())

    assert app.write == server.write


def test_write_callable_reaches_server() -> None:
    def writing(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        write = start_response("200 OK", [(CONTENT_TYPE, "text/plain")])
        write(b"written ")
        return [b"returned"]

    server = Server()

    _, _, body = server.run(
        CORSMiddleware(writing, CORSPolicy()), environ_for("GET", "/", {ORIGIN: A})
    )

    assert server.written == [b"written "]
    assert body == b"written returned"


def _erroring_app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [(CONTENT_TYPE, "text/plain")])
    try:
        raise RuntimeError("late failure")
    except RuntimeError:
        start_response("500 Internal Server Error", [(CONTENT_TYPE, "text/plain")], sys.exc_info())
    return [b"error"]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("actual-exact", id="actual-exact"),
        pytest.param("actual-refused", id="actual-refused"),
        pytest.param("actual-all-origins", id="actual-all-origins"),
        pytest.param("passthrough", id="passthrough"),
        pytest.param("passthrough-refused", id="passthrough-refused"),
        pytest.param("path-without-policy", id="path-without-policy"),
    ],
)
def test_exc_info_passed_through(name: str) -> None:
    scenario = SCENARIOS[name]
    server = Server()

    server.run(CORSMiddleware(_erroring_app, scenario.policy), scenario.environ())

    assert server.started[0][2] is None
    exc_info = server.started[1][2]
    assert exc_info is not None
    assert type(exc_info[1]) is RuntimeError
    assert str(exc_info[1]) == "late failure"


def test_exc_info_passed_as_same_tuple() -> None:
    given: list[Any] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            info = sys.exc_info()
            given.append(info)
            start_response("500 Internal Server Error", [(CONTENT_TYPE, "text/plain")], info)
        return [b""]

    server = Server()
    server.run(
        CORSMiddleware(app, CORSPolicy(allow_origins=[A])), environ_for("GET", "/", {ORIGIN: A})
    )

    assert server.started[0][2] is given[0]


def test_error_status_after_exc_info_is_decorated() -> None:
    server = Server()

    server.run(
        CORSMiddleware(_erroring_app, CORSPolicy(allow_origins=[A])),
        environ_for("GET", "/", {ORIGIN: A}),
    )

    status, headers, _ = server.started[1]
    assert status == "500 Internal Server Error"
    assert [v for n, v in headers if n == ACAO] == [A]


# --- header lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PLAIN_CALLING_APP)
def test_app_header_list_never_mutated(name: str) -> None:
    scenario = SCENARIOS[name]
    app = ContractApp()

    Server().run(CORSMiddleware(app, scenario.policy), scenario.environ())

    assert app.headers == app.snapshot


@pytest.mark.parametrize("name", ALL)
def test_server_mutating_headers_does_not_leak_into_next_response(name: str) -> None:
    scenario = SCENARIOS[name]
    app = flask_site() if scenario.flask else ContractApp(fresh_list=True)
    middleware = CORSMiddleware(app, scenario.policy)
    first = Server(mutate_headers=True)
    second = Server(mutate_headers=True)

    first.run(middleware, scenario.environ())
    second.run(middleware, scenario.environ())

    assert second.started[0][1] == first.started[0][1]
    assert ("X-Server", "added") not in second.started[0][1]


# --- exceptions -----------------------------------------------------------------------------


class AppFailure(Exception):
    pass


@pytest.mark.parametrize("name", PLAIN_CALLING_APP)
def test_exception_before_start_response_propagates_unchanged(name: str) -> None:
    scenario = SCENARIOS[name]
    error = AppFailure("before")

    def failing(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        raise error

    with pytest.raises(AppFailure) as excinfo:
        CORSMiddleware(failing, scenario.policy)(scenario.environ(), Server().start_response)

    assert excinfo.value is error


@pytest.mark.parametrize("name", PLAIN_CALLING_APP)
def test_exception_after_start_response_propagates_unchanged(name: str) -> None:
    scenario = SCENARIOS[name]
    error = AppFailure("after")

    def failing(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [(CONTENT_TYPE, "text/plain")])
        raise error

    with pytest.raises(AppFailure) as excinfo:
        CORSMiddleware(failing, scenario.policy)(scenario.environ(), Server().start_response)

    assert excinfo.value is error


def test_exception_while_iterating_propagates_unchanged() -> None:
    error = AppFailure("during")

    def failing(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [(CONTENT_TYPE, "text/plain")])
        yield b"partial"
        raise error

    result = CORSMiddleware(failing, CORSPolicy(allow_origins=[A]))(
        environ_for("GET", "/", {ORIGIN: A}), Server().start_response
    )

    with pytest.raises(AppFailure) as excinfo:
        list(result)
    assert excinfo.value is error
