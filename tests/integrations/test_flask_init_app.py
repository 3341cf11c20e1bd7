"""Flask: ``init_app(app)`` with app factories, config keys and flask-cors' keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError, cors_policy
from wsgicors.cli import main
from wsgicors.headers import ACAC, ACAM, ACAO, ACRM, ALLOW, ORIGIN, VARY
from wsgicors.integrations.flask import init_app

SITE = "https://www.domain.com"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask("factory")
    app.config.update(config or {})

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> dict[str, str]:
        return {"items": "ok"}

    init_app(app)
    return app


def test_factory_app_reads_wsgicors_from_config() -> None:
    app = create_app({"WSGICORS": {"allow_origins": [SITE], "allow_credentials": True}})

    response = app.test_client().get("/items", headers={ORIGIN: SITE})

    assert (response.headers[ACAO], response.headers[ACAC], response.headers[VARY]) == (
        SITE,
        "true",
        "Origin",
    )


def test_each_factory_app_has_its_own_middleware() -> None:
    first = create_app({"WSGICORS": {"allow_origins": [SITE]}})
    second = create_app({"WSGICORS": {"allow_origins": ["https://b.example"]}})

    assert isinstance(first.extensions["wsgicors"], CORSMiddleware)
    assert first.extensions["wsgicors"] is not second.extensions["wsgicors"]
    assert ACAO not in second.test_client().get("/items", headers={ORIGIN: SITE}).headers


def test_router_is_the_flask_app_for_auto_options() -> None:
    app = create_app({"WSGICORS": {"auto_options": True}})

    response = app.test_client().options("/items")

    assert (response.status, response.headers[ALLOW]) == ("200 OK", "GET, HEAD, OPTIONS, PUT")


def test_flask_cors_keys_are_read_with_their_meanings() -> None:
    app = create_app({"CORS_ORIGINS": SITE, "CORS_METHODS": "get,put"})

    response = app.test_client().options("/items", headers={ORIGIN: SITE, ACRM: "PUT"})

    assert (response.status, response.headers[ACAO], response.headers[ACAM]) == (
        "204 No Content",
        SITE,
        "PUT",
    )


def test_no_configuration_is_the_default_policy() -> None:
    app = create_app()

    assert app.extensions["wsgicors"].policy == CORSPolicy()


def test_policy_argument_wins_over_config() -> None:
    app = Flask("explicit")
    app.config["WSGICORS"] = {"allow_origins": ["https://b.example"]}

    middleware = init_app(app, {"allow_origins": [SITE]})

    assert middleware.policy == CORSPolicy(allow_origins=[SITE])


def test_per_view_policy_applies() -> None:
    app = Flask("views")
    app.config["WSGICORS"] = {"allow_origins": [SITE]}

    @app.get("/open")
    @cors_policy(CORSPolicy())
    def open_view() -> str:
        return "open"

    init_app(app)
    response = app.test_client().get("/open", headers={ORIGIN: "https://any.example"})

    assert response.headers[ACAO] == "*"


def test_second_init_app_is_refused() -> None:
    app = create_app()

    with pytest.raises(RuntimeError) as caught:
        init_app(app)

    assert str(caught.value) == (
        f"wsgicors is already set up on {app!r} (app.extensions['wsgicors']): call "
        "init_app(app) once per application; to change the policy, assign "
        "app.extensions['wsgicors'].policy"
    )


def test_config_problem_names_the_setting() -> None:
    with pytest.raises(PolicyError) as caught:
        create_app({"WSGICORS": {"allow_origins": ["https://a.example/"]}})

    assert str(caught.value).startswith(
        'invalid CORS policy in app.config["WSGICORS"] (1 problem):\n- allow_origins:'
    )


# --- wsgicors migrate -------------------------------------------------------------------------


def test_migrate_flask_config_file_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.py"
    config.write_text('CORS_ORIGINS = "https://a.example,https://b.example"\nCORS_MAX_AGE = 600\n')

    status = main(["migrate", "--flask-app", str(config)])

    out = capsys.readouterr().out
    assert status == 0
    assert out == (
        f"# flask-cors settings from {config}\n"
        "{\n"
        '  "allow_origins": [\n    "https://a.example",\n    "https://b.example"\n  ],\n'
        '  "allow_methods": [\n    "GET",\n    "HEAD",\n    "POST",\n    "OPTIONS",\n'
        '    "PUT",\n    "PATCH",\n    "DELETE"\n  ],\n'
        '  "allow_headers": [\n    "*"\n  ],\n'
        '  "max_age": 600\n'
        "}\n"
    )


def test_migrate_django_settings_lists_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "settings.py"
    settings.write_text("CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n")

    status = main(["migrate", "--django-settings", str(settings), "--python"])

    out = capsys.readouterr().out
    assert status == 1
    assert out.endswith(
        "1 setting refused:\n"
        "- CORS_ALLOW_ALL_ORIGINS: True: with CORS_ALLOW_CREDENTIALS, django-cors-headers "
        "reflects every Origin with 'Access-Control-Allow-Credentials: true': any site could "
        "read your users' data\n"
        "  fix: list the trusted origins in CORS_ALLOWED_ORIGINS (or write WSGICORS with "
        "allow_origins), or pass allow_origin_func to decide them in code\n"
    )


def test_migrate_flask_app_reads_its_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "peerapp.py").write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        "app.config['CORS_ORIGINS'] = ['https://a.example']\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))

    status = main(["migrate", "--flask-app", "peerapp:app", "--python"])

    assert status == 0
    assert "'allow_origins': ['https://a.example']," in capsys.readouterr().out
