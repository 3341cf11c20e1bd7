"""``manage.py check`` reports settings.WSGICORS' problems and warnings, in real projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.djangoprojects import manage, write_project

APP = '"wsgicors.integrations.django"'
OURS = "wsgicors.integrations.django.DjangoCORSMiddleware"


@pytest.mark.parametrize(
    "middleware",
    [
        pytest.param("[]", id="WSGI form"),
        pytest.param(f"[{OURS!r}]", id="MIDDLEWARE form"),
    ],
)
def test_check_reports_every_problem_as_an_error_with_its_hint(
    tmp_path: Path, middleware: str
) -> None:
    project = write_project(
        tmp_path,
        f"""
        INSTALLED_APPS = [{APP}]
        MIDDLEWARE = {middleware}
        WSGICORS = {{
            "allow_origins": ["https://app.example.com/"],
            "allow_methods": ["TRACE"],
            "max_age": "12 hours",
        }}
        """,
    )

    result = manage(project, "check")

    assert result.returncode == 1
    assert result.stderr == (
        "SystemCheckError: System check identified some issues:\n\n"
        "ERRORS:\n"
        "settings.WSGICORS: (wsgicors.E002) allow_origins: 'https://app.example.com/': an "
        "origin has no path\n"
        "\tHINT: remove the trailing '/' (use 'https://app.example.com')\n"
        "settings.WSGICORS: (wsgicors.E003) allow_methods: 'TRACE': CONNECT, TRACE and TRACK "
        "are forbidden methods: browsers never send them cross-origin\n"
        "\tHINT: remove it\n"
        "settings.WSGICORS: (wsgicors.E006) max_age: '12 hours': max_age is a Go duration such "
        "as '12h', '1h30m', '90s' or '500ms'\n"
        "\tHINT: write a number with a unit (ns, us, ms, s, m, h), or an int of seconds\n\n"
        "System check identified 3 issues (0 silenced).\n"
    )


def test_check_reports_policy_warnings_as_warnings(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        f"""
        INSTALLED_APPS = [{APP}]
        WSGICORS = {{"allow_headers": ["Origin"], "max_age": "48h"}}
        """,
    )

    result = manage(project, "check")

    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        "System check identified some issues:\n\n"
        "WARNINGS:\n"
        "settings.WSGICORS: (wsgicors.W004) allow_headers: browsers never send 'Origin' in a "
        "preflight (a script cannot set it), so listing it has no effect\n"
        "settings.WSGICORS: (wsgicors.W006) max_age: 172800 s is above what browsers honour "
        "(Chromium caps the preflight cache at 7200 s, Firefox at 86400 s)\n\n"
        "System check identified 2 issues (0 silenced).\n"
    )


def test_check_without_the_setting_says_how_to_add_it(tmp_path: Path) -> None:
    project = write_project(tmp_path, f"INSTALLED_APPS = [{APP}]\n")

    result = manage(project, "check")

    assert result.returncode == 1
    assert (
        "settings.WSGICORS: (wsgicors.E001) settings.WSGICORS is not set\n"
        "\tHINT: add WSGICORS = {...} with the CORS options (the keys of a KrakenD "
        "'security/cors' object), or WSGICORS = {} for the defaults\n"
    ) in result.stderr


def test_check_reads_django_cors_headers_settings(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        f"""
        INSTALLED_APPS = [{APP}]
        WSGICORS = "django-cors-headers"
        CORS_ALLOW_ALL_ORIGINS = True
        CORS_ALLOW_CREDENTIALS = True
        """,
    )

    result = manage(project, "check")

    assert result.returncode == 1
    assert (
        "settings.WSGICORS: (wsgicors.E012) CORS_ALLOW_ALL_ORIGINS: True: with "
        "CORS_ALLOW_CREDENTIALS, django-cors-headers reflects every Origin with "
        "'Access-Control-Allow-Credentials: true': any site could read your users' data\n"
        "\tHINT: list the trusted origins in CORS_ALLOWED_ORIGINS (or write WSGICORS with "
        "allow_origins), or pass allow_origin_func to decide them in code\n"
    ) in result.stderr


def test_check_reports_both_cors_middlewares(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        f"""
        INSTALLED_APPS = [{APP}]
        MIDDLEWARE = [{OURS!r}, "corsheaders.middleware.CorsMiddleware"]
        WSGICORS = {{}}
        """,
    )

    result = manage(project, "check")

    assert result.returncode == 1
    assert "(wsgicors.E013) settings.MIDDLEWARE holds both" in result.stderr


def test_check_warns_when_staticfiles_comes_first(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        f"""
        INSTALLED_APPS = ["django.contrib.staticfiles", {APP}]
        WSGICORS = {{}}
        """,
    )

    result = manage(project, "check")

    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        "System check identified some issues:\n\n"
        "WARNINGS:\n"
        "settings.INSTALLED_APPS: (wsgicors.W013) 'django.contrib.staticfiles' comes before "
        "'wsgicors.integrations.django' in INSTALLED_APPS, so runserver serves static files "
        "without CORS headers\n"
        "\tHINT: move 'wsgicors.integrations.django' above 'django.contrib.staticfiles'\n\n"
        "System check identified 1 issue (0 silenced).\n"
    )
