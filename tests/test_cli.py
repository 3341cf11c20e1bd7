"""The ``wsgicors`` command: check, explain, probe and serve, in-process and as a process."""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from wsgicors import CORSMiddleware, CORSPolicy
from wsgicors.cli import main
from wsgicors.debug import app as echo_app
from wsgicors.headers import ACAO, ORIGIN
from wsgicors.tools.report import Style

CLI_DIR = Path(__file__).parent / "cli"
APP = "https://app.example.com"
PYTHON = sys.executable


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write(tmp_path: Path, config: object, name: str = "cors.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return str(path)


def explain_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config: object, *argv: str
) -> tuple[int, dict[str, Any]]:
    status, out, _ = run(capsys, "explain", write(tmp_path, config), "--json", *argv)
    return status, json.loads(out)


# --- the three classic mistakes, verbatim (tests/cli/*.txt are also the docs' examples) ---------


SESSIONS = {
    "trailing_slash": ["trailing_slash.json", "--origin", APP, "--credentials"],
    "credentials_star": ["credentials_star.json", "--origin", APP, "--credentials"],
    "json_post": [
        "json_post.json",
        "--origin",
        APP,
        "--method",
        "POST",
        "--path",
        "/api/orders",
        "--header",
        "Content-Type: application/json",
        "--header",
        "Authorization: Bearer abc",
    ],
}


def session_text(argv: list[str], status: int, out: str, err: str) -> str:
    return f"$ wsgicors explain {shlex.join(argv)}\n{out}{err}[exit status {status}]\n"


def split_console(out: str) -> tuple[str, list[str]]:
    """The report without its closing "ENGINE's console says:" section, and that section."""
    lines = out.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.endswith("'s console says:\n") and not line.startswith(" "):
            assert lines[index - 1] == "\n"
            return "".join(lines[: index - 1]), [x.rstrip("\n") for x in lines[index:]]
    return out, []


@pytest.mark.parametrize("name", list(SESSIONS))
def test_explain_classic_mistake_session(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CLI_DIR)
    argv = SESSIONS[name]
    status, out, err = run(capsys, "explain", *argv)
    expected = (CLI_DIR / f"{name}.txt").read_text()
    assert session_text(argv, status, out, err) == expected


# --- check ------------------------------------------------------------------------------------


def test_check_valid_krakend_file_prints_policy_and_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = {
        "version": 3,
        "extra_config": {
            "security/cors": {
                "allow_origins": ["https://www.domain.com"],
                "expose_headers": ["Content-Length"],
                "max_age": "12h",
            },
            "router": {"auto_options": True},
        },
    }
    path = write(tmp_path, config, "krakend.json")
    status, out, err = run(capsys, "check", path)
    assert (status, err) == (0, "")
    assert out == (
        f'effective policy from {path} (extra_config["security/cors"]):\n'
        "{\n"
        '  "allow_origins": [\n    "https://www.domain.com"\n  ],\n'
        '  "allow_methods": [\n    "GET",\n    "HEAD",\n    "POST"\n  ],\n'
        '  "allow_headers": [\n    "*"\n  ],\n'
        '  "expose_headers": [\n    "Content-Length"\n  ],\n'
        '  "max_age": 43200,\n'
        '  "allow_credentials": false,\n'
        '  "debug": false,\n'
        '  "allow_private_network": false,\n'
        '  "options_passthrough": false,\n'
        '  "options_success_status": 204,\n'
        '  "auto_options": true\n'
        "}\n"
        "note: max_age 43200 s: these engines keep a preflight for less: Chromium 7200 s, "
        "WebKit 600 s\n"
        "OK: no problems, 0 warnings\n"
    )


def test_check_bare_cors_object_is_read_with_from_dict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_origins": [APP], "@comment": "ignored"})
    status, out, _ = run(capsys, "check", path)
    assert status == 0
    assert out.startswith(f'effective policy from {path}:\n{{\n  "allow_origins": [\n    "{APP}"')


def test_check_extra_config_object_alone_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"security/cors": {"allow_origins": [APP]}})
    status, out, _ = run(capsys, "check", path)
    assert status == 0
    assert out.startswith(f'effective policy from {path} ("security/cors"):\n')


def test_check_lists_every_problem_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        {"allow_origins": [APP + "/", "*"], "allow_credentials": True, "allow_method": ["GET"]},
    )
    status, out, err = run(capsys, "check", path)
    assert (status, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == f"{path}: 3 problems"
    assert [line.split(":")[0] for line in lines[1::2]] == [
        "- allow_method",
        "- allow_origins",
        "- allow_origins",
    ]
    assert all(line.startswith("  fix: ") for line in lines[2::2])
    assert len(lines) == 7


def test_check_prints_warnings_and_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_headers": ["Content-Type"]})
    status, out, _ = run(capsys, "check", path)
    assert status == 0
    assert out.endswith(
        "warning: allow_headers: 'Content-Type' is always allowed; listing it is redundant\n"
        "OK: no problems, 1 warning\n"
    )


@pytest.mark.parametrize(
    ("max_age", "tail"),
    [
        pytest.param(
            600, "OK: no problems, 0 warnings\n", id="within every engine's cap: nothing to say"
        ),
        pytest.param(
            700,
            "note: max_age 700 s: these engines keep a preflight for less: WebKit 600 s\n"
            "OK: no problems, 0 warnings\n",
            id="above WebKit's cap: a note",
        ),
        pytest.param(
            100000,
            "note: max_age 100000 s: these engines keep a preflight for less: Chromium 7200 s, "
            "Firefox 86400 s, WebKit 600 s\n"
            "warning: max_age: 100000 s is above what browsers honour (Chromium caps the "
            "preflight cache at 7200 s, Firefox at 86400 s)\n"
            "OK: no problems, 1 warning\n",
            id="above every cap: the policy's warning",
        ),
    ],
)
def test_check_max_age_note_names_the_engines_that_cap_it(
    max_age: int, tail: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_origins": [APP], "max_age": max_age})
    status, out, _ = run(capsys, "check", path)
    assert status == 0
    assert out.endswith(f'  "auto_options": false\n}}\n{tail}')


# --- bad input: one line, no traceback -------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "explain"])
def test_missing_config_is_one_line_error(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = str(tmp_path / "missing.json")
    options = ["--origin", APP] if command == "explain" else []
    status, out, err = run(capsys, command, path, *options)
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: cannot read CORS configuration {path}: there is no such file; "
        "check the path\n"
    )


def test_invalid_json_names_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "allow_origins": ["*"],\n}\n')
    status, out, err = run(capsys, "check", str(path))
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: cannot read CORS configuration {path}: invalid JSON at line 2, "
        "column 25: a ',' before '}' (JSON allows no trailing comma); remove the ',' at the "
        "end of line 2\n"
    )


def test_json_that_is_not_an_object_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, ["*"])
    status, _, err = run(capsys, "check", path)
    assert status == 1
    assert err == (
        f"wsgicors: error: {path}: the configuration is a JSON list, not an object; write a "
        'KrakenD file or a "security/cors" object such as {"allow_origins": ["*"]}\n'
    )


