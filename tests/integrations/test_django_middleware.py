"""Django's MIDDLEWARE form: DjangoCORSMiddleware, over the WSGI middleware, for real.

The in-process tests configure Django from examples/djangoproject (as test_django.py does) and
swap MIDDLEWARE and WSGICORS with override_settings; ``manage.py check`` and ``runserver`` run
real projects in a temporary directory, each in its own interpreter.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import webtest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, LiveServerTestCase
from django.test.utils import override_settings
from helpers import PREFLIGHT_VARY, configure_django

from integrations.djangoprojects import fetch, manage, runserver, write_project
from wsgicors import CORSMiddleware
from wsgicors.headers import ACAC, ACAH, ACAM, ACAO, ACMA, ACRH, ACRM, ALLOW, ORIGIN, VARY

SITE = "https://www.domain.com"
OURS = "wsgicors.integrations.django.DjangoCORSMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
POLICY = {
    "allow_origins": [SITE],
    "allow_methods": ["GET", "HEAD", "POST", "PUT"],
    "allow_credentials": True,
    "expose_headers": ["ETag"],
    "max_age": "1h",
    "auto_options": True,
}


@pytest.fixture(scope="module", autouse=True)
def django_settings() -> Iterator[None]:
    configure_django()
    with override_settings(
        ROOT_URLCONF="djangoproject.urls", MIDDLEWARE=[OURS, COMMON], WSGICORS=POLICY
    ):
        yield


# --- the test client --------------------------------------------------------------------------


def test_test_client_response_carries_cors() -> None:
    response = Client().get("/api/status", headers={ORIGIN: SITE})

    assert (response.status_code, response[ACAO], response[ACAC], response[VARY]) == (
        200,
        SITE,
        "true",
        "Origin",
    )
    assert response["Access-Control-Expose-Headers"] == "ETag"


def test_preflight_is_answered_before_url_resolution() -> None:
    response = Client().options(
        "/not/a/route", headers={ORIGIN: SITE, ACRM: "PUT", ACRH: "x-token"}
    )

    assert response.status_code == 204
    assert dict(response.headers) == {
        ACAO: SITE,
        ACAM: "PUT",
        ACAH: "x-token",
        ACAC: "true",
        ACMA: "3600",
        VARY: PREFLIGHT_VARY,
    }
    assert response.content == b""


def test_failed_preflight_is_403_without_cors() -> None:
    response = Client().options("/api/status", headers={ORIGIN: SITE, ACRM: "DELETE"})

    assert (response.status_code, dict(response.headers)) == (
        403,
        {VARY: PREFLIGHT_VARY, "Content-Type": "text/plain; charset=utf-8", "Content-Length": "0"},
    )


def test_auto_options_lists_the_views_methods() -> None:
    response = Client().options("/api/items/")

    assert (response.status_code, response[ALLOW]) == (200, "GET, OPTIONS, POST")


def test_common_middleware_redirect_below_is_decorated() -> None:
    response = Client().get("/api/items", headers={ORIGIN: SITE})

    assert (response.status_code, response["Location"], response[ACAO]) == (
        301,
        "/api/items/",
        SITE,
    )


def test_disallowed_origin_gets_vary_and_no_cors() -> None:
    response = Client().get("/api/status", headers={ORIGIN: "https://evil.example"})

    assert (ACAO in response, response[VARY]) == (False, "Origin")


def test_view_vary_is_merged_not_duplicated() -> None:
    with override_settings(MIDDLEWARE=[OURS, "django.middleware.locale.LocaleMiddleware"]):
        response = Client().get("/api/status", headers={ORIGIN: SITE})

    assert response[VARY] == "Accept-Language, Origin"


def test_cors_headers_set_by_a_view_are_replaced() -> None:
    response = Client().get("/api/echo", headers={ORIGIN: SITE})

    assert response[ACAO] == SITE


# --- two CORS layers ------------------------------------------------------------------------


def test_wsgi_wrapper_and_middleware_together_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.core.wsgi import get_wsgi_application

    app = webtest.TestApp(CORSMiddleware(get_wsgi_application()))

    response = app.get("/api/status", headers={ORIGIN: SITE}, status=500)

    # Django turns the exception into its 500 page and logs it on django.request.
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    error = record.exc_info[1]
    assert (response.status, type(error)) == ("500 Internal Server Error", ImproperlyConfigured)
    assert str(error) == (
        f"CORS is applied twice: {OURS} is in settings.MIDDLEWARE and the WSGI application "
        "is already wrapped in wsgicors.CORSMiddleware (wsgicors.integrations.django."
        "get_wsgi_application() in wsgi.py, wsgicors.wrap() or the Paste filter); keep one: "
        f"remove {OURS} from MIDDLEWARE, or use Django's own get_wsgi_application() in wsgi.py"
    )


def test_settings_wsgi_application_with_middleware_is_refused_at_start_up() -> None:
    from wsgicors.integrations.django import get_wsgi_application

    with pytest.raises(ImproperlyConfigured) as caught:
        get_wsgi_application()

    assert str(caught.value).startswith(f"CORS is applied twice: {OURS} is in")


def test_middleware_listed_twice_is_refused() -> None:
    with override_settings(MIDDLEWARE=[OURS, OURS]), pytest.raises(ImproperlyConfigured) as c:
        Client().get("/api/status", headers={ORIGIN: SITE})

    assert str(c.value) == (
        f"{OURS} is listed twice in settings.MIDDLEWARE: keep one entry, near the top"
    )


# --- ASGI -----------------------------------------------------------------------------------


def test_asgi_handler_is_refused_at_start_up() -> None:
    from django.core.asgi import get_asgi_application

    with pytest.raises(ImproperlyConfigured) as caught:
        get_asgi_application()

    assert str(caught.value) == (
        f"{OURS} runs under WSGI only, and this project is being served by Django's ASGI "
        "handler (asgi.py): remove it from MIDDLEWARE and serve the project with a WSGI "
        "server (gunicorn, uWSGI, mod_wsgi, runserver), or put an ASGI CORS middleware in "
        "front of the ASGI application"
    )


def test_middleware_declares_sync_only() -> None:
    from wsgicors.integrations.django import DjangoCORSMiddleware

    assert (DjangoCORSMiddleware.sync_capable, DjangoCORSMiddleware.async_capable) == (True, False)


# --- LiveServerTestCase: a real server, real HTTP -------------------------------------------


@override_settings(STATIC_URL="/static/")
class LiveServerCORS(LiveServerTestCase):
    databases: set[str] = set()  # noqa: RUF012  # Django's own attribute

    def test_live_server_response_carries_cors(self) -> None:
        status, headers = fetch(f"{self.live_server_url}/api/status", headers={ORIGIN: SITE})

        assert (status, headers[ACAO], headers[VARY]) == (200, SITE, "Origin")

    def test_live_server_preflight_is_answered(self) -> None:
        status, headers = fetch(
            f"{self.live_server_url}/api/status",
            method="OPTIONS",
            headers={ORIGIN: SITE, ACRM: "PUT"},
        )

        assert (status, headers[ACAO], headers[ACAM]) == (204, SITE, "PUT")


# --- runserver's static files and manage.py check, in real projects ---------------------------

RUNSERVER_SETTINGS = f"""
INSTALLED_APPS = ["wsgicors.integrations.django", "django.contrib.staticfiles"]
MIDDLEWARE = [{OURS!r}]
WSGICORS = {{"allow_origins": [{SITE!r}]}}
"""


def test_runserver_static_file_carries_cors(tmp_path: Path) -> None:
    project = write_project(tmp_path, RUNSERVER_SETTINGS)

    with runserver(project) as url:
        static = fetch(f"{url}/static/app.js", headers={ORIGIN: SITE})
        view = fetch(f"{url}/api/hello", headers={ORIGIN: SITE})

    assert (static[0], static[1][ACAO], static[1][VARY]) == (200, SITE, "Origin")
    assert (view[0], view[1][ACAO]) == (200, SITE)


def test_runserver_static_preflight_is_answered(tmp_path: Path) -> None:
    project = write_project(tmp_path, RUNSERVER_SETTINGS)

    with runserver(project) as url:
        status, headers = fetch(
            f"{url}/static/app.js", method="OPTIONS", headers={ORIGIN: SITE, ACRM: "GET"}
        )

    assert (status, headers[ACAO], headers[ACAM]) == (204, SITE, "GET")


def test_wsgi_form_project_check_passes(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        """
        INSTALLED_APPS = ["wsgicors.integrations.django"]
        MIDDLEWARE = []
        WSGICORS = {"allow_origins": ["https://www.domain.com"]}
        """,
    )

    result = manage(project, "check")

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )
