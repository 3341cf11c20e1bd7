"""The ``wsgicors`` command: check a policy, explain a request, probe a server, serve an app.

``wsgicors check CONFIG``
    Validate a configuration; print the effective policy, every problem and every warning.
``wsgicors explain CONFIG --origin O [...]``
    Play a request as a browser would, through the real middleware, in-process.
``wsgicors probe URL --origin O [...]``
    The same verdict for a live server of any kind, over HTTP.
``wsgicors serve [MODULE:APP] [--config CONFIG] [--debug]``
    Run an application (by default an echo application) behind the middleware.

``explain`` and ``probe`` exit with 0 when the browser would let the page read the response,
2 when it would not, and 1 on a usage, configuration or connection error.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import io
import json
import logging
import os
import socket
import ssl
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from typing import IO, Any, NoReturn, cast
from urllib.parse import urlsplit

import attrs

from . import browser
from .browser import FetchRequest, HTTPRequest, HTTPResponse, Verdict
from .errors import PolicyError, PolicyWarning
from .headers import (
    ACAO,
    ACRH,
    ALWAYS_ALLOWED_REQUEST_HEADERS,
    MAX_ACRH_ELEMENTS,
    MAX_ACRH_LENGTH,
)
from .integrations import policy_from_json
from .middleware import CORSMiddleware
from .policy import KRAKEND_OPTIONS, CORSPolicy, read_json

__all__ = ["main"]

PROG = "wsgicors"
EXIT_ALLOWED = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 2
DEFAULT_APP = "wsgicors.debug:app"
# The most of a probed response body that is read (and then dropped): only headers matter.
_MAX_BODY = 1 << 20


class CommandError(Exception):
    """Bad input or an unreachable server: one line for stderr, exit status 1."""


class _Parser(argparse.ArgumentParser):
    # argparse exits with 2 on a usage error, but 2 means "not allowed" here (see docs/cli.md).
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


# -- output ------------------------------------------------------------------------------------


class _Style:
    """ANSI colour when writing to a terminal, and never when NO_COLOR is set or TERM=dumb."""

    def __init__(self, stream: IO[str]) -> None:
        isatty = getattr(stream, "isatty", None)
        self.enabled = (
            bool(isatty and isatty())
            and not os.environ.get("NO_COLOR")  # https://no-color.org: set and non-empty
            and os.environ.get("TERM") != "dumb"
        )

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def good(self, text: str) -> str:
        return self._wrap("1;32", text)

    def bad(self, text: str) -> str:
        return self._wrap("1;31", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


# -- loading a configuration ---------------------------------------------------------------------


@attrs.frozen
class LoadedPolicy:
    policy: CORSPolicy
    source: str
    warnings: tuple[str, ...]


def load_policy(path: str) -> LoadedPolicy:
    """Read a whole KrakenD file or a bare ``security/cors`` object.

    Raises CommandError for a file that cannot be read or parsed, PolicyError for a policy
    with problems.
    """
    try:
        config = read_json(path)
    except PolicyError as error:
        # An unreadable or malformed file is one problem: say it on one line.
        [problem] = error.problems
        raise CommandError(f"{path}: {problem.rule}; {problem.hint}") from None
    if not isinstance(config, Mapping):
        raise CommandError(
            f"{path}: the configuration is a JSON {type(config).__name__}, not an object; "
            'write a KrakenD file or a "security/cors" object such as {"allow_origins": ["*"]}'
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            policy = policy_from_json(config)
        except PolicyError as error:
            raise PolicyError(error.problems, source=path) from None
    found = tuple(str(w.message) for w in caught if issubclass(w.category, PolicyWarning))
    if "extra_config" in config:
        source = f'{path} (extra_config["security/cors"])'
    elif "security/cors" in config:
        source = f'{path} ("security/cors")'
    else:
        source = path
    return LoadedPolicy(policy, source, found)


def policy_as_json(policy: CORSPolicy) -> dict[str, object]:
    """The effective policy as a KrakenD ``security/cors`` object."""
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in ((name, getattr(policy, name)) for name in KRAKEND_OPTIONS)
    }


# -- building the request ------------------------------------------------------------------------


def _parse_header(text: str) -> tuple[str, str]:
    # Only the spaces and tabs around the ':' are syntax; fetch() itself strips no more than
    # HTTP whitespace from a value (#concept-header-value-normalize), so a no-break space stays.
    name, colon, value = text.partition(":")
    if not name.strip(" \t"):
        raise CommandError(f"--header {text!r} has no name; write 'NAME: VALUE' or 'NAME'")
    return name.strip(" \t"), value.strip(" \t") if colon else ""


@attrs.frozen
class Refused:
    """A request ``fetch()`` refuses to make: it throws a TypeError and sends nothing."""

    origin: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    credentials: bool
    rejection: browser.Rejection


def fetch_request(args: argparse.Namespace, path: str) -> FetchRequest | Refused:
    """The browser request the options describe, `Refused` when ``fetch()`` would throw, or
    CommandError naming the bad option."""
    try:
        origin = browser.parse_origin(args.origin)
    except ValueError as error:
        raise CommandError(f"--origin {error}") from None
    try:
        FetchRequest(origin, "GET", (), args.credentials, path)
    except ValueError as error:
        raise CommandError(f"--path {error}") from None
    headers = tuple(_parse_header(text) for text in args.header)
    refusal = browser.type_error(args.method, headers)
    if refusal is not None:
        return Refused(origin, args.method, path, headers, args.credentials, refusal)
    return FetchRequest(origin, args.method, headers, args.credentials, path)


# -- running requests ----------------------------------------------------------------------------


@attrs.frozen
class Exchange:
    """What happened: the preflight (if any), the actual request (if sent), the verdict."""

    request: FetchRequest
    preflight_request: HTTPRequest | None
    preflight_response: HTTPResponse | None
    preflight_body: str
    actual_request: HTTPRequest | None
    actual_response: HTTPResponse | None
    verdict: Verdict
    log: tuple[str, ...] = ()

    @property
    def engine(self) -> str:
        return self.request.engine or "webkit"


@attrs.frozen
class Outcome:
    """Each engine's exchange, in the order of `browser.ENGINES`.

    The page can read the response only if every engine lets it (``allowed``); a preflight is
    reported when any engine sends one (``preflight``): a site works for its users only when it
    works in each of their browsers.
    """

    exchanges: tuple[Exchange, ...]

    @property
    def allowed(self) -> bool:
        return all(exchange.verdict.allowed for exchange in self.exchanges)

    @property
    def preflight(self) -> bool:
        return any(exchange.verdict.preflight for exchange in self.exchanges)

    @property
    def primary(self) -> Exchange:
        """The exchange a single report shows: the first engine's that blocks, if any."""
        blocked = [e for e in self.exchanges if not e.verdict.allowed]
        return (blocked or list(self.exchanges))[0]

    def groups(self) -> list[tuple[tuple[str, ...], Exchange]]:
        """Engines that sent the same requests and decided the same way, with one exchange."""
        groups: dict[object, tuple[list[str], Exchange]] = {}
        for exchange in self.exchanges:
            verdict = exchange.verdict
            key = (
                exchange.preflight_request,
                exchange.preflight_response,
                exchange.actual_request,
                exchange.actual_response,
                verdict.allowed,
                tuple(verdict.reasons),
                verdict.readable_headers,
                verdict.notes,
            )
            groups.setdefault(key, ([], exchange))[0].append(exchange.engine)
        return [(tuple(engines), exchange) for engines, exchange in groups.values()]


