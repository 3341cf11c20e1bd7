"""``wsgicors migrate``: where the peer's settings are read from, and the report printed.

What each setting becomes is tested in ``test_peers.py``; here, the places a project keeps
its settings (a settings module, a .py or .json config file, a Flask app) and what goes wrong
reading them, each a one-line :class:`~wsgicors.tools.ToolError`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wsgicors.tools import ToolError
from wsgicors.tools.migrate import migrate_django, migrate_flask, render

A = "https://a.example"
FLASK_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project directory as the working directory; sys.path and sys.modules are restored."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    yield tmp_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "")).startswith(str(tmp_path)):
            del sys.modules[name]


# --- django-cors-headers settings ---------------------------------------------------------------


def test_django_settings_module_is_imported_from_the_working_directory(project: Path) -> None:
    (project / "mysite_settings.py").write_text(f"CORS_ALLOWED_ORIGINS = [{A!r}]\n")

    migration = migrate_django("mysite_settings")

    assert (migration.ok, migration.translation.spec["allow_origins"]) == (True, [A])
    assert sys.path[0] == os.getcwd()


def test_django_settings_module_already_importable_leaves_sys_path_alone(
    project: Path,
) -> None:
    (project / "importable_settings.py").write_text(f"CORS_ALLOWED_ORIGINS = [{A!r}]\n")
    sys.path.insert(0, str(project))
    path = list(sys.path)

    migrate_django("importable_settings")

    assert sys.path == path


def test_django_settings_module_that_cannot_be_found_is_named(project: Path) -> None:
    with pytest.raises(ToolError) as caught:
        migrate_django("mysite.settings")

    assert str(caught.value) == (
        "mysite.settings: cannot import it (No module named 'mysite'); give a settings module "
        "importable from the current directory, or the path of a .py file"
    )


@pytest.mark.parametrize(
    "target", [pytest.param("envsettings", id="module"), pytest.param("envsettings.py", id="file")]
)
def test_django_settings_reading_an_unset_variable_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    (project / "envsettings.py").write_text(
        "import os\n"
        'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n'
        f"CORS_ALLOWED_ORIGINS = [{A!r}]\n"
    )

    with pytest.raises(ToolError) as caught:
        migrate_django(target)

    assert str(caught.value) == (
        f"{target}: importing it raised KeyError: 'DJANGO_SECRET_KEY'; set what it needs, or "
        "give a file that holds the CORS_* settings alone"
    )


def test_django_settings_file_that_does_not_exist_is_named(project: Path) -> None:
    with pytest.raises(ToolError) as caught:
        migrate_django("mysite/settings.py")

    assert str(caught.value) == "mysite/settings.py: no such file"


REGEX_SETTINGS = (
    'CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\\w+\\.example\\.com$"]\n'
    'CORS_URLS_REGEX = r"^/api/.*$"\n'
    "CORS_ALLOW_METHODS = ['GET']\n"
    "CORS_ALLOW_HEADERS = ['x-token']\n"
    "CORS_PREFLIGHT_MAX_AGE = 0\n"
)


def test_django_regex_report_in_python_imports_origin_regexes(project: Path) -> None:
    (project / "settings.py").write_text(REGEX_SETTINGS)

    migration = migrate_django("settings.py")

    assert render(migration, python=True).splitlines()[:9] == [
        "# django-cors-headers settings from settings.py",
        "from wsgicors.integrations.peers import OriginRegexes",
        "WSGICORS = {",
        "    '/api': {",
        "        'allow_origin_func': OriginRegexes(('^https://\\\\w+\\\\.example\\\\.com$',)),",
        "        'allow_methods': ['GET'],",
        "        'allow_headers': ['x-token'],",
        "    },",
        "}",
    ]


def test_django_regex_report_in_json_says_to_pass_the_function_in_python(
    project: Path,
) -> None:
    (project / "settings.py").write_text(REGEX_SETTINGS)

    lines = render(migrate_django("settings.py")).splitlines()

    end = lines.index("}")
    assert json.loads("\n".join(lines[1 : end + 1])) == {
        "/api": {
            "@allow_origin_func": "pass allow_origin_func="
            "OriginRegexes(('^https://\\\\w+\\\\.example\\\\.com$',)) in Python",
            "allow_methods": ["GET"],
            "allow_headers": ["x-token"],
        }
    }
    assert lines[end + 1 :] == [
        '# or keep the CORS_* settings as they are and write WSGICORS = "django-cors-headers"',
        "warning: CORS_ALLOWED_ORIGIN_REGEXES: '^https://\\\\w+\\\\.example\\\\.com$' is not one "
        "of the wildcard forms ('https://*.example.com', 'https://host:*'): it becomes an "
        "allow_origin_func that allows an origin the regex matches in full (re.fullmatch; the "
        "peer matched a prefix); list the origins, or a wildcard form, to drop the function",
    ]


# --- flask-cors configuration -------------------------------------------------------------------


def test_flask_json_config_file_is_read(project: Path) -> None:
    # Flask's app.config.from_file("config.json", load=json.load)
    (project / "config.json").write_text(json.dumps({"CORS_ORIGINS": [A], "DEBUG": True}))

    migration = migrate_flask("config.json")

    assert migration.translation.spec == {
        "allow_origins": [A],
        "allow_methods": FLASK_METHODS,
        "allow_headers": ["*"],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            '{"CORS_ORIGINS": ["https://a.example",]}',
            "config.json: cannot be read as JSON (Expecting value: line 1 column 39 (char 38))",
            id="trailing comma",
        ),
        pytest.param(
            '["https://a.example"]', "config.json: holds a JSON list, not an object", id="list"
        ),
        pytest.param(
            None,
            "config.json: cannot be read as JSON ([Errno 2] No such file or directory: "
            "'config.json')",
            id="missing file",
        ),
    ],
)
def test_flask_json_config_that_is_not_an_object_is_one_line(
    project: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (project / "config.json").write_text(content)

    with pytest.raises(ToolError) as caught:
        migrate_flask("config.json")

    assert str(caught.value) == message


def test_flask_regex_origin_report_in_python_keeps_ignore_case(project: Path) -> None:
    (project / "config.py").write_text('CORS_ORIGINS = [r"https://app[0-9]\\.example\\.com"]\n')

    text = render(migrate_flask("config.py"), python=True)

    assert (
        "    'allow_origin_func': "
        "OriginRegexes(('https://app[0-9]\\\\.example\\\\.com',), ignore_case=True),"
    ) in text.splitlines()


def test_flask_app_not_found_is_the_import_error(project: Path) -> None:
    (project / "peerapp.py").write_text("from flask import Flask\napp = Flask(__name__)\n")

    with pytest.raises(ToolError) as caught:
        migrate_flask("peerapp:application")

    assert str(caught.value) == (
        "'peerapp' has no attribute 'application' (looking for 'peerapp:application')"
    )


def test_flask_app_module_that_fails_to_import_is_one_line(project: Path) -> None:
    (project / "failingapp.py").write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        "raise RuntimeError('DATABASE_URL is not set')\n"
    )

    with pytest.raises(ToolError) as caught:
        migrate_flask("failingapp:app")

    assert str(caught.value) == (
        "failingapp:app: importing it raised RuntimeError: DATABASE_URL is not set; set what "
        "it needs, or give a file that holds the CORS_* settings alone"
    )


def test_flask_target_that_is_not_a_flask_app_is_refused(project: Path) -> None:
    (project / "plainwsgi.py").write_text(
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [b'ok']\n"
    )

    with pytest.raises(ToolError) as caught:
        migrate_flask("plainwsgi")

    assert str(caught.value) == (
        "plainwsgi is not a Flask application (it has no config): name the Flask app itself, "
        "e.g. myapp:app or 'myapp:create_app()'"
    )
