"""The Paste Deploy filter ``egg:wsgicors#middleware``, loaded by real PasteDeploy."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
import webtest
from paste.deploy import loadapp, loadfilter

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError
from wsgicors.headers import ACAM, ACAO, ACMA, ACRM, ORIGIN
from wsgicors.integrations import CONFIG_ENV

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


def test_empty_section_uses_defaults(tmp_path: Path) -> None:
    assert cors_filter(tmp_path, "").policy == CORSPolicy()


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
        f"invalid CORS policy in {tmp_path / 'cors.json'} (1 problem):\n"
        f"- config: {str(tmp_path / 'cors.json')!r}: invalid JSON at line 1, column 2: "
        "Expecting property name enclosed in double quotes; fix the JSON syntax there (a "
        "trailing comma or a missing quote is the usual cause)"
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