# The answer to one request: the response, its body, and the middleware's log lines.
Answer = tuple[HTTPResponse, bytes, tuple[str, ...]]
Sender = Callable[[HTTPRequest], Answer]


def play(request: FetchRequest, send: Sender) -> Exchange:
    """Send what the browser sends, in its order, and decide as it does."""
    preflight_request = request.preflight_request()
    preflight_response = None
    preflight_body = b""
    log: tuple[str, ...] = ()
    if preflight_request is not None:
        preflight_response, preflight_body, log = send(preflight_request)
        rejections, _ = browser.check_preflight(request, preflight_response)
        if rejections:
            # The browser stops here: the actual request is never sent.
            verdict = browser.evaluate(request, preflight_response, None)
            return Exchange(
                request,
                preflight_request,
                preflight_response,
                _body_text(preflight_response, preflight_body),
                None,
                None,
                verdict,
                log,
            )
    actual_request = request.actual_request()
    actual_response, _, actual_log = send(actual_request)
    verdict = browser.evaluate(request, preflight_response, actual_response)
    location = actual_response.get("Location")
    if 300 <= actual_response.status < 400 and location:
        # #http-redirect-fetch: the browser checks CORS on the redirect (as above), then
        # follows it and checks the next response too.
        note = (
            f"The response redirects to {location!r}: a browser follows it and applies the "
            "CORS check there as well; run the command again for that URL."
        )
        verdict = attrs.evolve(verdict, notes=(*verdict.notes, note))
    return Exchange(
        request,
        preflight_request,
        preflight_response,
        _body_text(preflight_response, preflight_body) if preflight_response else "",
        actual_request,
        actual_response,
        verdict,
        log + actual_log,
    )


def play_engines(request: FetchRequest, send: Sender) -> Outcome:
    """`play` the request as each engine sends it; a request two engines send alike goes once."""
    answers: dict[HTTPRequest, Answer] = {}

    def send_once(message: HTTPRequest) -> Answer:
        if message not in answers:
            answers[message] = send(message)
        return answers[message]

    return Outcome(
        tuple(play(attrs.evolve(request, engine=engine), send_once) for engine in browser.ENGINES)
    )


def _body_text(response: HTTPResponse, body: bytes) -> str:
    content_type = response.get("Content-Type") or ""
    if not body or not content_type.startswith("text/plain"):
        return ""
    return body.decode("utf-8", "replace").strip()


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _captured_log(debug: bool = False) -> Iterator[_Capture]:
    """Collect the middleware's log (with ``debug``, its debug log too) instead of letting it
    reach stderr."""
    logger = logging.getLogger("wsgicors")
    capture = _Capture()
    handlers, propagate, level = logger.handlers[:], logger.propagate, logger.level
    # With a handler in place, a debug policy adds no stderr handler of its own.
    logger.handlers[:] = [capture]
    logger.propagate = False
    if debug:
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(level)