def test_explain_invalid_policy_prints_problems_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_origins": []})
    status, out, err = run(capsys, "explain", path, "--origin", APP)
    assert (status, out) == (1, "")
    assert err == (
        f"invalid CORS policy in {path} (1 problem):\n"
        "- allow_origins: []: an empty list allows no origin at all (KrakenD reads it as all "
        'origins); write ["*"] to allow every origin, or list the origins to allow\n'
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            ["--origin", APP + "/"],
            "--origin 'https://app.example.com/' is not an origin: an origin has no path; "
            "remove the trailing '/' (use 'https://app.example.com')",
            id="origin with trailing slash",
        ),
        pytest.param(
            ["--origin", "app.example.com"],
            "--origin 'app.example.com' is not an origin: an origin is scheme://host[:port]; "
            "add the scheme, e.g. 'https://app.example.com'",
            id="origin without scheme",
        ),
        pytest.param(
            ["--origin", "https://a..b"],
            "--origin 'https://a..b' is not an origin: a host is dot-separated labels of "
            "letters, digits, '-' and '_'; fix the host in 'https://a..b'",
            id="origin the middleware refuses whatever the policy",
        ),
        pytest.param(
            ["--origin", APP, "--header", ": x"],
            "--header ': x' has no name; write 'NAME: VALUE' or 'NAME'",
            id="header without name",
        ),
        pytest.param(
            ["--origin", APP, "--path", "api"],
            "--path 'api' is not a path: it must start with '/' and have no spaces",
            id="path without slash",
        ),
    ],
)
def test_explain_bad_request_option_is_one_line_error(
    options: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "explain", write(tmp_path, {}), *options)
    assert (status, out, err) == (1, "", f"wsgicors: error: {message}\n")


def test_explain_without_origin_is_usage_error_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(capsys, "explain", write(tmp_path, {}))
    assert status == 1
    assert err.endswith(
        "wsgicors explain: error: the following arguments are required: --origin\n"
    )


def test_no_command_prints_help_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)
    assert (status, out) == (1, "")
    assert err.startswith("usage: wsgicors [-h] [--version] COMMAND ...\n")


