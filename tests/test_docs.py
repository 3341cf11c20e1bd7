"""The documentation cannot drift from the code: its examples run, its reference is complete.

Doctests inside the pages run in the Sphinx doctest build below; fenced ``python`` blocks, the
files under docs/examples/, the ``wsgicors`` console sessions and every shell block marked
``<!-- runnable -->`` (in README.md too) run here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from html import unescape as html_unescape
from pathlib import Path

import attrs
import pytest
from werkzeug.test import Client

import wsgicors
from wsgicors import CORSPolicy, PolicyError
from wsgicors.cli import build_parser, main
from wsgicors.headers import ACAH, ACAM, ACAO, ACRH, ACRM, ORIGIN

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
FIELDS = [field.name for field in attrs.fields(CORSPolicy)]


def fenced_blocks(language: str) -> list[tuple[str, int, str]]:
    """Every ```language block in the pages: (page, first line number, text)."""
    blocks = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        start = None
        for number, line in enumerate(lines, 1):
            if start is None and line.strip() == f"```{language}":
                start, body = number, []
            elif start is not None and line.strip() == "```":
                blocks.append((str(page.relative_to(DOCS)), start, "\n".join(body) + "\n"))
                start = None
            elif start is not None:
                body.append(line)
    return blocks


def block_params(language: str) -> list[object]:
    return [
        pytest.param(text, id=f"{page}:{line}") for page, line, text in fenced_blocks(language)
    ]


# --- the configuration reference covers exactly the policy's fields -----------------------


@pytest.mark.parametrize("name", FIELDS)
def test_configuration_reference_field_has_a_section(name: str) -> None:
    assert f"\n## `{name}`\n" in CONFIGURATION


@pytest.mark.parametrize("name", FIELDS)
def test_configuration_reference_field_is_in_the_summary_table(name: str) -> None:
    assert f"| [`{name}`](#" in CONFIGURATION


def test_configuration_reference_sections_name_only_real_fields() -> None:
    sections = re.findall(r"^## `(\w+)`$", CONFIGURATION, flags=re.MULTILINE)
    assert sorted(sections) == sorted(FIELDS)


# --- fenced python blocks run on their own ------------------------------------------------


@pytest.mark.parametrize("code", block_params("python"))
def test_python_block_runs(code: str) -> None:
    exec(compile(code, "<docs block>", "exec"), {"__name__": "docs_block"})


# --- docs/examples -------------------------------------------------------------------------


def load_example(name: str, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"docs_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quickstart_page_fetches_from_the_port_the_quickstart_runs_the_api_on() -> None:
    page = (EXAMPLES / "page" / "index.html").read_text(encoding="utf-8")
    quickstart = (DOCS / "quickstart.md").read_text(encoding="utf-8")
    assert 'const api = "http://localhost:5000";' in page
    assert "flask --app quickstart_flask run --port 5000" in quickstart
    assert "python -m http.server 8000 --directory page" in quickstart


def test_quickstart_app_allows_the_page_json_put(monkeypatch: pytest.MonkeyPatch) -> None:
    example = load_example("quickstart_flask", monkeypatch)
    client = Client(example.app)  # type: ignore[attr-defined]
    preflight = client.options(
        "/api/greeting",
        headers={ORIGIN: "http://localhost:8000", ACRM: "PUT", ACRH: "content-type"},
    )
    put = client.put(
        "/api/greeting", headers={ORIGIN: "http://localhost:8000"}, json={"greeting": "hi"}
    )
    assert (preflight.status, preflight.headers[ACAO]) == (
        "204 No Content",
        "http://localhost:8000",
    )
    assert (preflight.headers[ACAM], preflight.headers[ACAH]) == ("PUT", "content-type")
    assert (put.status, put.headers[ACAO], put.json) == (
        "200 OK",
        "http://localhost:8000",
        {"status": "saved"},
    )


def test_quickstart_app_refuses_another_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    example = load_example("quickstart_flask", monkeypatch)
    response = Client(example.app).get(  # type: ignore[attr-defined]
        "/api/hello", headers={ORIGIN: "http://localhost:9000"}
    )
    assert ACAO not in response.headers


def test_krakend_example_loads_without_warnings() -> None:
    policy = CORSPolicy.from_krakend(EXAMPLES / "krakend.json")
    assert (policy.allow_origins, policy.max_age, policy.auto_options) == (
        ("https://www.domain.com", "https://*.domain.com"),
        43200,
        True,
    )


def test_broken_example_reports_four_problems() -> None:
    with pytest.raises(PolicyError) as caught:
        CORSPolicy.from_dict(json.loads((EXAMPLES / "broken.json").read_text(encoding="utf-8")))
    assert [(p.option, p.value) for p in caught.value.problems] == [
        ("allow_origins", "*"),
        ("allow_origins", "https://app.example.com/"),
        ("expose_headers", "Set-Cookie"),
        ("max_age", "12 hours"),
    ]


# Django settings are global to a process, so each wsgi.py runs in a fresh interpreter.
DJANGO_PROBE = textwrap.dedent(
    """
    import importlib, sys
    from werkzeug.test import Client
    application = importlib.import_module(sys.argv[1]).application
    for origin in sys.argv[2:]:
        response = Client(application).get("/api/hello", headers={"Origin": origin})
        print(response.status, response.headers.get("Access-Control-Allow-Origin"))
    """
)


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        pytest.param("mysite.wsgi", "https://www.example.com", id="quickstart wsgi.py"),
        pytest.param("mysite.wsgi_api", "https://app.example.com", id="migration wsgi.py"),
        pytest.param("mysite.wsgi_settings", "https://www.example.com", id="settings wsgi.py"),
    ],
)
def test_django_example_wsgi_allows_only_its_origin(module: str, allowed: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", DJANGO_PROBE, module, allowed, "https://evil.example"],
        cwd=EXAMPLES,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"200 OK {allowed}\n200 OK None\n"


@pytest.mark.skipif(not hasattr(wsgicors, "wrap"), reason="wsgicors.wrap is not there yet")
def test_gunicorn_check_config_loads_the_documented_factory() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            'wsgicors:wrap("hello:app", config="krakend.json")',
        ],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