def in_process_sender(policy: CORSPolicy) -> Sender:
    """Send requests to the real middleware wrapping the echo application, without a socket."""
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    from .debug import app

    with _captured_log():
        middleware = CORSMiddleware(app, policy)

    def send(request: HTTPRequest) -> Answer:
        builder = EnvironBuilder(
            path=request.path, method=request.method, headers=list(request.headers)
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        # EnvironBuilder keeps the method as given: "patch" stays "patch", as on the wire.
        with _captured_log(policy.debug) as capture:
            app_iter, status, headers = run_wsgi_app(middleware, environ, buffered=True)
            try:
                body = b"".join(app_iter)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
        response = HTTPResponse(int(status.split(" ", 1)[0]), headers.to_wsgi_list())
        return response, body, tuple(capture.lines)

    return send


def explain(policy: CORSPolicy, request: FetchRequest) -> Outcome:
    """Play ``request`` against ``policy`` in-process, in each engine, capturing any debug log."""
    return play_engines(request, in_process_sender(policy))


class _Deadline:
    """The end of the whole probe: connecting, sending and every read share one timeout."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        # Bytes of the current answer received so far: a slow answer is not a silent server.
        self.received = 0

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the probe's time is up")
        return left


class _DeadlineReader(io.RawIOBase):
    # What http.client reads the answer through: each read may wait only for what is left of
    # the probe's time, so a server that trickles a byte at a time cannot stretch it.
    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sock, deadline = self._owner.sock, self._owner.deadline
        sock.settimeout(deadline.remaining())
        count = sock.recv_into(buffer)
        deadline.received += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._owner.reader_closed()
        super().close()


class _DeadlineSocket:
    """The few socket methods http.client uses, each bounded by the probe's deadline.

    Like a real socket, it stays open while a file made by `makefile` is: http.client closes
    the connection as soon as it has the headers of an answer that ends the connection, and
    reads the body afterwards.
    """

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock = sock
        self.deadline = deadline
        self._readers = 0
        self._closed = False

    def sendall(self, data: bytes) -> None:
        # socket.sendall applies its timeout to the whole call.
        self.sock.settimeout(self.deadline.remaining())
        self.sock.sendall(data)

    def makefile(self, mode: str, *args: object, **kwargs: object) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and not self._readers:
            self.sock.close()

    def close(self) -> None:
        self._closed = True
        if not self._readers:
            self.sock.close()


class _Connection(http.client.HTTPConnection):
    def __init__(
        self, host: str, port: int, deadline: _Deadline, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(host, port)
        self._deadline = deadline
        self._tls = tls

    def connect(self) -> None:
        sock = _connect(self.host, self.port, self._deadline)
        if self._tls is not None:
            # The handshake as a whole is bounded by the socket's timeout.
            sock.settimeout(self._deadline.remaining())
            sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        self.sock = cast(socket.socket, _DeadlineSocket(sock, self._deadline))


def _connect(host: str, port: int, deadline: _Deadline) -> socket.socket:
    """Like socket.create_connection, with every address tried within the one deadline."""
    failure: OSError = OSError(f"no address for {host!r}")
    for family, kind, protocol, _, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise
        except OSError as error:
            sock.close()
            failure = error
            continue
        return sock
    raise failure


def http_sender(url: str, timeout: float) -> tuple[Sender, str]:
    """A sender that talks HTTP to ``url``'s server, and the request path to use.

    ``timeout`` bounds everything the sender does from now on, all requests together.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(
            f"{url!r} is not an http or https URL; write it in full, e.g. "
            "'http://127.0.0.1:8080/api'"
        )
    try:
        port = parts.port
    except ValueError:
        raise CommandError(f"{url!r} has an invalid port; ports are 1 to 65535") from None
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    where = f"{host}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    tls = ssl.create_default_context() if parts.scheme == "https" else None
    deadline = _Deadline(timeout)

    def send(request: HTTPRequest) -> Answer:
        connection = _Connection(host, port, deadline, tls)
        deadline.received = 0
        answer: http.client.HTTPResponse | None = None
        try:
            connection.request(request.method, request.path, headers=dict(request.headers))
            answer = connection.getresponse()
            body = answer.read(_MAX_BODY)
            return HTTPResponse(answer.status, answer.getheaders()), body, ()
        except TimeoutError:
            if deadline.received:
                raise CommandError(
                    f"{where} did not finish its answer within {timeout:g} s (the timeout "
                    "bounds the whole probe: connecting, sending and every read); allow more "
                    "time with --timeout"
                ) from None
            raise CommandError(
                f"no answer from {where} within {timeout:g} s; check the URL, or allow more "
                "time with --timeout"
            ) from None
        except ConnectionRefusedError:
            raise CommandError(
                f"cannot connect to {where}: connection refused; is the server running?"
            ) from None
        except socket.gaierror as error:
            raise CommandError(
                f"cannot resolve the host {host!r} ({error.strerror}); check the URL"
            ) from None
        except ssl.SSLError as error:
            raise CommandError(
                f"TLS with {where} failed ({error.reason or error}); check the URL's scheme"
            ) from None
        except http.client.HTTPException as error:
            raise CommandError(
                f"{where} did not answer with valid HTTP ({type(error).__name__}); "
                "check the URL's scheme and port"
            ) from None
        except OSError as error:
            raise CommandError(
                f"cannot talk to {where}: {error.strerror or error}; check the URL"
            ) from None
        finally:
            if answer is not None:
                answer.close()
            connection.close()

    return send, path


# -- what to change in the policy -----------------------------------------------------------------


@attrs.frozen
class Diagnosis:
    """Why the policy leads to a rejection, what to change, and whether the change works."""

    causes: tuple[str, ...]
    fixes: tuple[str, ...]
    verified: bool


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items))


def _engine_list(engines: Sequence[str]) -> str:
    names = [browser.engine_name(engine) for engine in engines]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _over_header_bound(preflight: HTTPRequest | None) -> str | None:
    """The Access-Control-Request-Headers value when the middleware refuses it for its size."""
    if preflight is None:
        return None
    requested = dict(preflight.headers).get(ACRH, "")
    # The bound the middleware applies before it splits the value (see docs/security.md).
    if len(requested) > MAX_ACRH_LENGTH or requested.count(",") >= MAX_ACRH_ELEMENTS:
        return requested
    return None


