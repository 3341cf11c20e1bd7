"""Servers, recorders and the in-page ``fetch()`` used by the real-browser suite.

The browsers sit behind one small interface, :class:`Engine` (load a URL, evaluate a JavaScript
expression and get its JSON value back, read the console): Chromium through selenium and
chromedriver (:class:`Browser`), Firefox ESR over WebDriver BiDi
(:class:`tests.browser.firefox.Firefox`), WebKitGTK through selenium and ``WebKitWebDriver``
under Xvfb (:class:`tests.browser.webkit.WebKit`). Everything a scenario does in the page, it
does through :meth:`Engine.evaluate`, so it runs alike in the three.

Two origins on loopback: a page server (a tiny WSGI app serving an empty HTML page) and an API
server (a Flask app inside :class:`wsgicors.CORSMiddleware`). Both bind ``127.0.0.1``; the page is
loaded under several host names (``127.0.0.1``, ``localhost``, ``app.localhost``, ...) because
Chromium resolves ``localhost`` and every ``*.localhost`` name to loopback, which gives distinct
origins, same-site and cross-site, without DNS.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, Response, request, stream_with_context
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from wsgicors import CORSMiddleware, CORSPolicy

from .firefox import ScriptError

if TYPE_CHECKING:
    # wsgiref.types exists from Python 3.11 on; annotations are strings here.
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

PolicySpec = CORSPolicy | Mapping[str, CORSPolicy | None] | None

# Where each engine is looked for: the distribution's paths first (Debian's real binaries, not
# the shell wrappers in /usr/bin), then the PATH.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "chromedriver")
FIREFOX_CANDIDATES = ("/usr/lib/firefox-esr/firefox-esr", "firefox-esr", "firefox")
WEBKIT_DRIVER_CANDIDATES = ("/usr/bin/WebKitWebDriver", "WebKitWebDriver")
WEBKIT_CANDIDATES = (
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/libexec/webkit2gtk-4.1/MiniBrowser",
    "MiniBrowser",
)
XVFB_CANDIDATES = ("/usr/bin/Xvfb", "Xvfb")
INSTALL_HINT = (
    "the browser suite needs Debian's browsers: apt-get install --no-install-recommends "
    "chromium chromium-driver firefox-esr webkit2gtk-driver xvfb (or run "
    ".ci/install-browser.sh)"
)
# What each engine's fetch() rejects with when the CORS check fails (Fetch #concept-network-
# error turns into a TypeError; the message is the engine's own).
BLOCKED_ERRORS = {
    "chromium": "TypeError: Failed to fetch",
    "firefox": "TypeError: NetworkError when attempting to fetch resource.",
    "webkit": "TypeError: Load failed",
}


def locate(candidates: Iterable[str]) -> str | None:
    """The first candidate (an absolute path, or a name looked up on PATH) that is executable."""
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    return None


# The flags the project's CI uses; without the networking ones Chromium tries to reach the
# internet at start-up.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Debian's wrapper adds this when /dev/shm is small; the suite runs the real binary.
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

SESSION_COOKIE = "sid=browser-suite"

PAGE_HTML = (
    b"<!doctype html><html><head><meta charset=utf-8>"
    b"<link rel=icon href='data:,'><title>wsgicors browser suite</title></head>"
    b"<body></body></html>"
)

# Runs inside the page (or the sandboxed frame). Resolves with what the script can observe and
# nothing more: the filtered response (status, body, the headers `response.headers` lets it
# read) or the TypeError a CORS failure turns into (Fetch #concept-network-error).
FETCH_FUNCTION = """
async function wsgicorsFetch([url, init]) {
  try {
    const response = await fetch(url, init);
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    return {kind: "response", status: response.status, body: await response.text(), headers};
  } catch (error) {
    return {kind: "error", name: error.name, message: error.message};
  }
}
"""

# A frame sandboxed without `allow-same-origin` has an opaque origin, which every engine
# serialises as `Origin: null` (HTML #sandboxing, Fetch #serializing-a-request-origin). The
# frame runs the fetch it is sent by postMessage and posts the result back.
SANDBOX_FRAME = (
    "<!doctype html><title>sandboxed</title><script>"
    + FETCH_FUNCTION
    + "onmessage = async (event) => parent.postMessage(await wsgicorsFetch(event.data), '*');"
    + "</script>"
)
SANDBOX_SCRIPT = """new Promise((resolve) => {
  const frame = document.createElement("iframe");
  frame.id = "sandbox";
  frame.sandbox = "allow-scripts";
  frame.srcdoc = %s;
  frame.onload = () => resolve(true);
  document.body.appendChild(frame);
})"""
SANDBOX_FETCH = """new Promise((resolve) => {
  addEventListener("message", (event) => resolve(event.data), {once: true});
  document.getElementById("sandbox").contentWindow.postMessage(%s, "*");
})"""


def fetch_expression(url: str, init: Mapping[str, Any]) -> str:
    """A JavaScript expression that fetches ``url`` and evaluates to what the page observes."""
    return f"(({FETCH_FUNCTION}))({json.dumps([url, dict(init)])})"


@dataclass(frozen=True)
class Seen:
    """One request as it arrived at a recording layer."""

    method: str
    path: str
    origin: str | None
    request_method: str | None
    request_headers: str | None
    cookie: str | None

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.origin is not None and bool(self.request_method)


class Recorder:
    """A WSGI layer that records every request before handing it to ``app``."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._seen: list[Seen] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        seen = Seen(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO", ""),
            origin=environ.get("HTTP_ORIGIN"),
            request_method=environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            request_headers=environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            cookie=environ.get("HTTP_COOKIE"),
        )
        with self._lock:
            self._seen.append(seen)
        return self.app(environ, start_response)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)


