"""``wrap()`` in process: import strings, where the policy comes from, one-line errors.

tests/integration/test_gunicorn.py runs the same factory under a real gunicorn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import webtest
from helpers import RecordingApp

import wsgicors
from wsgicors import CORSMiddleware, CORSPolicy, PolicyError, PolicyWarning
from wsgicors.headers import ACAO, ORIGIN
from wsgicors.integrations import CONFIG_ENV, load_policy
from wsgicors.integrations.gunicorn import WrapError, import_app, wrap

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SITE = "https://www.domain.com"
SEED_WARNING = "allow_headers: 'Accept-Language' is always allowed; listing it is redundant"


@pytest.fixture(autouse=True)
def outside_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    """wrap() raises gunicorn's flavour of WrapError only once gunicorn is imported."""
    monkeypatch.delitem(sys.modules, "gunicorn.errors", raising=False)
    monkeypatch.delenv(CONFIG_ENV, raising=False)


@pytest.fixture
def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An importable module ``apps`` with applications and things that are not."""
    (tmp_path / "apps.py").write_text(
        textwrap.dedent(
            """
            def application(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"ok"]

            class Holder:
                app = staticmethod(application)

            def create_app(greeting="ok"):
                def app(environ, start_response):
                    start_response("200 OK", [("Content-Type", "text/plain")])
                    return [greeting.encode()]
                return app

            number = 42
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "apps", raising=False)
    return tmp_path


def write_json(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- the application ----------------------------------------------------------------------


def test_wrap_is_exported_at_package_level() -> None:
    assert wsgicors.wrap is wrap


def test_package_import_loads_no_framework() -> None:
    probe = (
        "import sys, wsgicors; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'flask', 'gunicorn'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stdout == "[]\n"


@pytest.mark.parametrize(
    ("target", "body"),
    [
        pytest.param("apps", b"ok", id="module alone means module:application"),
        pytest.param("apps:application", b"ok", id="module:name"),
        pytest.param("apps:Holder.app", b"ok", id="dotted attribute"),
        pytest.param("apps:create_app()", b"ok", id="factory call"),
        pytest.param("apps:create_app('hi')", b"hi", id="factory with a literal argument"),
        pytest.param("apps:create_app(greeting='yo')", b"yo", id="factory with a keyword"),
    ],
)
def test_import_string_forms_load_the_application(apps: Path, target: str, body: bytes) -> None:
    response = webtest.TestApp(wrap(target)).get("/")

    assert response.body == body


def test_wrap_takes_an_application_object() -> None:
    app = wrap(_plain_app)

    assert (isinstance(app, CORSMiddleware), app.app) == (True, _plain_app)


def _plain_app(environ: object, start_response: object) -> list[bytes]:
    return [b""]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param(
            "nosuch:app",
            "wsgicors: cannot import module 'nosuch' for 'nosuch:app': No module named 'nosuch'",
            id="module does not exist",
        ),
        pytest.param(
            "apps:missing",
            "wsgicors: 'apps' has no attribute 'missing' (looking for 'apps:missing')",
            id="attribute does not exist",
        ),
        pytest.param(
            "apps:Holder.nope",
            "wsgicors: 'apps.Holder' has no attribute 'nope' (looking for 'apps:Holder.nope')",
            id="dotted attribute does not exist",
        ),
        pytest.param(
            "apps:number",
            "wsgicors: 'apps:number' is int 42, not a WSGI application: name the callable, "
            "e.g. 'myproject.wsgi:application'",
            id="not callable",
        ),
        pytest.param(
            "apps:number()",
            "wsgicors: 'apps:number()' calls 'number', which is not callable",
            id="calling what is not callable",
        ),
        pytest.param(
            "apps:create_app(x)",
            "wsgicors: cannot read 'apps:create_app(x)' as an application: write 'module:name' "
            "or 'module:factory(...)' with literal arguments, e.g. 'myproject.wsgi:application'",
            id="argument is not a literal",
        ),
        pytest.param(
            ":app",
            "wsgicors: cannot read ':app' as an application: write 'module:name' or "
            "'module:factory(...)' with literal arguments, e.g. 'myproject.wsgi:application'",
            id="no module",
        ),
    ],
)
def test_bad_import_string_is_one_line_error(apps: Path, target: str, message: str) -> None:
    with pytest.raises(WrapError) as caught:
        wrap(target)

    assert str(caught.value) == message


def test_non_callable_object_is_one_line_error() -> None:
    with pytest.raises(WrapError) as caught:
        wrap(42)  # type: ignore[arg-type]

    assert str(caught.value) == (
        "wsgicors: int 42 is not a WSGI application: pass the application or its 'module:name'"
    )