def diagnose(policy: CORSPolicy, outcome: Outcome) -> Diagnosis:
    """Find the configuration change that lets the request through in every engine, and
    check that it works."""
    blocked = [exchange for exchange in outcome.exchanges if not exchange.verdict.allowed]
    request = blocked[0].request
    origin = request.origin
    causes: list[str] = []
    fixes: list[str] = []
    changes: dict[str, Any] = {}
    origins = list(policy.allow_origins)

    if not _origin_allowed(policy, request):
        causes.append(f"the origin {origin!r} is not in allow_origins {_json_list(origins)}")
        causes.extend(_near_misses(origins, origin))
        fixes.append(f"add {origin!r} to allow_origins")
        origins.append(origin)
        changes["allow_origins"] = tuple(origins)

    method = request.method
    methods = policy.allow_methods
    if method != "OPTIONS" and method not in methods and "*" not in methods:
        causes.append(f"the method {method!r} is not in allow_methods {_json_list(methods)}")
        if method.upper() in methods:
            fixes.append(
                f"methods are case-sensitive and fetch() sends {method!r} as written (it "
                f"upper-cases only DELETE GET HEAD OPTIONS POST PUT): send {method.upper()!r} "
                f"from the page, or add {method!r} to allow_methods"
            )
        else:
            fixes.append(f"add {method!r} to allow_methods")
        changes["allow_methods"] = (*methods, method)

    too_many = [e for e in blocked if _over_header_bound(e.preflight_request) is not None]
    if too_many:
        requested = _over_header_bound(too_many[0].preflight_request) or ""
        where = (
            ""
            if len(too_many) == len(outcome.exchanges)
            else f"in {_engine_list([e.engine for e in too_many])}, "
        )
        causes.append(
            f"{where}the preflight names {requested.count(',') + 1} request headers in "
            f"Access-Control-Request-Headers ({len(requested)} bytes); the middleware refuses "
            f"more than {MAX_ACRH_ELEMENTS} names or {MAX_ACRH_LENGTH} bytes as hostile, "
            "whatever allow_headers says"
        )
        fixes.append(
            f"send fewer headers from the page: at most {MAX_ACRH_ELEMENTS} that are not "
            f"CORS-safelisted, with names of at most {MAX_ACRH_LENGTH} bytes together (carry "
            "the rest in one header or in the body)"
        )

    allowed_names = {name.lower() for name in policy.allow_headers}
    if "*" not in allowed_names:
        given = {name.lower(): name for name, _ in request.sent_headers}
        unsafe = sorted({name for e in blocked for name in e.request.unsafe_header_names})
        missing = [
            given.get(name, name)
            for name in unsafe
            if name not in allowed_names and name not in ALWAYS_ALLOWED_REQUEST_HEADERS
        ]
        for name in missing:
            causes.append(
                f"the request header {name.lower()!r} is not in allow_headers "
                f"{_json_list(policy.allow_headers)}"
            )
            fixes.append(f"add {name!r} to allow_headers")
        if missing:
            changes["allow_headers"] = (*policy.allow_headers, *missing)

    if request.credentials and not policy.allow_credentials:
        causes.append(
            "the page sends credentials but allow_credentials is false, so the middleware "
            "sends no 'Access-Control-Allow-Credentials: true'"
            + (" and answers with '*'" if policy.allows_all_origins else "")
        )
        fixes.append("set allow_credentials to true")
        changes["allow_credentials"] = True
        if "*" in origins:
            fixes.append(
                f"replace '*' in allow_origins with {origin!r}: credentials never combine with '*'"
            )
            kept = tuple(o for o in origins if o != "*")
            changes["allow_origins"] = kept if origin in kept else (*kept, origin)

    if not changes:
        # Nothing in the policy explains it: say what the server must send instead.
        if not fixes:
            fixes = list(dict.fromkeys(fix for e in blocked for fix in e.verdict.fixes))
        return Diagnosis(tuple(causes), tuple(fixes), False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PolicyWarning)
            fixed = attrs.evolve(policy, **changes)
    except PolicyError as error:
        refused = [f"that change is refused: {p.rule}; {p.hint}" for p in error.problems]
        return Diagnosis(tuple(causes), (*fixes, *refused), False)
    verified = not too_many and explain(fixed, request).allowed
    return Diagnosis(tuple(causes), tuple(fixes), verified)


def _origin_allowed(policy: CORSPolicy, request: FetchRequest) -> bool:
    # Ask the middleware itself, with methods and headers opened up so that only the origin
    # can fail the preflight.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PolicyWarning)
        probe_policy = attrs.evolve(policy, allow_methods=("*",), allow_headers=("*",))
    preflight = FetchRequest(request.origin, "PUT", (), request.credentials, request.path)
    exchange = explain(probe_policy, preflight).exchanges[0]
    response = exchange.preflight_response
    # With options_passthrough the application's status stands, so only the header tells.
    return response is not None and response.get(ACAO) is not None


