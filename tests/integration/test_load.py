"""gunicorn (gthread, 2 workers x 4 threads) under a bounded mix of CORS traffic.

Several client threads send a fixed number of preflights and actual requests, from allowed,
look-alike and malformed origins, over keep-alive connections. Every response must carry exactly
the CORS headers the policy in ``loadapp.py`` calls for, and none may be a 5xx. The expectations
below are written out by hand from the CORS protocol (Fetch), not computed by the package under
test.
"""

from __future__ import annotations

import http.client
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from wsgicors.headers import ACAC, ACAH, ACAM, ACAO, ACEH, ACMA, ACRH, ACRM, ORIGIN, VARY

pytestmark = pytest.mark.server

HERE = Path(__file__).parent
SEED = 20240611
CLIENTS = 6
REQUESTS_PER_CLIENT = 500
DEADLINE_SECONDS = 45.0

ALLOWED_ORIGINS = (
    "https://app.example.com",
    "https://a.tenant.example.com",
    "https://x.y.tenant.example.com",
    "http://localhost",
    "http://localhost:3000",
)
DENIED_ORIGINS = (
    "https://evil.example.com",
    "https://app.example.com.evil.net",
    "https://tenant.example.com",
    "https://eviltenant.example.com",
    "http://app.example.com",
    "https://app.example.com:8443",
    "https://APP.example.com",
    "https://app.example.com, https://app.example.com",
    "https://app.example.com/",
    "null",
)
ALLOWED_METHODS = ("GET", "POST", "PUT")
PREFLIGHT_VARY = f"{ORIGIN}, {ACRM}, {ACRH}"

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: Headers
    status: int
    # Every Access-Control-* and Vary field of the response, lower-cased name first, sorted.
    cors: Headers


def cors_fields(*fields: tuple[str, str]) -> Headers:
    return tuple(sorted((name.lower(), value) for name, value in fields))


def app_vary(path: str) -> str:
    return "Accept-Encoding, Origin" if path == "/vary" else ORIGIN


def body_for(method: str) -> str | None:
    return "a=1" if method in ("POST", "PUT") else None


def actual_allowed(rng: random.Random) -> Call:
    origin = rng.choice(ALLOWED_ORIGINS)
    method = rng.choice(ALLOWED_METHODS)
    path = rng.choice(("/", "/vary", "/own-cors"))
    return Call(
        method,
        path,
        ((ORIGIN, origin),),
        200,
        cors_fields(
            (ACAO, origin), (ACAC, "true"), (ACEH, "X-Request-Id"), (VARY, app_vary(path))
        ),
    )


def actual_not_found(rng: random.Random) -> Call:
    origin = rng.choice(ALLOWED_ORIGINS)
    return Call(
        "GET",
        "/missing",
        ((ORIGIN, origin),),
        404,
        cors_fields((ACAO, origin), (ACAC, "true"), (ACEH, "X-Request-Id"), (VARY, ORIGIN)),
    )


def actual_denied_origin(rng: random.Random) -> Call:
    path = rng.choice(("/", "/vary", "/own-cors"))
    return Call(
        rng.choice(ALLOWED_METHODS),
        path,
        ((ORIGIN, rng.choice(DENIED_ORIGINS)),),
        200,
        cors_fields((VARY, app_vary(path))),
    )


def actual_without_origin(rng: random.Random) -> Call:
    path = rng.choice(("/", "/vary", "/own-cors"))
    return Call(rng.choice(ALLOWED_METHODS), path, (), 200, cors_fields((VARY, app_vary(path))))


def actual_method_not_allowed(rng: random.Random) -> Call:
    return Call(
        rng.choice(("DELETE", "PATCH")),
        "/",
        ((ORIGIN, rng.choice(ALLOWED_ORIGINS)),),
        200,
        cors_fields((VARY, ORIGIN)),
    )


def preflight_allowed(rng: random.Random) -> Call:
    origin = rng.choice(ALLOWED_ORIGINS)
    method = rng.choice(ALLOWED_METHODS)
    requested = rng.choice(("", "x-custom", "authorization", "authorization,x-custom", "X-Custom"))
    headers: Headers = ((ORIGIN, origin), (ACRM, method))
    fields = [(ACAO, origin), (ACAM, method), (ACAC, "true"), (ACMA, "600")]
    if requested:
        headers += ((ACRH, requested),)
        fields.append((ACAH, requested))
    return Call("OPTIONS", "/", headers, 204, cors_fields(*fields, (VARY, PREFLIGHT_VARY)))


