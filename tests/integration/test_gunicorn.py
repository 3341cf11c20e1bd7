"""A real gunicorn on 127.0.0.1, started and stopped by the tests, with ``wsgicors.wrap``.

Sync and gthread workers serve the factory and answer preflights and actual requests over
``http.client``; start-up mistakes stop gunicorn with one line; and every command line in
examples/gunicorn.md is run and its sample request replayed.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gunicorn.config import KNOWN_SETTINGS

pytestmark = pytest.mark.server

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
SITE = "https://www.domain.com"
FACTORY = (
    'wsgicors:wrap("hello:app", config="krakend.json", allow_origins=["https://www.domain.com"], '
    "allow_credentials=True, auto_options=True)"
)
# gunicorn 23+ opens a control socket at a fixed path; parallel servers must not share it.
NO_CONTROL_SOCKET = (
    ["--no-control-socket"]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)
    else []
)
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("WSGICORS_CONFIG", "DJANGO_SETTINGS_MODULE")
    }
    env.update(extra or {})
    return env


def gunicorn(*args: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", *NO_CONTROL_SOCKET, *args]


class Server:
    """A gunicorn process serving on a free loopback port, output kept in a file."""

    def __init__(self, argv: list[str], port: int, log: Path, env: dict[str, str]) -> None:
        self.port = port
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                argv, cwd=EXAMPLES, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"gunicorn did not listen within {START_TIMEOUT}s:\n{self.output()}")

    def request(
        self, method: str, path: str, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def cors_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in headers
        if name.lower().startswith("access-control-") or name.lower() in ("vary", "allow")
    ]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(["--worker-class", "sync"], id="sync"),
        pytest.param(["--worker-class", "gthread", "--threads", "4"], id="gthread"),
    ],
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    port = free_port()
    argv = gunicorn("--bind", f"127.0.0.1:{port}", "--workers", "1", *request.param, FACTORY)
    running = Server(argv, port, tmp_path_factory.mktemp("gunicorn") / "log", environment())
    yield running
    running.stop()


# --- a running server -------------------------------------------------------------------------


def test_preflight_from_allowed_origin_is_answered(server: Server) -> None:
    status, headers, body = server.request(
        "OPTIONS",
        "/api/hello",
        {
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "accept-language",
        },
    )

    assert (status, body) == (204, b"")
    assert cors_headers(headers) == [
        ("Access-Control-Allow-Origin", SITE),
        ("Access-Control-Allow-Methods", "POST"),
        ("Access-Control-Allow-Headers", "accept-language"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", "43200"),
        ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
    ]


def test_preflight_from_other_origin_is_refused(server: Server) -> None:
    status, headers, _ = server.request(
        "OPTIONS",
        "/api/hello",
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert (status, cors_headers(headers)) == (
        403,
        [("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")],
    )


def test_actual_request_from_allowed_origin_is_decorated(server: Server) -> None:
    status, headers, body = server.request("GET", "/api/hello", {"Origin": SITE})

    assert (status, body) == (200, b'{"message":"Hello, cross-origin world!"}\n')
    assert cors_headers(headers) == [
        ("Access-Control-Allow-Origin", SITE),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "Content-Length, Content-Type"),
        ("Vary", "Origin"),
    ]


def test_actual_request_from_other_origin_only_varies(server: Server) -> None:
    status, headers, _ = server.request("GET", "/api/hello", {"Origin": "https://evil.example"})

    assert (status, cors_headers(headers)) == (200, [("Vary", "Origin")])


def test_plain_options_lists_flask_route_methods(server: Server) -> None:
    status, headers, _ = server.request("OPTIONS", "/api/hello", {})

    assert (status, cors_headers(headers)) == (
        200,
        [("Allow", "GET, HEAD, OPTIONS"), ("Vary", "Origin")],
    )


def test_unknown_path_is_flasks_404_decorated(server: Server) -> None:
    status, headers, _ = server.request("GET", "/nowhere", {"Origin": SITE})

    assert (status, dict(cors_headers(headers))["Access-Control-Allow-Origin"]) == (404, SITE)


# --- start-up mistakes --------------------------------------------------------------------------


def run_to_exit(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = subprocess.run(
        argv,
        cwd=EXAMPLES,
        env=env or environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("factory", "files", "line"),
    [
        pytest.param(
            'wsgicors:wrap("no_such_module:app")',
            {},
            "wsgicors: cannot import module 'no_such_module' for 'no_such_module:app': No module "
            "named 'no_such_module'",
            id="non-existent module",
        ),
        pytest.param(
            'wsgicors:wrap("hello:__name__")',
            {},
            "wsgicors: 'hello:__name__' is str 'hello', not a WSGI application: name the "
            "callable, e.g. 'myproject.wsgi:application'",
            id="app not callable",
        ),
        pytest.param(
            'wsgicors:wrap("hello:app", config="{dir}/broken.json")',
            {"broken.json": '{"allow_origins": ["https://www.domain.com"]'},
            "wsgicors: cannot read CORS configuration {dir}/broken.json: invalid JSON at line 1, "
            "column 44: the file ends before every object and array is closed; close each '{{' "
            "with '}}' and each '[' with ']'",
            id="broken JSON",
        ),
        pytest.param(
            'wsgicors:wrap("hello:app", config="{dir}/several.json")',
            {
                "several.json": '{"allow_origins": ["https://www.domain.com/"], '
                '"allow_methods": ["GET", "TRACE"], "options_success_status": 302}'
            },
            "wsgicors: invalid CORS policy in {dir}/several.json (3 problems): (1) "
            "allow_origins: 'https://www.domain.com/': an origin has no path; remove the "
            "trailing '/' (use 'https://www.domain.com') (2) "
            "allow_methods: 'TRACE': CONNECT, TRACE and TRACK are forbidden methods: browsers "
            "never send them cross-origin; remove it (3) options_success_status: 302: a "
            "successful preflight has a 2xx status: browsers fail any other; use 204 (the "
            "default) or 200",
            id="config with several mistakes",
        ),
    ],
)
def test_startup_mistake_stops_gunicorn_with_one_line(
    tmp_path: Path, factory: str, files: dict[str, str], line: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    argv = gunicorn("--bind", f"127.0.0.1:{free_port()}", factory.format(dir=tmp_path))

    status, output = run_to_exit(argv)

    assert status == 4, output
    errors = [text for text in output.splitlines() if text.startswith("wsgicors:")]
    assert errors == [line.format(dir=tmp_path)]
    assert "Traceback" not in output


def test_startup_mistake_with_preload_is_one_error_line() -> None:
    argv = gunicorn("--preload", "--bind", f"127.0.0.1:{free_port()}", 'wsgicors:wrap("nope:app")')

    status, output = run_to_exit(argv)

    assert (status, output.strip().splitlines()[-1]) == (
        1,
        "Error: wsgicors: cannot import module 'nope' for 'nope:app': No module named 'nope'",
    )
    assert "Traceback" not in output


# --- examples/gunicorn.md ---------------------------------------------------------------------


def doc_blocks() -> list[list[str]]:
    text = (EXAMPLES / "gunicorn.md").read_text()
    return [block.splitlines() for block in re.findall(r"```console\n(.*?)```", text, flags=re.S)]


def split_command(line: str, port: int) -> tuple[dict[str, str], list[str]]:
    words = shlex.split(line.removeprefix("$ ").replace("127.0.0.1:8000", f"127.0.0.1:{port}"))
    env: dict[str, str] = {}
    while "=" in words[0] and not words[0].startswith("-"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return env, words


def replay_curl(server: Server, words: list[str]) -> list[str]:
    """The answer to a ``curl -si [-X M] URL [-H 'N: v']...`` line, as status and header lines."""
    method, url, headers = "GET", "", {}
    iterator = iter(words[1:])
    for word in iterator:
        if word == "-X":
            method = next(iterator)
        elif word == "-H":
            name, _, value = next(iterator).partition(":")
            headers[name.strip()] = value.strip()
        elif not word.startswith("-"):
            url = word
    path = "/" + url.split("/", 3)[3]
    status, response_headers, _ = server.request(method, path, headers)
    reason = http.client.responses[status]
    return [f"HTTP/1.1 {status} {reason}", *(f"{n}: {v}" for n, v in response_headers)]


@pytest.mark.parametrize(
    "block", [pytest.param(block, id=block[0].removeprefix("$ ")[:90]) for block in doc_blocks()]
)
def test_documented_gunicorn_command_does_what_it_shows(block: list[str], tmp_path: Path) -> None:
    port = free_port()
    env, words = split_command(block[0], port)
    assert words[0] == "gunicorn"
    argv = gunicorn(*words[1:])
    curls = [line for line in block[1:] if line.startswith("$ curl ")]
    expected = [line for line in block[1:] if not line.startswith("$ ")]
    if not curls:
        status, output = run_to_exit(argv, environment(env))
        if expected:
            assert status != 0, output
            for line in expected:
                assert line in output, output
        else:
            assert status == 0, output
        return
    server = Server(argv, port, tmp_path / "log", environment(env))
    try:
        answer = replay_curl(server, split_command(curls[0], port)[1])
    finally:
        server.stop()
    missing = [line for line in expected if line not in answer]
    assert missing == [], answer