def _near_misses(origins: Sequence[str], origin: str) -> list[str]:
    """Entries that differ from ``origin`` in the ways people most often get wrong."""
    scheme, host = _scheme_and_host(origin)
    notes = []
    for entry in origins:
        entry_scheme, entry_host = _scheme_and_host(entry)
        if entry_host == host:
            what = "scheme" if entry_scheme != scheme else "port"
            notes.append(f"allow_origins has {entry!r}: the {what} is part of the origin")
        elif entry_host == f"*.{host}":
            notes.append(f"{entry!r} matches subdomains of {host!r} only, not {host!r} itself")
    return notes


def _scheme_and_host(origin: str) -> tuple[str, str]:
    scheme, _, authority = origin.partition("://")
    host, colon, port = authority.rpartition(":")
    if not colon or "]" in port:  # no port, or the end of an IPv6 address
        host = authority
    return scheme, host


# -- reports -------------------------------------------------------------------------------------


def _shown(text: str) -> str:
    # Values from the user or a server appear as they are when printable, else as repr(), so
    # that a control character can neither forge a line nor drive the terminal.
    return text if text.isprintable() else repr(text)


def _field_line(prefix: str, name: str, value: str) -> str:
    return f"{prefix}{_shown(name)}: {_shown(value)}"


def _message_lines(prefix: str, request: HTTPRequest) -> list[str]:
    return [f"{prefix} {request.method} {_shown(request.path)}"] + [
        _field_line(f"{prefix} ", name, value) for name, value in request.headers
    ]


def _response_lines(prefix: str, response: HTTPResponse) -> list[str]:
    return [f"{prefix} {_status_text(response.status)}"] + [
        _field_line(f"{prefix} ", name, value) for name, value in response.headers
    ]


def _request_lines(
    request: FetchRequest | Refused, style: _Style, policy_source: str | None
) -> list[str]:
    credentials = "with credentials" if request.credentials else "without credentials"
    lines = [
        style.bold(
            f"{_shown(request.method)} {request.path} from {request.origin}, {credentials}"
        ),
    ]
    if policy_source:
        lines.append(f"policy: {policy_source}")
    if request.headers:
        lines.append("headers set by the script:")
        lines += [_field_line("  ", name, value) for name, value in request.headers]
    lines.append("")
    return lines


def _triggers(exchanges: Sequence[Exchange]) -> list[str]:
    """Each engine's reasons for a preflight; one an engine of the group lacks names who has it."""
    per_engine = [(e.engine, e.request.preflight_triggers()) for e in exchanges]
    triggers: dict[str, list[str]] = {}
    for engine, found in per_engine:
        for trigger in found:
            triggers.setdefault(trigger, []).append(engine)
    return [
        trigger if len(engines) == len(per_engine) else f"in {_engine_list(engines)}: {trigger}"
        for trigger, engines in triggers.items()
    ]


def _exchange_lines(
    exchange: Exchange, members: Sequence[Exchange], style: _Style, answered_by: str
) -> list[str]:
    lines = []
    if exchange.preflight_request is None:
        lines.append(style.bold("1. Preflight: not needed") + " (a CORS-safelisted request)")
    else:
        lines.append(style.bold("1. Preflight: needed, because"))
        lines += [f"   - {trigger}" for trigger in _triggers(members)]
        lines += _message_lines("   >", exchange.preflight_request)
        if exchange.preflight_response is not None:
            lines.append(f"   {answered_by} answers:")
            lines += _response_lines("   <", exchange.preflight_response)
            if exchange.preflight_body:
                lines.append(f"   < (body) {_shown(exchange.preflight_body)}")
    lines.append("")
    if exchange.actual_request is None:
        lines.append(style.bold("2. Actual request: not sent") + " (the preflight failed)")
    else:
        lines.append(style.bold("2. Actual request"))
        lines += _message_lines("   >", exchange.actual_request)
        if exchange.actual_response is not None:
            lines.append(f"   {answered_by} answers:")
            lines += _response_lines("   <", exchange.actual_response)
    if exchange.log:
        lines.append("")
        lines.append("middleware log (debug is on):")
        lines += [f"  {line}" for line in exchange.log]
    lines.append("")
    return lines


def _cache_lines(cache: browser.PreflightCache, engines: Sequence[str]) -> list[str]:
    lifetimes = {engine: getattr(cache, engine) for engine in engines}
    if all(
        seconds == min(cache.seconds, browser.MAX_AGE_CAPS[engine])
        for engine, seconds in lifetimes.items()
    ):
        # Every engine reads the header as the standard does; only their caps differ.
        if cache.seconds == 0:
            return [f"  the preflight is not cached (Access-Control-Max-Age: {cache.header})"]
        source = "Access-Control-Max-Age" if cache.header is not None else "default"
        capped = ", ".join(
            f"{browser.engine_name(engine)} {seconds} s" for engine, seconds in lifetimes.items()
        )
        return [f"  the preflight is cached for {cache.seconds} s ({source}); capped: {capped}"]
    readings = []
    for engine in engines:
        seconds, why = browser.max_age(cache.header, engine)
        lifetime = f"{seconds} s" if seconds else "not cached"
        readings.append(f"{browser.engine_name(engine)} {lifetime} ({why})")
    return [
        f"  the engines read Access-Control-Max-Age {cache.header!r} differently: "
        + "; ".join(readings)
    ]


