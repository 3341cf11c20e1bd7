"""Django: a real Django application through WebTest, DjangoRouter, and settings.WSGICORS.

Django's settings are global to a process; this module configures them once from
examples/djangoproject/settings.py (and never through DJANGO_SETTINGS_MODULE, so no other
test inherits them) and swaps ROOT_URLCONF and WSGICORS per test with override_settings.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import webtest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from helpers import configure_django

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError
from wsgicors.headers import ACAM, ACAO, ACMA, ACRM, ALLOW, ORIGIN, VARY
from wsgicors.routes import UNKNOWN_METHODS, find_router

SITE = "https://www.domain.com"
POLICY = CORSPolicy(
    allow_origins=[SITE],
    allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
    auto_options=True,
)


@pytest.fixture(scope="module", autouse=True)
def django_settings() -> Iterator[None]:
    configure_django()
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=[]):
        yield


# --- views of every kind, and the URLconf the tests resolve against -------------------------


def ok(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("ok")


async def async_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


class Items(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("items")

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("created", status=201)


class Upload(View):
    def put(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("stored")


class NoHead(View):
    http_method_names: ClassVar[list[str]] = ["get", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("no head")


class GetPost(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("got")

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("posted")


class OnlyGet(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("got")


class OnlyPost(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("posted")


class PostNamesOnly(GetPost):
    http_method_names: ClassVar[list[str]] = ["post", "options"]


class DispatchRequirePost(GetPost):
    @method_decorator(require_POST)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]


@method_decorator(require_POST, name="dispatch")
class ClassRequirePost(GetPost):
    pass


class InheritsClassRequirePost(ClassRequirePost):
    def put(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("put")


@method_decorator([never_cache, require_http_methods(["GET", "HEAD", "PUT"])], name="dispatch")
class ClassDecoratorList(GetPost):
    def put(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("put")


@method_decorator(require_safe, name="dispatch")
@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class ClassStackedDecorators(GetPost):
    pass


class HandlerRequireGet(GetPost):
    # head is get here, and require_GET refuses HEAD.
    @method_decorator(require_GET)
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("got")


@method_decorator(require_safe, name="get")
class ClassHandlerRequireSafe(GetPost):
    pass


@method_decorator(csrf_exempt, name="dispatch")
class ClassCsrfExemptOnly(GetPost):
    pass


nested = [path("deep/<int:pk>", require_http_methods(["PUT", "DELETE"])(ok))]

urlpatterns = [
    path("items", Items.as_view()),
    path("upload", Upload.as_view()),
    path("nohead", NoHead.as_view()),
    path("items-get-only", Items.as_view(http_method_names=["get", "head", "options"])),
    path("get", require_GET(ok)),
    path("post", require_POST(ok)),
    path("safe", require_safe(ok)),
    path("async-get", require_GET(async_ok)),
    path("stacked", require_GET(require_http_methods(["GET", "POST"])(ok))),
    path("exempt", csrf_exempt(require_POST(ok))),
    path("decorated-class", require_GET(Items.as_view())),
    path("contradiction", require_GET(require_POST(ok))),
    path("anything", ok),
    path("nested/", include(nested)),
    path("slash/", ok),
    path("caf\u00e9", require_GET(ok)),
    path("table/require-get", require_GET(ok)),
    path("table/require-post", require_POST(ok)),
    path("table/require-safe", require_safe(ok)),
    path("table/require-http-methods", require_http_methods(["PUT", "PATCH"])(ok)),
    path("table/lower-case-method", require_http_methods(["get", "POST"])(ok)),
    path("table/get-post", GetPost.as_view()),
    path("table/only-get", OnlyGet.as_view()),
    path("table/only-post", OnlyPost.as_view()),
    path("table/names", PostNamesOnly.as_view()),
    path("table/as-view-names", GetPost.as_view(http_method_names=["get", "options"])),
    path("table/dispatch-require-post", DispatchRequirePost.as_view()),
    path("table/class-require-post", ClassRequirePost.as_view()),
    path("table/inherits-class-require-post", InheritsClassRequirePost.as_view()),
    path("table/class-decorator-list", ClassDecoratorList.as_view()),
    path("table/class-stacked", ClassStackedDecorators.as_view()),
    path("table/handler-require-get", HandlerRequireGet.as_view()),
    path("table/class-handler-require-safe", ClassHandlerRequireSafe.as_view()),
    path("table/class-csrf-exempt", ClassCsrfExemptOnly.as_view()),
    path("table/require-get-around-class", require_GET(ClassRequirePost.as_view())),
]


def client(policy: CORSPolicy = POLICY) -> webtest.TestApp:
    from django.core.wsgi import get_wsgi_application

    return webtest.TestApp(CORSMiddleware(get_wsgi_application(), policy))


# --- auto_options through the URL resolver --------------------------------------------------


@pytest.mark.parametrize(
    ("path_", "allow"),
    [
        pytest.param("/items", "GET, HEAD, OPTIONS, POST", id="class: handlers, HEAD with GET"),
        pytest.param("/upload", "OPTIONS, PUT", id="class without get: no HEAD"),
        pytest.param("/nohead", "GET, OPTIONS", id="http_method_names without head"),
        pytest.param("/items-get-only", "GET, HEAD, OPTIONS", id="as_view(http_method_names=)"),
        pytest.param("/get", "GET, OPTIONS", id="require_GET"),
        pytest.param("/post", "OPTIONS, POST", id="require_POST"),
        pytest.param("/safe", "GET, HEAD, OPTIONS", id="require_safe"),
        pytest.param("/async-get", "GET, OPTIONS", id="require_GET on an async view"),
        pytest.param("/stacked", "GET, OPTIONS", id="stacked decorators: intersection"),
        pytest.param("/exempt", "OPTIONS, POST", id="under csrf_exempt"),
        pytest.param("/decorated-class", "GET, OPTIONS", id="require_GET around a class view"),
        pytest.param("/contradiction", "OPTIONS", id="no method passes both decorators"),
        pytest.param("/nested/deep/3", "DELETE, OPTIONS, PUT", id="include()"),
    ],
)
def test_plain_options_allows_view_methods(path_: str, allow: str) -> None:
    response = client().options(path_, headers={ORIGIN: SITE})

    assert (response.status, response.headers[ALLOW], response.headers[ACAO]) == (
        "200 OK",
        allow,
        SITE,
    )


def test_router_for_undecorated_function_view_does_not_know_methods() -> None:
    from django.core.wsgi import get_wsgi_application

    router = find_router(get_wsgi_application())
    assert router is not None

    assert (
        router.allowed_methods({"PATH_INFO": "/anything", "HTTP_HOST": "localhost"})
        is UNKNOWN_METHODS
    )


def test_plain_options_on_undecorated_function_view_allows_policy_methods() -> None:
    response = client().options("/anything")

    assert response.headers[ALLOW] == "GET, HEAD, POST, PUT, DELETE, OPTIONS"


def test_plain_options_on_unknown_path_is_djangos_404() -> None:
    response = client().options("/nowhere", headers={ORIGIN: SITE}, status=404)

    assert (ALLOW in response.headers, response.headers[ACAO]) == (False, SITE)


def test_missing_slash_is_djangos_append_slash_redirect() -> None:
    with override_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware"]):
        response = client().options("/slash", headers={ORIGIN: SITE}, status=301)

    assert (response.headers["Location"], response.headers[ACAO]) == ("/slash/", SITE)


def test_router_reads_non_ascii_path_as_django_does() -> None:
    from wsgicors.integrations.django import DjangoRouter

    # PEP 3333: PATH_INFO holds the path's UTF-8 bytes decoded as latin-1.
    environ = {"PATH_INFO": "/caf\u00c3\u00a9", "HTTP_HOST": "localhost"}

    assert DjangoRouter().allowed_methods(environ) == frozenset({"GET"})


def test_router_with_urlconf_module_resolves_there() -> None:
    from wsgicors.integrations.django import DjangoRouter

    router = DjangoRouter(urlconf="djangoproject.urls")

    assert router.allowed_methods(
        {"PATH_INFO": "/api/status", "HTTP_HOST": "localhost"}
    ) == frozenset({"GET", "HEAD"})


# --- Allow never lists a method Django refuses with 405 ---------------------------------------
#
# OPTIONS itself is answered by auto_options, so it is always in Allow; every other method is
# listed exactly when Django's own test client gets something other than 405 for it.

TABLE_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")


@pytest.mark.parametrize(
    ("path_", "allow"),
    [
        pytest.param("/table/require-get", "GET, OPTIONS", id="require_GET"),
        pytest.param("/table/require-post", "OPTIONS, POST", id="require_POST"),
        pytest.param("/table/require-safe", "GET, HEAD, OPTIONS", id="require_safe"),
        pytest.param(
            "/table/require-http-methods", "OPTIONS, PATCH, PUT", id="require_http_methods"
        ),
        pytest.param(
            "/table/lower-case-method", "OPTIONS, POST", id="require_http_methods, 'get'"
        ),
        pytest.param("/table/get-post", "GET, HEAD, OPTIONS, POST", id="View with get, post"),
        pytest.param("/table/only-get", "GET, HEAD, OPTIONS", id="View with get only"),
        pytest.param("/table/only-post", "OPTIONS, POST", id="View with post only"),
        pytest.param("/table/names", "OPTIONS, POST", id="http_method_names"),
        pytest.param("/table/as-view-names", "GET, OPTIONS", id="as_view(http_method_names=)"),
        pytest.param(
            "/table/dispatch-require-post", "OPTIONS, POST", id="method_decorator on dispatch"
        ),
        pytest.param(
            "/table/class-require-post", "OPTIONS, POST", id="method_decorator name=dispatch"
        ),
        pytest.param(
            "/table/inherits-class-require-post",
            "OPTIONS, POST",
            id="subclass of a name=dispatch class",
        ),
        pytest.param(
            "/table/class-decorator-list",
            "GET, HEAD, OPTIONS, PUT",
            id="list of decorators on dispatch",
        ),
        pytest.param(
            "/table/class-stacked", "GET, OPTIONS", id="two method_decorators on dispatch"
        ),
        pytest.param(
            "/table/handler-require-get",
            "GET, OPTIONS, POST",
            id="method_decorator(require_GET) on get: HEAD refused",
        ),
        pytest.param(
            "/table/class-handler-require-safe",
            "GET, HEAD, OPTIONS, POST",
            id="method_decorator name=get",
        ),
        pytest.param(
            "/table/class-csrf-exempt",
            "GET, HEAD, OPTIONS, POST",
            id="other decorator on dispatch",
        ),
        pytest.param(
            "/table/require-get-around-class",
            "OPTIONS",
            id="require_GET around a require_POST class",
        ),
    ],
)
def test_allow_lists_exactly_the_methods_django_does_not_refuse(path_: str, allow: str) -> None:
    django_client = Client()
    accepted = [m for m in TABLE_METHODS if django_client.generic(m, path_).status_code != 405]

    response = client().options(path_)

    assert (response.status, response.headers[ALLOW]) == ("200 OK", allow)
    assert sorted({*accepted, "OPTIONS"}) == allow.split(", ")


# --- ALLOWED_HOSTS --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("evil.example", id="unlisted host"),
        pytest.param("localhost.evil.example", id="listed host as a prefix"),
        pytest.param("local host", id="not a host"),
    ],
)
def test_plain_options_with_disallowed_host_is_djangos_400(host: str) -> None:
    with override_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware"]):
        response = client().options(
            "/items", headers={"Host": host, ORIGIN: SITE}, status=400, expect_errors=True
        )

    assert (ALLOW in response.headers, response.headers[ACAO]) == (False, SITE)


def test_router_leaves_disallowed_host_to_django() -> None:
    from wsgicors.integrations.django import DjangoRouter

    environ = {"PATH_INFO": "/items", "HTTP_HOST": "evil.example", "REQUEST_METHOD": "OPTIONS"}
    before = dict(environ)

    assert (DjangoRouter().allowed_methods(environ), environ) == (None, before)


def test_router_reads_forwarded_host_as_django_does() -> None:
    from wsgicors.integrations.django import DjangoRouter

    environ = {
        "PATH_INFO": "/items",
        "HTTP_HOST": "localhost",
        "HTTP_X_FORWARDED_HOST": "evil.example",
    }

    with override_settings(USE_X_FORWARDED_HOST=True):
        forwarded = DjangoRouter().allowed_methods(environ)
    direct = DjangoRouter().allowed_methods(environ)

    assert (forwarded, direct) == (None, frozenset({"GET", "HEAD", "OPTIONS", "POST"}))


# --- actual requests and preflights through Django ------------------------------------------


def test_preflight_is_answered_before_django() -> None:
    response = client().options("/post", headers={ORIGIN: SITE, ACRM: "PUT"})

    assert (response.status, response.headers[ACAM], response.headers[VARY]) == (
        "204 No Content",
        "PUT",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    )


def test_djangos_405_carries_cors() -> None:
    response = client().get("/post", headers={ORIGIN: SITE}, status=405)

    assert (response.headers[ALLOW], response.headers[ACAO]) == ("POST", SITE)


def test_disallowed_origin_gets_no_cors_from_django() -> None:
    response = client().get("/items", headers={ORIGIN: "https://evil.example"})

    assert (ACAO in response.headers, response.headers[VARY]) == (False, "Origin")


# --- settings.WSGICORS -----------------------------------------------------------------------


def test_policy_from_settings_reads_krakend_keys() -> None:
    from wsgicors.integrations.django import policy_from_settings

    with override_settings(WSGICORS={"allow_origins": [SITE], "max_age": "2h"}):
        policy = policy_from_settings()

    assert policy == CORSPolicy(allow_origins=[SITE], max_age=7200)


def test_policy_from_settings_accepts_python_only_options() -> None:
    from wsgicors.integrations.django import policy_from_settings

    def allow(origin: str, environ: object) -> bool:
        return origin == SITE

    with override_settings(WSGICORS={"allow_origin_func": allow}):
        policy = policy_from_settings()

    assert policy == CORSPolicy(allow_origin_func=allow)


def test_policy_from_settings_with_path_prefixes_builds_each() -> None:
    from wsgicors.integrations.django import policy_from_settings

    with override_settings(WSGICORS={"/api": {"allow_origins": [SITE]}, "/admin": None}):
        policy = policy_from_settings()

    assert policy == {"/api": CORSPolicy(allow_origins=[SITE]), "/admin": None}


def test_policy_from_settings_reports_every_problem_naming_the_setting() -> None:
    from wsgicors.integrations.django import policy_from_settings

    broken = {"allow_origins": ["https://www.domain.com/"], "allow_metods": ["GET"]}
    with override_settings(WSGICORS=broken), pytest.raises(PolicyError) as caught:
        policy_from_settings()

    assert str(caught.value) == (
        "invalid CORS policy in settings.WSGICORS (2 problems):\n"
        "- allow_metods: ['GET']: unknown option; did you mean 'allow_methods'?\n"
        "- allow_origins: 'https://www.domain.com/': an origin has no path; remove the "
        "trailing '/' (use 'https://www.domain.com')"
    )


def test_policy_from_settings_with_path_prefixes_names_the_prefix() -> None:
    from wsgicors.integrations.django import policy_from_settings

    broken = {"/api": {"allow_methods": []}, "/ok": {}}
    with override_settings(WSGICORS=broken), pytest.raises(PolicyError) as caught:
        policy_from_settings()

    assert [problem.option for problem in caught.value.problems] == ["['/api'] allow_methods"]


def test_policy_from_settings_without_the_setting_says_how_to_add_it() -> None:
    from wsgicors.integrations.django import policy_from_settings

    with override_settings():
        del settings.WSGICORS
        with pytest.raises(ImproperlyConfigured) as caught:
            policy_from_settings()

    assert str(caught.value) == (
        "settings.WSGICORS is not set: add WSGICORS = {...} with the CORS options (the keys "
        "of a KrakenD 'security/cors' object), or WSGICORS = {} for the defaults"
    )


def test_policy_from_settings_of_wrong_type_is_refused() -> None:
    from wsgicors.integrations.django import policy_from_settings

    with override_settings(WSGICORS=["https://www.domain.com"]), pytest.raises(PolicyError) as c:
        policy_from_settings()

    assert [problem.option for problem in c.value.problems] == ["WSGICORS"]


def test_middleware_from_settings_finds_methods_under_other_middleware() -> None:
    from django.core.wsgi import get_wsgi_application

    from wsgicors.integrations.django import middleware_from_settings

    def outer(environ: dict[str, Any], start_response: Any) -> Any:
        return get_wsgi_application()(environ, start_response)

    with override_settings(WSGICORS={"auto_options": True}):
        app = middleware_from_settings(outer)

    assert webtest.TestApp(app).options("/upload").headers[ALLOW] == "OPTIONS, PUT"


# --- examples/djangoproject ------------------------------------------------------------------


@pytest.fixture
def example() -> Iterator[webtest.TestApp]:
    example_settings = importlib.import_module("djangoproject.settings")
    with override_settings(
        ROOT_URLCONF="djangoproject.urls",
        MIDDLEWARE=example_settings.MIDDLEWARE,
        WSGICORS=example_settings.WSGICORS,
    ):
        sys.modules.pop("djangoproject.wsgi", None)
        yield webtest.TestApp(importlib.import_module("djangoproject.wsgi").application)


@pytest.mark.parametrize(
    ("path_", "allow"),
    [
        pytest.param("/api/items/", "GET, OPTIONS, POST", id="require_http_methods"),
        pytest.param("/api/items/1", "DELETE, GET, HEAD, OPTIONS, PUT", id="class-based view"),
        pytest.param("/api/status", "GET, HEAD, OPTIONS", id="require_safe"),
    ],
)
def test_django_example_options_allows_view_methods(
    example: webtest.TestApp, path_: str, allow: str
) -> None:
    assert example.options(path_).headers[ALLOW] == allow


def test_django_example_preflight_from_subdomain_is_allowed(example: webtest.TestApp) -> None:
    response = example.options(
        "/api/items/1", headers={ORIGIN: "https://shop.domain.com", ACRM: "DELETE"}
    )

    assert (response.status, response.headers[ACAO], response.headers[ACMA]) == (
        "204 No Content",
        "https://shop.domain.com",
        "3600",
    )


def test_django_example_append_slash_redirect_carries_cors(example: webtest.TestApp) -> None:
    response = example.get("/api/items", headers={ORIGIN: SITE}, status=301)

    assert (response.headers["Location"], response.headers[ACAO]) == ("/api/items/", SITE)
