"""The Paste Deploy filter ``egg:wsgicors#middleware``, loaded by real PasteDeploy."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
import webtest
from paste.deploy import loadapp, loadfilter

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError, PolicyWarning
from wsgicors.headers import ACAM, ACAO, ACMA, ACRM, ORIGIN, VARY
from wsgicors.integrations import CONFIG_ENV
from wsgicors.integrations.paste import filter_app_factory

SITE = "https://www.domain.com"


def app(environ: dict[str, object], start_response: object) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
    return [b"ok"]


@pytest.fixture(autouse=True)
def no_environment_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)


def cors_filter(tmp_path: Path, body: str) -> CORSMiddleware:
    ini = tmp_path / "app.ini"
    ini.write_text("[filter:cors]\nuse = egg:wsgicors#middleware\n" + textwrap.dedent(body))
    middleware = loadfilter(f"config:{ini}", name="cors")(app)
    assert isinstance(middleware, CORSMiddleware)
    return middleware


def test_config_key_reads_json_relative_to_ini_file(tmp_path: Path) -> None:
    (tmp_path / "cors.json").write_text(json.dumps({"allow_origins": [SITE], "max_age": "1h"}))

    middleware = cors_filter(tmp_path, "config = cors.json\n")

    assert middleware.policy == CORSPolicy(allow_origins=[SITE], max_age=3600)


def test_0_7_keys_keep_working(tmp_path: Path) -> None:
    middleware = cors_filter(
        tmp_path,
        """
        policy = api
        api_origin = https://www.domain.com https://*.domain.com
        api_methods = HEAD, OPTIONS, GET, PUT
        api_maxage = 180
        """,
    )

    response = webtest.TestApp(middleware).options(
        "/", headers={ORIGIN: "https://a.domain.com", ACRM: "PUT"}
    )
    assert (response.headers[ACAO], response.headers[ACAM], response.headers[ACMA]) == (
        "https://a.domain.com",
        "PUT",
        "180",
    )


def test_empty_section_reads_environment_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "env.json").write_text(json.dumps({"allow_origins": [SITE]}))
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "env.json"))

    assert cors_filter(tmp_path, "").policy == CORSPolicy(allow_origins=[SITE])


def test_config_with_other_keys_is_refused_naming_the_ini_file(tmp_path: Path) -> None:
    (tmp_path / "cors.json").write_text("{}")

    with pytest.raises(PolicyError) as caught:
        cors_filter(tmp_path, "config = cors.json\napi_origin = https://www.domain.com\n")

    assert str(caught.value) == (
        f"invalid CORS policy in {tmp_path / 'app.ini'} (1 problem):\n"
        "- api_origin: 'https://www.domain.com': the filter takes its policy from the file "
        "named by 'config' alone; move this option into the JSON file, or remove 'config' to "
        "use the wsgicors 0.7 keys"
    )


def test_bad_0_7_keys_are_refused_naming_the_ini_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        cors_filter(tmp_path, "policy = api\napi_origin = *\napi_credentials = true\n")

    assert (caught.value.source, [p.option for p in caught.value.problems]) == (
        str(tmp_path / "app.ini"),
        ["api_origin"],
    )


def test_broken_json_is_refused_naming_the_json_file(tmp_path: Path) -> None:
    (tmp_path / "cors.json").write_text("{")

    with pytest.raises(PolicyError) as caught:
        cors_filter(tmp_path, "config = cors.json\n")

    assert str(caught.value) == (
        f"cannot read CORS configuration {tmp_path / 'cors.json'}: invalid JSON at line 1, "
        "column 1: the file ends before every object and array is closed; close each '{' with "
        "'}' and each '[' with ']'"
    )


def test_pipeline_serves_app_behind_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "paste_target.py").write_text(
        textwrap.dedent(
            """
            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"ok"]

            def factory(global_conf, **local_conf):
                return app
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "paste_target", raising=False)
    (tmp_path / "site.ini").write_text(
        textwrap.dedent(
            """
            [app:myapp]
            use = call:paste_target:factory

            [filter:cors]
            use = egg:wsgicors#middleware
            policy = site
            site_origin = https://www.domain.com

            [pipeline:main]
            pipeline = cors myapp
            """
        )
    )

    response = webtest.TestApp(loadapp(f"config:{tmp_path / 'site.ini'}")).get(
        "/", headers={ORIGIN: SITE}
    )

    assert (response.body, response.headers[ACAO]) == (b"ok", SITE)


# --- [DEFAULT] and loadapp(global_conf=...): merged as wsgicors 0.7 merged them -------------

EVIL = "https://evil.example"


@pytest.fixture
def paste_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module with an app factory, for ``use = call:paste_target:factory``."""
    (tmp_path / "paste_target.py").write_text(
        textwrap.dedent(
            """
            def app(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"ok"]

            def factory(global_conf, **local_conf):
                return app
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "paste_target", raising=False)
    return tmp_path


