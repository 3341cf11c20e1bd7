"""Sending what a browser sends, and the browser's verdict on what comes back.

A request is played as each engine plays it (`play_engines`): the preflight when the engine
sends one, then the actual request unless the preflight failed. The answers come from a
sender: `in_process_sender` runs the real middleware around the echo application without a
socket (``wsgicors explain``); `http_sender` talks HTTP to a live server of any kind, every
step bounded by one deadline (``wsgicors probe``).
"""

from __future__ import annotations

import http.client
import io
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import attrs

from ..middleware import CORSMiddleware, PolicySpec
from . import ToolError
from .browser import (
    ENGINES,
    FetchRequest,
    HTTPRequest,
    HTTPResponse,
    Verdict,
    check_preflight,
    evaluate,
)
from .echo import app

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

__all__ = [
    "Answer",
    "Exchange",
    "Outcome",
    "Sender",
    "environ_of",
    "explain",
    "http_sender",
    "in_process_sender",
    "play",
    "play_engines",
]

# The most of a probed response body that is read (and then dropped): only headers matter.
_MAX_BODY = 1 << 20


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
        rejections, _ = check_preflight(request, preflight_response)
        if rejections:
            # The browser stops here: the actual request is never sent.
            verdict = evaluate(request, preflight_response, None)
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
    verdict = evaluate(request, preflight_response, actual_response)
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
        tuple(play(attrs.evolve(request, engine=engine), send_once) for engine in ENGINES)
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


def environ_of(request: HTTPRequest) -> WSGIEnvironment:
    """The WSGI environ a server builds for ``request`` (PEP 3333), without a socket."""
    from werkzeug.test import EnvironBuilder

    # EnvironBuilder keeps the method as given: "patch" stays "patch", as on the wire.
    builder = EnvironBuilder(
        path=request.path, method=request.method, headers=list(request.headers)
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def in_process_sender(policy: PolicySpec) -> Sender:
    """Send requests to the real middleware wrapping the echo application, without a socket."""
    from werkzeug.test import run_wsgi_app

    with _captured_log():
        middleware = CORSMiddleware(app, policy)
    debug = _debug(policy)

    def send(request: HTTPRequest) -> Answer:
        environ = environ_of(request)
        with _captured_log(debug) as capture:
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


def _debug(policy: PolicySpec) -> bool:
    if isinstance(policy, Mapping):
        return any(scoped is not None and scoped.debug for scoped in policy.values())
    return policy is not None and policy.debug


def explain(policy: PolicySpec, request: FetchRequest) -> Outcome:
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
        raise ToolError(
            f"{url!r} is not an http or https URL; write it in full, e.g. "
            "'http://127.0.0.1:8080/api'"
        )
    try:
        port = parts.port
    except ValueError:
        raise ToolError(f"{url!r} has an invalid port; ports are 1 to 65535") from None
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
                raise ToolError(
                    f"{where} did not finish its answer within {timeout:g} s (the timeout "
                    "bounds the whole probe: connecting, sending and every read); allow more "
                    "time with --timeout"
                ) from None
            raise ToolError(
                f"no answer from {where} within {timeout:g} s; check the URL, or allow more "
                "time with --timeout"
            ) from None
        except ConnectionRefusedError:
            raise ToolError(
                f"cannot connect to {where}: connection refused; is the server running?"
            ) from None
        except socket.gaierror as error:
            raise ToolError(
                f"cannot resolve the host {host!r} ({error.strerror}); check the URL"
            ) from None
        except ssl.SSLError as error:
            raise ToolError(
                f"TLS with {where} failed ({error.reason or error}); check the URL's scheme"
            ) from None
        except http.client.HTTPException as error:
            raise ToolError(
                f"{where} did not answer with valid HTTP ({type(error).__name__}); "
                "check the URL's scheme and port"
            ) from None
        except OSError as error:
            raise ToolError(
                f"cannot talk to {where}: {error.strerror or error}; check the URL"
            ) from None
        finally:
            if answer is not None:
                answer.close()
            connection.close()

    return send, path