def _verdict_lines(
    verdict: Verdict, engines: Sequence[str] | None, style: _Style, fixes: bool
) -> list[str]:
    """ALLOWED or BLOCKED for one group of engines (None: every engine, said as "the browser")."""
    who = "the browser" if engines is None else _engine_list(engines)
    lines = []
    if verdict.allowed:
        lets = "lets" if engines is None or len(engines) == 1 else "let"
        lines.append(style.good("ALLOWED") + f": {who} {lets} the page read the response.")
        readable = ", ".join(verdict.readable_headers) or "none"
        lines.append(f"  headers the script can read: {readable}")
        if verdict.cache is not None:
            lines += _cache_lines(verdict.cache, engines or browser.ENGINES)
    else:
        does = "does" if engines is None or len(engines) == 1 else "do"
        lines.append(style.bad("BLOCKED") + f": {who} {does} not let the page read the response.")
        says = "says" if engines is None or len(engines) == 1 else "say"
        lines.append(f"  {'the browser' if engines is None else who} {says}:")
        lines += [f"  - {reason}" for reason in verdict.reasons]
        if fixes and verdict.fixes:
            lines.append("  fix:")
            lines += [f"  - {fix}" for fix in verdict.fixes]
    return lines


def _diagnosis_lines(diagnosis: Diagnosis, every_engine: bool) -> list[str]:
    lines = []
    if diagnosis.causes:
        lines.append("  because:")
        lines += [f"  - {cause}" for cause in diagnosis.causes]
    if diagnosis.fixes:
        allowed = "every engine allows the request" if every_engine else "the request is allowed"
        checked = f" (checked: with this change {allowed})" if diagnosis.verified else ""
        lines.append(f"  fix{checked}:")
        lines += [f"  - {fix}" for fix in diagnosis.fixes]
    return lines


def _notes(outcome: Outcome) -> list[str]:
    return list(dict.fromkeys(note for e in outcome.exchanges for note in e.verdict.notes))


def _summary(engines: Sequence[str], exchange: Exchange) -> str:
    preflight = exchange.preflight_request
    if preflight is None:
        sent = "no preflight"
    else:
        requested = dict(preflight.headers).get(ACRH)
        sent = "a preflight" + (f" naming {requested!r}" if requested else "")
    verdict = "allowed" if exchange.verdict.allowed else "BLOCKED"
    return f"  - {_engine_list(engines)}: {sent}; {verdict}"


def render_text(
    outcome: Outcome,
    diagnosis: Diagnosis | None,
    style: _Style,
    answered_by: str,
    policy_source: str | None = None,
) -> str:
    groups = outcome.groups()
    lines = _request_lines(outcome.primary.request, style, policy_source)
    if len(groups) == 1:
        [(_, exchange)] = groups
        lines += _exchange_lines(exchange, outcome.exchanges, style, answered_by)
        lines += _verdict_lines(exchange.verdict, None, style, diagnosis is None)
        if diagnosis is not None and not exchange.verdict.allowed:
            lines += _diagnosis_lines(diagnosis, False)
    else:
        lines.append(style.bold("The engines differ:"))
        lines += [_summary(engines, exchange) for engines, exchange in groups]
        lines.append("")
        for engines, exchange in groups:
            members = [e for e in outcome.exchanges if e.engine in engines]
            lines.append(style.bold(f"== {_engine_list(engines)} =="))
            lines += _exchange_lines(exchange, members, style, answered_by)
            lines += _verdict_lines(exchange.verdict, engines, style, diagnosis is None)
            lines.append("")
        blocked = [e.engine for e in outcome.exchanges if not e.verdict.allowed]
        if not blocked:
            lines.append(style.good("ALLOWED") + ": every engine lets the page read the response.")
        elif len(blocked) == len(outcome.exchanges):
            lines.append(style.bad("BLOCKED") + ": no engine lets the page read the response.")
        else:
            lines.append(
                style.bad("BLOCKED")
                + f" in {_engine_list(blocked)}: the page cannot read the response there."
            )
        if diagnosis is not None and blocked:
            lines += _diagnosis_lines(diagnosis, True)
        if lines[-1] == "":
            lines.pop()
    notes = _notes(outcome)
    if notes:
        lines.append("")
        lines += [style.warn(f"note: {note}") for note in notes]
    return "\n".join(lines)


def render_refused_text(refused: Refused, style: _Style, policy_source: str | None) -> str:
    lines = _request_lines(refused, style, policy_source)
    lines.append(style.bold("fetch() throws: no preflight and no request are sent"))
    lines.append("")
    lines.append(style.bad("BLOCKED") + ": the browser does not let the page read the response.")
    lines.append("  the browser says:")
    lines.append(f"  - {refused.rejection.reason}")
    lines.append("  fix:")
    lines.append(f"  - {refused.rejection.fix}")
    return "\n".join(lines)


def _http_json(message: HTTPRequest | HTTPResponse | None) -> dict[str, object] | None:
    if message is None:
        return None
    headers = [list(pair) for pair in message.headers]
    if isinstance(message, HTTPRequest):
        return {"method": message.method, "path": message.path, "headers": headers}
    return {"status": message.status, "headers": headers}


def _reasons(outcome: Outcome) -> list[str]:
    """Every engine's reasons; when the engines differ, each names the engines it holds for."""
    groups = outcome.groups()
    if len(groups) == 1:
        return groups[0][1].verdict.reasons
    return [
        f"{_engine_list(engines)}: {reason}"
        for engines, exchange in groups
        for reason in exchange.verdict.reasons
    ]


