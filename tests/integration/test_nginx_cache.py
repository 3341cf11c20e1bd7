"""A real shared cache in front: nginx ``proxy_cache`` before gunicorn and the middleware.

A response whose ``Access-Control-Allow-Origin`` depends on the request's ``Origin`` carries
``Vary: Origin`` (Fetch #cors-protocol-and-http-caches), so a shared cache keeps one copy per
origin and never hands origin A's answer to origin B, nor to a request without ``Origin``. An
all-origins policy answers ``*`` whatever the origin, so one cached copy serves everyone. The
planted bug (a layer that strips ``Vary`` after the middleware) shows the cache test can fail.

nginx runs as a child process with a configuration in ``tmp_path`` (``daemon off``; its pid,
logs, temporary files and cache all there) on a free 127.0.0.1 port; ``X-Cache-Status`` says
whether nginx answered from its cache (``HIT``) or asked gunicorn (``MISS``).
"""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wsgicors import CORSMiddleware, CORSPolicy

sys.path.insert(0, str(Path(__file__).parent))
from test_gunicorn import Server, environment, free_port, gunicorn

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

pytestmark = pytest.mark.server

NGINX_CANDIDATES = ("/usr/sbin/nginx", "nginx")
A = "https://a.example"
B = "https://b.example"
START_TIMEOUT = 20.0
POLICY_VARIABLE = "WSGICORS_NGINX_POLICY"


# --- the application gunicorn serves (imported by the workers as test_nginx_cache:app) ----------


def _resource(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = f"resource {environ.get('PATH_INFO', '/')}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _strip_vary(app: WSGIApplication) -> WSGIApplication:
    """The planted bug: a layer after the middleware that drops ``Vary``."""

    def stripped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def strip(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> object:
            kept = [(name, value) for name, value in headers if name.lower() != "vary"]
            return start_response(status, kept, exc_info)  # type: ignore[arg-type]

        return app(environ, strip)  # type: ignore[arg-type]

    return stripped


EXACT = CORSPolicy(allow_origins=[A, B], allow_credentials=True, allow_methods=["GET", "PUT"])
POLICIES: dict[str, WSGIApplication] = {
    "exact": CORSMiddleware(_resource, EXACT),
    "all": CORSMiddleware(_resource, CORSPolicy(allow_methods=["GET", "PUT"], max_age=600)),
    "exact-without-vary": _strip_vary(CORSMiddleware(_resource, EXACT)),
}


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return POLICIES[os.environ[POLICY_VARIABLE]](environ, start_response)


# --- nginx ----------------------------------------------------------------------------------

NGINX_CONF = """
daemon off;
{user}master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    proxy_cache_path {tmp}/cache keys_zone=wsgicors:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_cache wsgicors;
            proxy_cache_valid 200 10m;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def _nginx() -> str:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    message = (
        f"nginx not found ({' or '.join(NGINX_CANDIDATES)}); apt-get install "
        "--no-install-recommends nginx (or run .ci/install-browser.sh)"
    )
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class Nginx:
    def __init__(self, binary: str, upstream: int, tmp: Path) -> None:
        self.port = free_port()
        conf = tmp / "nginx.conf"
        # Run as root, nginx's workers would switch to an unprivileged user that cannot write
        # to tmp_path; keep them as whoever runs the tests.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
        conf.write_text(
            NGINX_CONF.format(
                tmp=tmp, port=self.port, upstream=upstream, user=user if os.geteuid() == 0 else ""
            )
        )
        self.log = tmp / "error.log"
        self.process = subprocess.Popen(
            [binary, "-p", str(tmp), "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nginx exited with {self.process.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"nginx did not listen within {START_TIMEOUT}s: {self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"

    def request(
        self, method: str, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, {name.lower(): value for name, value in response.getheaders()}
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            with_group = os.getpgid(self.process.pid)
            os.killpg(with_group, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(with_group, signal.SIGKILL)
                self.process.wait(timeout=5)


Stack = tuple[Nginx, Server]


def _stack(policy: str, tmp: Path) -> Iterator[Nginx]:
    binary = _nginx()
    upstream = free_port()
    argv = gunicorn(
        "--bind",
        f"127.0.0.1:{upstream}",
        "--workers",
        "1",
        "--pythonpath",
        str(Path(__file__).parent),
        "test_nginx_cache:app",
    )
    server = Server(argv, upstream, tmp / "gunicorn.log", environment({POLICY_VARIABLE: policy}))
    try:
        nginx = Nginx(binary, upstream, tmp)
        try:
            yield nginx
        finally:
            nginx.stop()
    finally:
        server.stop()


@pytest.fixture
def exact(tmp_path: Path) -> Iterator[Nginx]:
    yield from _stack("exact", tmp_path)


@pytest.fixture
def allow_all(tmp_path: Path) -> Iterator[Nginx]:
    yield from _stack("all", tmp_path)


@pytest.fixture
def without_vary(tmp_path: Path) -> Iterator[Nginx]:
    yield from _stack("exact-without-vary", tmp_path)


def replay(nginx: Nginx, path: str) -> list[tuple[str | None, str | None, str | None]]:
    """GET ``path`` from A, A again, B, and without Origin: (cache status, ACAO, ACAC) each."""
    seen = []
    for origin in (A, A, B, None):
        headers = {"Origin": origin} if origin else {}
        status, response = nginx.request("GET", path, headers)
        assert status == 200
        seen.append(
            (
                response.get("x-cache-status"),
                response.get("access-control-allow-origin"),
                response.get("access-control-allow-credentials"),
            )
        )
    return seen


def test_credentialed_exact_origin_answers_cached_per_origin(exact: Nginx) -> None:
    assert replay(exact, "/items/1") == [
        ("MISS", A, "true"),
        ("HIT", A, "true"),
        ("MISS", B, "true"),
        ("MISS", None, None),
    ]


def test_all_origins_star_answer_served_from_cache_to_everyone(allow_all: Nginx) -> None:
    assert replay(allow_all, "/items/1") == [
        ("MISS", "*", None),
        ("HIT", "*", None),
        ("HIT", "*", None),
        ("HIT", "*", None),
    ]


def test_missing_vary_lets_cache_serve_a_answer_to_b(without_vary: Nginx) -> None:
    # The planted bug is caught: without Vary the cache hands A's answer to B and to a request
    # without Origin, which the test above would fail on.
    assert replay(without_vary, "/items/1") == [
        ("MISS", A, "true"),
        ("HIT", A, "true"),
        ("HIT", A, "true"),
        ("HIT", A, "true"),
    ]


@pytest.mark.parametrize("stack", ["exact", "allow_all"])
def test_preflights_pass_through_uncached_with_max_age(
    request: pytest.FixtureRequest, stack: str
) -> None:
    # nginx caches GET and HEAD only (proxy_cache_methods): every preflight reaches the
    # middleware, and its Access-Control-Max-Age reaches the browser, whose own preflight
    # cache is the one that honours it (Fetch #cors-preflight-cache).
    nginx: Nginx = request.getfixturevalue(stack)
    answers = []
    for origin in (A, A, B):
        status, response = nginx.request(
            "OPTIONS", "/items/1", {"Origin": origin, "Access-Control-Request-Method": "PUT"}
        )
        answers.append(
            (
                status,
                response.get("x-cache-status"),
                response.get("access-control-allow-origin"),
                response.get("access-control-max-age"),
            )
        )
    expected_origin = {"exact": [A, A, B], "allow_all": ["*", "*", "*"]}[stack]
    max_age = {"exact": None, "allow_all": "600"}[stack]
    assert answers == [(204, None, origin, max_age) for origin in expected_origin]
