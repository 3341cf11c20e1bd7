"""Path scopes: path prefixes mapped to policies, and the scope of the path the app routes."""

from __future__ import annotations

from typing import Any

import pytest
import webtest
from helpers import A, B, Headers, Preflight, Serve, call, environ_for, wrapped

from wsgicors import CORSMiddleware, CORSPolicy, PolicyError
from wsgicors.headers import ACAO, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN, VARY

# --- longest prefix on a segment boundary ----------------------------------------------------


@pytest.fixture
def scoped(serve: Serve, make_app: Any) -> webtest.TestApp:
    wrapped = make_app(
        headers=[
            (CONTENT_TYPE, "text/plain"),
            (CONTENT_LENGTH, "8"),
            (ACAO, "https://app.example"),
        ]
    )
    policies = {
        "/api": CORSPolicy(allow_origins=[A]),
        "/api/v2": CORSPolicy(allow_origins=[B]),
        "/public/": CORSPolicy(),
        "/admin": None,
    }
    return serve(policies, wrapped=wrapped)


@pytest.mark.parametrize(
    ("path", "origin", "expected"),
    [
        pytest.param("/api", A, [A], id="prefix-itself"),
        pytest.param("/api/", A, [A], id="prefix-slash"),
        pytest.param("/api/users", A, [A], id="under-prefix"),
        pytest.param("/api/users", B, [], id="under-prefix-other-origin"),
        pytest.param("/api/v2/users", B, [B], id="longest-prefix"),
        pytest.param("/api/v2/users", A, [], id="longest-prefix-refuses-shorter"),
        pytest.param("/api/v2", B, [B], id="longest-prefix-itself"),
        pytest.param("/api/v2x", A, [A], id="longest-not-on-boundary"),
        pytest.param("/public", A, ["*"], id="slash-key-itself"),
        pytest.param("/public/x", A, ["*"], id="slash-key-under"),
    ],
)
def test_path_scope_selects_policy(
    scoped: webtest.TestApp, path: str, origin: str, expected: list[str]
) -> None:
    assert scoped.get(path, headers={ORIGIN: origin}).headers.getall(ACAO) == expected


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/apix", id="not-on-boundary"),
        pytest.param("/API/users", id="case-differs"),
        pytest.param("/publicity", id="slash-key-not-on-boundary"),
        pytest.param("/admin/users", id="none-policy"),
        pytest.param("/admin", id="none-policy-itself"),
        pytest.param("/other", id="no-match"),
        pytest.param("/", id="root"),
    ],
)
def test_path_scope_without_policy_leaves_response_alone(
    scoped: webtest.TestApp, path: str
) -> None:
    response = scoped.get(path, headers={ORIGIN: A})

    assert response.headers.getall(ACAO) == ["https://app.example"]
    assert response.headers.getall(VARY) == []


def test_path_scope_none_sends_preflight_to_app(
    scoped: webtest.TestApp, preflight: Preflight, make_app: Any
) -> None:
    response = preflight(scoped, "POST", path="/admin/users")

    assert response.status == "200 OK"
    assert response.body == b"app body"


def test_path_scope_root_prefix_matches_every_path(serve: Serve) -> None:
    client = serve({"/": CORSPolicy(allow_origins=[A]), "/open": None})

    assert client.get("/anything/deep", headers={ORIGIN: A}).headers.getall(ACAO) == [A]


def test_path_scope_matches_path_info_not_script_name(serve: Serve) -> None:
    client = serve({"/api": CORSPolicy(allow_origins=[A])})

    response = client.get(
        "/api/users", headers={ORIGIN: A}, extra_environ={"SCRIPT_NAME": "/mount"}
    )

    assert response.headers.getall(ACAO) == [A]


def test_path_scope_script_name_not_part_of_match(serve: Serve) -> None:
    client = serve({"/mount": CORSPolicy(allow_origins=[A])})

    response = client.get("/api", headers={ORIGIN: A}, extra_environ={"SCRIPT_NAME": "/mount"})

    assert response.headers.getall(ACAO) == []


def test_path_scope_preflight_uses_scoped_policy(serve: Serve, preflight: Preflight) -> None:
    client = serve({"/api": CORSPolicy(allow_methods=["PUT"])})

    assert preflight(client, "PUT", path="/api/x").status_int == 204
    assert preflight(client, "PUT", path="/other").status_int == 200


# --- the scope of the path the router dispatches ---------------------------------------------


def _scoped(headers: Headers | None = None) -> CORSMiddleware:
    return wrapped(
        {
            "/": CORSPolicy(allow_origins=["https://*.example.com"], allow_credentials=True),
            "/admin": CORSPolicy(
                allow_origins=["https://admin.example.com"], allow_credentials=True
            ),
            "/private": None,
        },
        headers,
    )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("//admin/secret", id="leading-double-slash"),
        pytest.param("/admin//secret", id="inner-double-slash"),
        pytest.param("///admin", id="triple-slash"),
        pytest.param("/x/../admin/secret", id="dot-dot"),
        pytest.param("/./admin/secret", id="dot"),
        pytest.param("/admin/./secret", id="dot-inside"),
    ],
)
def test_path_that_routes_to_a_stricter_scope_gets_that_scope(path: str) -> None:
    environ = environ_for("GET", path, {"Origin": "https://ugc.example.com"})

    result = call(_scoped(), environ)

    assert result.values(ACAO) == []
    assert result.values(VARY) == ["Origin"]