def render_json(outcome: Outcome, diagnosis: Diagnosis | None) -> str:
    exchange = outcome.primary
    verdict = exchange.verdict
    request = exchange.request
    cache = verdict.cache
    fixes = (
        list(diagnosis.fixes)
        if diagnosis
        else list(dict.fromkeys(fix for e in outcome.exchanges for fix in e.verdict.fixes))
    )
    document: dict[str, object] = {
        "preflight": outcome.preflight,
        "allowed": outcome.allowed,
        "reasons": _reasons(outcome),
        "causes": list(diagnosis.causes) if diagnosis else [],
        "fixes": fixes,
        "fix_verified": diagnosis.verified if diagnosis else False,
        "notes": _notes(outcome),
        "request": {
            "origin": request.origin,
            "method": request.method,
            "path": request.path,
            "headers": [list(pair) for pair in request.headers],
            "credentials": request.credentials,
        },
        "preflight_triggers": list(request.preflight_triggers()),
        "preflight_request": _http_json(exchange.preflight_request),
        "preflight_response": _http_json(exchange.preflight_response),
        "actual_request": _http_json(exchange.actual_request),
        "actual_response": _http_json(exchange.actual_response),
        "readable_headers": list(verdict.readable_headers),
        "preflight_cache": attrs.asdict(cache) if cache is not None else None,
        "log": list(exchange.log),
        "engines": {
            e.engine: {
                "allowed": e.verdict.allowed,
                "preflight": e.verdict.preflight,
                "reasons": e.verdict.reasons,
            }
            for e in outcome.exchanges
        },
    }
    return json.dumps(document, indent=2)


def render_refused_json(refused: Refused) -> str:
    reasons = [refused.rejection.reason]
    document: dict[str, object] = {
        "preflight": False,
        "allowed": False,
        "reasons": reasons,
        "causes": [],
        "fixes": [refused.rejection.fix],
        "fix_verified": False,
        "notes": [],
        "request": {
            "origin": refused.origin,
            "method": refused.method,
            "path": refused.path,
            "headers": [list(pair) for pair in refused.headers],
            "credentials": refused.credentials,
        },
        "preflight_triggers": [],
        "preflight_request": None,
        "preflight_response": None,
        "actual_request": None,
        "actual_response": None,
        "readable_headers": [],
        "preflight_cache": None,
        "log": [],
        "engines": {
            engine: {"allowed": False, "preflight": False, "reasons": reasons}
            for engine in browser.ENGINES
        },
    }
    return json.dumps(document, indent=2)


# -- commands ------------------------------------------------------------------------------------


def _print_warnings(messages: Sequence[str], style: _Style, stream: IO[str]) -> None:
    for message in messages:
        print(style.warn(f"warning: {message}"), file=stream)


def cmd_check(args: argparse.Namespace) -> int:
    style = _Style(sys.stdout)
    try:
        loaded = load_policy(args.config)
    except PolicyError as error:
        count = len(error.problems)
        print(style.bad(f"{args.config}: {count} problem{'s' if count != 1 else ''}"))
        for problem in error.problems:
            print(f"- {problem.option}: {problem.value!r}: {problem.rule}")
            print(f"  fix: {problem.hint}")
        return EXIT_ERROR
    print(f"effective policy from {loaded.source}:")
    print(json.dumps(policy_as_json(loaded.policy), indent=2))
    max_age = loaded.policy.max_age
    if max_age is not None and max_age > min(browser.MAX_AGE_CAPS.values()):
        caps = ", ".join(f"{name} {cap} s" for name, cap in browser.MAX_AGE_CAPS.items())
        print(f"note: max_age {max_age} s: browsers cap the preflight cache ({caps})")
    _print_warnings(loaded.warnings, style, sys.stdout)
    count = len(loaded.warnings)
    summary = f"no problems, {count} warning{'s' if count != 1 else ''}"
    print(style.good("OK") + f": {summary}")
    return EXIT_ALLOWED


def _load_for_use(config: str, style: _Style) -> LoadedPolicy:
    loaded = load_policy(config)
    _print_warnings(loaded.warnings, style, sys.stderr)
    return loaded


def cmd_explain(args: argparse.Namespace) -> int:
    style = _Style(sys.stdout)
    loaded = _load_for_use(args.config, _Style(sys.stderr))
    request = fetch_request(args, args.path)
    if isinstance(request, Refused):
        return _print_refused(request, args, style, loaded.source)
    outcome = explain(loaded.policy, request)
    diagnosis = None if outcome.allowed else diagnose(loaded.policy, outcome)
    if args.json:
        print(render_json(outcome, diagnosis))
    else:
        print(render_text(outcome, diagnosis, style, "the middleware", loaded.source))
    return EXIT_ALLOWED if outcome.allowed else EXIT_BLOCKED


def _print_refused(
    refused: Refused, args: argparse.Namespace, style: _Style, source: str | None
) -> int:
    if args.json:
        print(render_refused_json(refused))
    else:
        print(render_refused_text(refused, style, source))
    return EXIT_BLOCKED


def cmd_probe(args: argparse.Namespace) -> int:
    if not args.timeout > 0:
        raise CommandError(f"--timeout {args.timeout:g} must be more than 0 seconds")
    send, path = http_sender(args.url, args.timeout)
    request = fetch_request(args, path)
    if isinstance(request, Refused):
        return _print_refused(request, args, _Style(sys.stdout), None)
    outcome = play_engines(request, send)
    if args.json:
        print(render_json(outcome, None))
    else:
        print(render_text(outcome, None, _Style(sys.stdout), "the server"))
    return EXIT_ALLOWED if outcome.allowed else EXIT_BLOCKED