def page_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != "/":
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE_HTML)))],
    )
    return [PAGE_HTML]


ECHO_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
ECHO_PATHS = ("/echo", "/api/echo", "/public/echo", "/admin/echo", "/apix/echo")


def _echo() -> Response:
    environ = request.environ
    # The raw method, not Flask's upper-cased `request.method`: `fetch` sends `patch` as-is.
    parts = [f"{environ['REQUEST_METHOD']} {request.path}"]
    cookie = request.headers.get("Cookie")
    if cookie:
        parts.append(f"cookie={cookie}")
    for name in ("X-Custom", "Authorization"):
        value = request.headers.get(name)
        if value:
            parts.append(f"{name.lower()}={value}")
    data = request.get_data(as_text=True)
    if data:
        parts.append(f"body={data}")
    response = Response("; ".join(parts), mimetype="text/plain")
    response.headers["X-Visible"] = "yes"
    response.headers["X-Hidden"] = "secret"
    return response


def _manual_options() -> Response:
    return Response(f"{request.environ['REQUEST_METHOD']} /manual-options", mimetype="text/plain")


def _own_cors() -> Response:
    response = Response("own cors", mimetype="text/plain")
    # Everything an app gets wrong when it also tries to do CORS itself.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Expose-Headers"] = "X-Hidden"
    response.headers["Access-Control-Allow-Methods"] = "DELETE"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["X-Visible"] = "yes"
    response.headers["X-Hidden"] = "secret"
    return response


def _stream() -> Response:
    def chunks() -> Iterator[str]:
        for number in (1, 2, 3):
            yield f"chunk {number}\n"

    return Response(stream_with_context(chunks()), mimetype="text/plain")


def _boom() -> Response:
    raise RuntimeError("the API failed on purpose")


def _set_cookie() -> Response:
    response = Response("cookie set", mimetype="text/plain")
    name, value = SESSION_COOKIE.split("=")
    response.set_cookie(name, value, path="/", samesite="Lax", httponly=True)
    return response


def make_api_app() -> Flask:
    app = Flask("wsgicors_browser_api")
    for path in ECHO_PATHS:
        app.add_url_rule(path, endpoint=path, view_func=_echo, methods=ECHO_METHODS)
    # No automatic OPTIONS from Flask here, so who answers OPTIONS is visible.
    app.add_url_rule(
        "/manual-options",
        view_func=_manual_options,
        methods=["GET", "PUT"],
        provide_automatic_options=False,
    )
    app.add_url_rule("/own-cors", view_func=_own_cors)
    app.add_url_rule("/stream", view_func=_stream)
    app.add_url_rule("/boom", view_func=_boom)
    app.add_url_rule("/set-cookie", view_func=_set_cookie)
    app.register_error_handler(404, lambda _: Response("no such path", 404, mimetype="text/plain"))
    app.register_error_handler(
        405, lambda _: Response("method not allowed", 405, mimetype="text/plain")
    )
    app.register_error_handler(500, lambda _: Response("server error", 500, mimetype="text/plain"))
    # The deliberate RuntimeError in /boom is not news.
    app.logger.disabled = True
    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ServerThread:
    """A werkzeug server on a free 127.0.0.1 port, serving from a daemon thread."""

    def __init__(self, app: WSGIApplication) -> None:
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
        )
        self.port: int = self.server.server_port
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