@pytest.mark.parametrize("command", ["check", "explain", "probe", "serve"])
def test_help_of_each_command_exits_0(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert out.startswith(f"usage: wsgicors {command} [-h]")


# --- explain: verdicts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "options", "expected"),
    [
        pytest.param({}, [], (0, False, True), id="simple GET, defaults"),
        pytest.param({}, ["--method", "PUT"], (2, True, False), id="PUT not allowed"),
        pytest.param(
            {"allow_methods": ["PUT"]}, ["--method", "put"], (0, True, True), id="put upper-cased"
        ),
        pytest.param(
            {"allow_origins": [APP]},
            ["--header", "Content-Type: application/json", "--method", "POST"],
            (0, True, True),
            id="JSON POST, Content-Type always allowed",
        ),
        pytest.param(
            {"allow_origins": [APP], "allow_credentials": True},
            ["--credentials", "--method", "DELETE", "--header", "X-Token: 1"],
            (2, True, False),
            id="DELETE not allowed with credentials",
        ),
        pytest.param(
            {"allow_origins": [APP], "allow_credentials": True, "allow_methods": ["*"]},
            ["--credentials", "--method", "DELETE", "--header", "X-Token: 1"],
            (0, True, True),
            id="credentials with any method and header",
        ),
        pytest.param(
            {"allow_origins": ["https://*.example.com"]}, [], (0, False, True), id="subdomain"
        ),
        pytest.param(
            {"allow_origins": ["https://other.example"]}, [], (2, False, False), id="origin"
        ),
        pytest.param({}, ["--method", "OPTIONS"], (0, True, True), id="OPTIONS always allowed"),
        pytest.param(
            {"allow_methods": ["PUT"], "options_passthrough": True},
            ["--method", "PUT"],
            (0, True, True),
            id="passthrough",
        ),
    ],
)
def test_explain_verdict(
    config: dict[str, Any],
    options: list[str],
    expected: tuple[int, bool, bool],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    status, verdict = explain_json(capsys, tmp_path, config, "--origin", APP, *options)
    assert (status, verdict["preflight"], verdict["allowed"]) == expected
    assert (verdict["reasons"] == []) is verdict["allowed"]


def test_explain_json_allowed_lists_readable_headers_and_cache(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = {"allow_origins": [APP], "allow_methods": ["PUT"], "max_age": "12h"}
    _, verdict = explain_json(capsys, tmp_path, config, "--origin", APP, "--method", "PUT")
    assert verdict["readable_headers"] == ["Content-Type", "Content-Length", "Cache-Control"]
    assert verdict["preflight_cache"] == {
        "header": "43200",
        "seconds": 43200,
        "chromium": 7200,
        "firefox": 43200,
        "webkit": 600,
    }
    assert verdict["preflight_request"] == {
        "method": "OPTIONS",
        "path": "/",
        "headers": [[ORIGIN, APP], ["Accept", "*/*"], ["Access-Control-Request-Method", "PUT"]],
    }
    assert verdict["preflight_response"]["status"] == 204


def test_explain_method_not_allowed_fix_is_verified(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, "--method", "PUT")
    assert verdict["causes"] == [
        'the method \'PUT\' is not in allow_methods ["GET", "HEAD", "POST"]'
    ]
    assert (verdict["fixes"], verdict["fix_verified"]) == (["add 'PUT' to allow_methods"], True)
    assert verdict["actual_request"] is None


def test_explain_lower_case_method_fix_mentions_case(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = {"allow_methods": ["PATCH"]}
    _, verdict = explain_json(capsys, tmp_path, config, "--origin", APP, "--method", "patch")
    assert verdict["reasons"] == [
        "Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the preflight response (origin "
        "'https://app.example.com')."
    ]
    assert verdict["fixes"] == [
        "methods are case-sensitive and fetch() sends 'patch' as written (it upper-cases only "
        "DELETE GET HEAD OPTIONS POST PUT): send 'PATCH' from the page, or add 'patch' to "
        "allow_methods"
    ]


@pytest.mark.parametrize(
    ("allowed", "origin", "causes"),
    [
        pytest.param(
            "https://*.example.com",
            "https://example.com",
            [
                "the origin 'https://example.com' is not in allow_origins "
                '["https://*.example.com"]',
                "'https://*.example.com' matches subdomains of 'example.com' only, not "
                "'example.com' itself",
            ],
            id="apex of a subdomain pattern",
        ),
        pytest.param(
            APP,
            "http://app.example.com",
            [
                "the origin 'http://app.example.com' is not in allow_origins "
                '["https://app.example.com"]',
                "allow_origins has 'https://app.example.com': the scheme is part of the origin",
            ],
            id="http instead of https",
        ),
        pytest.param(
            "http://localhost:3000",
            "http://localhost:5173",
            [
                "the origin 'http://localhost:5173' is not in allow_origins "
                '["http://localhost:3000"]',
                "allow_origins has 'http://localhost:3000': the port is part of the origin",
            ],
            id="other port",
        ),
    ],
)
def test_explain_origin_near_miss_is_named(
    allowed: str,
    origin: str,
    causes: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    config = {"allow_origins": [allowed]}
    status, verdict = explain_json(capsys, tmp_path, config, "--origin", origin)
    assert (status, verdict["causes"]) == (2, causes)
    assert (verdict["fixes"], verdict["fix_verified"]) == (
        [f"add {origin!r} to allow_origins"],
        True,
    )


def test_explain_refused_fix_says_why(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = {"allow_origins": ["http://app.example.com"]}
    _, verdict = explain_json(
        capsys, tmp_path, config, "--origin", "http://app.example.com", "--credentials"
    )
    assert verdict["fixes"] == [
        "set allow_credentials to true",
        "that change is refused: with credentials, an origin must be https (or localhost or a "
        "loopback address): anyone on the network can impersonate a plain-http origin; use "
        "'https://app.example.com', or set dangerously_tolerate_insecure_origins=True",
    ]
    assert verdict["fix_verified"] is False


def test_explain_debug_policy_shows_the_middleware_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, verdict = explain_json(
        capsys, tmp_path, {"debug": True}, "--origin", APP, "--method", "PUT"
    )
    assert status == 2
    assert verdict["log"] == [
        "[CORS] preflight from 'https://app.example.com' rejected: method 'PUT' is not in "
        "allow_methods"
    ]


def test_explain_notes_dropped_forbidden_header(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, "--header", "Cookie: a=b")
    assert verdict["notes"] == [
        "A script cannot set 'Cookie' (a forbidden request header): the browser leaves it out."
    ]
    assert verdict["actual_request"]["headers"] == [[ORIGIN, APP]]


def test_explain_text_report_of_an_allowed_preflighted_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_origins": [APP], "allow_methods": ["PUT"], "max_age": 600})
    argv = ["--origin", APP, "--method", "PUT", "--header", "X-Token: 1", "--header", "Cookie: a"]
    status, out, err = run(capsys, "explain", path, *argv)
    assert (status, err) == (0, "")
    assert out == (
        "PUT / from https://app.example.com, without credentials\n"
        f"policy: {path}\n"
        "headers set by the script:\n"
        "  X-Token: 1\n"
        "  Cookie: a\n"
        "\n"
        "1. Preflight: needed, because\n"
        "   - the method 'PUT' is not CORS-safelisted (only GET, HEAD and POST are)\n"
        "   - the header 'X-Token: 1' is not CORS-safelisted: 'X-Token' is not one of the "
        "CORS-safelisted request headers\n"
        "   > OPTIONS /\n"
        "   > Origin: https://app.example.com\n"
        "   > Accept: */*\n"
        "   > Access-Control-Request-Method: PUT\n"
        "   > Access-Control-Request-Headers: x-token\n"
        "   the middleware answers:\n"
        "   < 204 No Content\n"
        "   < Access-Control-Allow-Origin: https://app.example.com\n"
        "   < Access-Control-Allow-Methods: PUT\n"
        "   < Access-Control-Allow-Headers: x-token\n"
        "   < Access-Control-Max-Age: 600\n"
        "   < Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n"
        "\n"
        "2. Actual request\n"
        "   > PUT /\n"
        "   > Origin: https://app.example.com\n"
        "   > X-Token: 1\n"
        "   the middleware answers:\n"
        "   < 200 OK\n"
        "   < Content-Type: application/json\n"
        "   < Content-Length: 179\n"
        "   < Cache-Control: no-store\n"
        "   < Access-Control-Allow-Origin: https://app.example.com\n"
        "   < Vary: Origin\n"
        "\n"
        "ALLOWED: the browser lets the page read the response.\n"
        "  headers the script can read: Content-Type, Content-Length, Cache-Control\n"
        "  the preflight is cached for 600 s (Access-Control-Max-Age); capped: Chromium 600 s, "
        "Firefox 600 s, WebKit 600 s\n"
        "\n"
        "note: A script cannot set 'Cookie' (a forbidden request header): the browser leaves "
        "it out.\n"
    )


def test_explain_text_shows_debug_body_and_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"debug": True})
    status, out, err = run(capsys, "explain", path, "--origin", APP, "--method", "DELETE")
    assert (status, err) == (2, "")
    assert (
        "   < (body) CORS preflight rejected: method 'DELETE' is not in allow_methods\n"
        "\n"
        "2. Actual request: not sent (the preflight failed)\n"
        "\n"
        "middleware log (debug is on):\n"
        "  [CORS] preflight from 'https://app.example.com' rejected: method 'DELETE' is not in "
        "allow_methods\n"
    ) in out


def test_explain_text_default_cache_lifetime(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_methods": ["PUT"]})
    _, out, _ = run(capsys, "explain", path, "--origin", APP, "--method", "PUT")
    assert out.endswith(
        "  the preflight is cached for 5 s (default); capped: Chromium 5 s, Firefox 5 s, "
        "WebKit 5 s\n"
    )


def test_explain_text_no_cache_with_max_age_negative(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_methods": ["PUT"], "max_age": "-1s"})
    _, out, _ = run(capsys, "explain", path, "--origin", APP, "--method", "PUT")
    assert out.endswith("  the preflight is not cached (Access-Control-Max-Age: 0)\n")


# --- explain: requests fetch() refuses to send -----------------------------------------------

THROWS = "fetch() throws a TypeError and sends nothing: "


@pytest.mark.parametrize(
    ("options", "reason", "fix"),
    [
        pytest.param(
            ["--header", "X-Name: \u2603"],
            "the value of the header 'X-Name' is not a ByteString: '\u2603' (U+2603) is above "
            "U+00FF.",
            "header names and values carry bytes: send only characters up to U+00FF, e.g. "
            "percent-encode the value with encodeURIComponent() and decode it on the server",
            id="value not a ByteString",
        ),
        pytest.param(
            ["--header", "X-\u2603: 1"],
            "the name of the header 'X-\u2603' is not a ByteString: '\u2603' (U+2603) is above "
            "U+00FF.",
            "header names and values carry bytes: send only characters up to U+00FF, e.g. "
            "percent-encode the value with encodeURIComponent() and decode it on the server",
            id="name not a ByteString",
        ),
        pytest.param(
            ["--header", "X Token: 1"],
            "'X Token' is not a valid header name (a header name is a token).",
            "use a header name made of letters, digits and !#$%&'*+-.^_`|~ only",
            id="name not a token",
        ),
        pytest.param(
            ["--header", "X-A: a\rb"],
            "the value of the header 'X-A' contains a NUL, CR or LF byte.",
            "remove NUL, CR and LF from the value, or encode it (e.g. with encodeURIComponent())",
            id="value with CR",
        ),
        pytest.param(
            ["--header", "X-A: a\x00"],
            "the value of the header 'X-A' contains a NUL, CR or LF byte.",
            "remove NUL, CR and LF from the value, or encode it (e.g. with encodeURIComponent())",
            id="value with NUL",
        ),
        pytest.param(
            ["--method", "TRACE"],
            "'TRACE' is a forbidden method.",
            "browsers never send CONNECT, TRACE or TRACK: use another method",
            id="forbidden method",
        ),
        pytest.param(
            ["--method", "GE T"],
            "'GE T' is not a valid method (a method is a token).",
            "use a method made of letters, digits and !#$%&'*+-.^_`|~ only, e.g. 'PATCH'",
            id="method not a token",
        ),
    ],
)
def test_explain_request_fetch_refuses_is_blocked_with_type_error(
    options: list[str],
    reason: str,
    fix: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    status, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, *options)
    refused = {"allowed": False, "preflight": False, "reasons": [THROWS + reason]}
    assert (status, verdict["preflight"], verdict["allowed"]) == (2, False, False)
    assert (verdict["reasons"], verdict["fixes"]) == ([THROWS + reason], [fix])
    assert verdict["engines"] == {"chromium": refused, "firefox": refused, "webkit": refused}
    assert (verdict["preflight_request"], verdict["actual_request"]) == (None, None)


def test_explain_text_report_of_a_request_fetch_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {})
    status, out, err = run(capsys, "explain", path, "--origin", APP, "--header", "X-Name: \u2603")
    assert (status, err) == (2, "")
    assert out == (
        "GET / from https://app.example.com, without credentials\n"
        f"policy: {path}\n"
        "headers set by the script:\n"
        "  X-Name: \u2603\n"
        "\n"
        "fetch() throws: no preflight and no request are sent\n"
        "\n"
        "BLOCKED: the browser does not let the page read the response.\n"
        "  the browser says:\n"
        f"  - {THROWS}the value of the header 'X-Name' is not a ByteString: '\u2603' (U+2603) "
        "is above U+00FF.\n"
        "  fix:\n"
        "  - header names and values carry bytes: send only characters up to U+00FF, e.g. "
        "percent-encode the value with encodeURIComponent() and decode it on the server\n"
    )


def test_explain_text_shows_control_characters_of_a_value_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, out, _ = run(capsys, "explain", write(tmp_path, {}), "--origin", APP, "--header", "X: a\nb")
    assert "headers set by the script:\n  X: 'a\\nb'\n\n" in out


def test_explain_header_value_keeps_what_fetch_keeps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # fetch() strips only HTTP whitespace (tab, space, CR, LF) from the ends of a value.
    _, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, "--header", "X-A: \xa0x\xa0 ")
    assert verdict["request"]["headers"] == [["X-A", "\xa0x\xa0"]]


# --- explain: more request headers than the middleware takes ----------------------------------


def test_explain_too_many_request_headers_names_the_bound(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    headers = [arg for i in range(65) for arg in ("--header", f"X-H{i:02}: 1")]
    status, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, *headers)
    assert (status, verdict["preflight"], verdict["allowed"]) == (2, True, False)
    assert verdict["causes"] == [
        "the preflight names 65 request headers in Access-Control-Request-Headers (389 bytes); "
        "the middleware refuses more than 64 names or 4096 bytes as hostile, whatever "
        "allow_headers says"
    ]
    assert (verdict["fixes"], verdict["fix_verified"]) == (
        [
            "send fewer headers from the page: at most 64 that are not CORS-safelisted, with "
            "names of at most 4096 bytes together (carry the rest in one header or in the body)"
        ],
        False,
    )


def test_explain_64_request_headers_are_allowed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    headers = [arg for i in range(64) for arg in ("--header", f"X-H{i:02}: 1")]
    status, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, *headers)
    assert (status, verdict["allowed"]) == (0, True)


# --- explain: where the engines differ -------------------------------------------------------

NO_HEADERS = {"allow_origins": [APP], "allow_headers": ["X-Requested-With"]}


def engines(chromium: bool, firefox: bool, webkit: bool) -> dict[str, bool]:
    """Which engines send a preflight."""
    return {"chromium": chromium, "firefox": firefox, "webkit": webkit}


@pytest.mark.parametrize(
    ("headers", "preflights"),
    [
        pytest.param(["Save-Data: on"], engines(False, True, True), id="Save-Data on"),
        pytest.param(["Save-Data: off"], engines(True, True, True), id="Save-Data off"),
        pytest.param(["DPR: 1.5"], engines(False, True, True), id="DPR"),
        pytest.param(["DPR: 1."], engines(True, True, True), id="DPR without fraction"),
        pytest.param(["Width: 100"], engines(False, True, True), id="Width"),
        pytest.param(["Viewport-Width: 100"], engines(False, True, True), id="Viewport-Width"),
        pytest.param(["Device-Memory: 8"], engines(False, True, True), id="Device-Memory"),
        pytest.param(["Accept: text/\xe9"], engines(False, True, False), id="Accept latin-1"),
        pytest.param(
            ["Content-Type: text/plain; x=\xe9"],
            engines(False, True, False),
            id="Content-Type latin-1",
        ),
        pytest.param(
            ["Content-Type: application/x-www-form-urlencoded;;"],
            engines(False, True, False),
            id="Content-Type double semicolon",
        ),
        pytest.param(
            ["Content-Type: text/plain;"], engines(False, False, False), id="trailing semicolon"
        ),
        pytest.param(
            ["Content-Type: text/plain", "Content-Type: text/plain"],
            engines(True, True, True),
            id="Content-Type twice",
        ),
        pytest.param(["Range: Bytes=0-"], engines(True, True, True), id="Range unit case"),
        pytest.param(
            [f"Range: bytes={2**63 - 2}-"], engines(False, False, False), id="Range 2^63-2"
        ),
        pytest.param(
            [f"Range: bytes={2**63 - 1}-"], engines(True, False, False), id="Range 2^63-1"
        ),
        pytest.param([f"Range: bytes={2**63}-"], engines(True, False, False), id="Range 2^63"),
        pytest.param(
            [f"Range: bytes=0-{2**64 - 1}"], engines(True, False, False), id="Range end 2^64-1"
        ),
        pytest.param([f"Range: bytes=0-{2**64}"], engines(True, True, False), id="Range end 2^64"),
        pytest.param([f"Range: bytes={2**64}-"], engines(True, True, False), id="Range 2^64"),
        pytest.param(["Range: bytes=1e20-"], engines(True, True, True), id="Range exponent"),
    ],
)
def test_explain_reports_each_engines_verdict(
    headers: list[str],
    preflights: dict[str, bool],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    options = [arg for header in headers for arg in ("--header", header)]
    status, verdict = explain_json(
        capsys, tmp_path, NO_HEADERS, "--origin", APP, "--method", "POST", *options
    )
    assert {e: v["preflight"] for e, v in verdict["engines"].items()} == preflights
    # Overall: a preflight if any engine sends one; allowed only if every engine allows it.
    allowed = all(v["allowed"] for v in verdict["engines"].values())
    assert (status, verdict["preflight"], verdict["allowed"]) == (
        0 if allowed else 2,
        any(preflights.values()),
        allowed,
    )


def test_explain_json_engines_agree(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, verdict = explain_json(capsys, tmp_path, {}, "--origin", APP, "--method", "PUT")
    reasons = [
        "Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the preflight response (origin "
        "'https://app.example.com')."
    ]
    blocked = {"allowed": False, "preflight": True, "reasons": reasons}
    console = {
        "chromium": [
            "Access to fetch at '/' from origin 'https://app.example.com' has been blocked by "
            "CORS policy: Response to preflight request doesn't pass access control check: No "
            "'Access-Control-Allow-Origin' header is present on the requested resource.",
            "Failed to load resource: net::ERR_FAILED",
        ],
        "firefox": [
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            "resource at /. (Reason: CORS header \u2018Access-Control-Allow-Origin\u2019 "
            "missing). Status code: 403.",
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            "resource at /. (Reason: CORS request did not succeed). Status code: (null).",
        ],
        "webkit": [
            "Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. "
            "Status code: 403",
            "Fetch API cannot load / due to access control checks.",
        ],
    }
    assert verdict["reasons"] == reasons
    assert verdict["engines"] == {
        engine: {**blocked, "console": lines} for engine, lines in console.items()
    }


def test_explain_json_reasons_name_the_engines_when_they_differ(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, verdict = explain_json(
        capsys, tmp_path, NO_HEADERS, "--origin", APP, "--header", "Save-Data: on"
    )
    assert verdict["reasons"] == [
        "Firefox and WebKit: Response to preflight request doesn't pass access control check: "
        "No 'Access-Control-Allow-Origin' header is present on the preflight response (origin "
        "'https://app.example.com')."
    ]
    assert verdict["causes"] == [
        "the request header 'save-data' is not in allow_headers [\"X-Requested-With\"]"
    ]
    assert (verdict["fixes"], verdict["fix_verified"]) == (
        ["add 'Save-Data' to allow_headers"],
        True,
    )


def test_explain_text_report_says_how_the_engines_differ(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, NO_HEADERS)
    status, out, err = run(capsys, "explain", path, "--origin", APP, "--header", "Save-Data: on")
    assert (status, err) == (2, "")
    assert out == (
        "GET / from https://app.example.com, without credentials\n"
        f"policy: {path}\n"
        "headers set by the script:\n"
        "  Save-Data: on\n"
        "\n"
        "The engines differ:\n"
        "  - Chromium: no preflight; allowed\n"
        "  - Firefox and WebKit: a preflight naming 'save-data'; BLOCKED\n"
        "\n"
        "== Chromium ==\n"
        "1. Preflight: not needed (a CORS-safelisted request)\n"
        "\n"
        "2. Actual request\n"
        "   > GET /\n"
        "   > Origin: https://app.example.com\n"
        "   > Save-Data: on\n"
        "   the middleware answers:\n"
        "   < 200 OK\n"
        "   < Content-Type: application/json\n"
        "   < Content-Length: 182\n"
        "   < Cache-Control: no-store\n"
        "   < Access-Control-Allow-Origin: https://app.example.com\n"
        "   < Vary: Origin\n"
        "\n"
        "ALLOWED: Chromium lets the page read the response.\n"
        "  headers the script can read: Content-Type, Content-Length, Cache-Control\n"
        "\n"
        "== Firefox and WebKit ==\n"
        "1. Preflight: needed, because\n"
        "   - the header 'Save-Data: on' is not CORS-safelisted: 'Save-Data' is not one of the "
        "CORS-safelisted request headers\n"
        "   > OPTIONS /\n"
        "   > Origin: https://app.example.com\n"
        "   > Accept: */*\n"
        "   > Access-Control-Request-Method: GET\n"
        "   > Access-Control-Request-Headers: save-data\n"
        "   the middleware answers:\n"
        "   < 403 Forbidden\n"
        "   < Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n"
        "   < Content-Type: text/plain; charset=utf-8\n"
        "   < Content-Length: 0\n"
        "\n"
        "2. Actual request: not sent (the preflight failed)\n"
        "\n"
        "BLOCKED: Firefox and WebKit do not let the page read the response.\n"
        "  Firefox and WebKit say:\n"
        "  - Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the preflight response (origin "
        "'https://app.example.com').\n"
        "\n"
        "BLOCKED in Firefox and WebKit: the page cannot read the response there.\n"
        "  because:\n"
        "  - the request header 'save-data' is not in allow_headers [\"X-Requested-With\"]\n"
        "  fix (checked: with this change every engine allows the request):\n"
        "  - add 'Save-Data' to allow_headers\n"
        "\n"
        "Firefox's console says:\n"
        "  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        "resource at /. (Reason: CORS header \u2018Access-Control-Allow-Origin\u2019 missing). "
        "Status code: 403.\n"
        "  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        "resource at /. (Reason: CORS request did not succeed). Status code: (null).\n"
        "WebKit's console says:\n"
        "  Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status "
        "code: 403\n"
        "  Fetch API cannot load / due to access control checks.\n"
    )


def test_explain_text_names_the_engine_of_a_different_preflight_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, {"allow_methods": ["PUT"]})
    _, out, _ = run(
        capsys, "explain", path, "--origin", APP, "--method", "PUT", "--header", "Accept: \xe9"
    )
    assert (
        "1. Preflight: needed, because\n"
        "   - the method 'PUT' is not CORS-safelisted (only GET, HEAD and POST are)\n"
        "   - the header 'Accept: \xe9' is not CORS-safelisted: its value contains the byte "
        "'\xe9', and Firefox counts every byte above 0x7F as CORS-unsafe\n"
    ) in out


def test_config_not_utf8_is_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"allow_origins": ["https://\xe9.example"]}')
    status, out, err = run(capsys, "check", str(path))
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: cannot read CORS configuration {path}: the file is not UTF-8 "
        "(invalid continuation byte); save it as UTF-8\n"
    )


def test_explain_text_without_terminal_has_no_colour(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, out, _ = run(capsys, "explain", write(tmp_path, {}), "--origin", APP)
    assert "\x1b[" not in out
    assert "\nALLOWED: the browser lets the page read the response.\n" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "no_color", "coloured"),
    [
        pytest.param(_Terminal(), False, True, id="terminal"),
        pytest.param(_Terminal(), True, False, id="terminal with NO_COLOR"),
        pytest.param(io.StringIO(), False, False, id="pipe"),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(
    stream: io.StringIO, no_color: bool, coloured: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert (Style(stream).good("ALLOWED") != "ALLOWED") is coloured


# --- probe: a live server in a thread --------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    policy = CORSPolicy(
        allow_origins=[APP], allow_methods=["GET", "PUT"], allow_headers=["X-Token"]
    )
    yield from _serve(CORSMiddleware(echo_app, policy))


def _double_cors_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    # The seed's "double CORS validation": the app and a gateway both add the header.
    start_response("200 OK", [(ACAO, APP), (ACAO, APP), ("Content-Length", "0")])
    return []


def _redirect_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("302 Found", [(ACAO, "*"), ("Location", "/elsewhere"), ("Content-Length", "0")])
    return []


@pytest.fixture(scope="module")
def redirect_server() -> Iterator[str]:
    yield from _serve(_redirect_app)


@pytest.fixture(scope="module")
def double_cors_server() -> Iterator[str]:
    yield from _serve(_double_cors_app)


def _serve(app: Any) -> Iterator[str]:
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.server
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param([], (0, False, True), id="simple GET"),
        pytest.param(["--method", "PUT", "--header", "X-Token: 1"], (0, True, True), id="PUT"),
        pytest.param(["--method", "DELETE"], (2, True, False), id="DELETE not allowed"),
        pytest.param(["--header", "X-Other: 1"], (2, True, False), id="header not allowed"),
    ],
)
def test_probe_verdict(
    options: list[str],
    expected: tuple[int, bool, bool],
    live_server: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "probe", live_server + "/api", "--origin", APP, "--json", *options
    )
    verdict = json.loads(out)
    assert (status, verdict["preflight"], verdict["allowed"]) == expected


@pytest.mark.server
def test_probe_sends_what_the_browser_sends(
    live_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(
        capsys,
        "probe",
        live_server + "/api?q=1",
        "--origin",
        APP,
        "--json",
        "--method",
        "PUT",
        "--header",
        "X-Token: 1",
    )
    verdict = json.loads(out)
    assert verdict["preflight_request"] == {
        "method": "OPTIONS",
        "path": "/api?q=1",
        "headers": [
            [ORIGIN, APP],
            ["Accept", "*/*"],
            ["Access-Control-Request-Method", "PUT"],
            ["Access-Control-Request-Headers", "x-token"],
        ],
    }
    assert verdict["actual_response"]["status"] == 200
    assert verdict["fixes"] == []


@pytest.mark.server
def test_probe_text_report_names_the_server(
    live_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "probe", live_server, "--origin", "https://evil.example")
    assert status == 2
    assert "   the server answers:\n   < 200 OK\n" in out
    report, console = split_console(out)
    assert report.endswith(
        "BLOCKED: the browser does not let the page read the response.\n"
        "  the browser says:\n"
        "  - No 'Access-Control-Allow-Origin' header is present on the response (origin "
        "'https://evil.example').\n"
        "  fix:\n"
        "  - the response must carry 'Access-Control-Allow-Origin: https://evil.example' "
        "(or '*')\n"
    )
    assert console[0] == "Chromium's console says:"
    assert console[1] == (
        "  Access to fetch at '/' from origin 'https://evil.example' has been "
        "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the "
        "requested resource."
    )


@pytest.fixture(scope="module")
def debug_server() -> Iterator[str]:
    yield from _serve(CORSMiddleware(echo_app, CORSPolicy(debug=True)))


@pytest.fixture(scope="module")
def demo_server() -> Iterator[str]:
    """What ``wsgicors serve`` runs: the echo app on the default policy."""
    yield from _serve(CORSMiddleware(echo_app, CORSPolicy()))


REFUSED_PREFLIGHT_END = (
    "BLOCKED: the browser does not let the page read the response.\n"
    "  the browser says:\n"
    "  - Response to preflight request doesn't pass access control check: No "
    "'Access-Control-Allow-Origin' header is present on the preflight response (origin "
    "'https://app.example.com').\n"
    "  because:\n"
    "  - the server refused the preflight: 403 Forbidden, with no Access-Control-* headers\n"
    "{causes}"
    "  fix:\n"
    "  - on the server, allow what it refuses; for wsgicors or KrakenD, add {allow}\n"
    "  - to see which check fails: run `wsgicors explain CONFIG --origin "
    "https://app.example.com{options}` with the server's configuration as CONFIG (a file "
    "holding {{}} for one on the defaults); or, on a wsgicors server, turn debug on (`wsgicors "
    'serve --debug`, or "debug": true in its configuration): its 403 then names the reason in '
    "the body, and probe prints it\n"
)


@pytest.mark.server
@pytest.mark.parametrize(
    ("server", "options", "causes", "allow"),
    [
        pytest.param(
            "demo_server",
            ["--method", "PUT", "--header", "Content-Type: application/json"],
            "  - most likely, the method 'PUT' is not among the methods the server allows "
            "(wsgicors and KrakenD allow only GET, HEAD and POST unless told otherwise)\n"
            "  - or the request header 'content-type' is not among the headers the server "
            "allows\n"
            "  - or the origin 'https://app.example.com' is not among the origins the server "
            "allows\n",
            '"PUT" to allow_methods, or "Content-Type" to allow_headers, or '
            '"https://app.example.com" to allow_origins',
            id="README's JSON PUT",
        ),
        pytest.param(
            "live_server",
            ["--method", "DELETE", "--credentials", "--path", "/api/1"],
            "  - most likely, the method 'DELETE' is not among the methods the server allows "
            "(wsgicors and KrakenD allow only GET, HEAD and POST unless told otherwise)\n"
            "  - or the origin 'https://app.example.com' is not among the origins the server "
            "allows\n",
            '"DELETE" to allow_methods, or "https://app.example.com" to allow_origins',
            id="method alone",
        ),
        pytest.param(
            "live_server",
            ["--header", "X-Other: 1", "--header", "X-Token: 2"],
            "  - most likely, the request headers 'x-other', 'x-token' are not among the headers "
            "the server allows\n"
            "  - or the origin 'https://app.example.com' is not among the origins the server "
            "allows\n",
            '"X-Other" and "X-Token" to allow_headers, or "https://app.example.com" to '
            "allow_origins",
            id="headers alone",
        ),
    ],
)
def test_probe_refused_preflight_lists_likely_causes_and_the_server_side_check(
    server: str,
    options: list[str],
    causes: str,
    allow: str,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = request.getfixturevalue(server)
    path = options[options.index("--path") + 1] if "--path" in options else "/"
    argv = [o for o in options if o not in ("--path", path)]
    status, out, _ = run(capsys, "probe", url + path, "--origin", APP, *argv)

    shown = "".join(f" {shlex.quote(option)}" for option in options)
    assert status == 2
    report, console = split_console(out)
    assert report.endswith(
        REFUSED_PREFLIGHT_END.format(causes=causes, allow=allow, options=shown)
    ), out
    assert [line for line in console if not line.startswith("  ")] == [
        "Chromium's console says:",
        "Firefox's console says:",
        "WebKit's console says:",
    ]


@pytest.mark.server
def test_probe_refused_preflight_quotes_the_debug_body(
    debug_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, "probe", debug_server, "--origin", APP, "--method", "PUT", "--json"
    )

    report = json.loads(out)
    assert (status, report["causes"], report["fixes"]) == (
        2,
        [
            "the server refused the preflight: 403 Forbidden, with no Access-Control-* headers; "
            "its body says why: 'CORS preflight rejected: method 'PUT' is not in allow_methods'"
        ],
        [
            "allow what the body names in the server's configuration; `wsgicors explain CONFIG "
            "--origin https://app.example.com --method PUT`, with that configuration as CONFIG, "
            "shows the change"
        ],
    )


@pytest.mark.server
def test_probe_duplicate_allow_origin_is_blocked(
    double_cors_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "probe", double_cors_server, "--origin", APP, "--json")
    assert status == 2
    assert json.loads(out)["reasons"] == [
        "The 'Access-Control-Allow-Origin' header contains multiple values "
        "'https://app.example.com, https://app.example.com', but only one is allowed."
    ]


@pytest.mark.server
def test_probe_redirect_is_noted(redirect_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "probe", redirect_server, "--origin", APP, "--json")
    assert status == 0
    assert json.loads(out)["notes"] == [
        "The response redirects to '/elsewhere': a browser follows it and applies the CORS "
        "check there as well; run the command again for that URL."
    ]


def _scripted_preflight_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    # Answers a preflight as the query says: ?status=308&max_age=-1 (each optional).
    from urllib.parse import parse_qs

    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ["REQUEST_METHOD"] == "OPTIONS":
        headers = [(ACAO, "*"), ("Access-Control-Allow-Methods", "PUT"), ("Content-Length", "0")]
        if "max_age" in query:
            headers.append(("Access-Control-Max-Age", query["max_age"]))
        if "status" in query:
            headers.append(("Location", "/api/"))
        start_response(f"{query.get('status', '204')} Whatever", headers)
        return []
    start_response("200 OK", [(ACAO, "*"), ("Content-Length", "0"), ("X-Evil", "\x1b[2J")])
    return []


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[str]:
    yield from _serve(_scripted_preflight_app)


@pytest.mark.server
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_probe_redirected_preflight_is_named_with_its_fix(
    status: int, scripted_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{scripted_server}/api?status={status}"
    code, out, _ = run(capsys, "probe", url, "--origin", APP, "--method", "PUT", "--json")
    verdict = json.loads(out)
    assert (code, verdict["preflight"], verdict["allowed"]) == (2, True, False)
    assert verdict["reasons"] == [
        "Response to preflight request doesn't pass access control check: Redirect is not "
        f"allowed for a preflight request (status {status})."
    ]
    assert verdict["fixes"] == [
        f"answer the preflight (OPTIONS) at the URL the page requests, '/api?status={status}', "
        "instead of redirecting it to '/api/': no header makes a redirected preflight pass; "
        "when the app redirects to add or remove a trailing '/', let the page request the URL "
        "the app serves, or route both forms to the view"
    ]


@pytest.mark.server
@pytest.mark.parametrize(
    ("max_age", "cache", "line"),
    [
        pytest.param(
            "-1",
            {"header": "-1", "seconds": 5, "chromium": 0, "firefox": 0, "webkit": 5},
            "  the engines read Access-Control-Max-Age '-1' differently: Chromium not cached "
            "(negative); Firefox not cached (not a number of seconds); WebKit 5 s (not a number "
            "of seconds: the default)",
            id="negative",
        ),
        pytest.param(
            str(2**63),
            {
                "header": str(2**63),
                "seconds": 2**63,
                "chromium": 5,
                "firefox": 86400,
                "webkit": 600,
            },
            f"  the engines read Access-Control-Max-Age '{2**63}' differently: Chromium 5 s "
            "(not a 64-bit integer: the default); Firefox 86400 s (capped at 86400 s); WebKit "
            "600 s (capped at 600 s)",
            id="2^63",
        ),
        pytest.param(
            "12h",
            {"header": "12h", "seconds": 5, "chromium": 5, "firefox": 0, "webkit": 5},
            "  the engines read Access-Control-Max-Age '12h' differently: Chromium 5 s (not a "
            "64-bit integer: the default); Firefox not cached (not a number of seconds); WebKit "
            "5 s (not a number of seconds: the default)",
            id="duration",
        ),
        pytest.param(
            "+10",
            {"header": "+10", "seconds": 5, "chromium": 10, "firefox": 0, "webkit": 5},
            "  the engines read Access-Control-Max-Age '+10' differently: Chromium 10 s "
            "(Access-Control-Max-Age); Firefox not cached (not a number of seconds); WebKit 5 s "
            "(not a number of seconds: the default)",
            id="plus sign",
        ),
        pytest.param(
            "600",
            {"header": "600", "seconds": 600, "chromium": 600, "firefox": 600, "webkit": 600},
            "  the preflight is cached for 600 s (Access-Control-Max-Age); capped: Chromium "
            "600 s, Firefox 600 s, WebKit 600 s",
            id="600",
        ),
    ],
)
def test_probe_preflight_cache_is_read_as_each_engine_reads_it(
    max_age: str,
    cache: dict[str, object],
    line: str,
    scripted_server: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"{scripted_server}/api?max_age={max_age.replace('+', '%2B')}"
    argv = ["probe", url, "--origin", APP, "--method", "PUT"]
    _, out, _ = run(capsys, *argv, "--json")
    assert json.loads(out)["preflight_cache"] == cache
    _, out, _ = run(capsys, *argv)
    assert f"  headers the script can read: Content-Length\n{line}\n" in out


@pytest.mark.server
def test_probe_shows_control_characters_from_the_server_escaped(
    scripted_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "probe", scripted_server, "--origin", APP)
    assert "   < X-Evil: '\\x1b[2J'\n" in out
    assert "\x1b" not in out


@pytest.mark.server
def test_probe_timeout_bounds_the_whole_probe_against_a_trickling_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stop = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def trickle() -> None:
            # A valid answer, one byte every 0.5 s: each read gets a byte well within the
            # timeout, so only a deadline for the whole probe stops it.
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                answer = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n"
                for byte in answer:
                    if stop.wait(0.5):
                        return
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        return

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        started = time.monotonic()
        status, out, err = run(
            capsys, "probe", f"http://127.0.0.1:{port}/", "--origin", APP, "--timeout", "2"
        )
        elapsed = time.monotonic() - started
        stop.set()
        thread.join(5)
    assert elapsed < 2 + 3
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: 127.0.0.1:{port} did not finish its answer within 2 s (the timeout "
        "bounds the whole probe: connecting, sending and every read); allow more time with "
        "--timeout\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.server
def test_probe_connection_refused_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    status, out, err = run(capsys, "probe", f"http://127.0.0.1:{port}/", "--origin", APP)
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: cannot connect to 127.0.0.1:{port}: connection refused; is the "
        "server running?\n"
    )


@pytest.mark.server
def test_probe_timeout_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel accepts the connection; nobody ever answers
        port = silent.getsockname()[1]
        status, out, err = run(
            capsys, "probe", f"http://127.0.0.1:{port}/", "--origin", APP, "--timeout", "0.2"
        )
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: no answer from 127.0.0.1:{port} within 0.2 s; check the URL, or "
        "allow more time with --timeout\n"
    )


@pytest.mark.server
def test_probe_non_http_answer_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_garbage() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"SSH-2.0-OpenSSH\r\n")

        thread = threading.Thread(target=answer_garbage, daemon=True)
        thread.start()
        status, out, err = run(capsys, "probe", f"http://127.0.0.1:{port}/", "--origin", APP)
        thread.join(5)
    assert (status, out) == (1, "")
    assert err == (
        f"wsgicors: error: 127.0.0.1:{port} did not answer with valid HTTP (BadStatusLine); "
        "check the URL's scheme and port\n"
    )


def test_probe_timeout_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "probe", "http://127.0.0.1:1/", "--origin", APP, "--timeout", "0")
    assert (status, err) == (1, "wsgicors: error: --timeout 0 must be more than 0 seconds\n")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param(
            "127.0.0.1:8080",
            "'127.0.0.1:8080' is not an http or https URL; write it in full, e.g. "
            "'http://127.0.0.1:8080/api'",
            id="no scheme",
        ),
        pytest.param(
            "http://127.0.0.1:99999/",
            "'http://127.0.0.1:99999/' has an invalid port; ports are 1 to 65535",
            id="bad port",
        ),
    ],
)
def test_probe_bad_url_is_one_line_error(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "probe", url, "--origin", APP)
    assert (status, out, err) == (1, "", f"wsgicors: error: {message}\n")