def load_app(reference: str) -> Any:
    """Import ``MODULE:APP`` (APP may be dotted), from the current directory like gunicorn."""
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise CommandError(
            f"{reference!r} is not MODULE:APP; write e.g. 'myproject.wsgi:application'"
        )
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise CommandError(
            f"cannot import {module_name!r} ({error}); run from the project's directory or "
            "set PYTHONPATH"
        ) from None
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CommandError(
                f"{module_name!r} has no attribute {attribute!r}; name the WSGI application "
                "object, e.g. 'app' or 'application'"
            ) from None
    if not callable(target):
        raise CommandError(f"{reference!r} is not a WSGI application (it is not callable)")
    return target


def cmd_serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port} is not a port number (0 to 65535)")
    reference = args.app or DEFAULT_APP
    app = load_app(reference)
    if args.config:
        loaded = _load_for_use(args.config, _Style(sys.stderr))
        policy, source = loaded.policy, loaded.source
    else:
        policy, source = CORSPolicy(), "the defaults (every origin; GET, HEAD, POST)"
    debug = ""
    if args.debug:
        with warnings.catch_warnings():
            # The policy's warnings, if any, were printed when it was loaded.
            warnings.simplefilter("ignore", PolicyWarning)
            policy = attrs.evolve(policy, debug=True)
        debug = ", debug on (every CORS decision is logged here)"
    print(
        f"{PROG}: serving {reference} with the CORS policy from {source}{debug}", file=sys.stderr
    )
    if reference == DEFAULT_APP:
        # The README's first probe: a JSON PUT, which the default policy refuses.
        print(
            f"{PROG}: every response is the request as JSON; try: wsgicors probe "
            f"http://{args.host}:{args.port or 'PORT'}/ --origin https://app.example.com "
            "--method PUT --header 'Content-Type: application/json'",
            file=sys.stderr,
        )
    sys.stderr.flush()
    run_simple(args.host, args.port, CORSMiddleware(app, policy), threaded=True)
    return EXIT_ALLOWED


# -- argument parsing ----------------------------------------------------------------------------


def _add_request_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--origin",
        required=True,
        help="the origin of the page that sends the request, e.g. https://app.example.com",
    )
    parser.add_argument(
        "--method",
        default="GET",
        help="the method the page's fetch() uses (default: GET); fetch() upper-cases only "
        "DELETE GET HEAD OPTIONS POST PUT",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME[: VALUE]'",
        help="a header the page's script sets; repeat for more. NAME alone sends an empty "
        "value. Forbidden headers (Cookie, Origin, Sec-*, ...) are dropped as a browser does",
    )
    parser.add_argument(
        "--credentials",
        action="store_true",
        help="send with credentials: 'include' (cookies, HTTP authentication)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of a report"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Check CORS policies, explain what a browser does with a request, probe "
        "a live server, and serve an application behind the middleware.",
        epilog="explain and probe exit with 0 when the browser would let the page read the "
        "response, 2 when it would not, and 1 on a usage, configuration or connection error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    config_help = (
        'a JSON file: a whole KrakenD configuration (its extra_config["security/cors"]) or a '
        "bare security/cors object"
    )
    check = commands.add_parser(
        "check",
        help="validate a configuration and print the effective policy",
        description="Validate a configuration: print the effective policy, every problem with "
        "its fix, and every warning. Exit status 1 when there are problems.",
    )
    check.add_argument("config", metavar="CONFIG", help=config_help)
    check.set_defaults(handler=cmd_check)

    explain_parser = commands.add_parser(
        "explain",
        help="play a request as a browser would, through the middleware in-process",
        description="Play a cross-origin fetch() as a browser would: does it need a preflight, "
        "what does the middleware answer, does the browser accept it, and if not, why and "
        "what to change in the configuration.",
    )
    explain_parser.add_argument("config", metavar="CONFIG", help=config_help)
    _add_request_options(explain_parser)
    explain_parser.add_argument(
        "--path", default="/", help="the request's path and query (default: /)"
    )
    explain_parser.set_defaults(handler=cmd_explain)

    probe = commands.add_parser(
        "probe",
        help="the same verdict for a live server, over HTTP",
        description="Send the preflight (when a browser would) and the request to a live "
        "server of any kind, and decide as a browser would. The actual request is sent with "
        "its method once the preflight passes, as a browser does: probe a URL where that is "
        "harmless.",
    )
    probe.add_argument("url", metavar="URL", help="the URL the page fetches")
    _add_request_options(probe)
    probe.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds to wait for each answer (default: 10)",
    )
    probe.set_defaults(handler=cmd_probe)

    serve = commands.add_parser(
        "serve",
        help="run an application behind the middleware on werkzeug's development server",
        description="Run a WSGI application wrapped in the CORS middleware on werkzeug's "
        "development server. With no application, an echo application answers every request "
        "with the request it received, as JSON. Not for production.",
    )
    serve.add_argument(
        "app",
        nargs="?",
        metavar="MODULE:APP",
        help=f"the WSGI application to wrap (default: {DEFAULT_APP}, the echo application)",
    )
    serve.add_argument("--config", metavar="CONFIG", help=f"{config_help} (default: defaults)")
    serve.add_argument(
        "--debug",
        action="store_true",
        help="turn the policy's debug on: log every CORS decision to stderr, and say in the body "
        "of a failed preflight why it failed",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8080, help="port to bind; 0 picks a free one (default: 8080)"
    )
    serve.set_defaults(handler=cmd_serve)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wsgicors")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        # --help, --version and usage errors; keep main() usable in-process.
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return handler(args)
    except CommandError as error:
        return _error(str(error))
    except PolicyError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`wsgicors explain ... | head`): stop quietly, and keep the
        # interpreter from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