# --- console sessions of the wsgicors command ----------------------------------------------


def console_sessions() -> list[object]:
    """Each ``$ wsgicors ...`` command in a console block, with the output shown under it."""
    sessions = []
    for page, line, text in fenced_blocks("console"):
        command = None
        output: list[str] = []
        for row in [*text.splitlines(), "$ end"]:
            if row.startswith("$ "):
                if command is not None and command.startswith("wsgicors "):
                    sessions.append(pytest.param(command, output, id=f"{page}:{line} {command}"))
                command, output = row[2:], []
            elif command is not None and command.endswith("\\"):
                command = command[:-1] + row.strip()
            else:
                output.append(row)
    return sessions


def matches(expected: list[str], actual: str) -> bool:
    """Compare line by line; a line of just ``...`` stands for any number of lines."""
    pattern = "".join(
        r"(?:.*\n)*?" if row == "..." else re.escape(row) + r"\n" for row in expected
    )
    return re.fullmatch(pattern, actual) is not None


@pytest.mark.parametrize(("command", "output"), console_sessions())
def test_console_command_is_accepted_by_the_parser(command: str, output: list[str]) -> None:
    build_parser().parse_args(shlex.split(command)[1:])


@pytest.mark.parametrize(
    ("command", "output"),
    [session for session in console_sessions() if session.values[1]],  # type: ignore[attr-defined]
)
def test_console_session_prints_what_the_docs_show(
    command: str,
    output: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(EXAMPLES)
    status = main(shlex.split(command)[1:])
    printed = capsys.readouterr()
    assert matches(output, printed.out + printed.err), printed.out + printed.err
    blocked = any(row.startswith("BLOCKED") or row == '  "allowed": false,' for row in output)
    assert status == (1 if output[0].endswith("problems") else 2 if blocked else 0)


# --- the Sphinx build ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def doctrees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for name in ("sphinx", "furo", "myst_parser"):
        pytest.importorskip(name, reason="the docs extra is not installed")
    return tmp_path_factory.mktemp("doctrees")


SPHINX = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-q"]


def sphinx(builder: str, doctrees: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SPHINX, "-b", builder, "-d", str(doctrees), str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def html(doctrees: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    result = sphinx("html", doctrees, out)
    assert (result.returncode, result.stderr) == (0, "")
    return out


def test_sphinx_html_build_has_no_warnings(html: Path) -> None:
    assert (html / "index.html").is_file()


def test_how_cors_works_page_inlines_the_diagram_without_javascript(html: Path) -> None:
    page = (html / "how-cors-works.html").read_text(encoding="utf-8")
    svg = (DOCS / "_static" / "how-cors-works.svg").read_text(encoding="utf-8")

    assert svg.startswith('<svg id="how-cors-works-diagram"')
    assert svg in page
    assert [
        src for src in re.findall(r'<script[^>]*src="([^"]*)"', page) if "mermaid" in src
    ] == []


def test_index_page_has_no_contents_section_beside_the_sidebar(html: Path) -> None:
    page = (html / "index.html").read_text(encoding="utf-8")
    [article] = re.findall(r"<article.*?</article>", page, flags=re.S)

    assert "Contents" not in article
    assert 'class="toctree-l1' not in article
    assert 'class="toctree-l1' in page  # the sidebar


def test_index_code_lines_fit_the_column() -> None:
    # Furo's content column shows about 80 characters of code at 1280 px.
    lines = [
        line
        for page, _, text in fenced_blocks("python")
        if page == "index.md"
        for line in text.splitlines()
    ]
    assert lines
    assert [line for line in lines if len(line) > 80] == []


def test_diagram_shows_every_label_of_its_mermaid_source() -> None:
    # The SVG is rendered from the .mmd beside it: an edit to one must be made to the other.
    source = (DOCS / "_static" / "how-cors-works.mmd").read_text(encoding="utf-8")
    svg = (DOCS / "_static" / "how-cors-works.svg").read_text(encoding="utf-8")
    shown = html_unescape(re.sub(r"<[^>]+>", "\n", svg))
    labels = [
        piece
        for line in source.splitlines()
        if re.match(r"\s+(Note over \w+|\w+-?->>\w+): ", line)
        for piece in line.split(": ", 1)[1].split("<br/>")
    ]
    assert labels
    assert [label for label in labels if label not in shown] == []


def test_sphinx_doctests_pass(doctrees: Path, tmp_path: Path) -> None:
    result = sphinx("doctest", doctrees, tmp_path)
    assert result.returncode == 0, (tmp_path / "output.txt").read_text(encoding="utf-8")


def test_security_page_cites_only_tests_that_exist() -> None:
    page = (DOCS / "security.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)::(\w+)", page)

    missing = [
        f"{path}::{name}"
        for path, name in cited
        if f"def {name}(" not in (ROOT / path).read_text(encoding="utf-8")
    ]
    assert cited
    assert missing == []


# --- shell blocks marked runnable run as written, from the root of a copy of the checkout -----

# A ```sh or ```console block is run when the line before its fence is
# ``<!-- runnable -->`` (it must exit 0) or ``<!-- runnable: exit N -->``. In README.md every
# such block says either that or why it is not run: ``<!-- not runnable: REASON -->`` (a block
# that starts a server, or needs one running) or the ``test-command`` marker that .ci/run reads.
RUNNABLE = re.compile(r"<!-- runnable(?:: exit (\d+))? -->")
NOT_RUNNABLE = re.compile(r"<!-- (not runnable: .+|test-command: .+) -->")
SHELL_FENCES = ("```sh", "```console")
README = ROOT / "README.md"


def shell_blocks(path: Path) -> list[tuple[int, str, list[str]]]:
    """Each ```sh or ```console block: (line of the fence, the line before it, commands).

    In a console block the commands are the ``$ `` lines; in an sh block, every line. A line
    ending in a backslash continues on the next.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() not in SHELL_FENCES:
            continue
        console = line.strip() == "```console"
        commands: list[str] = []
        continued = False
        for row in lines[number + 1 :]:
            if row.strip() == "```":
                break
            if continued:
                commands[-1] = commands[-1][:-1].rstrip() + " " + row.strip()
            elif console and row.startswith("$ "):
                commands.append(row[2:].strip())
            elif not console and row.strip():
                commands.append(row.strip())
            else:
                continue
            continued = commands[-1].endswith("\\")
        marker = lines[number - 1].strip() if number > 0 else ""
        blocks.append((number + 1, marker, commands))
    return blocks


def runnable_params() -> list[object]:
    params = []
    for path in [README, *PAGES]:
        for line, marker, commands in shell_blocks(path):
            found = RUNNABLE.fullmatch(marker)
            if found:
                status = int(found.group(1) or 0)
                name = f"{path.relative_to(ROOT)}:{line}"
                params.append(pytest.param(commands, status, id=name))
    return params


def _not_copied(directory: str, names: list[str]) -> set[str]:
    skip = {".git", "node_modules", "__pycache__", ".hypothesis"}
    if Path(directory) == ROOT:
        skip |= {".venv", ".tox", ".mypy_cache", ".ruff_cache", "build", "dist"}
    if Path(directory) == DOCS:
        skip.add("_build")
    return {name for name in names if name in skip or name.endswith(".egg-info")}


@pytest.fixture(scope="module")
def checkout_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout whose .venv is the environment that runs the tests."""
    copy = tmp_path_factory.mktemp("checkout") / "wsgicors"
    shutil.copytree(ROOT, copy, ignore=_not_copied, symlinks=True)
    (copy / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return copy


def test_readme_says_for_every_shell_block_whether_it_runs() -> None:
    unmarked = [
        f"README.md:{line}"
        for line, marker, _ in shell_blocks(README)
        if not (RUNNABLE.fullmatch(marker) or NOT_RUNNABLE.fullmatch(marker))
    ]
    assert unmarked == []


def test_readme_has_runnable_blocks() -> None:
    assert [line for line, marker, _ in shell_blocks(README) if RUNNABLE.fullmatch(marker)]


@pytest.mark.parametrize(("commands", "status"), runnable_params())
def test_runnable_block_runs_as_written_from_the_root(
    commands: list[str], status: int, checkout_copy: Path
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("WSGICORS_CONFIG", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    env["PATH"] = os.pathsep.join([str(Path(sys.prefix) / "bin"), env.get("PATH", "")])
    env["NO_COLOR"] = "1"
    assert commands
    for number, command in enumerate(commands, 1):
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=checkout_copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        expected = status if number == len(commands) else 0
        assert result.returncode == expected, f"$ {command}\n{result.stdout}{result.stderr}"