@pytest.mark.parametrize("path", ["//private/x", "/public/../private/x", "/./private"])
def test_path_that_routes_to_a_scope_without_cors_gets_no_cors(path: str) -> None:
    environ = environ_for("GET", path, {"Origin": "https://ugc.example.com"})

    result = call(_scoped(), environ)

    assert result.headers == [("Content-Type", "text/plain")]


@pytest.mark.parametrize("path", ["*", "", "x"])
def test_path_not_starting_with_slash_belongs_to_the_root_scope(path: str) -> None:
    middleware = _scoped()
    environ = environ_for(
        "OPTIONS",
        path,
        {"Origin": "https://ugc.example.com", "Access-Control-Request-Method": "PUT"},
    )

    result = call(middleware, environ)

    assert result.status == "403 Forbidden"
    assert middleware.app.calls == []  # type: ignore[attr-defined]


def test_path_not_starting_with_slash_read_as_if_it_did() -> None:
    environ = environ_for("GET", "admin/secret", {"Origin": "https://ugc.example.com"})

    result = call(_scoped(), environ)

    assert result.values(ACAO) == []
    assert result.values(VARY) == ["Origin"]


def test_options_star_preflight_answered_under_the_root_scope() -> None:
    middleware = wrapped({"/": CORSPolicy(allow_methods=["GET", "PUT"])})
    environ = environ_for("OPTIONS", "*", {"Origin": A, "Access-Control-Request-Method": "PUT"})

    result = call(middleware, environ)

    assert result.status == "204 No Content"
    assert result.values(ACAO) == ["*"]
    assert middleware.app.calls == []  # type: ignore[attr-defined]


# --- what the policy argument may be ---------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        pytest.param(
            ["/api", "/api/"],
            "- policy: '/api/': path prefixes '/api' and '/api/' name the same path (a "
            "trailing '/' makes no difference); keep one of them",
            id="same-path-twice",
        ),
        pytest.param(
            ["/api?x=1"],
            "- policy: '/api?x=1': a path prefix is a decoded path, without '?': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="query",
        ),
        pytest.param(
            ["/api#top"],
            "- policy: '/api#top': a path prefix is a decoded path, without '#': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="fragment",
        ),
        pytest.param(
            ["/a%2Fb"],
            "- policy: '/a%2Fb': a path prefix is a decoded path, without '%': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="percent",
        ),
        pytest.param(
            ["/api v1"],
            "- policy: '/api v1': a path prefix is a decoded path, without ' ': PATH_INFO "
            "never holds a query, a fragment, percent-escapes, whitespace or control "
            "characters; write the path as the application routes it, e.g. '/api'",
            id="space",
        ),
        pytest.param(
            ["/api\x00"],
            "- policy: '/api\\x00': a path prefix is a decoded path, without '\\x00': "
            "PATH_INFO never holds a query, a fragment, percent-escapes, whitespace or "
            "control characters; write the path as the application routes it, e.g. '/api'",
            id="nul",
        ),
        pytest.param(
            ["//api"],
            "- policy: '//api': a path prefix is written as routers match it, without "
            "empty, '.' or '..' segments; write '/api'",
            id="double-slash",
        ),
        pytest.param(
            ["/api/../admin"],
            "- policy: '/api/../admin': a path prefix is written as routers match it, "
            "without empty, '.' or '..' segments; write '/admin'",
            id="dot-dot",
        ),
    ],
)
def test_path_prefix_that_cannot_match_as_written_refused(paths: list[str], message: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        wrapped({path: CORSPolicy() for path in paths})

    assert str(excinfo.value).splitlines()[1:] == [message]


@pytest.mark.parametrize(
    "policies",
    [
        pytest.param({"api": CORSPolicy()}, id="prefix-without-slash"),
        pytest.param({"allow_origins": ["https://a.example"]}, id="config-dict"),
        pytest.param({"/api": {"allow_origins": ["*"]}}, id="dict-as-policy"),
    ],
)
def test_path_scope_bad_mapping_refused(make_app: Any, policies: dict[str, Any]) -> None:
    with pytest.raises((PolicyError, TypeError)):
        CORSMiddleware(make_app(), policies)


def test_path_scope_config_dict_hint_names_from_dict(make_app: Any) -> None:
    with pytest.raises(PolicyError) as excinfo:
        CORSMiddleware(make_app(), {"allow_origins": ["https://a.example"]})

    assert any("from_dict" in problem.hint for problem in excinfo.value.problems)


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param("https://a.example", id="string"),
        pytest.param(["https://a.example"], id="list"),
        pytest.param(42, id="number"),
    ],
)
def test_policy_of_wrong_type_refused(make_app: Any, policy: object) -> None:
    with pytest.raises(TypeError):
        CORSMiddleware(make_app(), policy)  # type: ignore[arg-type]