def site(directory: Path, defaults: str, cors: str, **loadapp_options: object) -> webtest.TestApp:
    """``loadapp`` on a pipeline of the filter and the target app, from a real ini file."""
    ini = directory / "site.ini"
    ini.write_text(
        "[DEFAULT]\n"
        + textwrap.dedent(defaults)
        + "\n[app:myapp]\nuse = call:paste_target:factory\n\n"
        + "[filter:cors]\nuse = egg:wsgicors#middleware\n"
        + textwrap.dedent(cors)
        + "\n[pipeline:main]\npipeline = cors myapp\n"
    )
    return webtest.TestApp(loadapp(f"config:{ini}", **loadapp_options))  # type: ignore[arg-type]


def test_policy_in_default_section_is_applied_to_bare_filter(paste_target: Path) -> None:
    client = site(paste_target, "policy = p\np_origin = https://a.example\n", "")

    evil = client.get("/", headers={ORIGIN: EVIL})
    trusted = client.get("/", headers={ORIGIN: "https://a.example"})

    assert (ACAO in evil.headers, evil.headers[VARY], trusted.headers[ACAO]) == (
        False,
        "Origin",
        "https://a.example",
    )


def test_policy_in_loadapp_global_conf_is_applied_to_bare_filter(paste_target: Path) -> None:
    client = site(
        paste_target,
        "",
        "",
        global_conf={"policy": "p", "p_origin": "https://a.example"},
    )

    evil = client.get("/", headers={ORIGIN: EVIL})
    trusted = client.get("/", headers={ORIGIN: "https://a.example"})

    assert (ACAO in evil.headers, trusted.headers[ACAO]) == (False, "https://a.example")


def test_filter_set_option_replaces_default_one(paste_target: Path) -> None:
    client = site(
        paste_target,
        "policy = p\np_origin = https://a.example\n",
        "set p_origin = https://b.example\np_maxage = 60\n",
    )

    a = client.options("/", headers={ORIGIN: "https://a.example", ACRM: "GET"}, status=403)
    b = client.options("/", headers={ORIGIN: "https://b.example", ACRM: "GET"})

    assert (ACAO in a.headers, b.headers[ACAO], b.headers[ACMA]) == (
        False,
        "https://b.example",
        "60",
    )


def test_config_in_default_section_is_read_relative_to_ini_file(paste_target: Path) -> None:
    (paste_target / "cors.json").write_text(json.dumps({"allow_origins": ["https://a.example"]}))

    client = site(paste_target, "config = cors.json\n", "")

    assert ACAO not in client.get("/", headers={ORIGIN: EVIL}).headers


def test_unrelated_default_options_are_ignored_without_warning(paste_target: Path) -> None:
    client = site(
        paste_target,
        "debug = true\ndb_url = sqlite://\napi_url = https://api.example\n",
        "policy = p\np_origin = https://a.example\n",
    )

    response = client.get("/", headers={ORIGIN: "https://a.example"})

    assert response.headers[ACAO] == "https://a.example"


def test_unknown_default_option_of_a_policy_is_ignored_with_a_warning(paste_target: Path) -> None:
    with pytest.warns(PolicyWarning) as caught:
        client = site(
            paste_target,
            "p_url = https://p.example\n",
            "policy = p\np_origin = https://a.example\n",
        )

    assert (
        client.get("/", headers={ORIGIN: "https://a.example"}).headers[ACAO],
        [str(warning.message) for warning in caught],
    ) == (
        "https://a.example",
        [
            "ignored 'p_url' in the shared options ([DEFAULT]): not a wsgicors 0.7 option "
            "(origin, methods, headers, expose_headers, credentials, maxage) of the policy the "
            "key starts with; rename the key if it belongs to another component, or correct it "
            "if it is a misspelt CORS option"
        ],
    )


def test_filter_option_wins_over_shared_one() -> None:
    # Paste Deploy itself drops a section's key that [DEFAULT] also sets; other loaders pass
    # both, and then the filter's own value wins, as in 0.7.
    middleware = filter_app_factory(
        app,
        {"policy": "p", "p_origin": "https://a.example", "p_maxage": "60"},
        p_origin="https://b.example",
    )

    assert middleware.policy == CORSPolicy(
        allow_origins=["https://b.example"], allow_headers=[], max_age=60
    )


def test_unknown_filter_option_of_a_policy_is_still_refused(paste_target: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        site(paste_target, "policy = p\n", "p_origin = https://a.example\np_orign = x\n")

    assert [(p.option, p.hint) for p in caught.value.problems] == [
        ("p_orign", "did you mean 'p_origin'?")
    ]


def test_filter_without_any_option_is_refused_with_the_fix(tmp_path: Path) -> None:
    # Allowing every origin because no option was found would fail open.
    with pytest.raises(PolicyError) as caught:
        cors_filter(tmp_path, "")

    assert str(caught.value) == (
        f"invalid CORS policy in {tmp_path / 'app.ini'} (1 problem):\n"
        "- config: None: the filter found no CORS options (no 'config', no wsgicors 0.7 "
        "'policy' in its section or in [DEFAULT], and no $WSGICORS_CONFIG), and will not "
        "guess a policy; add config = %(here)s/cors.json (a KrakenD 'security/cors' object; "
        '{"allow_origins": ["*"]} allows every origin), or the wsgicors 0.7 keys policy = '
        "api and api_origin = https://app.example.com"
    )


def test_bare_filter_in_pipeline_is_refused(paste_target: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        site(paste_target, "debug = true\n", "")

    assert [problem.option for problem in caught.value.problems] == ["config"]