# --- where the policy comes from ----------------------------------------------------------


def test_config_file_is_read_relative_to_working_directory(
    apps: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    with pytest.warns(PolicyWarning, match=SEED_WARNING):
        app = wrap("apps:application", config="krakend.json")

    policy = app.policy
    assert isinstance(policy, CORSPolicy)
    assert (policy.allow_headers, policy.expose_headers, policy.max_age) == (
        ("Accept-Language",),
        ("Content-Length", "Content-Type"),
        43200,
    )


def test_environment_variable_names_config_when_none_given(
    apps: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_json(tmp_path / "cors.json", json.dumps({"allow_origins": [SITE]}))
    monkeypatch.setenv(CONFIG_ENV, config)

    assert wrap("apps").policy == CORSPolicy(allow_origins=[SITE])


def test_config_argument_wins_over_environment_variable(
    apps: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "absent.json"))
    config = write_json(tmp_path / "cors.json", json.dumps({"allow_origins": [SITE]}))

    assert wrap("apps", config=config).policy == CORSPolicy(allow_origins=[SITE])


@pytest.mark.parametrize("value", [pytest.param(None, id="unset"), pytest.param("", id="empty")])
def test_without_config_or_environment_defaults_apply(
    apps: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv(CONFIG_ENV, value)

    assert wrap("apps").policy == CORSPolicy()


def test_keyword_overrides_apply_on_top_of_krakend_file(
    apps: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    with pytest.warns(PolicyWarning):
        app = wrap("apps", config="krakend.json", allow_origins=[SITE], auto_options=True)

    policy = app.policy
    assert isinstance(policy, CORSPolicy)
    assert (policy.allow_origins, policy.auto_options, policy.max_age) == ((SITE,), True, 43200)


def test_keyword_overrides_apply_without_config(apps: Path) -> None:
    app = wrap("apps", allow_origins=[SITE])

    response = webtest.TestApp(app).get("/", headers={ORIGIN: SITE})
    assert response.headers[ACAO] == SITE


def test_bare_cors_object_file_is_read(tmp_path: Path) -> None:
    config = write_json(tmp_path / "cors.json", '{"allow_origins": ["https://www.domain.com"]}')

    assert load_policy(config) == CORSPolicy(allow_origins=[SITE])


def test_krakend_router_auto_options_survives_overrides(tmp_path: Path) -> None:
    config = write_json(
        tmp_path / "krakend.json",
        json.dumps({"extra_config": {"router": {"auto_options": True}, "security/cors": {}}}),
    )

    assert load_policy(config, debug=True) == CORSPolicy(auto_options=True, debug=True)


# --- policy errors: one line, naming the file and every option -----------------------------


def test_broken_json_is_one_line_error_naming_the_file(apps: Path, tmp_path: Path) -> None:
    config = write_json(tmp_path / "broken.json", '{"allow_origins": ["https://a.example"],\n}')

    with pytest.raises(WrapError) as caught:
        wrap("apps", config=config)

    assert str(caught.value) == (
        f"wsgicors: cannot read CORS configuration {config}: invalid JSON at line 1, column 40: "
        "a ',' before '}' (JSON allows no trailing comma); remove the ',' at the end of line 1"
    )


def test_missing_file_is_one_line_error_naming_the_file(apps: Path, tmp_path: Path) -> None:
    config = str(tmp_path / "absent.json")

    with pytest.raises(WrapError) as caught:
        wrap("apps", config=config)

    assert str(caught.value) == (
        f"wsgicors: cannot read CORS configuration {config}: there is no such file; check the path"
    )


def test_json_nested_too_deeply_is_one_line_error(tmp_path: Path) -> None:
    config = write_json(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)

    with pytest.raises(WrapError) as caught:
        wrap(RecordingApp(), config=config)

    assert "\n" not in str(caught.value)
    assert "the JSON nests arrays or objects too deeply to read" in str(caught.value)


def test_several_mistakes_are_one_line_naming_each_option(apps: Path, tmp_path: Path) -> None:
    config = write_json(
        tmp_path / "krakend.json",
        json.dumps(
            {
                "extra_config": {
                    "security/cors": {
                        "allow_origins": ["*"],
                        "allow_credentials": True,
                        "allow_methods": [],
                        "max_age": "12 hours",
                    }
                }
            }
        ),
    )

    with pytest.raises(WrapError) as caught:
        wrap("apps", config=config)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"wsgicors: invalid CORS policy in {config} (3 problems): (1) ")
    assert [problem.option for problem in caught.value.problems] == [
        "allow_origins",
        "allow_methods",
        "max_age",
    ]
    assert caught.value.source == config


def test_error_in_file_named_by_environment_says_so(
    apps: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_json(tmp_path / "cors.json", '{"allow_origins": "https://a.example"}')
    monkeypatch.setenv(CONFIG_ENV, config)

    with pytest.raises(WrapError) as caught:
        wrap("apps")

    assert str(caught.value).startswith(
        f"wsgicors: invalid CORS policy in {config} (named by $WSGICORS_CONFIG) (1 problem): "
        "(1) allow_origins: 'https://a.example': "
    )


def test_unknown_override_is_one_line_error(apps: Path) -> None:
    with pytest.raises(WrapError) as caught:
        wrap("apps", allow_origin=[SITE])

    assert str(caught.value) == (
        "wsgicors: invalid CORS policy (1 problem): (1) allow_origin: ['https://www.domain.com']: "
        "unknown option; did you mean 'allow_origins'?"
    )


def test_misspelt_config_keyword_suggests_config(apps: Path) -> None:
    with pytest.raises(WrapError) as caught:
        wrap("apps", confg="krakend.json")

    assert str(caught.value) == (
        "wsgicors: wrap() got confg='krakend.json': did you mean config='krakend.json'?"
    )


# --- under gunicorn ---------------------------------------------------------------------------


def test_error_under_gunicorn_is_its_app_import_error(apps: Path) -> None:
    from gunicorn.errors import AppImportError

    with pytest.raises(AppImportError) as caught:
        wrap("nosuch:app")

    assert (isinstance(caught.value, WrapError), isinstance(caught.value, RuntimeError)) == (
        True,
        True,
    )


def run_gunicorn(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != CONFIG_ENV}
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("factory", "line"),
    [
        pytest.param(
            'wsgicors:wrap("apps", config="cors.json")',
            "wsgicors: invalid CORS policy in cors.json (1 problem): (1) allow_origins: "
            "'https://a.example/': an origin has no path; remove the trailing '/' (use "
            "'https://a.example')",
            id="bad config",
        ),
        pytest.param(
            'wsgicors:wrap("apps", config="absent.json")',
            "wsgicors: cannot read CORS configuration absent.json: there is no such file; check "
            "the path: a relative path is read from the working directory, {dir}",
            id="missing config",
        ),
        pytest.param(
            'wsgicors:wrap("nosuch:app")',
            "wsgicors: cannot import module 'nosuch' for 'nosuch:app': No module named 'nosuch'",
            id="bad import string",
        ),
    ],
)
@pytest.mark.parametrize("mode", ["--check-config", "--print-config"])
def test_gunicorn_config_check_prints_one_line(
    apps: Path, mode: str, factory: str, line: str
) -> None:
    write_json(apps / "cors.json", '{"allow_origins": ["https://a.example/"]}')

    result = run_gunicorn(apps, mode, factory)

    assert (result.returncode, result.stderr) == (1, line.format(dir=apps) + "\n")


def test_gunicorn_config_check_passes_a_good_factory_silently(apps: Path) -> None:
    write_json(apps / "cors.json", '{"allow_origins": ["https://a.example"]}')

    result = run_gunicorn(apps, "--check-config", 'wsgicors:wrap("apps", config="cors.json")')

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_warning_from_config_file_names_the_file_and_line_under_gunicorn(apps: Path) -> None:
    write_json(
        apps / "cors.json",
        '{\n  "allow_origins": ["https://a.example"],\n  "allow_headers": ["Origin"]\n}\n',
    )

    result = run_gunicorn(apps, "--check-config", 'wsgicors:wrap("apps", config="cors.json")')

    assert (result.returncode, result.stderr) == (
        0,
        "cors.json:3: PolicyWarning: allow_headers: browsers never send 'Origin' in a preflight "
        "(a script cannot set it), so listing it has no effect\n"
        '  "allow_headers": ["Origin"]\n',
    )


def test_error_outside_gunicorn_is_not_gunicorns(apps: Path) -> None:
    with pytest.raises(WrapError) as caught:
        import_app("nosuch:app")

    assert type(caught.value) is WrapError


def test_krakend_file_without_cors_section_is_refused_with_overrides(tmp_path: Path) -> None:
    config = write_json(tmp_path / "krakend.json", '{"extra_config": {"router": {}}}')

    with pytest.raises(PolicyError) as caught:
        load_policy(config, debug=True)

    assert ([p.option for p in caught.value.problems], caught.value.source) == (
        ["extra_config"],
        config,
    )