class Api:
    """The API origin: ``outer`` recorder -> CORS middleware -> ``inner`` recorder -> Flask."""

    def __init__(self) -> None:
        self.flask_app = make_api_app()
        self.inner = Recorder(self.flask_app)
        # The recorder hides Flask's url_map, so name the router auto_options should read.
        self.middleware = CORSMiddleware(self.inner, router=self.flask_app)
        self.outer = Recorder(self.middleware)
        self.server = ServerThread(self.outer)
        self.port = self.server.port

    def install(self, policy: PolicySpec) -> None:
        """Swap the policy in place (an atomic swap): the server keeps running."""
        self.middleware.policy = policy

    def clear(self) -> None:
        self.outer.clear()
        self.inner.clear()

    @property
    def preflights(self) -> list[Seen]:
        return [seen for seen in self.outer.seen if seen.is_preflight]

    @property
    def app_methods(self) -> tuple[str, ...]:
        return tuple(seen.method for seen in self.inner.seen)

    def stop(self) -> None:
        self.server.stop()


class Engine(Protocol):
    """What a scenario needs from a browser, whichever engine it is.

    ``open`` loads a URL in the one tab; ``evaluate`` runs a JavaScript expression there, awaits
    it when it is a promise, and returns its value passed through ``JSON.stringify`` and parsed
    back, or raises :class:`ScriptError` when it throws or rejects. ``console`` returns the
    console messages the browser printed since it was last called, or None when the engine's
    driver does not expose them.
    """

    name: str
    version: str

    def open(self, url: str) -> None: ...

    def evaluate(self, expression: str) -> Any: ...

    def console(self) -> list[str] | None: ...

    def quit(self) -> None: ...


# `arguments[0]` is the expression's source; the last argument is WebDriver's callback.
EVALUATE_SCRIPT = """
const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (0, eval)(arguments[0])).then(
  (value) => done({value: JSON.stringify(value)}),
  (error) => done({error: String(error)}),
);
"""


def evaluate_with_webdriver(driver: Any, expression: str) -> Any:
    """`Engine.evaluate` for a classic WebDriver session (chromedriver, WebKitWebDriver)."""
    result = driver.execute_async_script(EVALUATE_SCRIPT, expression)
    if "error" in result:
        raise ScriptError(f"script threw: {result['error']}")
    if result.get("value") is None:
        raise ScriptError(f"the expression has no JSON value: {expression[:80]!r}")
    return json.loads(result["value"])


class Browser:
    """One headless Chromium for the whole session, with its own throw-away profile."""

    name = "chromium"

    def __init__(self, binary: str, driver: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="wsgicors-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        # The console, as the driver's "browser" log.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # An explicit driver path keeps selenium-manager from looking for (or fetching) one. The
        # driver leads a process group of its own, with Chromium in it, for `quit` to kill.
        service = Service(driver, popen_kw={"start_new_session": True})
        self.driver = webdriver.Chrome(service=service, options=options)
        self._group: int = service.process.pid
        self.driver.set_script_timeout(20)
        self.driver.set_page_load_timeout(20)
        self.version: str = self.driver.capabilities.get("browserVersion", "unknown")

    def open(self, url: str) -> None:
        self.driver.get(url)

    def evaluate(self, expression: str) -> Any:
        return evaluate_with_webdriver(self.driver, expression)

    def console(self) -> list[str]:
        # Each entry's message is "<source URL> - <text>" or "<source URL> <line>:<column>
        # <text>"; DevTools shows the text alone.
        messages = []
        for entry in self.driver.get_log("browser"):
            _, _, text = entry["message"].partition(" ")
            position, _, rest = text.partition(" ")
            messages.append(rest if position == "-" or position[:1].isdigit() else text)
        return messages

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._group, signal.SIGKILL)
            shutil.rmtree(self.profile, ignore_errors=True)