# --- serve -----------------------------------------------------------------------------------


def test_serve_unknown_app_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "serve", "no_such_module_here:app", "--port", "0")
    assert (status, out) == (1, "")
    assert err == (
        "wsgicors: error: cannot import module 'no_such_module_here' for "
        "'no_such_module_here:app': No module named 'no_such_module_here'\n"
    )


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        pytest.param(
            "wsgicors.debug",
            "'wsgicors.debug' has no attribute 'application' (looking for 'wsgicors.debug')",
            id="module alone means module:application",
        ),
        pytest.param(
            "wsgicors.debug:nothing",
            "'wsgicors.debug' has no attribute 'nothing' (looking for 'wsgicors.debug:nothing')",
            id="missing attribute",
        ),
        pytest.param(
            "wsgicors.debug:__all__",
            "'wsgicors.debug:__all__' is list ['app', 'echo'], not a WSGI application: name the "
            "callable, e.g. 'myproject.wsgi:application'",
            id="not callable",
        ),
    ],
)
def test_serve_bad_app_reference_is_one_line_error(
    reference: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "serve", reference)
    assert (status, err) == (1, f"wsgicors: error: {message}\n")


def test_serve_bad_port_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "serve", "--port", "70000")
    assert (status, err) == (
        1,
        "wsgicors: error: --port 70000 is not a port number (0 to 65535)\n",
    )