def preflight_refused(headers: Headers) -> Call:
    return Call("OPTIONS", "/", headers, 403, cors_fields((VARY, PREFLIGHT_VARY)))


def preflight_denied_origin(rng: random.Random) -> Call:
    return preflight_refused(
        ((ORIGIN, rng.choice(DENIED_ORIGINS)), (ACRM, rng.choice(ALLOWED_METHODS)))
    )


def preflight_denied_method(rng: random.Random) -> Call:
    # Methods are case-sensitive: `patch` and `get` are not `PATCH` and `GET`.
    return preflight_refused(
        ((ORIGIN, rng.choice(ALLOWED_ORIGINS)), (ACRM, rng.choice(("DELETE", "patch", "get"))))
    )


def preflight_denied_header(rng: random.Random) -> Call:
    return preflight_refused(
        (
            (ORIGIN, rng.choice(ALLOWED_ORIGINS)),
            (ACRM, "PUT"),
            (ACRH, rng.choice(("x-evil", "x-custom,x-evil", "cookie"))),
        )
    )


KINDS: tuple[Callable[[random.Random], Call], ...] = (
    actual_allowed,
    actual_allowed,
    actual_not_found,
    actual_denied_origin,
    actual_without_origin,
    actual_method_not_allowed,
    preflight_allowed,
    preflight_allowed,
    preflight_denied_origin,
    preflight_denied_method,
    preflight_denied_header,
)


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    completed: int = 0
    server_errors: int = 0
    reconnects: int = 0
    mismatches: list[str] = field(default_factory=list)


GUNICORN = (
    "--worker-class",
    "gthread",
    "--workers",
    "2",
    "--threads",
    "4",
    "--graceful-timeout",
    "5",
    "--log-level",
    "warning",
    "--pythonpath",
    str(HERE),
)


@pytest.fixture(scope="module")
def gunicorn_port() -> Iterator[int]:
    # The test binds the socket and hands it over (gunicorn's fd:// address): no window in
    # which another process could take a "free" port.
    with socket.socket() as listener, tempfile.TemporaryFile() as log:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *GUNICORN,
                "--bind",
                f"fd://{listener.fileno()}",
                "loadapp:application",
            ],
            pass_fds=(listener.fileno(),),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        listener.close()
        try:
            wait_until_serving(port, process, log)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_until_serving(port: int, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    log.seek(0)
    output = log.read().decode(errors="replace")
    pytest.fail(f"gunicorn did not start serving on 127.0.0.1:{port}:\n{output}", pytrace=False)


def send(connection: http.client.HTTPConnection, call: Call) -> http.client.HTTPResponse:
    connection.request(
        call.method, call.path, body=body_for(call.method), headers=dict(call.headers)
    )
    response = connection.getresponse()
    response.read()
    return response


def client(port: int, number: int, deadline: float, tally: Tally) -> None:
    rng = random.Random(SEED + number)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(REQUESTS_PER_CLIENT):
            if time.monotonic() > deadline:
                return
            call = rng.choice(KINDS)(rng)
            try:
                response = send(connection, call)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn may close an idle keep-alive connection between two requests; a
                # request that fails twice is a real failure and propagates.
                connection.close()
                with tally.lock:
                    tally.reconnects += 1
                response = send(connection, call)
            got = cors_fields(
                *(
                    (name, value)
                    for name, value in response.getheaders()
                    if name.lower().startswith("access-control-") or name.lower() == "vary"
                )
            )
            with tally.lock:
                tally.completed += 1
                if response.status >= 500:
                    tally.server_errors += 1
                if (response.status, got) != (call.status, call.cors):
                    tally.mismatches.append(
                        f"{call.method} {call.path} {dict(call.headers)}: expected "
                        f"{call.status} {call.cors}, got {response.status} {got}"
                    )
    finally:
        connection.close()


def test_mixed_cors_load_under_gunicorn_gthread_exact_headers(gunicorn_port: int) -> None:
    tally = Tally()
    deadline = time.monotonic() + DEADLINE_SECONDS
    threads = [
        threading.Thread(target=client, args=(gunicorn_port, number, deadline, tally))
        for number in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS + 15)

    assert not any(thread.is_alive() for thread in threads)
    assert (tally.completed, tally.server_errors, tally.mismatches[:5]) == (
        CLIENTS * REQUESTS_PER_CLIENT,
        0,
        [],
    )