class Lab:
    """One engine, the two page servers and the API, shared by the tests of one engine."""

    def __init__(self, browser: Engine, api: Api, ports: Mapping[str, int]) -> None:
        self.browser = browser
        self.engine = browser.name
        self.api = api
        self.ports = dict(ports)
        self._runs = 0
        self._location: str | None = None

    def page_url(self, host: str = "127.0.0.1", port: str = "P") -> str:
        return f"http://{host}:{self.ports[port]}/"

    def open(self, url: str, *, sandboxed: bool = False) -> None:
        """Load ``url`` (unless it is loaded); with ``sandboxed``, fetch from a sandboxed frame."""
        location = f"{url} sandboxed" if sandboxed else url
        if location == self._location:
            return
        self._location = None
        self.browser.open(url)
        if sandboxed:
            self.browser.evaluate(SANDBOX_SCRIPT % json.dumps(SANDBOX_FRAME))
        self._location = location

    def open_page(self, host: str = "127.0.0.1", port: str = "P") -> None:
        """Load the page; the host ``null`` means a sandboxed frame in the 127.0.0.1 page."""
        if host == "null":
            self.open(self.page_url("127.0.0.1", port), sandboxed=True)
        else:
            self.open(self.page_url(host, port))

    def new_run(self) -> str:
        """A query string unique in this session, shared by the fetches of one test.

        The preflight and HTTP caches are keyed by URL; a fresh query per test keeps one test's
        cached answers out of the next, while fetches within a test share them.
        """
        self._runs += 1
        return f"run={self._runs}"

    def api_url(self, path: str, query: str) -> str:
        return f"http://127.0.0.1:{self.api.port}{path}?{query}"

    def set_session_cookie(self) -> None:
        """Store the API origin's cookie the way a real login would: a top-level visit.

        The echo at the API origin, visited next, shows the cookie came back.
        """
        self.open(f"http://127.0.0.1:{self.api.port}/set-cookie")
        self.open(f"http://127.0.0.1:{self.api.port}/echo")
        echoed = self.browser.evaluate("document.body.textContent")
        if f"cookie={SESSION_COOKIE}" not in echoed:
            raise RuntimeError(f"{self.engine} did not store the session cookie: {echoed!r}")

    def fetch_url(self, url: str, init: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``fetch(url, init)`` in the page (or sandboxed frame) last opened."""
        if self._location is not None and self._location.endswith(" sandboxed"):
            expression = SANDBOX_FETCH % json.dumps([url, dict(init)])
        else:
            expression = fetch_expression(url, init)
        result: dict[str, Any] = self.browser.evaluate(expression)
        return result

    def fetch(self, path: str, query: str, init: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``fetch(<api><path>?<query>, init)`` in the page last opened."""
        return self.fetch_url(self.api_url(path, query), init)


@dataclass(frozen=True)
class Script:
    """Raw answers for the scripted server: the preflight's and the actual request's."""

    preflight_status: int
    preflight_headers: tuple[tuple[str, str], ...]
    actual_headers: tuple[tuple[str, str], ...]


class ScriptedApi:
    """An origin that answers with hand-written CORS headers, no middleware involved.

    It shows the browsers responses the middleware never sends (``*`` lists, duplicate fields,
    wrong case), so the browser model in ``wsgicors.tools.browser`` can be held to them too.
    """

    BODY = b"scripted"

    def __init__(self) -> None:
        self.script = Script(204, (), ())
        self.recorder = Recorder(self._app)
        self.server = ServerThread(self.recorder)
        self.port = self.server.port

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        script = self.script
        if environ["REQUEST_METHOD"] == "OPTIONS" and environ.get(
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
        ):
            start_response(f"{script.preflight_status} Preflight", list(script.preflight_headers))
            return []
        start_response("200 OK", list(script.actual_headers))
        return [self.BODY]

    def url(self, query: str) -> str:
        return f"http://127.0.0.1:{self.port}/scripted?{query}"

    def stop(self) -> None:
        self.server.stop()