class _Served:
    def __init__(
        self, process: subprocess.Popen[str], port: int, banner: str, lines: queue.Queue[str]
    ) -> None:
        self.process = process
        self.port = port
        self.banner = banner
        self.lines = lines

    def wait_for_line(self, line: str, seconds: float = 10) -> None:
        """Wait until stderr prints ``line``."""
        deadline = time.monotonic() + seconds
        seen = ""
        while line not in seen.splitlines():
            try:
                seen += self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail(f"serve did not print {line!r} within {seconds} s: {seen!r}")

    def request(self, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response


@pytest.fixture
def start_serve(tmp_path: Path) -> Iterator[Any]:
    processes: list[subprocess.Popen[str]] = []

    def start(*argv: str) -> _Served:
        process = subprocess.Popen(
            [PYTHON, "-m", "wsgicors", "serve", "--port", "0", *argv],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            # A shell's background job ignores SIGINT, and children inherit that; restore it
            # so that the server sees Ctrl+C as a terminal user's would.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        processes.append(process)
        lines: queue.Queue[str] = queue.Queue()
        stderr = process.stderr
        assert stderr is not None

        def pump() -> None:
            for line in stderr:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        banner = ""
        deadline = time.monotonic() + 20
        while "Running on http://127.0.0.1:" not in banner:
            try:
                banner += lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail(f"serve did not start within 20 s: {banner}")
        port = int(banner.rpartition("127.0.0.1:")[2].split()[0])
        return _Served(process, port, banner, lines)

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
        assert process.stderr is not None
        process.stderr.close()


@pytest.mark.server
def test_serve_default_echo_app_answers_with_the_request(start_serve: Any) -> None:
    served = start_serve()
    response = served.request("GET", "/__debug/x?a=1", {ORIGIN: APP})
    assert (response.status, response.getheader(ACAO)) == (200, "*")
    assert served.banner.startswith(
        "wsgicors: serving wsgicors.debug:app with the CORS policy from the defaults (every "
        "origin; GET, HEAD, POST)\n"
    )


@pytest.mark.server
def test_serve_stops_cleanly_on_ctrl_c(start_serve: Any) -> None:
    served = start_serve()
    served.request("GET", "/", {})  # the server is in its loop, past the start-up banner
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(10) == 0


@pytest.mark.server
def test_serve_echo_body_is_the_request(start_serve: Any) -> None:
    served = start_serve()
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection.request("GET", "/__debug/x?a=1&a=2", headers={ORIGIN: APP, "X-Token": "7"})
    body = json.loads(connection.getresponse().read())
    connection.close()
    assert (body["method"], body["path"], body["query"]) == (
        "GET",
        "/__debug/x",
        {"a": ["1", "2"]},
    )
    assert (body["headers"]["Origin"], body["headers"]["X-Token"]) == (APP, "7")


@pytest.mark.server
def test_serve_app_and_config_answers_preflight(start_serve: Any, tmp_path: Path) -> None:
    (tmp_path / "myapp.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'mine']\n"
    )
    config = write(tmp_path, {"allow_origins": [APP], "allow_methods": ["PUT"]})
    served = start_serve("myapp:app", "--config", config)
    preflight = served.request(
        "OPTIONS", "/", {ORIGIN: APP, "Access-Control-Request-Method": "PUT"}
    )
    assert (preflight.status, preflight.getheader(ACAO)) == (204, APP)
    refused = served.request(
        "OPTIONS", "/", {ORIGIN: "https://evil.example", "Access-Control-Request-Method": "PUT"}
    )
    assert (refused.status, refused.getheader(ACAO)) == (403, None)


def _serve_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[Any, str]:
    """Run ``serve`` without serving: what it would hand to werkzeug, and its banner."""
    import werkzeug.serving

    handed: dict[str, Any] = {}

    def run_simple(host: str, port: int, app: Any, **options: Any) -> None:
        handed.update(host=host, port=port, app=app)

    monkeypatch.setattr(werkzeug.serving, "run_simple", run_simple)
    status, _, err = run(capsys, "serve", *argv)
    assert status == 0
    return handed["app"], err


@pytest.mark.parametrize(("options", "debug"), [([], False), (["--debug"], True)])
def test_serve_debug_turns_the_policy_debug_on(
    options: list[str],
    debug: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write(tmp_path, {"allow_origins": [APP]})
    app, banner = _serve_in_process(monkeypatch, capsys, "--config", config, *options)
    assert app.policy == CORSPolicy(allow_origins=[APP], debug=debug)
    assert banner.startswith(
        f"wsgicors: serving wsgicors.debug:app with the CORS policy from {config}"
        + (", debug on (every CORS decision is logged here)" if debug else "")
        + "\n"
    )


def test_serve_debug_on_the_defaults(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, _ = _serve_in_process(monkeypatch, capsys, "--debug")
    assert app.policy == CORSPolicy(debug=True)


def test_serve_banner_suggests_the_readme_probe_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    [command] = [
        line.removeprefix(".venv/bin/")
        for line in readme.splitlines()
        if line.startswith(".venv/bin/wsgicors probe ")
    ]
    _, banner = _serve_in_process(monkeypatch, capsys)
    assert banner.splitlines()[1] == (
        f"wsgicors: every response is the request as JSON; try: {command}"
    )


@pytest.mark.server
def test_serve_debug_logs_decisions_on_stderr(start_serve: Any) -> None:
    served = start_serve("--debug")
    response = served.request(
        "OPTIONS", "/", {ORIGIN: APP, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status == 403
    served.wait_for_line(
        "[CORS] preflight from 'https://app.example.com' rejected: method 'PUT' is not in "
        "allow_methods"
    )


# --- the same, as a process ------------------------------------------------------------------


def _run_process(*argv: str, cwd: Path = CLI_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "wsgicors", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_process_explain_session_matches_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    argv = SESSIONS["json_post"]
    result = _run_process("explain", *argv)
    expected = (CLI_DIR / "json_post.txt").read_text()
    assert session_text(argv, result.returncode, result.stdout, result.stderr) == expected


def test_process_check_invalid_config_exits_1() -> None:
    result = _run_process("check", "trailing_slash.json")
    assert result.returncode == 1
    assert result.stdout.startswith("trailing_slash.json: 1 problem\n")
    assert result.stderr == ""


def test_process_unreadable_config_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = _run_process("explain", "missing.json", "--origin", APP, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "wsgicors: error: cannot read CORS configuration missing.json: there is no such file; "
        f"check the path: a relative path is read from the working directory, {tmp_path}\n"
    )


@pytest.mark.server
def test_process_probe_live_server_exits_0(live_server: str) -> None:
    result = _run_process("probe", live_server, "--origin", APP, "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["allowed"] is True


def test_console_script_is_the_same_command() -> None:
    script = Path(PYTHON).parent / "wsgicors"
    if not script.exists():
        pytest.skip("the wsgicors console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    module = _run_process("--help")
    assert (result.returncode, result.stdout) == (0, module.stdout)


def test_output_closed_early_exits_quietly(tmp_path: Path) -> None:
    config = write(tmp_path, {"allow_origins": ["https://app.example.com"]})
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before anything is written, as with `| head -0`
    with os.fdopen(writer, "wb") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "wsgicors", "explain", config, "--origin", "https://x.test"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )

    assert (result.returncode, result.stderr) == (1, "")


# --- the tools behind explain, on a path-scoped policy ---------------------------------------


def test_diagnosis_of_a_path_scoped_policy_changes_the_scope_the_middleware_chooses() -> None:
    from wsgicors.tools.browser import FetchRequest
    from wsgicors.tools.diagnose import diagnose
    from wsgicors.tools.exchange import explain

    scopes = {"/api": CORSPolicy(allow_origins=[APP]), "/": CORSPolicy(allow_origins=["*"])}
    request = FetchRequest("https://other.example.com", "PUT", (), False, "/api/orders")
    outcome = explain(scopes, request)
    diagnosis = diagnose(scopes, outcome)
    assert diagnosis.causes == (
        "the origin 'https://other.example.com' is not in allow_origins "
        '["https://app.example.com"]',
        'the method \'PUT\' is not in allow_methods ["GET", "HEAD", "POST"]',
    )
    assert diagnosis.fixes == (
        "add 'https://other.example.com' to allow_origins",
        "add 'PUT' to allow_methods",
    )
    assert diagnosis.verified


def test_diagnosis_of_a_path_the_policy_leaves_alone_says_so() -> None:
    from wsgicors.tools.browser import FetchRequest
    from wsgicors.tools.diagnose import diagnose
    from wsgicors.tools.exchange import explain

    scopes = {"/api": CORSPolicy(allow_origins=[APP]), "/static": None}
    request = FetchRequest(APP, "PUT", (), False, "/static/app.js")
    diagnosis = diagnose(scopes, explain(scopes, request))
    assert diagnosis == (
        diagnosis.__class__(
            ("no policy applies to '/static/app.js': the middleware leaves it alone",),
            ("map a prefix of this path to a policy",),
            False,
        )
    )


# --- explain --app and --against --------------------------------------------------------------

SHOP_APP = """
from flask import Flask

from wsgicors import CORSPolicy, cors_policy

app = Flask(__name__)


@app.get("/products")
@cors_policy(CORSPolicy(allow_origins=["*"]))
def products():
    return ["tea"]


@app.get("/orders")
def orders():
    return []


@app.get("/closed")
@cors_policy(None)
def closed():
    return []
"""
BLOG = "https://blog.example"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    module = f"shop_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(SHOP_APP)
    write(tmp_path, {"allow_origins": ["https://shop.example"]})
    write(tmp_path, {"allow_origins": [BLOG]}, "other.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path / module


@pytest.mark.parametrize(
    ("path", "status", "policy"),
    [
        pytest.param("/products", 0, "view 'products' (marked with cors_policy)", id="marked"),
        pytest.param(
            "/orders",
            2,
            "the configuration's policy (the view the request reaches is not marked)",
            id="unmarked",
        ),
        pytest.param(
            "/closed", 2, "view 'closed' (marked with cors_policy(None): no CORS)", id="none"
        ),
    ],
)
def test_explain_app_says_which_policy_the_path_gets(
    shop: Path, capsys: pytest.CaptureFixture[str], path: str, status: int, policy: str
) -> None:
    code, out, _ = run(
        capsys,
        "explain",
        "cors.json",
        "--app",
        f"{shop.name}:app",
        "--origin",
        BLOG,
        "--path",
        path,
    )

    assert code == status
    assert out.splitlines()[1] == f"policy: {policy}, for {shop.name}:app with cors.json"


@pytest.mark.parametrize(
    ("argv", "status", "last"),
    [
        pytest.param(
            ["cors.json", "--against", "other.json"],
            2,
            "compared with other.json: the request would be allowed there (it is blocked with "
            "cors.json)",
            id="differs",
        ),
        pytest.param(
            ["other.json", "--against", "other.json"],
            0,
            "compared with other.json: the request is allowed there too",
            id="agrees",
        ),
    ],
)
def test_explain_against_compares_two_configurations(
    shop: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, last: str
) -> None:
    code, out, _ = run(capsys, "explain", *argv, "--origin", BLOG)

    assert code == status
    assert out.splitlines()[-1] == last


def test_explain_against_in_json(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "explain", "cors.json", "--against", "other.json", "--origin", BLOG, "--json"
    )

    document = json.loads(out)
    assert code == 2
    assert document["allowed"] is False
    assert document["against"] == {
        "config": "other.json",
        "policy": "other.json",
        "allowed": True,
        "preflight": False,
        "reasons": [],
        "differs": True,
    }
